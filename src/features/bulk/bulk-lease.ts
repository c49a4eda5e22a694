import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log/logger';
import type { Store } from '../../store/ports/store';

/**
 * A running job is leased to one bot instance at a time. The holder renews the lease every
 * `renewEveryMs`; a lease not renewed for `durationMs` (its holder crashed or hangs) is taken over
 * by another instance, which is how a dead instance's job resumes. Short, so a crashed job waits
 * little; the renewal interval must leave room for a slow store call before the lease runs out.
 */
export interface BulkLeaseTiming {
  durationMs: number;
  renewEveryMs: number;
}

const DEFAULT_LEASE: BulkLeaseTiming = { durationMs: 15000, renewEveryMs: 5000 };

/**
 * This instance as a lease holder: its identity (unique per process start), the lease timing and
 * the store calls that take, renew and hand back a job's lease. Holds no state of its own beyond
 * that; which jobs are held is the JobSupervisor's to know.
 */
export class BulkLease {
  /** This instance's identity as a lease holder; unique per process start. */
  readonly ownerId = randomUUID();
  readonly timing: BulkLeaseTiming;

  constructor(
    private readonly deps: { store: Store; logger: Logger },
    timing?: Partial<BulkLeaseTiming>,
  ) {
    this.timing = { ...DEFAULT_LEASE, ...timing };
    if (!(this.timing.renewEveryMs > 0 && this.timing.renewEveryMs < this.timing.durationMs)) {
      throw new Error('the bulk job lease must be renewed (renewEveryMs > 0) more often than it lasts (durationMs)');
    }
  }

  /** When a lease taken or renewed now runs out. */
  until(): string {
    return new Date(Date.now() + this.timing.durationMs).toISOString();
  }

  /** Takes the lease of a job no live instance holds; false when another instance holds it. */
  acquire(jobId: string): Promise<boolean> {
    return this.deps.store.acquireBulkJobLease(jobId, this.ownerId, this.until());
  }

  /** Extends this instance's lease; false when it was lost (another instance took the job over). */
  renew(jobId: string): Promise<boolean> {
    return this.deps.store.renewBulkJobLease(jobId, this.ownerId, this.until());
  }

  /** Hands the lease back so another instance can take the job at once; never throws. */
  async release(jobId: string): Promise<void> {
    try {
      await this.deps.store.releaseBulkJobLease(jobId, this.ownerId);
    } catch (err) {
      // Not fatal: an unreleased lease simply expires.
      this.deps.logger.warn({ jobId, err: { message: (err as Error)?.message } }, 'could not release the bulk job lease');
    }
  }
}
