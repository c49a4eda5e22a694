/**
 * The import-job aggregate: an import of one export into the channels of one team, its targets
 * (one per target channel), one row per planned message (intent before its Graph call, the Graph
 * id after it: exactly once across crashes and instances), and the lease that says which process
 * runs it.
 */

import type { SourceKind } from '../../domain/import/source-model';
import type { Actor, TargetRef } from '../../domain/targets';

export type ImportJobState = 'running' | 'paused' | 'done' | 'cancelled';

/** What the admin chose when they confirmed the import. */
export interface ImportOptions {
  /** Tenant user who authors messages of unmatched source users; null = none (the run refuses if one is needed). */
  fallbackUser: { id: string; displayName: string } | null;
  /** Complete each target's migration once its import is done. */
  completeWhenDone: boolean;
  /** Upload files whose bytes are in the export to the channel's files folder (needs Files.ReadWrite.All). */
  uploadFiles: boolean;
  /** Explicit source channel → target channel choices, as given (`source=target`). */
  channelMap: Record<string, string>;
}

export interface ImportJob {
  id: string;
  /** `{source sha256}:{team id, lower case}`: the same export into the same team is the same job. */
  jobKey: string;
  tenantId: string;
  teamId: string;
  teamName: string;
  source: {
    kind: SourceKind;
    /** File name as the admin gave it (shown, never used as a path). */
    fileName: string;
    /** Where the export is kept (a local path, or a blob name). */
    location: string;
    sha256: string;
    bytes: number;
  };
  requestedBy: Actor;
  origin: 'cli' | 'teams';
  options: ImportOptions;
  conversationId: string | null;
  /** Serialized ConversationReference for progress updates after a restart (Teams origin). */
  conversationReference: Record<string, unknown> | null;
  progressActivityId: string | null;
  state: ImportJobState;
  createdAt: string;
  updatedAt: string;
}

/** What changes on a job: its state and options, and where its card is (moved when it is confirmed again from another card). */
export type ImportJobPatch = Partial<Pick<ImportJob, 'state' | 'progressActivityId' | 'options' | 'conversationId' | 'conversationReference'>>;

/** Counters of one target, kept with its message rows (atomically, so a crash cannot skew them). */
export interface ImportCounts {
  /** Root messages imported. */
  messages: number;
  /** Replies imported. */
  replies: number;
  /** Reactions carried over. */
  reactions: number;
  /** Messages not imported on purpose (each row says why). */
  skipped: number;
  /** Imported messages authored as the fallback user. */
  fallbackAuthored: number;
  /** Messages that failed (each row has the error and request-id). */
  failed: number;
}

export const ZERO_COUNTS: ImportCounts = { messages: 0, replies: 0, reactions: 0, skipped: 0, fallbackAuthored: 0, failed: 0 };

export type ImportTargetState = 'queued' | 'importing' | 'imported' | 'failed' | 'skipped' | 'completed';

/** One target channel of a job, fed by one source channel. */
export interface ImportTarget {
  jobId: string;
  /** `targetKey(target)`. Unique within the job. */
  targetKey: string;
  /** Order within the job. */
  seq: number;
  sourceChannelId: string;
  sourceChannelName: string;
  target: TargetRef;
  state: ImportTargetState;
  /** Planned message rows (every source message of the channel, skipped ones included). */
  planned: number;
  /** The thread's migration date: what the engine started it with, or what it already had. */
  conversationCreationDateTime: string | null;
  /** The engine called startMigration on it (vs. found it already in migration by this app). */
  startedByJob: boolean;
  counts: ImportCounts;
  /** Why failed / skipped, in plain words. */
  detail: string | null;
  errorCode: string | null;
  requestId: string | null;
  updatedAt: string;
}

export type ImportTargetPatch = Partial<
  Pick<ImportTarget, 'state' | 'conversationCreationDateTime' | 'startedByJob' | 'detail' | 'errorCode' | 'requestId' | 'planned'>
>;

export type ImportMessageState = 'intent' | 'imported' | 'skipped' | 'failed';

/** One planned message of a target: `seq` follows the source's chronological order. */
export interface ImportMessageRecord {
  jobId: string;
  targetKey: string;
  seq: number;
  /** The source message id (Slack ts…), unique within the source channel. */
  sourceId: string;
  /** The root's source id for a reply, else null. */
  parentSourceId: string | null;
  state: ImportMessageState;
  /** The `createdDateTime` sent (unique to the ms within the thread), or null when never sent. */
  createdDateTime: string | null;
  /** Graph's message id once known. */
  graphId: string | null;
  requestId: string | null;
  /** Why skipped or failed; for fallback-authored messages, the original author. */
  detail: string | null;
  updatedAt: string;
}

export type ImportMessagePatch = Partial<Pick<ImportMessageRecord, 'state' | 'createdDateTime' | 'graphId' | 'requestId' | 'detail'>>;

/** The import-job port. Every call is atomic; the ones marked durable are on disk before they resolve. */
export interface ImportJobStore {
  /** Stores a job with its targets; with `lease`, born leased to its creator (see the bulk-job leases). */
  createImportJob(job: ImportJob, targets: ImportTarget[], lease?: { ownerId: string; leaseUntil: string }): Promise<void>;
  getImportJob(id: string): Promise<ImportJob | null>;
  /** Jobs with this key, newest first. */
  findImportJobsByKey(jobKey: string): Promise<ImportJob[]>;
  /** Jobs newest first, optionally only in one state and/or tenant, at most `limit` (default 50). */
  listImportJobs(filter?: { state?: ImportJobState; tenantId?: string; limit?: number }): Promise<ImportJob[]>;
  /**
   * Applies `patch`; with `onlyIn`, only while the job's state is one of those (a pause, resume or
   * cancel pressed at the same moment as another, or a run ending as it is cancelled: the first
   * wins, the other changes nothing). Returns whether it was applied; throws `UnknownRecordError`
   * for a job that does not exist.
   */
  updateImportJob(id: string, patch: ImportJobPatch, options?: { onlyIn?: readonly ImportJobState[] }): Promise<boolean>;
  /** The job's targets by `seq`. */
  listImportTargets(jobId: string): Promise<ImportTarget[]>;
  /** Throws `UnknownRecordError` for a target that does not exist. */
  updateImportTarget(jobId: string, targetKey: string, patch: ImportTargetPatch): Promise<void>;
  /**
   * Inserts a message row (an `intent` before its Graph call, or a row already settled, e.g.
   * `skipped`) and adds `counts` to its target's counters, atomically; returns false, changing
   * nothing, when the row with this `seq` exists. Durable.
   */
  insertImportMessage(record: ImportMessageRecord, counts?: Partial<ImportCounts>): Promise<boolean>;
  /** Applies `patch` to an existing row and adds `counts` to its target's counters, atomically. Durable. */
  settleImportMessage(jobId: string, targetKey: string, seq: number, patch: ImportMessagePatch, counts?: Partial<ImportCounts>): Promise<void>;
  /** The row with the highest `seq` of a target (where a resumed run continues), or null. */
  lastImportMessage(jobId: string, targetKey: string): Promise<ImportMessageRecord | null>;
  /** The row of a source message (a reply finds its root's Graph id), or null. */
  findImportMessage(jobId: string, targetKey: string, sourceId: string): Promise<ImportMessageRecord | null>;
  /** Rows of a target by `seq` after `afterSeq` (default -1), only in `states` when given, at most `limit` (default 500). */
  listImportMessages(
    jobId: string,
    targetKey: string,
    query?: { states?: ImportMessageState[]; afterSeq?: number; limit?: number },
  ): Promise<ImportMessageRecord[]>;

  // Leases, with the same semantics as the bulk-job leases (BulkJobStore): one runner per job.
  /** Takes the lease when the job is `running` and the lease is free, expired or already `ownerId`'s. */
  acquireImportJobLease(jobId: string, ownerId: string, leaseUntil: string): Promise<boolean>;
  /** Extends `ownerId`'s lease; false when it is no longer theirs. */
  renewImportJobLease(jobId: string, ownerId: string, leaseUntil: string): Promise<boolean>;
  /** Gives the lease up; no-op when not held. */
  releaseImportJobLease(jobId: string, ownerId: string): Promise<void>;
}
