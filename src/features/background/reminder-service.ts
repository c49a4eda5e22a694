import type { CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import { sendCardToPersonalChat } from '../../teams/proactive';
import { conversationKind } from '../../teams/turn-context';
import { renderCard, ListView } from '../../cards/renderer';
import { toGraphCallError } from '../../graph/graph-errors';
import type { TeamsDirectory } from '../../graph/teams-directory';
import type { Logger } from '../../log/logger';
import type { ConversationReferenceStore } from '../../store/ports/conversation-references';
import type { LedgerStore } from '../../store/ports/ledger';
import type { ReminderStore } from '../../store/ports/reminders';
import { targetDisplayName } from '../../domain/targets';
import { openMigrations } from '../../store/ledger-queries';
import { daysBetween, formatUtc } from '../../domain/parse/dates';

export interface ReminderSettings {
  afterDays: number;
  checkMinutes: number;
}

/**
 * Reminds the admin who started a migration when the thread has stayed locked longer than
 * `REMINDER_AFTER_DAYS`: a proactive message to their personal chat with the bot only (the reminder
 * names private channels and chats), opened by the bot when it only knows them from a channel.
 * Each thread reminds at most once per period, also with several instances: each claims the
 * reminder in the ledger (compare-and-set) before sending it.
 */
export class ReminderService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private readonly saved = new Set<string>();

  constructor(
    private readonly deps: { store: LedgerStore & ReminderStore & ConversationReferenceStore; directory: TeamsDirectory; adapter: CloudAdapter; botAppId: string; logger: Logger; settings: ReminderSettings },
  ) {}

  /**
   * Remembers how to reach this person (once per conversation per process): their personal chat, or,
   * until they chat in private, who they are and through which service URL, never the channel or
   * group chat itself, so nothing proactive can be posted there.
   */
  async remember(context: TurnContext): Promise<void> {
    const a = context.activity;
    const oid = a.from?.aadObjectId;
    const tenantId = (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ?? a.conversation?.tenantId;
    if (!oid || !tenantId) return;
    const key = `${oid}|${a.conversation?.id}`;
    if (this.saved.has(key)) return;
    const existing = await this.deps.store.getConversationReference(oid);
    // A personal chat is the best place for a reminder; do not replace one with a channel.
    const personal = conversationKind(context) === 'personal';
    if (existing && !personal && (existing.reference.conversation as { conversationType?: string } | undefined)?.conversationType === 'personal') {
      this.saved.add(key);
      return;
    }
    const full = JSON.parse(JSON.stringify(TurnContext_getReference(context))) as Record<string, unknown>;
    const reference = personal ? full : withoutConversation(full);
    await this.deps.store.saveConversationReference({ aadObjectId: oid, tenantId, reference, updatedAt: new Date().toISOString() });
    this.saved.add(key);
  }

  start(): void {
    if (this.deps.settings.checkMinutes <= 0) return;
    this.timer = setInterval(() => void this.runOnce().catch((err) => this.deps.logger.error({ err: { message: (err as Error).message } }, 'reminder check failed')), this.deps.settings.checkMinutes * 60000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.running) await this.running.catch(() => 0);
  }

  /** One pass: returns how many reminders were sent. */
  runOnce(now: Date = new Date()): Promise<number> {
    this.running ??= this.check(now).finally(() => (this.running = null));
    return this.running;
  }

  private async check(now: Date): Promise<number> {
    const { store, directory, settings } = this.deps;
    const cutoff = now.getTime() - settings.afterDays * 86400000;
    const open = (await openMigrations(store)).filter((e) => e.actor.aadObjectId);
    let sent = 0;
    for (const entry of open) {
      const key = entry.targetKey!;
      if (Date.parse(entry.at) > cutoff) continue;
      const last = await store.getReminderSentAt(key);
      if (last && Date.parse(last) > now.getTime() - Math.max(settings.afterDays, 1) * 86400000) continue;
      const target = entry.target!;
      try {
        if ((await directory.getThread(target)).migrationMode !== 'inProgress') continue;
      } catch (err) {
        this.deps.logger.warn({ target: key, code: toGraphCallError(err).failure.code }, 'reminder: could not read the thread');
        continue;
      }
      const ref = await store.getConversationReference(entry.actor.aadObjectId!);
      if (!ref) continue;
      const name = targetDisplayName(target);
      const card = renderCard('list', {
        title: 'Reminder: a thread is still locked in migration mode',
        summary: `You started this migration ${daysBetween(entry.at, now)} days ago (${formatUtc(entry.at)}). Members cannot post normally until it is completed.`,
        rows: [{ heading: name, detail: 'Finish the import with the migration app, then complete the migration.', buttons: [{ title: 'Status', verb: 'status', target: key }, { title: 'Complete', verb: 'completeAsk', target: key }] }],
        footer: '',
      } satisfies ListView);
      // Claimed before sending: of several instances on one ledger, only the winner reminds.
      const at = now.toISOString();
      if (!(await store.swapReminderSentAt(key, last, at))) continue;
      try {
        await sendCardToPersonalChat(this.deps, ref, card);
        sent++;
      } catch (err) {
        this.deps.logger.warn({ target: key, err: { message: (err as Error).message } }, 'reminder could not be delivered');
        // Give the claim back, so the next pass tries again instead of waiting a whole period.
        await store.swapReminderSentAt(key, at, last).catch(() => false);
      }
    }
    return sent;
  }
}

function TurnContext_getReference(context: TurnContext): Partial<ConversationReference> {
  // botbuilder's static helper, reached through the instance's class to keep the import type-only.
  return (context.constructor as unknown as { getConversationReference(a: unknown): Partial<ConversationReference> }).getConversationReference(context.activity);
}

/** Who and through which service URL, without the (shared) conversation or the activity in it. */
function withoutConversation(reference: Record<string, unknown>): Record<string, unknown> {
  const { conversation: _conversation, activityId: _activityId, ...rest } = reference;
  return rest;
}
