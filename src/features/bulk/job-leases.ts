import type { Logger } from '../../log/logger';
import type { BulkJob } from '../../store/ports/bulk-jobs';
import type { Store } from '../../store/ports/store';
import type { BulkLease } from './bulk-lease';
import type { JobSupervisor } from './job-supervisor';

/** What the lease keeper works with. */
export interface LeaseKeeperDeps {
  store: Store;
  logger: Logger;
  lease: BulkLease;
  supervisor: JobSupervisor;
  /** Runs a job this instance has just reserved and leased (BulkRecovery.resumeLeased). */
  resume: (job: BulkJob) => Promise<void>;
}

/**
 * Keeps this instance's leases and takes over the jobs of lost instances: every `renewEveryMs` it
 * renews the lease of each job running here (a job whose lease was taken over meanwhile is
 * abandoned, not run twice) and then looks for running jobs no live instance holds. Take-over
 * passes run one after the other, so no job is launched twice by this instance.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | null = null;
  /** The renewal and take-over round under way, if any (`stop` waits for it). */
  private keeping: Promise<void> | null = null;
  /** Take-over passes, one after the other, so no job is launched twice by this instance. */
  private sweeps: Promise<void> = Promise.resolve();

  constructor(private readonly deps: LeaseKeeperDeps) {}

  /** Starts the rounds (idempotent; not once shutdown has begun). */
  start(): void {
    if (this.timer || this.deps.supervisor.stopping) return;
    this.timer = setInterval(() => {
      if (this.keeping || this.deps.supervisor.stopping) return;
      this.keeping = this.keep().finally(() => (this.keeping = null));
    }, this.deps.lease.timing.renewEveryMs);
    this.timer.unref();
  }

  /**
   * Stops the rounds; a renewal round or take-over pass under way finishes first (whatever it
   * launches now is handed straight back), so nothing touches the store after it is closed.
   */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.keeping;
    await this.sweeps;
  }

  /** One take-over pass, after the one under way if any; rejects when the store could not be read. */
  takeOverInTurn(): Promise<void> {
    const pass = this.sweeps.then(() => this.takeOver());
    this.sweeps = pass.catch(() => undefined);
    return pass;
  }

  private async keep(): Promise<void> {
    const { supervisor, lease, logger } = this.deps;
    try {
      for (const [jobId, run] of supervisor.runs()) {
        if (supervisor.stopping) return;
        if (run.abandonedBecause || !run.active) continue;
        let kept: boolean;
        try {
          kept = await lease.renew(jobId);
        } catch (err) {
          // The store may be briefly unreachable; the next renewal comes well before the lease ends.
          logger.warn({ jobId, err: { message: (err as Error)?.message } }, 'could not renew the bulk job lease');
          continue;
        }
        // Lost (this process stalled past the lease and another instance took over): stop here.
        if (!kept) run.abandon('the job lease was taken over by another bot instance');
      }
      await this.takeOverInTurn();
    } catch (err) {
      logger.warn({ err: { message: (err as Error)?.message } }, 'could not look for bulk jobs to take over');
    }
  }

  private async takeOver(): Promise<void> {
    const { supervisor, lease, store } = this.deps;
    if (supervisor.stopping) return;
    const jobs = await store.listBulkJobs('running');
    for (const job of jobs) {
      if (supervisor.stopping || !supervisor.reserve(job.id)) continue;
      let leased = false;
      try {
        leased = await lease.acquire(job.id);
      } finally {
        if (!leased) supervisor.unreserve(job.id);
      }
      if (!leased) continue;
      if (supervisor.stopping) {
        // Shutting down while the lease was being taken: hand it straight back.
        supervisor.unreserve(job.id);
        await lease.release(job.id);
        continue;
      }
      try {
        await this.deps.resume(job);
      } catch (err) {
        supervisor.unreserve(job.id);
        await lease.release(job.id);
        throw err;
      }
    }
  }
}
