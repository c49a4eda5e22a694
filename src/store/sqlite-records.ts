/**
 * Which field of each record lives in which column of the SQLite ledger (see sqlite-schema.ts for
 * the tables). The table and column names are persisted in users' ledger files and never change;
 * the audit ledger's table is `audit`.
 */

import type { BulkItem, BulkJob } from './ports/bulk-jobs';
import type { StoredConversationReference } from './ports/conversation-references';
import type { ImportCounts, ImportJob, ImportMessageRecord, ImportTarget } from './ports/import-jobs';
import type { LedgerEntry } from './ports/ledger';
import type { PendingOperation } from './ports/pending-operations';
import { flag, integer, json, RowMapping, setByStore, text } from './sqlite-row-mapping';

/** Ledger lines; `at_ms` (what the ledger is ordered by) is written next to them, `seq` by SQLite. */
export const ledgerRows = new RowMapping<LedgerEntry>(
  'audit',
  {
    id: text('id'),
    at: text('at'),
    action: text('action'),
    actor: { aadObjectId: text('actor_aad_object_id'), name: text('actor_name') },
    tenantId: text('tenant_id'),
    conversationId: text('conversation_id'),
    target: json('target', 'null'),
    targetKey: text('target_key'),
    parameters: json('parameters', {}),
    outcome: text('outcome'),
    error: json('error', 'null'),
    requestId: text('request_id'),
    before: json('before_snapshot', 'null'),
    after: json('after_snapshot', 'null'),
    jobId: text('job_id'),
  },
  ['at_ms'],
);

/** Confirmation cards' operations; `claimed_at` is stamped by the claim, never by the insert. */
export const pendingRows = new RowMapping<PendingOperation>('pending_operations', {
  id: text('id'),
  kind: text('kind'),
  tenantId: text('tenant_id'),
  requestedBy: json('requested_by', 'as-json'),
  conversationId: text('conversation_id'),
  payload: json('payload', {}),
  createdAt: text('created_at'),
  expiresAt: text('expires_at'),
  state: text('state'),
  result: json('result', 'null'),
  activityId: text('activity_id'),
  claimedAt: setByStore(text('claimed_at')),
});

/** Bulk jobs; the lease columns are written at creation but are not part of the record handed out. */
export const jobRows = new RowMapping<BulkJob>(
  'bulk_jobs',
  {
    id: text('id'),
    kind: text('kind'),
    tenantId: text('tenant_id'),
    teamId: text('team_id'),
    teamName: text('team_name'),
    requestedBy: json('requested_by', 'as-json'),
    conversationId: text('conversation_id'),
    conversationReference: json('conversation_reference', {}),
    progressActivityId: text('progress_activity_id'),
    conversationCreationDateTime: text('conversation_creation_date_time'),
    state: text('state'),
    createdAt: text('created_at'),
    updatedAt: text('updated_at'),
  },
  ['lease_owner', 'lease_until_ms'],
);

/** A bulk job's items. */
export const itemRows = new RowMapping<BulkItem>('bulk_items', {
  jobId: text('job_id'),
  itemKey: text('item_key'),
  seq: integer('seq'),
  target: json('target', 'as-json'),
  state: text('state'),
  detail: text('detail'),
  errorCode: text('error_code'),
  requestId: text('request_id'),
  updatedAt: text('updated_at'),
});

/** Where to reach each admin proactively. */
export const referenceRows = new RowMapping<StoredConversationReference>('conversation_references', {
  aadObjectId: text('aad_object_id'),
  tenantId: text('tenant_id'),
  reference: json('reference', {}),
  updatedAt: text('updated_at'),
});

/**
 * Import jobs. `created_at_ms` (what listings order by, newest first) and the lease columns are
 * written next to the record; the source is spread over columns so a ledger file can be read
 * with plain SQL (which export, how big).
 */
export const importJobRows = new RowMapping<ImportJob>(
  'import_jobs',
  {
    id: text('id'),
    jobKey: text('job_key'),
    tenantId: text('tenant_id'),
    teamId: text('team_id'),
    teamName: text('team_name'),
    source: {
      kind: text('source_kind'),
      fileName: text('source_file_name'),
      location: text('source_location'),
      sha256: text('source_sha256'),
      bytes: integer('source_bytes'),
    },
    requestedBy: json('requested_by', 'as-json'),
    origin: text('origin'),
    options: json('options', 'as-json'),
    conversationId: text('conversation_id'),
    conversationReference: json('conversation_reference', 'null'),
    progressActivityId: text('progress_activity_id'),
    state: text('state'),
    createdAt: text('created_at'),
    updatedAt: text('updated_at'),
  },
  ['created_at_ms', 'lease_owner', 'lease_until_ms'],
);

/** The column of each import counter, named once for the mapping and for the UPDATE that adds to them. */
export const IMPORT_COUNTER_COLUMNS = {
  messages: 'messages',
  replies: 'replies',
  reactions: 'reactions',
  skipped: 'skipped',
  fallbackAuthored: 'fallback_authored',
  failed: 'failed',
} as const satisfies Record<keyof ImportCounts, string>;

/** An import job's targets; the counters are integer columns, so adding to them is one UPDATE. */
export const importTargetRows = new RowMapping<ImportTarget>('import_targets', {
  jobId: text('job_id'),
  targetKey: text('target_key'),
  seq: integer('seq'),
  sourceChannelId: text('source_channel_id'),
  sourceChannelName: text('source_channel_name'),
  target: json('target', 'as-json'),
  state: text('state'),
  planned: integer('planned'),
  conversationCreationDateTime: text('conversation_creation_date_time'),
  startedByJob: flag('started_by_job'),
  counts: {
    messages: integer(IMPORT_COUNTER_COLUMNS.messages),
    replies: integer(IMPORT_COUNTER_COLUMNS.replies),
    reactions: integer(IMPORT_COUNTER_COLUMNS.reactions),
    skipped: integer(IMPORT_COUNTER_COLUMNS.skipped),
    fallbackAuthored: integer(IMPORT_COUNTER_COLUMNS.fallbackAuthored),
    failed: integer(IMPORT_COUNTER_COLUMNS.failed),
  },
  detail: text('detail'),
  errorCode: text('error_code'),
  requestId: text('request_id'),
  updatedAt: text('updated_at'),
});

/** One row per planned message of a target. */
export const importMessageRows = new RowMapping<ImportMessageRecord>('import_messages', {
  jobId: text('job_id'),
  targetKey: text('target_key'),
  seq: integer('seq'),
  sourceId: text('source_id'),
  parentSourceId: text('parent_source_id'),
  state: text('state'),
  createdDateTime: text('created_date_time'),
  graphId: text('graph_id'),
  requestId: text('request_id'),
  detail: text('detail'),
  updatedAt: text('updated_at'),
});

/** The fields a running job's patch may change, in the order the UPDATE names them. */
export const JOB_PATCH_FIELDS = ['state', 'progressActivityId'] as const;
/** The fields an item's patch may change. */
export const ITEM_PATCH_FIELDS = ['state', 'detail', 'errorCode', 'requestId'] as const;
/** The fields an import job's patch may change. */
export const IMPORT_JOB_PATCH_FIELDS = ['state', 'progressActivityId', 'options', 'conversationId', 'conversationReference'] as const;
/** The fields an import target's patch may change (its counters move only with message rows). */
export const IMPORT_TARGET_PATCH_FIELDS = ['state', 'conversationCreationDateTime', 'startedByJob', 'detail', 'errorCode', 'requestId', 'planned'] as const;
/** The fields settling a message row may change. */
export const IMPORT_MESSAGE_PATCH_FIELDS = ['state', 'createdDateTime', 'graphId', 'requestId', 'detail'] as const;
