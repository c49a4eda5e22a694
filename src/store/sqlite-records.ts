/**
 * Which field of each record lives in which column of the SQLite ledger (see sqlite-schema.ts for
 * the tables). The table and column names are persisted in users' ledger files and never change;
 * the audit ledger's table is `audit`.
 */

import type { BulkItem, BulkJob } from './ports/bulk-jobs';
import type { StoredConversationReference } from './ports/conversation-references';
import type { LedgerEntry } from './ports/ledger';
import type { PendingOperation } from './ports/pending-operations';
import { integer, json, RowMapping, setByStore, text } from './sqlite-row-mapping';

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

/** The fields a running job's patch may change, in the order the UPDATE names them. */
export const JOB_PATCH_FIELDS = ['state', 'progressActivityId'] as const;
/** The fields an item's patch may change. */
export const ITEM_PATCH_FIELDS = ['state', 'detail', 'errorCode', 'requestId'] as const;
