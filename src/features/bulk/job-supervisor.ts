import type { ThreadSnapshot } from '../../domain/targets';
import { longestCallMs } from '../../domain/graph-call-timing';
import type { MigrationApi } from '../../graph/migration-api';
import type { TeamsDirectory } from '../../graph/teams-directory';
import type { Logger } from '../../log/logger';
import type { BulkItem, BulkJob } from '../../store/ports/bulk-jobs';
import type { Store } from '../../store/ports/store';
import type { ActingContext } from '../shared/acting';
import type { Messenger } from '../shared/conversation';
import type { OperationGuard } from '../shared/operation-guard';
import { BulkJobRun } from './bulk-job';
import type { BulkLease } from './bulk-lease';
import { bulkBudgets, type BulkLimits } from './bulk-limits';
import type { BulkViews } from './bulk-views';
import { countItems } from './bulk-views';
import type { Pacer } from '../shared/pacer';
import { ProgressReporter } from '../shared/progress-reporter';
import { requesterCheck } from './requester-check';
import { WorkScheduler } from '../shared/work-scheduler';

/** What the supervisor needs to run jobs. */
export interface JobSupervisorDeps {
  guard: OperationGuard;
  directory: TeamsDirectory;
  migration: MigrationApi;
  store: Store;
  logger: Logger;
  messenger: Messenger;
  pacer: Pacer;
  lease: BulkLease;
  views: BulkViews;
  limits: BulkLimits;
  /** Least time between two updates of a progress card. */
  progressIntervalMs: number;
  /** Called after each launch (the lease keeper starts its rounds then). */
  onLaunch: () => void;
}

interface RunningJob {
  run: BulkJobRun;
  reporter: ProgressReporter;
  done: Promise<void>;
}

/**
 * The jobs running in this process: launches a job (new or resumed) in the background with its
 * progress card, ends it (final card, job state, lease handed back, summary kept on its
 * confirmation) and stops them all at shutdown. It is the one owner of which jobs this instance
 * works on — `reserve` a job before asking for its lease, so a Confirm and a take-over pass of
 * this instance never both start it.
 */
export class JobSupervisor {
  private readonly scheduler: WorkScheduler;
  private readonly running = new Map<string, RunningJob>();
  /** Jobs this instance works on or is about to (reserved before the lease is asked for). */
  private readonly owned = new Set<string>();
  private stoppingNow = false;
  private releaseStopped!: () => void;
  private readonly stopped = new Promise<void>((resolve) => (this.releaseStopped = resolve));

  constructor(private readonly deps: JobSupervisorDeps) {
    this.scheduler = new WorkScheduler(deps.pacer, deps.logger);
  }

  /** True once shutdown has begun: nothing new is launched or scheduled. */
  get stopping(): boolean {
    return this.stoppingNow;
  }

  /** Claims `jobId` for this instance; false when it already works on it (or is about to). */
  reserve(jobId: string): boolean {
    if (this.owned.has(jobId)) return false;
    this.owned.add(jobId);
    return true;
  }

  /** Gives up a reservation that did not lead to a running job (a running job keeps its own). */
  unreserve(jobId: string): void {
    if (!this.running.has(jobId)) this.owned.delete(jobId);
  }

  /** The jobs running here, for the lease keeper's renewals (live: a job that ends meanwhile is left out). */
  *runs(): IterableIterator<[string, BulkJobRun]> {
    for (const [jobId, { run }] of this.running) yield [jobId, run];
  }

  /** Starts (or resumes) a reserved, leased job in the background, after the current turn has returned. */
  launch(job: BulkJob, items: BulkItem[], who: ActingContext, befores: ReadonlyMap<string, ThreadSnapshot>, mode: 'start' | 'resume'): BulkJobRun {
    const { deps } = this;
    const b = bulkBudgets(deps.limits, job.tenantId, job.teamId);
    const reporter = new ProgressReporter({
      messenger: deps.messenger,
      reference: job.conversationReference,
      activityId: job.progressActivityId,
      intervalMs: deps.progressIntervalMs,
      logger: deps.logger,
      jobId: job.id,
      onActivityId: (id) => deps.store.updateBulkJob(job.id, { progressActivityId: id }),
    });
    const run: BulkJobRun = new BulkJobRun(job, items, who, befores, {
      migration: deps.migration,
      directory: deps.directory,
      store: deps.store,
      logger: deps.logger,
      pacer: deps.pacer,
      budgets: { tenant: b.tenant, team: b.team, thread: b.thread },
      onChange: () => reporter.changed(() => deps.views.progressCard(run, false, who.timeZone)),
      checkRequester: requesterCheck(deps.guard, job, who),
      intentSettleMs: deps.limits.intentSettleMs ?? longestCallMs(30_000),
      stillOwner: () => deps.lease.renew(job.id),
    });
    const done = this.supervise(run, reporter, who)
      .catch((err) =>
        deps.logger.error(
          { jobId: job.id, err: { message: (err as Error)?.message } },
          'bulk job stopped by an error; the next take-over pass picks it up again',
        ),
      )
      .finally(() => {
        this.running.delete(job.id);
        this.owned.delete(job.id);
      });
    this.running.set(job.id, { run, reporter, done });
    deps.logger.info({ jobId: job.id, mode, owner: deps.lease.ownerId }, 'bulk job leased to this instance');
    deps.onLaunch();
    return run;
  }

  /** One job from its first scheduled step to its end, its hand-back or its loss to another instance. */
  private async supervise(run: BulkJobRun, reporter: ProgressReporter, who: ActingContext): Promise<void> {
    const { job } = run;
    // Never inside the turn: the confirming turn must return its card before the first update.
    await new Promise((resolve) => setImmediate(resolve));
    // The requester's admin role is checked before each item's write (BulkJobRun), not only here.
    if (run.active && !this.stoppingNow) this.scheduler.add(run);
    await Promise.race([run.finished, this.stopped]);
    this.scheduler.remove(run);
    if (run.abandonedBecause) {
      // Another instance holds the job now and updates the same progress card; nothing to hand back.
      reporter.flush();
      return;
    }
    if (run.active) {
      // Stopped before the end: the job stays 'running' and is handed back, so the next instance
      // (or this one after a restart) takes it over at once instead of waiting for the lease to end.
      await this.deps.lease.release(job.id);
      return;
    }
    await reporter.final(() => this.deps.views.progressCard(run, true, who.timeZone));
    await this.deps.store.updateBulkJob(job.id, { state: run.stoppedBecause ? 'cancelled' : 'done' });
    await this.deps.lease.release(job.id);
    try {
      await this.deps.store.finishPending(job.id, 'done', { view: this.deps.views.summaryOutcome(run, who.timeZone) });
    } catch (err) {
      this.deps.logger.warn({ jobId: job.id, err: { message: (err as Error)?.message } }, 'could not record the bulk summary on its confirmation');
    }
    this.deps.logger.info({ jobId: job.id, kind: job.kind, ...countItems(run.snapshot()) }, 'bulk job finished');
  }

  /** Shutdown begins: nothing new is scheduled; call `drain` once the lease keeper has stopped. */
  beginStop(): void {
    this.stoppingNow = true;
  }

  /**
   * No new request is sent, requests in flight finish and record their outcome, finished jobs send
   * their final card now; unfinished jobs stay running and their leases are handed back.
   */
  async drain(): Promise<void> {
    this.beginStop();
    await this.scheduler.stop();
    for (const job of this.running.values()) job.reporter.flush();
    this.releaseStopped();
    await Promise.allSettled([...this.running.values()].map((j) => j.done));
  }

  /** Resolves when no job is running in this process (tests and benchmarks wait on it). */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()].map((j) => j.done));
  }
}
