import type { CloudAdapter, ConversationReference } from 'botbuilder';
import { CardFactory, MessageFactory } from 'botbuilder';
import { OutcomeView, renderOutcome } from '../cards/renderer';
import { toGraphCallError } from '../graph/graph-errors';
import { snapshotOf } from '../graph/thread-state';
import type { TeamsDirectory } from '../graph/teams-directory';
import type { Logger } from '../log/logger';
import { ledgerEntry, type LedgerFacts } from '../bot/flows/acting';
import { formatBoth } from '../bot/parse/dates';
import { targetKey, type PendingOperation, type Store, type TargetRef, type ThreadSnapshot } from '../store/types';

export interface InterruptedConfirmationsDeps {
  store: Store;
  directory: TeamsDirectory;
  adapter: CloudAdapter;
  botAppId: string;
  logger: Logger;
  /** A claim older than this cannot still be at work in any instance (a turn's Graph calls are bounded by their timeouts). */
  staleAfterMs: number;
}

/** What the confirmation promised, as the start and complete flows stored it. */
interface ConfirmedPayload {
  target: TargetRef;
  targetName: string;
  targetKind: string;
  conversationCreationDateTime?: string | null;
}

type View = Pick<OutcomeView, 'title'> & Partial<OutcomeView>;

/**
 * Settles confirmations a stopped bot left half-done. Confirm was pressed (the operation is
 * `running`) but the bot stopped before the outcome was recorded, so `startMigration` or
 * `completeMigration` may or may not have been called. Reading the thread says which; the
 * operation is then finished with what the thread shows (a later press of the old card shows it),
 * the ledger gets the line the bot could not write, and the admin who confirmed is told.
 *
 * It runs when the bot starts and once more `staleAfterMs` later: every claim of the process that
 * stopped is older than that by then, and a younger claim may belong to another instance still at
 * work. Bulk operations are not touched here; their jobs resume on their own.
 */
export class InterruptedConfirmations {
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<number> | null = null;

  constructor(private readonly deps: InterruptedConfirmationsDeps) {}

  start(): void {
    const run = () => void this.settle().catch((err) => this.deps.logger.error({ err: { message: (err as Error).message } }, 'settling interrupted confirmations failed'));
    // At start-up (after the current turn of the event loop, so the server is already listening) and once every earlier claim is stale.
    this.timers = [setTimeout(run, 0), setTimeout(run, this.deps.staleAfterMs + 1000)];
    for (const t of this.timers) t.unref();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    if (this.running) await this.running.catch(() => 0);
  }

  /** One pass, after any pass under way (passes never overlap): returns how many operations were settled. */
  async settle(now: Date = new Date()): Promise<number> {
    while (this.running) await this.running.catch(() => 0);
    const pass = this.pass(now).finally(() => {
      if (this.running === pass) this.running = null;
    });
    this.running = pass;
    return pass;
  }

  private async pass(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.deps.staleAfterMs).toISOString();
    let settled = 0;
    for (const op of await this.deps.store.listInterruptedPending(cutoff)) {
      if (op.kind !== 'start' && op.kind !== 'complete') continue;
      if (await this.settleOne(op)) settled++;
    }
    return settled;
  }

  private async settleOne(op: PendingOperation): Promise<boolean> {
    const payload = op.payload as unknown as ConfirmedPayload;
    let now: ThreadSnapshot;
    try {
      now = snapshotOf(await this.deps.directory.getThread(payload.target));
    } catch (err) {
      // Try again at the next pass (the next start of the bot).
      this.deps.logger.warn({ opId: op.id, code: toGraphCallError(err).failure.code }, 'interrupted confirmation: could not read the thread');
      return false;
    }
    const { view, facts } = op.kind === 'start' ? startOutcome(payload, now) : completeOutcome(payload, now);
    const who = { aadObjectId: op.requestedBy.aadObjectId, name: op.requestedBy.name, tenantId: op.tenantId, conversationId: op.conversationId, timeZone: null };
    const won = await this.deps.store.settleInterruptedPending(op.id, op.claimedAt, { view }, ledgerEntry(who, facts));
    if (!won) return false;
    this.deps.logger.warn({ opId: op.id, kind: op.kind, target: targetKey(payload.target), outcome: facts.outcome }, 'settled a confirmation interrupted by a stopped bot');
    await this.tell(op, view);
    return true;
  }

  /** A proactive message to where the admin was last reached (the reminders' conversation reference). */
  private async tell(op: PendingOperation, view: View): Promise<void> {
    const oid = op.requestedBy.aadObjectId;
    const ref = oid ? await this.deps.store.getConversationReference(oid) : null;
    if (!ref) return;
    try {
      await this.deps.adapter.continueConversationAsync(this.deps.botAppId, ref.reference as Partial<ConversationReference>, async (ctx) => {
        await ctx.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(renderOutcome(view))));
      });
    } catch (err) {
      this.deps.logger.warn({ opId: op.id, err: { message: (err as Error).message } }, 'interrupted confirmation: the admin could not be told');
    }
  }
}

const INTERRUPTED = 'The bot stopped while carrying out this confirmation, before it could record the outcome.';

function startOutcome(p: ConfirmedPayload, now: ThreadSnapshot): { view: View; facts: LedgerFacts } {
  const since = p.conversationCreationDateTime ?? null;
  const happened = now.migrationMode === 'inProgress' && (!since || (now.createdDateTime !== null && Date.parse(now.createdDateTime) === Date.parse(since)));
  const base = { action: 'start' as const, target: p.target, targetKey: targetKey(p.target), parameters: { conversationCreationDateTime: since, interrupted: true }, requestId: null, before: null, jobId: null };
  if (happened) {
    return {
      facts: { ...base, outcome: 'succeeded', error: null, after: now },
      view: {
        title: `Migration started: ${p.targetName}`,
        color: 'Good',
        summary: `${INTERRUPTED} Reading the thread afterwards shows migration mode is on with the requested date.`,
        facts: [
          { title: 'Target', value: `${p.targetName} (${p.targetKind})` },
          { title: 'migrationMode', value: now.migrationMode ?? 'none' },
          { title: 'createdDateTime', value: formatBoth(now.createdDateTime, null) },
        ],
        actions: [{ title: 'Status', verb: 'status', opId: '', target: targetKey(p.target) }],
      },
    };
  }
  return {
    facts: { ...base, outcome: 'failed', error: { code: 'Interrupted', message: 'The bot stopped before the outcome was recorded; the thread shows migration mode was not started as asked.' }, after: now },
    view: {
      title: `Migration not started: ${p.targetName}`,
      color: 'Attention',
      summary: `${INTERRUPTED} Reading the thread afterwards shows it was not put into migration mode as asked. Nothing was changed; run the command again.`,
      facts: [
        { title: 'Target', value: `${p.targetName} (${p.targetKind})` },
        { title: 'migrationMode', value: now.migrationMode ?? 'none' },
      ],
    },
  };
}

function completeOutcome(p: ConfirmedPayload, now: ThreadSnapshot): { view: View; facts: LedgerFacts } {
  const base = { action: 'complete' as const, target: p.target, targetKey: targetKey(p.target), parameters: { interrupted: true }, requestId: null, before: null, jobId: null };
  if (now.migrationMode === 'completed') {
    return {
      facts: { ...base, outcome: 'succeeded', error: null, after: now },
      view: { title: `Migration completed: ${p.targetName}`, color: 'Good', summary: `${INTERRUPTED} Reading the thread afterwards shows the migration is completed: the thread is unlocked.` },
    };
  }
  return {
    facts: { ...base, outcome: 'failed', error: { code: 'Interrupted', message: 'The bot stopped before the outcome was recorded; the thread is still in migration mode.' }, after: now },
    view: {
      title: `Migration not completed: ${p.targetName}`,
      color: 'Attention',
      summary: `${INTERRUPTED} Reading the thread afterwards shows it is still in migration mode. Run complete again.`,
    },
  };
}
