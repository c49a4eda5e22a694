/**
 * The bulk-job aggregate: a job over many channels, its items (intent before each Graph call,
 * outcome after it) and the lease that says which bot instance works on it.
 */

import type { Actor, TargetRef } from '../../domain/targets';

export type BulkItemState = 'queued' | 'intent' | 'succeeded' | 'failed' | 'skipped';

/** One channel (or chat) of a bulk job. `intent` = the Graph call may have been made; outcome unknown. */
export interface BulkItem {
  jobId: string;
  /** Unique within the job, e.g. the channel id. */
  itemKey: string;
  /** Execution order within the job. */
  seq: number;
  target: TargetRef;
  state: BulkItemState;
  /** Why skipped / failed, plain words. */
  detail: string | null;
  errorCode: string | null;
  requestId: string | null;
  updatedAt: string;
}

/** The fields of an item a running job changes; the others are fixed when the job is created. */
export type BulkItemPatch = Partial<Pick<BulkItem, 'state' | 'detail' | 'errorCode' | 'requestId'>>;

export type BulkJobState = 'running' | 'done' | 'cancelled';

/** A bulk start or complete over the channels of one team, as the admin confirmed it. */
export interface BulkJob {
  id: string;
  kind: 'bulk-start' | 'bulk-complete';
  tenantId: string;
  teamId: string;
  teamName: string;
  requestedBy: Actor;
  conversationId: string;
  /** Serialized botbuilder ConversationReference, for progress updates after a restart. */
  conversationReference: Record<string, unknown>;
  /** Activity id of the progress card, once sent. */
  progressActivityId: string | null;
  conversationCreationDateTime: string | null;
  state: BulkJobState;
  createdAt: string;
  updatedAt: string;
}

/** The fields of a job that change while it runs. */
export type BulkJobPatch = Partial<Pick<BulkJob, 'state' | 'progressActivityId'>>;

/** A bulk job's lease as given at creation: who works on it, and until when unless renewed. */
export interface BulkJobLease {
  ownerId: string;
  /** ISO 8601. */
  leaseUntil: string;
}

/** The bulk-job port: jobs, their items and their leases. Every call is atomic. */
export interface BulkJobStore {
  /**
   * Stores a job with all its items, atomically as far as readers go. With `lease`, the job is
   * born leased to its creator, so no other instance can take it between creation and start.
   */
  createBulkJob(job: BulkJob, items: BulkItem[], lease?: BulkJobLease): Promise<void>;
  getBulkJob(id: string): Promise<BulkJob | null>;
  listBulkJobs(state: BulkJobState): Promise<BulkJob[]>;
  updateBulkJob(id: string, patch: BulkJobPatch): Promise<void>;
  listBulkItems(jobId: string): Promise<BulkItem[]>;
  /**
   * Atomically applies `patch` to an item only if its state is still `from`, and returns whether it
   * did; false means someone else (another instance) moved the item first, so the caller must not
   * act on it. This is what lets exactly one instance record the intent, and so call Graph. Durable
   * before it resolves; throws `UnknownRecordError` for an item that does not exist.
   */
  transitionBulkItem(jobId: string, itemKey: string, from: BulkItemState, patch: BulkItemPatch): Promise<boolean>;
  /** Must be durable before it resolves: it is the record that a Graph call may follow. */
  updateBulkItem(jobId: string, itemKey: string, patch: BulkItemPatch): Promise<void>;

  // Leases: which bot instance works on a running job (several instances share one store).
  /**
   * Atomically makes `ownerId` the lease holder of job `jobId` until `leaseUntil` (ISO 8601) and
   * returns true, when the job is `running` and its lease is free, expired (it ended before the
   * store's clock), or already `ownerId`'s. Returns false when another owner holds an unexpired
   * lease, or the job is finished or unknown. An expired lease is how a crashed instance's job
   * is taken over.
   */
  acquireBulkJobLease(jobId: string, ownerId: string, leaseUntil: string): Promise<boolean>;
  /**
   * Moves the end of `ownerId`'s lease to `leaseUntil` and returns true, or returns false when the
   * lease is no longer theirs (taken over after it expired, or released): the caller must stop.
   */
  renewBulkJobLease(jobId: string, ownerId: string, leaseUntil: string): Promise<boolean>;
  /** Gives up `ownerId`'s lease so another instance may take the job at once; no-op when not held. */
  releaseBulkJobLease(jobId: string, ownerId: string): Promise<void>;
}
