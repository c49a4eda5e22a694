import type { ListView } from '../../cards/renderer';
import { renderCard } from '../../cards/renderer';
import { toGraphCallError } from '../../graph/graph-errors';
import type { TeamsDirectory } from '../../graph/teams-directory';
import type { Logger } from '../../log/logger';
import type { ConversationReferenceStore } from '../../store/ports/conversation-references';
import type { LedgerStore } from '../../store/ports/ledger';
import type { ReminderStore } from '../../store/ports/reminders';
import { targetDisplayName } from '../../domain/targets';
import { openMigrations } from '../../store/ledger-queries';
import { daysBetween, formatUtc } from '../../domain/parse/dates';
import type { Conversation, Messenger } from '../shared/conversation';
import type { BackgroundTask } from './background-task';
import { PeriodicPass } from './periodic-pass';

export interface ReminderSettings {
  afterDays: number;
  /** REMINDER_CHECK_MINUTES; 0 or less sends no reminders (the reference is still remembered). */
  checkMinutes: number;
}

export interface ReminderServiceDeps {
  store: LedgerStore & ReminderStore & ConversationReferenceStore;
  directory: TeamsDirectory;
  /** Sends the reminder to the admin's personal chat only. */
  messenger: Messenger;
  logger: Logger;
  settings: ReminderSettings;
}

/**
 * Reminds the admin who started a migration when the thread has stayed locked longer than
 * `REMINDER_AFTER_DAYS`: a proactive message to their personal chat with the bot only (the reminder
 * names private channels and chats), opened by the bot when it only knows them from a channel.
 * Each thread reminds at most once per period, also with several instances: each claims the
 * reminder in the ledger (compare-and-set) before sending it.
 */
export class ReminderService implements BackgroundTask {
  readonly name = 'reminders';
  private readonly timers: PeriodicPass;
  private running: Promise<number> | null = null;
  private readonly saved = new Set<string>();

  constructor(private readonly deps: ReminderServiceDeps) {
    this.timers = new PeriodicPass({
      pass: () => this.runOnce(),
      periodMs: deps.settings.checkMinutes * 60000,
      atStart: false,
      logger: deps.logger,
      failure: 'reminder check failed',
    });
  }

  /**
   * Remembers how to reach this person (once per conversation per process): their personal chat, or,
   * until they chat in private, who they are and through which service URL, never the channel or
   * group chat itself, so nothing proactive can be posted there.
   */
  async remember(conversation: Conversation): Promise<void> {
    const { who } = conversation;
    const oid = who.aadObjectId;
    const tenantId = who.tenantId;
    if (!oid || !tenantId) return;
    const key = `${oid}|${who.conversationId}`;
    if (this.saved.has(key)) return;
    const existing = await this.deps.store.getConversationReference(oid);
    // A personal chat is the best place for a reminder; do not replace one with a channel.
    const personal = who.conversationKind === 'personal';
    if (existing && !personal && (existing.reference.conversation as { conversationType?: string } | undefined)?.conversationType === 'personal') {
      this.saved.add(key);
      return;
    }
    const full = conversation.reference;
    const reference = personal ? full : withoutConversation(full);
    await this.deps.store.saveConversationReference({ aadObjectId: oid, tenantId, reference, updatedAt: new Date().toISOString() });
    this.saved.add(key);
  }

  start(): void {
    if (this.deps.settings.checkMinutes <= 0) return;
    this.timers.start();
  }

  /** Stops the timer, then waits for a pass under way (it may be sending a reminder). */
  async stop(): Promise<void> {
    this.timers.stop();
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
        rows: [
          {
            heading: name,
            detail: 'Finish the import with the migration app, then complete the migration.',
            buttons: [
              { title: 'Status', verb: 'status', target: key },
              { title: 'Complete', verb: 'completeAsk', target: key },
            ],
          },
        ],
        footer: '',
      } satisfies ListView);
      // Claimed before sending: of several instances on one ledger, only the winner reminds.
      const at = now.toISOString();
      if (!(await store.swapReminderSentAt(key, last, at))) continue;
      try {
        await this.deps.messenger.sendCardToPersonalChat(ref, card);
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

/** Who and through which service URL, without the (shared) conversation or the activity in it. */
function withoutConversation(reference: Record<string, unknown>): Record<string, unknown> {
  const { conversation: _conversation, activityId: _activityId, ...rest } = reference;
  return rest;
}
