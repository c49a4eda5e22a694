/**
 * The job-lease rules of the Table Storage backend, shared by bulk and import jobs. A lease lives
 * inside its job's entity, so each rule is a pure decision on the job as read: it returns the job
 * with its new lease, or null to leave it alone. The store writes the result with an ETag-conditional
 * Replace and decides again on `412`, which is what makes each lease call a compare-and-set across
 * instances (see `BulkJobStore` for the semantics).
 */

/** Who works on a job, and until when (epoch milliseconds, compared with the store's clock). */
export interface StoredLease {
  ownerId: string;
  untilMs: number;
}

/** A job entity that can carry a lease: only a `running` job may be leased. */
export interface Leasable {
  state: string;
  lease?: StoredLease | null;
}

/** Takes the lease when the job runs and its lease is free, expired (ended before `nowMs`) or already `ownerId`'s. */
export function takeLease<J extends Leasable>(job: J, ownerId: string, untilMs: number, nowMs: number): J | null {
  const lease = job.lease;
  const free = !lease || lease.ownerId === ownerId || lease.untilMs < nowMs;
  return job.state === 'running' && free ? { ...job, lease: { ownerId, untilMs } } : null;
}

/** Moves the end of `ownerId`'s lease; null (no write) when the lease is no longer theirs. */
export function renewLease<J extends Leasable>(job: J, ownerId: string, untilMs: number): J | null {
  return job.lease?.ownerId === ownerId ? { ...job, lease: { ownerId, untilMs } } : null;
}

/** Gives up `ownerId`'s lease; null (no write) when they do not hold it. */
export function dropLease<J extends Leasable>(job: J, ownerId: string): J | null {
  return job.lease?.ownerId === ownerId ? { ...job, lease: null } : null;
}
