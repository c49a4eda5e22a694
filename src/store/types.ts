/**
 * The storage port: everything the bot must remember across turns, restarts and instances.
 * Two backends implement it (SQLite for one instance, Azure Table Storage for several) and both
 * pass the same contract suite in test/store/.
 */

import type { Actor, TargetRef, ThreadSnapshot } from '../domain/targets';

export type AuditAction = 'start' | 'complete' | 'bulk-start' | 'bulk-complete' | 'refused';
export type AuditOutcome = 'succeeded' | 'failed' | 'refused' | 'unknown';

/** One line of the append-only audit ledger. */
export interface AuditEntry {
  /** Unique id (uuid), assigned by the caller. */
  id: string;
  /** ISO 8601 UTC time the entry was written. */
  at: string;
  action: AuditAction;
  actor: Actor;
  tenantId: string | null;
  conversationId: string | null;
  target: TargetRef | null;
  /** `targetKey(target)` or null; stored so queries by target are cheap. */
  targetKey: string | null;
  /** e.g. `{ conversationCreationDateTime }`, or the refused command text. */
  parameters: Record<string, unknown>;
  outcome: AuditOutcome;
  /** Graph error code / HTTP status / plain message when the outcome is not a success. */
  error: { status?: number; code?: string; message: string } | null;
  /** Graph `request-id` of the decisive call, when there was one. */
  requestId: string | null;
  before: ThreadSnapshot | null;
  after: ThreadSnapshot | null;
  /** Set for bulk items. */
  jobId: string | null;
}

export interface AuditQuery {
  targetKey?: string;
  actorAadObjectId?: string;
  tenantId?: string;
  /** ISO 8601; entries at or after it. */
  since?: string;
  action?: AuditAction;
  /** Newest first, at most this many (default 50). */
  limit?: number;
}

export type PendingKind = 'start' | 'complete' | 'bulk-start' | 'bulk-complete';
export type PendingState = 'pending' | 'running' | 'done' | 'cancelled';

/**
 * An operation that was pre-flighted and shown on a confirmation card. The card carries only `id`
 * (opaque, unguessable), so a rewritten card payload cannot change what is done.
 */
export interface PendingOperation {
  id: string;
  kind: PendingKind;
  tenantId: string;
  requestedBy: Actor;
  conversationId: string;
  /** What to do: target(s), dates, team; shape owned by the flow that created it. */
  payload: Record<string, unknown>;
  createdAt: string;
  expiresAt: string;
  state: PendingState;
  /** The outcome shown on the card once done (shape owned by the flow). */
  result: Record<string, unknown> | null;
  /** Activity id of the card that shows this operation, when known. */
  activityId: string | null;
  /** When Confirm claimed it (`running`); null before. Set by the store. */
  claimedAt: string | null;
}

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

export type BulkJobState = 'running' | 'done' | 'cancelled';

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

/** A bulk job's lease as given at creation: who works on it, and until when unless renewed. */
export interface BulkJobLease {
  ownerId: string;
  /** ISO 8601. */
  leaseUntil: string;
}

/** Where to reach an admin proactively (reminders), keyed by their aadObjectId. */
export interface StoredConversationReference {
  aadObjectId: string;
  tenantId: string;
  reference: Record<string, unknown>;
  updatedAt: string;
}

/** The storage port. Every method is async; backends must make each single call atomic. */
export interface Store {
  // Audit ledger (append-only).
  /**
   * Resolves once the entry is committed: it survives a crash of the bot. Reaching the disk may follow
   * a few milliseconds later (SQLite: a background group commit within ~20 ms); a durable write made
   * after it (a bulk item's outcome) carries it to the disk with it.
   */
  appendAudit(entry: AuditEntry): Promise<void>;
  queryAudit(query: AuditQuery): Promise<AuditEntry[]>;

  // Pending operations behind confirmation cards.
  createPending(op: PendingOperation): Promise<void>;
  getPending(id: string): Promise<PendingOperation | null>;
  /**
   * Atomically moves `id` from `pending` to `running` and returns true, or returns false when it
   * was not `pending` (already running, done, cancelled, or unknown). This is what makes a double
   * press of Confirm do the work once.
   */
  claimPending(id: string): Promise<boolean>;
  /**
   * Operations still `running` that were claimed before `claimedBefore`: a bot stopped between the
   * press of Confirm and the outcome (the Graph call may or may not have been made).
   */
  listInterruptedPending(claimedBefore: string): Promise<PendingOperation[]>;
  /**
   * Atomically moves an interrupted operation `running` → `done` with its result, if it is still
   * running since `claimedAt`, and appends its ledger line; false when someone else settled it.
   * Never done without its line: a call cut short by a crash or a storage error leaves the
   * operation running, and the next call finishes it with exactly one line (Table storage: the
   * settlement of the first call, kept on the operation as a marker).
   */
  settleInterruptedPending(id: string, claimedAt: string | null, result: Record<string, unknown>, ledgerEntry: AuditEntry): Promise<boolean>;
  /**
   * Deletes operations nobody can act on any more: finished, cancelled, or never confirmed, whose
   * card expired before `expiredBefore`. Running ones are kept. Returns how many were deleted. The
   * audit ledger is never pruned.
   */
  prunePending(expiredBefore: string): Promise<number>;
  /**
   * Sets the final state (`done` or `cancelled`) and result. With `ledgerEntry`, appends that audit
   * entry in the same step (one transaction where the backend has them; the entry first where it
   * does not), so an operation is never finished without its line in the ledger.
   */
  finishPending(id: string, state: 'done' | 'cancelled', result: Record<string, unknown> | null, ledgerEntry?: AuditEntry): Promise<void>;
  /** Atomically moves `pending` → `cancelled`; false when it was not pending. */
  cancelPending(id: string): Promise<boolean>;
  setPendingActivity(id: string, activityId: string): Promise<void>;

  // Bulk jobs: intent before each Graph call, outcome after it.
  /**
   * Stores a job with all its items, atomically as far as readers go. With `lease`, the job is
   * born leased to its creator, so no other instance can take it between creation and start.
   */
  createBulkJob(job: BulkJob, items: BulkItem[], lease?: BulkJobLease): Promise<void>;
  getBulkJob(id: string): Promise<BulkJob | null>;
  listBulkJobs(state: BulkJobState): Promise<BulkJob[]>;
  updateBulkJob(id: string, patch: Partial<Pick<BulkJob, 'state' | 'progressActivityId'>>): Promise<void>;
  listBulkItems(jobId: string): Promise<BulkItem[]>;
  /**
   * Atomically applies `patch` to an item only if its state is still `from`, and returns whether it
   * did; false means someone else (another instance) moved the item first, so the caller must not
   * act on it. This is what lets exactly one instance record the intent, and so call Graph. Durable
   * before it resolves; throws `UnknownRecordError` for an item that does not exist.
   */
  transitionBulkItem(
    jobId: string,
    itemKey: string,
    from: BulkItemState,
    patch: Partial<Pick<BulkItem, 'state' | 'detail' | 'errorCode' | 'requestId'>>,
  ): Promise<boolean>;
  /** Must be durable before it resolves: it is the record that a Graph call may follow. */
  updateBulkItem(
    jobId: string,
    itemKey: string,
    patch: Partial<Pick<BulkItem, 'state' | 'detail' | 'errorCode' | 'requestId'>>,
  ): Promise<void>;

  // Bulk job leases: which bot instance works on a running job (several instances share one store).
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

  // Conversation references for proactive reminders.
  saveConversationReference(ref: StoredConversationReference): Promise<void>;
  getConversationReference(aadObjectId: string): Promise<StoredConversationReference | null>;

  // Reminders already sent, so each locked thread reminds once per period.
  getReminderSentAt(targetKey: string): Promise<string | null>;
  /**
   * Compare-and-set of when a thread was last reminded about: sets it to `next` (null removes it)
   * only if it is still `expected` (null: never reminded). With several bot instances on one
   * ledger, the one that wins sends the reminder; false means another instance got there first.
   */
  swapReminderSentAt(targetKey: string, expected: string | null, next: string | null): Promise<boolean>;

  /** Flush and release resources (graceful shutdown). */
  close(): Promise<void>;
}
