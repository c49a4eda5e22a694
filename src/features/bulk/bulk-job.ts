import type { ActingContext } from '../shared/acting';
import { recordInLedger } from '../shared/acting';
import { explainFailure } from '../../domain/explain-failure';
import { decidedFailure, formatErrorCode, mayBeOwnRetry, type GraphFailure } from '../../domain/graph-failure';
import { completeTookEffect, startTookEffect } from '../../domain/took-effect';
import { toGraphCallError } from '../../graph/graph-errors';
import type { MigrationApi } from '../../graph/migration-api';
import type { TeamsDirectory } from '../../graph/teams-directory';
import { snapshotOf } from '../../domain/targets';
import type { Logger } from '../../log/logger';
import type { BulkItem, BulkItemState, BulkJob, BulkJobStore } from '../../store/ports/bulk-jobs';
import type { LedgerOutcome, LedgerStore } from '../../store/ports/ledger';
import type { ThreadSnapshot } from '../../domain/targets';
import { targetKey } from '../../domain/targets';
import type { BudgetSpec, Pacer } from '../shared/pacer';
import type { RequesterCheck, RequesterStanding } from './requester-check';
import type { Offer, WorkSource } from '../shared/work-scheduler';

/** How often one item may be sent to Graph in one run before it is reported as failed. */
const MAX_ACTS = 3;
/** How often one item's state may be read back while settling an unknown outcome. */
const MAX_READS = 5;
/** How often the store may fail to record one item's intent or outcome before the item is given up as failed. */
const MAX_STORE_FAILURES = 3;

/** How long sending waits after the requester's admin check failed, and how often it may fail in a row. */
export interface AdminCheckRetry {
  /** Pause after the first failed check; it doubles with each further failure in a row. */
  firstPauseMs: number;
  maxPauseMs: number;
  /** Failed checks in a row after which the job stops (the role could not be checked). */
  attempts: number;
}

/** About two minutes of pauses (1, 2, 4 … 30 s) before a job whose admin check keeps failing stops. */
const ADMIN_CHECK_RETRY: AdminCheckRetry = { firstPauseMs: 1000, maxPauseMs: 30000, attempts: 9 };

/** The ports a running job uses, and the budgets its requests draw from. */
export interface BulkJobDeps {
  migration: MigrationApi;
  directory: TeamsDirectory;
  store: LedgerStore & BulkJobStore;
  logger: Logger;
  pacer: Pacer;
  budgets: { tenant: BudgetSpec; team: BudgetSpec; thread: (channelId: string) => BudgetSpec };
  /** Called after every settled item (progress card). */
  onChange: () => void;
  /**
   * Asked before every Graph write: whether the requester is still an administrator, definitely
   * not (stop acting; the refusal itself is recorded by whoever answers), or could not be checked.
   */
  checkRequester: RequesterCheck;
  /** Waiting after failed admin checks (default ADMIN_CHECK_RETRY). */
  adminCheckRetry?: AdminCheckRetry;
  /**
   * How old an intent found in the store must be before the item is read (default 0): at least
   * the longest a Graph call can run, since the instance that wrote it may still have it in flight.
   */
  intentSettleMs?: number;
  /**
   * Asked before an item whose intent is already recorded is sent (again): false once this
   * instance no longer holds the job's lease, so another instance may be working on it.
   */
  stillOwner: () => Promise<boolean>;
}

/** Why an item must be read before it may be sent again. */
type ReadReason = 'restart' | 'unknown' | 'throttled' | 'ambiguous' | 'unrecorded';

interface ItemRun {
  item: BulkItem;
  phase: 'act' | 'read';
  reason: ReadReason;
  lastFailure: GraphFailure | null;
  notBefore: number;
  busy: boolean;
  acts: number;
  reads: number;
  /** Store writes for this item that failed (intent or outcome). */
  storeFailures: number;
  /** Its ledger line is written (an outcome write that failed after it is retried without a second line). */
  ledgerWritten: boolean;
  /** The outcome that could not be recorded; the read that follows decides what to record. */
  unrecorded: ItemOutcome | null;
}

/** What happened to one item, as written to its row and the ledger. */
interface ItemOutcome {
  state: Extract<BulkItemState, 'succeeded' | 'failed' | 'skipped'>;
  outcome: LedgerOutcome | null;
  detail: string | null;
  failure: GraphFailure | null;
  requestId: string | null;
  after: ThreadSnapshot | null;
  /** How the outcome was learnt when Graph's answer was not decisive. */
  reconciled: string | null;
}

/** Milliseconds to wait after a final 429: its `Retry-After` when known, else a doubling back-off. */
export function retryAfterMs(failure: GraphFailure, attempt: number): number {
  const given = (failure as GraphFailure & { retryAfterSeconds?: unknown }).retryAfterSeconds;
  if (typeof given === 'number' && Number.isFinite(given) && given >= 0) return Math.ceil(given * 1000);
  return Math.min(30000, 1000 * 2 ** Math.max(0, attempt));
}

/**
 * One bulk job's items as a work source for the scheduler, with the exactly-once discipline:
 * the item's `intent` is written (durably) before its Graph call and its outcome after; an item
 * whose outcome is unknown — a timeout, a 5xx, a final 429, an "already" that may be our own
 * retry, or an `intent` found after a restart — is settled by reading the thread's
 * `migrationMode` before it is ever sent again. Every attempted item gets exactly one ledger
 * entry (written before the item's outcome, so a crash in between is noticed and not repeated).
 * Several bot instances may share the store: the intent is recorded only if the item is still
 * queued (a compare-and-set), and a retry only while this instance holds the job's lease, so an
 * instance that lost the job gives it up (`abandon`) instead of calling Graph a second time. The
 * requester's admin role is re-checked before every write: a definite "not an administrator" stops
 * the job; a check that failed (Graph unreachable, 503) pauses sending with a growing wait and asks
 * again, and stops the job only after failing `attempts` times in a row, saying so.
 */
export class BulkJobRun implements WorkSource {
  private readonly pending: ItemRun[] = [];
  private readonly items = new Map<string, BulkItem>();
  private actsAllowed = true;
  private stopReason: string | null = null;
  /** Failed admin checks in a row, and in all (for the final report). */
  private checkFailuresInRow = 0;
  private checkFailures = 0;
  private checkStoppedJob = false;
  /** No item is sent before this (a failed admin check is being waited out). */
  private actsPausedUntil = 0;
  private lastCheckFailureAt = 0;
  private abandonReason: string | null = null;
  private resolveFinished!: () => void;
  /** Resolves when every item has an outcome. */
  readonly finished: Promise<void>;

  constructor(
    readonly job: BulkJob,
    items: BulkItem[],
    private readonly who: ActingContext,
    private readonly befores: ReadonlyMap<string, ThreadSnapshot>,
    private readonly deps: BulkJobDeps,
  ) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    for (const item of items) {
      this.items.set(item.itemKey, item);
      if (item.state === 'queued') this.pending.push(this.itemRun(item, 'act', 'restart'));
      // An intent without an outcome: the call may or may not have happened. Read first.
      else if (item.state === 'intent') this.pending.push(this.foundIntent(item));
    }
    if (this.pending.length === 0) this.resolveFinished();
  }

  /**
   * An intent this run did not write (a restart or a take-over). Its instance may have lost the
   * lease with the call still in flight, so the thread is read only once that call must have
   * ended: a read before it lands would say "not started" and the item would be sent twice.
   */
  private foundIntent(item: BulkItem): ItemRun {
    const run = this.itemRun(item, 'read', 'restart');
    const recordedAt = Date.parse(item.updatedAt);
    const settleMs = this.deps.intentSettleMs ?? 0;
    // An unreadable time is taken as "just now".
    run.notBefore = (Number.isFinite(recordedAt) ? Math.min(recordedAt, Date.now()) : Date.now()) + settleMs;
    if (run.notBefore > Date.now()) {
      this.deps.logger.info(
        { jobId: this.job.id, item: item.itemKey, readAt: new Date(run.notBefore).toISOString() },
        'bulk item has a recent intent: it is read once no call of its previous instance can still be in flight',
      );
    }
    return run;
  }

  private itemRun(item: BulkItem, phase: 'act' | 'read', reason: ReadReason): ItemRun {
    return { item, phase, reason, lastFailure: null, notBefore: 0, busy: false, acts: 0, reads: 0, storeFailures: 0, ledgerWritten: false, unrecorded: null };
  }

  private get since(): string | null {
    return this.job.kind === 'bulk-start' ? this.job.conversationCreationDateTime : null;
  }

  private get operation(): 'start' | 'complete' {
    return this.job.kind === 'bulk-start' ? 'start' : 'complete';
  }

  /** Every item as it stands now, in job order. */
  snapshot(): BulkItem[] {
    return [...this.items.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Why acting stopped early (the requester lost the admin role, or it could not be checked), or null. */
  get stoppedBecause(): string | null {
    return this.stopReason;
  }

  /** For the final report: the admin check failed during the job and was waited out, or null. */
  get adminCheckNote(): string | null {
    // A stopped job's reason says what happened.
    if (this.checkFailures === 0 || this.stopReason) return null;
    const times = this.checkFailures === 1 ? 'once' : `${this.checkFailures} times`;
    return `The requester's administrator role could not be checked ${times}; the channels waited and were tried again (the role was never found missing).`;
  }

  /** Why this instance gave the job up to another one (its lease was lost), or null. */
  get abandonedBecause(): string | null {
    return this.abandonReason;
  }

  /** True while items still wait for an outcome. */
  get active(): boolean {
    return this.pending.length > 0;
  }

  /**
   * The requester is no longer an administrator: send nothing more. Items waiting to be sent are
   * marked skipped; items whose outcome is unknown are still read, so the record stays accurate.
   */
  async stopActing(reason: string): Promise<void> {
    this.actsAllowed = false;
    this.stopReason = reason;
    const waiting = this.pending.filter((it) => !it.busy && it.phase === 'act');
    // Marked busy first so the scheduler cannot hand one out while they are being settled.
    for (const it of waiting) it.busy = true;
    for (const it of waiting) {
      // Given up meanwhile: the items are the new owner's to record.
      if (this.abandonReason) this.drop(it);
      else await this.skipNotRun(it);
    }
  }

  /**
   * Another instance owns the job now: hand out nothing more and record nothing for items not yet
   * begun (the new owner does them). Steps in flight finish and record what they did; `finished`
   * resolves once they have.
   */
  abandon(reason: string): void {
    if (this.abandonReason) return;
    this.abandonReason = reason;
    this.deps.logger.warn({ jobId: this.job.id, reason }, 'bulk job given up to another bot instance');
    for (const it of this.pending.filter((p) => !p.busy)) this.drop(it);
  }

  /** Forgets an item without an outcome (the job was given up); the store keeps its last state. */
  private drop(it: ItemRun): void {
    const i = this.pending.indexOf(it);
    if (i < 0) return;
    this.pending.splice(i, 1);
    if (this.pending.length === 0) this.resolveFinished();
  }

  /** The scheduler asks for the next request this job may send now. */
  offer(pacer: Pacer): Offer {
    if (this.pending.length === 0) return null;
    const { tenant, team, thread } = this.deps.budgets;
    const shared = [tenant, team];
    const w0 = pacer.waitFor(shared);
    if (w0 > 0) return Number.isFinite(w0) ? { waitMs: w0 } : null;
    const now = Date.now();
    let min = Number.POSITIVE_INFINITY;
    for (const it of this.pending) {
      if (it.busy) continue;
      const own = thread(it.item.itemKey);
      const paused = it.phase === 'act' ? this.actsPausedUntil - now : 0;
      const w = Math.max(it.notBefore - now, paused, pacer.waitFor([own]));
      if (w <= 0) {
        it.busy = true;
        return { unit: { budgets: [tenant, team, own], run: (answered) => this.step(it, answered) } };
      }
      min = Math.min(min, w);
    }
    return Number.isFinite(min) ? { waitMs: min } : null;
  }

  private async step(it: ItemRun, answered: () => void): Promise<void> {
    try {
      if (this.abandonReason) return;
      if (it.phase === 'read') await this.read(it, answered);
      else {
        const may = await this.mayAct();
        if (may === 'act') await this.act(it, answered);
        // 'later': the item stays queued until the failed admin check has been waited out.
        else if (may === 'stop' && !this.abandonReason) await this.skipNotRun(it);
      }
    } finally {
      it.busy = false;
      if (this.abandonReason) this.drop(it);
    }
  }

  /**
   * The requester's admin role, re-checked before every write (the policy caches its answers, so
   * this is cheap): a demoted requester stops the whole job, not just this item. A check that
   * failed is no answer: the item waits (`later`), unless the check has failed too often in a row.
   */
  private async mayAct(): Promise<'act' | 'later' | 'stop'> {
    if (!this.actsAllowed) return 'stop';
    if (Date.now() < this.actsPausedUntil) return 'later';
    const askedAt = Date.now();
    const standing = await this.deps.checkRequester().catch((err): RequesterStanding => ({
      kind: 'unchecked',
      reason: `the administrator check failed (${(err as Error)?.message ?? 'unknown error'})`,
      correlationId: null,
    }));
    this.noteStanding(standing, askedAt);
    if (standing.kind === 'not-admin' && this.actsAllowed) await this.stopActing(standing.reason);
    if (standing.kind === 'unchecked' && this.actsAllowed) {
      const retry = this.deps.adminCheckRetry ?? ADMIN_CHECK_RETRY;
      if (this.checkFailuresInRow < retry.attempts) return 'later';
      await this.stopBecauseUnchecked(standing, retry);
    }
    return this.actsAllowed && !this.abandonReason ? 'act' : 'stop';
  }

  /** Counts failed checks in a row and sets the pause; items that asked together count as one check. */
  private noteStanding(standing: RequesterStanding, askedAt: number): void {
    if (standing.kind === 'admin') {
      this.checkFailuresInRow = 0;
      this.actsPausedUntil = 0;
      return;
    }
    // Asked before the last failure came back: the same outage (concurrent items share one check).
    if (standing.kind !== 'unchecked' || askedAt < this.lastCheckFailureAt) return;
    this.lastCheckFailureAt = Date.now();
    const retry = this.deps.adminCheckRetry ?? ADMIN_CHECK_RETRY;
    this.checkFailuresInRow++;
    this.checkFailures++;
    const pause = Math.min(retry.maxPauseMs, retry.firstPauseMs * 2 ** (this.checkFailuresInRow - 1));
    this.actsPausedUntil = Date.now() + pause;
    this.deps.logger.warn(
      { jobId: this.job.id, correlationId: standing.correlationId, inRow: this.checkFailuresInRow, pauseMs: pause },
      "bulk job: the requester's admin check failed; sending waits and the check is asked again",
    );
  }

  /** The check kept failing: stop sending, with a reason that says the role was not found missing. */
  private async stopBecauseUnchecked(standing: Extract<RequesterStanding, { kind: 'unchecked' }>, retry: AdminCheckRetry): Promise<void> {
    if (this.checkStoppedJob) return;
    const ref = standing.correlationId ? `; correlation id ${standing.correlationId}` : '';
    const reason = `${standing.reason} (it failed ${this.checkFailuresInRow} times in a row${ref}); the role was not found missing, so run the command again later for the rest`;
    // Set at once, so items asking meanwhile are skipped with this reason and it is recorded once.
    this.checkStoppedJob = true;
    this.actsAllowed = false;
    this.stopReason = reason;
    try {
      await recordInLedger(this.deps.store, this.who, {
        action: 'refused',
        target: null,
        targetKey: null,
        parameters: { jobId: this.job.id, attempted: this.job.kind, moment: 'before a Graph write', reason: 'check-failed', attempts: retry.attempts },
        outcome: 'refused',
        error: { message: reason },
        requestId: null,
        before: null,
        after: null,
        jobId: null,
      });
    } catch (err) {
      this.deps.logger.error({ jobId: this.job.id, err: { message: (err as Error)?.message } }, 'could not record why the bulk job stopped');
    }
    await this.stopActing(reason);
  }

  private skipNotRun(it: ItemRun): Promise<void> {
    return this.settle(it, {
      state: 'skipped',
      outcome: null,
      detail: `not run: ${this.stopReason}`,
      failure: null,
      requestId: null,
      after: null,
      reconciled: null,
    });
  }

  private expectedAfter(before: ThreadSnapshot | null): ThreadSnapshot | null {
    if (!before) return null;
    if (this.job.kind === 'bulk-complete') return { ...before, migrationMode: 'completed' };
    return {
      migrationMode: 'inProgress',
      createdDateTime: this.since ?? before.createdDateTime,
      originalCreatedDateTime: before.originalCreatedDateTime ?? before.createdDateTime,
    };
  }

  private async act(it: ItemRun, answered: () => void): Promise<void> {
    const { item } = it;
    try {
      if (this.items.get(item.itemKey)?.state === 'queued') {
        // Durable before the call: after a crash this row says the call may have been made. Written
        // only if the item is still queued, so of two instances only the one that wins calls Graph.
        if (!(await this.deps.store.transitionBulkItem(this.job.id, item.itemKey, 'queued', { state: 'intent' }))) {
          this.abandon(`another bot instance recorded the intent for ${item.itemKey} first`);
          return;
        }
        this.setItem(item.itemKey, { state: 'intent' });
      } else if (!(await this.deps.stillOwner())) {
        // Sent again after a read: the intent is already recorded, so the lease is what says it is still ours.
        this.abandon('the job lease was taken over by another bot instance');
        return;
      }
    } catch (err) {
      // Nothing was sent: the item waits and tries again, a bounded number of times.
      await this.storeFailed(it, err, null);
      return;
    }
    it.acts++;
    let requestId: string | null;
    try {
      const receipt =
        this.job.kind === 'bulk-start'
          ? await this.deps.migration.startMigration(item.target, this.since)
          : await this.deps.migration.completeMigration(item.target);
      answered();
      requestId = receipt.requestId;
    } catch (err) {
      answered();
      const failure = toGraphCallError(err).failure;
      if (failure.status === 429) {
        // graph-client already waited and retried; one of those tries may have been a 5xx that
        // took effect, so the thread is read (after Retry-After) before anything is sent again.
        const wait = retryAfterMs(failure, it.acts - 1);
        this.deps.pacer.block([this.deps.budgets.team, this.deps.budgets.thread(item.itemKey)], wait);
        Object.assign(it, { phase: 'read', reason: 'throttled', lastFailure: failure, notBefore: Date.now() + wait });
        return;
      }
      if (failure.outcomeUnknown || mayBeOwnRetry(failure, this.operation)) {
        Object.assign(it, { phase: 'read', reason: failure.outcomeUnknown ? 'unknown' : 'ambiguous', lastFailure: failure, notBefore: 0 });
        return;
      }
      await this.settle(it, {
        state: 'failed',
        outcome: 'failed',
        detail: explainFailure(failure, this.operation),
        failure,
        requestId: failure.requestId,
        after: null,
        reconciled: null,
      });
      return;
    }
    await this.settle(it, {
      state: 'succeeded',
      outcome: 'succeeded',
      detail: null,
      failure: null,
      requestId,
      after: this.expectedAfter(this.befores.get(item.itemKey) ?? null),
      reconciled: null,
    });
  }

  /** Settles an unknown outcome by reading the channel, then decides: done, failed, or send again. */
  private async read(it: ItemRun, answered: () => void): Promise<void> {
    const { item } = it;
    const target = item.target;
    if (target.kind !== 'channel') throw new Error('bulk jobs hold channels only');
    it.reads++;
    let snap: ThreadSnapshot;
    try {
      snap = snapshotOf(await this.deps.directory.getChannel(target.teamId, target.channelId));
      answered();
    } catch (err) {
      answered();
      const failure = toGraphCallError(err).failure;
      const transient = failure.status === 429 || failure.outcomeUnknown;
      if (transient && it.reads < MAX_READS) {
        const wait = retryAfterMs(failure, it.reads - 1);
        if (failure.status === 429) this.deps.pacer.block([this.deps.budgets.team, this.deps.budgets.thread(item.itemKey)], wait);
        it.notBefore = Date.now() + wait;
        return;
      }
      const decisive = it.lastFailure ?? failure;
      await this.settle(it, {
        state: 'failed',
        outcome: 'unknown',
        detail: `Whether the change was made could not be settled: reading the channel back failed (${formatErrorCode(failure)}). Run status on the channel before trying again.`,
        failure: decisive,
        requestId: decisive.requestId,
        after: null,
        reconciled: null,
      });
      return;
    }
    const how = {
      restart: 'read back after a restart',
      unknown: `read back after an unknown outcome (${it.lastFailure?.code ?? 'no answer'})`,
      throttled: 'read back after throttling',
      ambiguous: `read back after Graph answered "${it.lastFailure?.message ?? ''}"`,
      unrecorded: 'read back after its outcome could not be recorded',
    }[it.reason];
    const requestId = it.lastFailure?.requestId ?? it.unrecorded?.requestId ?? null;
    if (this.job.kind === 'bulk-start') {
      if (snap.migrationMode === 'inProgress') {
        if (startTookEffect(snap, this.since)) {
          await this.settle(it, { state: 'succeeded', outcome: 'succeeded', detail: null, failure: null, requestId, after: snap, reconciled: how });
        } else {
          const failure = decidedFailure(400, 'AlreadyInMigration', `In migration mode with another creation date (${snap.createdDateTime}).`, requestId);
          await this.settle(it, {
            state: 'failed',
            outcome: 'failed',
            detail: 'Already in migration mode with another creation date: someone else started it. It was not started again.',
            failure,
            requestId,
            after: snap,
            reconciled: how,
          });
        }
        return;
      }
    } else if (completeTookEffect(snap)) {
      await this.settle(it, { state: 'succeeded', outcome: 'succeeded', detail: null, failure: null, requestId, after: snap, reconciled: how });
      return;
    } else if (snap.migrationMode !== 'inProgress') {
      const failure = it.lastFailure ?? decidedFailure(400, 'NotInMigration', 'The channel is not in migration mode.');
      await this.settle(it, {
        state: 'failed',
        outcome: 'failed',
        detail: explainFailure({ ...failure, status: 400, message: 'not in migration mode' }, 'complete'),
        failure,
        requestId: failure.requestId,
        after: snap,
        reconciled: how,
      });
      return;
    }
    // An outcome that could not be recorded and that the thread does not contradict (Graph refused,
    // or nothing was sent): recorded as it was decided, not sent again.
    if (it.reason === 'unrecorded' && it.unrecorded && it.unrecorded.state !== 'succeeded') {
      await this.settle(it, { ...it.unrecorded, after: snap });
      return;
    }
    // The call did not take effect. Graph's "already"/"not in migration" was then about something
    // else and is reported as is; otherwise the item may be sent again.
    if (it.reason === 'ambiguous' && it.lastFailure) {
      await this.settle(it, {
        state: 'failed',
        outcome: 'failed',
        detail: explainFailure(it.lastFailure, this.operation),
        failure: it.lastFailure,
        requestId: it.lastFailure.requestId,
        after: snap,
        reconciled: null,
      });
      return;
    }
    if (!this.actsAllowed) {
      await this.skipNotRun(it);
      return;
    }
    if (it.acts >= MAX_ACTS) {
      const failure = it.lastFailure ?? decidedFailure(0, 'Timeout', 'No decisive answer from Graph.');
      await this.settle(it, {
        state: 'failed',
        outcome: 'failed',
        detail: `${explainFailure(failure, this.operation)} (tried ${it.acts} times)`,
        failure,
        requestId: failure.requestId,
        after: snap,
        reconciled: null,
      });
      return;
    }
    Object.assign(it, { phase: 'act', notBefore: Math.max(it.notBefore, Date.now()) });
  }

  private setItem(key: string, patch: Partial<BulkItem>): void {
    const current = this.items.get(key);
    if (current) this.items.set(key, { ...current, ...patch, updatedAt: new Date().toISOString() });
  }

  /**
   * Ledger entry first, then the item's outcome: both durable before the next step. When the store
   * fails, the item is not finished: its next step reads the thread (`storeFailed`).
   */
  private async settle(it: ItemRun, s: ItemOutcome): Promise<void> {
    const errorCode = s.failure ? formatErrorCode(s.failure) : null;
    try {
      if (s.outcome && !it.ledgerWritten) {
        await recordInLedger(this.deps.store, this.who, this.ledgerFacts(it.item, s));
        it.ledgerWritten = true;
      }
      await this.deps.store.updateBulkItem(this.job.id, it.item.itemKey, { state: s.state, detail: s.detail, errorCode, requestId: s.requestId });
    } catch (err) {
      await this.storeFailed(it, err, s);
      return;
    }
    if (s.reconciled)
      this.deps.logger.info({ jobId: this.job.id, item: it.item.itemKey, state: s.state, how: s.reconciled }, 'bulk item settled by reading the thread');
    this.finish(it, { state: s.state, detail: s.detail, errorCode, requestId: s.requestId });
  }

  private ledgerFacts(item: BulkItem, s: ItemOutcome) {
    const parameters: Record<string, unknown> = {};
    if (this.job.kind === 'bulk-start') parameters.conversationCreationDateTime = this.since;
    if (s.reconciled) parameters.reconciled = s.reconciled;
    else if (s.after && s.state === 'succeeded') parameters.afterSource = 'expected state (not read back, to stay within Graph limits)';
    return {
      action: this.job.kind,
      target: item.target,
      targetKey: targetKey(item.target),
      parameters,
      outcome: s.outcome!,
      error: s.failure ? { status: s.failure.status, code: s.failure.code, message: s.failure.message } : null,
      requestId: s.requestId,
      before: this.befores.get(item.itemKey) ?? null,
      after: s.after,
      jobId: this.job.id,
    };
  }

  /**
   * The store could not record this item's intent (`settlement` null: nothing was sent) or its
   * outcome. A call may have been made, so the next step reads the thread, never sends; after
   * MAX_STORE_FAILURES the item is given up as failed, so a store that keeps failing ends the job.
   */
  private async storeFailed(it: ItemRun, err: unknown, settlement: ItemOutcome | null): Promise<void> {
    it.storeFailures++;
    const message = (err as Error)?.message ?? String(err);
    const last = it.storeFailures >= MAX_STORE_FAILURES;
    this.deps.logger.warn(
      { jobId: this.job.id, item: it.item.itemKey, attempt: it.storeFailures, err: { message } },
      last ? 'bulk item given up: the store could not record it' : 'bulk item could not be recorded; it is tried again after a pause',
    );
    if (last) return this.giveUp(it, settlement, message);
    it.notBefore = Date.now() + Math.min(30000, 1000 * 2 ** (it.storeFailures - 1));
    if (settlement) Object.assign(it, { phase: 'read', reason: 'unrecorded', unrecorded: settlement });
  }

  /** Ends the item as failed with what is known; its row is updated if the store lets it. */
  private async giveUp(it: ItemRun, settlement: ItemOutcome | null, message: string): Promise<void> {
    const known = !settlement
      ? 'Nothing was sent to Graph.'
      : settlement.state === 'succeeded'
        ? 'Graph accepted the change.'
        : settlement.state === 'skipped'
          ? 'It was not sent to Graph.'
          : `Graph's answer: ${settlement.detail ?? 'failed'}`;
    const patch = {
      state: 'failed' as const,
      detail: `The ledger could not be written: ${message}. ${known} Run status on the channel before trying again.`,
      errorCode: 'LedgerWriteFailed',
      requestId: settlement?.requestId ?? null,
    };
    try {
      await this.deps.store.updateBulkItem(this.job.id, it.item.itemKey, patch);
    } catch {
      // Already logged: the row keeps its intent, which a later run settles by reading the thread first.
    }
    this.finish(it, patch);
  }

  /** The item has its outcome: off the pending list, progress updated. */
  private finish(it: ItemRun, patch: Pick<BulkItem, 'state' | 'detail' | 'errorCode' | 'requestId'>): void {
    this.setItem(it.item.itemKey, patch);
    const i = this.pending.indexOf(it);
    if (i >= 0) this.pending.splice(i, 1);
    this.deps.onChange();
    if (this.pending.length === 0) this.resolveFinished();
  }
}
