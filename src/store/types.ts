/**
 * The storage port: everything the bot must remember across turns, restarts and instances.
 * Two backends implement it (SQLite for one instance, Azure Table Storage for several) and both
 * pass the same contract suite in test/store/.
 */

/** A thread the bot can put into migration mode. */
export type TargetRef =
  | { kind: 'channel'; teamId: string; channelId: string; displayName?: string; teamName?: string }
  | { kind: 'chat'; chatId: string; displayName?: string };

/** Stable key of a target, used to index the ledger: `channel:{teamId}:{channelId}` or `chat:{chatId}`. */
export function targetKey(target: TargetRef): string {
  return target.kind === 'channel' ? `channel:${target.teamId}:${target.channelId}` : `chat:${target.chatId}`;
}

export interface Actor {
  aadObjectId: string | null;
  name: string | null;
}

/** Thread dates and mode as read from Graph, before or after an action. */
export interface ThreadSnapshot {
  createdDateTime: string | null;
  originalCreatedDateTime: string | null;
  migrationMode: 'inProgress' | 'completed' | null;
}

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
  /** Sets the final state (`done` or `cancelled`) and result. */
  finishPending(id: string, state: 'done' | 'cancelled', result: Record<string, unknown> | null): Promise<void>;
  /** Atomically moves `pending` → `cancelled`; false when it was not pending. */
  cancelPending(id: string): Promise<boolean>;
  setPendingActivity(id: string, activityId: string): Promise<void>;

  // Bulk jobs: intent before each Graph call, outcome after it.
  createBulkJob(job: BulkJob, items: BulkItem[]): Promise<void>;
  getBulkJob(id: string): Promise<BulkJob | null>;
  listBulkJobs(state: BulkJobState): Promise<BulkJob[]>;
  updateBulkJob(id: string, patch: Partial<Pick<BulkJob, 'state' | 'progressActivityId'>>): Promise<void>;
  listBulkItems(jobId: string): Promise<BulkItem[]>;
  /** Must be durable before it resolves: it is the record that a Graph call may follow. */
  updateBulkItem(
    jobId: string,
    itemKey: string,
    patch: Partial<Pick<BulkItem, 'state' | 'detail' | 'errorCode' | 'requestId'>>,
  ): Promise<void>;

  // Conversation references for proactive reminders.
  saveConversationReference(ref: StoredConversationReference): Promise<void>;
  getConversationReference(aadObjectId: string): Promise<StoredConversationReference | null>;

  // Reminders already sent, so each locked thread reminds once per period.
  getReminderSentAt(targetKey: string): Promise<string | null>;
  setReminderSentAt(targetKey: string, at: string): Promise<void>;

  /** Flush and release resources (graceful shutdown). */
  close(): Promise<void>;
}
