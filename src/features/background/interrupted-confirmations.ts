import type { OutcomeView } from '../../cards/renderer';
import { renderOutcome } from '../../cards/renderer';
import { toGraphCallError } from '../../graph/graph-errors';
import { snapshotOf } from '../../domain/targets';
import type { TeamsDirectory } from '../../graph/teams-directory';
import type { Logger } from '../../log/logger';
import { ledgerEntry, type LedgerFacts } from '../shared/acting';
import { formatBoth } from '../../domain/parse/dates';
import type { PendingOperation, PendingOperationStore } from '../../store/ports/pending-operations';
import type { BulkJobStore } from '../../store/ports/bulk-jobs';
import type { ConversationReferenceStore } from '../../store/ports/conversation-references';
import { targetKey, type ThreadSnapshot } from '../../domain/targets';
import { readSingleThreadPayload, type CompletePayload, type StartPayload } from '../../domain/pending-payloads';
import { completeTookEffect, startTookEffect } from '../../domain/took-effect';
import type { Messenger } from '../shared/conversation';
import type { BackgroundTask } from './background-task';
import { PeriodicPass } from './periodic-pass';
import type { ImportJobStore } from '../../store/ports/import-jobs';
import { exportLocation } from '../../store/ports/export-files';
import { readDraft } from '../import-flow/import-draft';

export interface InterruptedConfirmationsDeps {
  store: PendingOperationStore & BulkJobStore & ConversationReferenceStore & ImportJobStore;
  directory: TeamsDirectory;
  /** Tells the admin who confirmed, in their personal chat only. */
  messenger: Messenger;
  logger: Logger;
  /** A claim older than this is not expected to be still at work in any instance (a turn's Graph calls are bounded by their timeouts). */
  staleAfterMs: number;
}

type View = Pick<OutcomeView, 'title'> & Partial<OutcomeView>;

/** What a bulk preview stored that names the team (the rest is the bulk flow's own). */
/**
 * Settles confirmations a stopped bot left half-done. Confirm was pressed (the operation is
 * `running`) but the bot stopped before the outcome was recorded, so `startMigration` or
 * `completeMigration` may or may not have been called. Reading the thread says which; the
 * operation is then finished with what the thread shows (a later press of the old card shows it),
 * the ledger gets the line the bot could not write, and the admin who confirmed is told.
 *
 * It runs when the bot starts and then every `staleAfterMs`: a claim younger than that may belong to
 * a Confirm still at work in this or another instance. Should such a turn outlive the window after
 * all (a store or token call that hangs), it records its own outcome too: a second, correcting
 * ledger line, never a lost one. A bulk operation whose job was saved is not touched here (the job
 * resumes on its own); one left running with no job (the bot stopped, or the store failed, between
 * the claim and saving the job) is finished as not started, recorded and told the same way.
 */
export class InterruptedConfirmations implements BackgroundTask {
  readonly name = 'interrupted confirmations';
  private readonly timers: PeriodicPass;
  private running: Promise<number> | null = null;

  constructor(private readonly deps: InterruptedConfirmationsDeps) {
    // At start-up, then once per window: a scan of the pending operations, which
    // PENDING_RETENTION_DAYS keeps short.
    this.timers = new PeriodicPass({
      pass: () => this.settle(),
      periodMs: deps.staleAfterMs,
      atStart: true,
      logger: deps.logger,
      failure: 'settling interrupted confirmations failed',
    });
  }

  start(): void {
    this.timers.start();
  }

  /** Stops the timers, then waits for a pass under way (it may be writing a ledger line). */
  async stop(): Promise<void> {
    this.timers.stop();
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
      try {
        const done =
          op.kind === 'start' || op.kind === 'complete'
            ? await this.settleOne(op)
            : op.kind === 'import'
              ? await this.settleImport(op, now)
              : await this.settleBulkWithoutJob(op);
        if (done) settled++;
      } catch (err) {
        // A store error half-way: the operation stays running and the next pass finishes it.
        this.deps.logger.warn(
          { opId: op.id, err: { message: (err as Error)?.message } },
          'interrupted confirmation: could not be settled now; tried again at the next pass',
        );
      }
    }
    return settled;
  }

  /** The view the store recorded: an earlier pass cut short may have decided it (Table storage). */
  private async recordedView(opId: string, fallback: View): Promise<View> {
    try {
      const view = (await this.deps.store.getPending(opId))?.result?.view as View | undefined;
      return view ?? fallback;
    } catch {
      return fallback;
    }
  }

  /**
   * An import confirmation left running. Confirm writes nothing to Graph until its job exists, and a
   * job, once saved, is run by the bot's take-over: so if the job exists the confirmation simply
   * finished (done, with its job), and if not, nothing was started and the admin is told. Confirm
   * re-reads the whole export, so it is given IMPORT_CONFIRM_WINDOW_MS before it is judged stopped.
   */
  private async settleImport(op: PendingOperation, now: Date): Promise<boolean> {
    if (!op.claimedAt || now.getTime() - Date.parse(op.claimedAt) < IMPORT_CONFIRM_WINDOW_MS) return false;
    const draft = readDraft(op.payload);
    const location = draft ? exportLocation(draft.exportId) : null;
    const jobs = await this.deps.store.listImportJobs({ tenantId: op.tenantId, limit: 200 });
    const job = jobs.find((j) => j.source.location === location && j.teamId === draft?.teamId && j.updatedAt >= op.claimedAt!);
    if (job) {
      await this.deps.store.finishPending(op.id, 'done', { jobId: job.id });
      return true;
    }
    const view: View = {
      title: `Nothing was started: ${draft?.fileName ?? 'the import'}`,
      color: 'Attention',
      summary:
        'The bot stopped while this import was being confirmed, before its job was saved. Nothing was written to Teams; attach the export again to get a new plan.',
    };
    await this.deps.store.finishPending(op.id, 'cancelled', { view });
    this.deps.logger.warn({ opId: op.id }, 'finished an import confirmation left running with no job');
    await this.tell(op, view);
    return true;
  }

  /** A bulk confirmation claimed but never turned into a job: nothing ran, so it ends as not started. */
  private async settleBulkWithoutJob(op: PendingOperation): Promise<boolean> {
    // A file offer (`report`) is never claimed, so it is never left running: nothing to settle.
    if (op.kind === 'report') return false;
    if (await this.deps.store.getBulkJob(op.id)) return false;
    // Only the team's name is needed here, so it is read, not the whole preview.
    const teamName = typeof op.payload.teamName === 'string' ? op.payload.teamName : 'the team';
    const view: View = {
      title: `Nothing was started: ${teamName}`,
      color: 'Attention',
      summary:
        'The bot stopped (or its store failed) after this bulk confirmation was pressed, before its job was saved. No channel was changed; run the command again.',
    };
    const who = {
      aadObjectId: op.requestedBy.aadObjectId,
      name: op.requestedBy.name,
      tenantId: op.tenantId,
      conversationId: op.conversationId,
      timeZone: null,
    };
    const entry = {
      ...ledgerEntry(who, {
        action: op.kind,
        target: null,
        targetKey: null,
        parameters: { teamId: typeof op.payload.teamId === 'string' ? op.payload.teamId : null, teamName, interrupted: true },
        outcome: 'failed',
        error: { code: 'Interrupted', message: 'The bulk job was never saved, so no channel was changed.' },
        requestId: null,
        before: null,
        after: null,
        jobId: op.id,
      }),
      ...(op.claimedAt ? { at: op.claimedAt } : {}),
    };
    if (!(await this.deps.store.settleInterruptedPending(op.id, op.claimedAt, { view }, entry))) return false;
    this.deps.logger.warn({ opId: op.id, kind: op.kind }, 'finished a bulk confirmation left running with no job');
    if (op.claimedAt) await this.tell(op, await this.recordedView(op.id, view));
    return true;
  }

  private async settleOne(op: PendingOperation): Promise<boolean> {
    const confirmed = readSingleThreadPayload(op.kind, op.payload);
    if (!confirmed) {
      // Not written by this bot's flows: left for an operator rather than guessed at.
      this.deps.logger.warn({ opId: op.id, kind: op.kind }, 'interrupted confirmation: its payload could not be read');
      return false;
    }
    const payload = confirmed.payload;
    let now: ThreadSnapshot;
    try {
      now = snapshotOf(await this.deps.directory.getThread(payload.target));
    } catch (err) {
      // Tried again at the next pass.
      this.deps.logger.warn({ opId: op.id, code: toGraphCallError(err).failure.code }, 'interrupted confirmation: could not read the thread');
      return false;
    }
    const { view, facts } = confirmed.kind === 'start' ? startOutcome(confirmed.payload, now) : completeOutcome(confirmed.payload, now);
    const who = {
      aadObjectId: op.requestedBy.aadObjectId,
      name: op.requestedBy.name,
      tenantId: op.tenantId,
      conversationId: op.conversationId,
      timeZone: null,
    };
    // Dated when Confirm was pressed, which is when the action (if any) happened.
    const entry = { ...ledgerEntry(who, facts), ...(op.claimedAt ? { at: op.claimedAt } : {}) };
    const won = await this.deps.store.settleInterruptedPending(op.id, op.claimedAt, { view }, entry);
    if (!won) return false;
    this.deps.logger.warn(
      { opId: op.id, kind: op.kind, target: targetKey(payload.target), outcome: facts.outcome },
      'settled a confirmation interrupted by a stopped bot',
    );
    // Operations claimed before claims were stamped may be months old: recorded, but nobody is messaged.
    if (op.claimedAt) await this.tell(op, await this.recordedView(op.id, view));
    return true;
  }

  /** A proactive message to the admin's personal chat only (the reminders' conversation reference). */
  private async tell(op: PendingOperation, view: View): Promise<void> {
    const oid = op.requestedBy.aadObjectId;
    const ref = oid ? await this.deps.store.getConversationReference(oid) : null;
    if (!ref) return;
    try {
      await this.deps.messenger.sendCardToPersonalChat(ref, renderOutcome(view));
    } catch (err) {
      this.deps.logger.warn({ opId: op.id, err: { message: (err as Error).message } }, 'interrupted confirmation: the admin could not be told');
    }
  }
}

/** How long an import's Confirm may run (it reads the whole export again) before it is taken as stopped. */
const IMPORT_CONFIRM_WINDOW_MS = 30 * 60_000;

const INTERRUPTED = 'The bot stopped while carrying out this confirmation, before it could record the outcome.';

function startOutcome(p: StartPayload, now: ThreadSnapshot): { view: View; facts: LedgerFacts } {
  const since = p.conversationCreationDateTime;
  const base = {
    action: 'start' as const,
    target: p.target,
    targetKey: targetKey(p.target),
    parameters: { conversationCreationDateTime: since, interrupted: true },
    requestId: null,
    before: p.before ?? null,
    jobId: null,
    after: now,
  };
  const facts = [
    { title: 'Target', value: `${p.targetName} (${p.targetKind})` },
    { title: 'migrationMode', value: now.migrationMode ?? 'none' },
    { title: 'createdDateTime', value: formatBoth(now.createdDateTime, null) },
  ];
  const asked = startTookEffect(now, since);
  if (asked) {
    return {
      facts: { ...base, outcome: 'succeeded', error: null },
      view: {
        title: `Migration started: ${p.targetName}`,
        color: 'Good',
        summary: `${INTERRUPTED} Reading the thread afterwards shows migration mode is on${since ? ' with the requested date' : ''}.`,
        facts,
        actions: [{ title: 'Status', verb: 'status', opId: '', target: targetKey(p.target) }],
      },
    };
  }
  if (now.migrationMode === null) {
    return {
      facts: {
        ...base,
        outcome: 'failed',
        error: { code: 'Interrupted', message: 'The bot stopped before the outcome was recorded; the thread is not in migration mode.' },
      },
      view: {
        title: `Migration not started: ${p.targetName}`,
        color: 'Attention',
        summary: `${INTERRUPTED} Reading the thread afterwards shows it is not in migration mode. Nothing was changed; run the command again.`,
        facts,
      },
    };
  }
  // In migration with another date, or completed since: something happened that this bot cannot attribute.
  return {
    facts: {
      ...base,
      outcome: 'unknown',
      error: { code: 'Interrupted', message: `The bot stopped before the outcome was recorded; the thread is now ${now.migrationMode}, not as requested.` },
    },
    view: {
      title: `Migration state unclear: ${p.targetName}`,
      color: 'Warning',
      summary: `${INTERRUPTED} The thread is now ${now.migrationMode === 'inProgress' ? 'in migration mode, but not with the requested date' : 'completed'}: another start may have happened. Check status before doing anything else.`,
      facts,
      actions: [{ title: 'Status', verb: 'status', opId: '', target: targetKey(p.target) }],
    },
  };
}

function completeOutcome(p: CompletePayload, now: ThreadSnapshot): { view: View; facts: LedgerFacts } {
  const base = {
    action: 'complete' as const,
    target: p.target,
    targetKey: targetKey(p.target),
    parameters: { interrupted: true },
    requestId: null,
    before: null,
    jobId: null,
    after: now,
  };
  if (completeTookEffect(now)) {
    return {
      facts: { ...base, outcome: 'succeeded', error: null },
      view: {
        title: `Migration completed: ${p.targetName}`,
        color: 'Good',
        summary: `${INTERRUPTED} Reading the thread afterwards shows the migration is completed: the thread is unlocked.`,
      },
    };
  }
  if (now.migrationMode === 'inProgress') {
    return {
      facts: {
        ...base,
        outcome: 'failed',
        error: { code: 'Interrupted', message: 'The bot stopped before the outcome was recorded; the thread is still in migration mode.' },
      },
      view: {
        title: `Migration not completed: ${p.targetName}`,
        color: 'Attention',
        summary: `${INTERRUPTED} Reading the thread afterwards shows it is still in migration mode. Run complete again.`,
      },
    };
  }
  return {
    facts: {
      ...base,
      outcome: 'unknown',
      error: { code: 'Interrupted', message: 'The bot stopped before the outcome was recorded; the thread shows no migration at all.' },
    },
    view: {
      title: `Migration state unclear: ${p.targetName}`,
      color: 'Warning',
      summary: `${INTERRUPTED} The thread shows no migration mode at all. Check status.`,
    },
  };
}
