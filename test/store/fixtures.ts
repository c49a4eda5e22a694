import { randomUUID } from 'node:crypto';
import type { BulkItem, BulkJob } from '../../src/store/ports/bulk-jobs';
import { ZERO_COUNTS, type ImportJob, type ImportMessageRecord, type ImportTarget } from '../../src/store/ports/import-jobs';
import type { LedgerEntry } from '../../src/store/ports/ledger';
import type { PendingOperation } from '../../src/store/ports/pending-operations';
import { targetKey, type TargetRef } from '../../src/domain/targets';

/** The shared tenant fixture (see the project brief): the people and threads the ledger talks about. */
export const TENANT_A = '00000000-0000-0000-0000-000000000001';
export const TENANT_B = '11111111-1111-1111-1111-111111111111';
export const alex = { aadObjectId: '00000000-0000-0000-0000-000000000020', name: 'Alex Wilber' };
export const megan = { aadObjectId: '00000000-0000-0000-0000-000000000021', name: 'Megan Bowen' };
export const lynne = { aadObjectId: '00000000-0000-0000-0000-000000000025', name: 'Lynne Robbins' };
export const olga = { aadObjectId: '11111111-0000-0000-0000-000000000030', name: 'Olga Other' };

export const MY_TEAM = '00000000-0000-0000-0000-000000000031';
export const ENGINEERING = '00000000-0000-0000-0000-000000000032';

export const general: TargetRef = {
  kind: 'channel',
  teamId: MY_TEAM,
  channelId: '19:myteam-general@thread.tacv2',
  displayName: 'General',
  teamName: 'My Team',
};
export const falcon: TargetRef = {
  kind: 'channel',
  teamId: MY_TEAM,
  channelId: '19:myteam-falcon@thread.tacv2',
  displayName: 'Project Falcon',
  teamName: 'My Team',
};
export const launchChat: TargetRef = { kind: 'chat', chatId: '19:group-launch@thread.v2', displayName: 'Launch planning' };

/** Engineering's "Channel NN" as a bulk target. */
export const engChannel = (n: number): TargetRef => {
  const nn = String(n).padStart(2, '0');
  return { kind: 'channel', teamId: ENGINEERING, channelId: `19:eng-ch${nn}@thread.tacv2`, displayName: `Channel ${nn}`, teamName: 'Contoso Engineering' };
};

/** `2025-03-01T10:00:00.000Z` plus `minutes`: distinct, easily ordered ledger times. */
export const minute = (minutes: number): string => new Date(Date.UTC(2025, 2, 1, 10, 0, 0) + minutes * 60_000).toISOString();

/** One successful `start` by Alex on General, with every field set; override what the story needs. */
export function auditEntry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  const target = overrides.target === undefined ? general : overrides.target;
  return {
    id: randomUUID(),
    at: minute(0),
    action: 'start',
    actor: alex,
    tenantId: TENANT_A,
    conversationId: 'a:personal-alex',
    target,
    targetKey: target ? targetKey(target) : null,
    parameters: { conversationCreationDateTime: '2020-01-01T00:00:00.000Z' },
    outcome: 'succeeded',
    error: null,
    requestId: randomUUID(),
    before: { createdDateTime: '2024-06-10T09:30:00Z', originalCreatedDateTime: null, migrationMode: null },
    after: { createdDateTime: '2020-01-01T00:00:00Z', originalCreatedDateTime: '2024-06-10T09:30:00Z', migrationMode: 'inProgress' },
    jobId: null,
    ...overrides,
  };
}

/** A confirmation card Alex has just been shown for starting a migration of General. */
export function pendingOperation(overrides: Partial<PendingOperation> = {}): PendingOperation {
  return {
    id: randomUUID().replace(/-/g, ''),
    kind: 'start',
    tenantId: TENANT_A,
    requestedBy: alex,
    conversationId: 'a:personal-alex',
    payload: { target: general, conversationCreationDateTime: '2020-01-01T00:00:00.000Z', targetName: 'General' },
    createdAt: '2025-03-01T10:00:00.000Z',
    expiresAt: '2025-03-01T11:00:00.000Z',
    state: 'pending',
    result: null,
    activityId: null,
    claimedAt: null,
    ...overrides,
  };
}

/** A bulk start over Engineering, requested by Megan from a channel. */
export function bulkJob(overrides: Partial<BulkJob> = {}): BulkJob {
  return {
    id: randomUUID(),
    kind: 'bulk-start',
    tenantId: TENANT_A,
    teamId: ENGINEERING,
    teamName: 'Contoso Engineering',
    requestedBy: megan,
    conversationId: '19:eng-general@thread.tacv2;messageid=1',
    conversationReference: {
      activityId: '1',
      bot: { id: '28:bbbbbbbb-0000-0000-0000-000000000001', name: 'Migration Bot' },
      conversation: { id: '19:eng-general@thread.tacv2;messageid=1', isGroup: true, tenantId: TENANT_A },
      channelId: 'msteams',
      serviceUrl: 'https://127.0.0.1:1/connector/',
    },
    progressActivityId: null,
    conversationCreationDateTime: '2019-01-01T00:00:00.000Z',
    state: 'running',
    createdAt: '2025-03-01T10:00:00.000Z',
    updatedAt: '2025-03-01T10:00:00.000Z',
    ...overrides,
  };
}

/** `count` queued items for `job`, one per Engineering channel, seq 1..count. */
export function bulkItems(job: BulkJob, count: number): BulkItem[] {
  return Array.from({ length: count }, (_, i) => {
    const target = engChannel((i % 63) + 1);
    return {
      jobId: job.id,
      itemKey: count > 63 ? `${(target as { channelId: string }).channelId}#${i}` : (target as { channelId: string }).channelId,
      seq: i + 1,
      target,
      state: 'queued' as const,
      detail: null,
      errorCode: null,
      requestId: null,
      updatedAt: job.createdAt,
    };
  });
}

/** An import of a Slack export into Engineering, started by Megan from the CLI. */
export function importJob(overrides: Partial<ImportJob> = {}): ImportJob {
  const sha256 = 'a3f1c2d4e5b6a7980112233445566778899aabbccddeeff00112233445566778';
  return {
    id: randomUUID(),
    jobKey: `${sha256}:${ENGINEERING}`,
    tenantId: TENANT_A,
    teamId: ENGINEERING,
    teamName: 'Contoso Engineering',
    source: { kind: 'slack', fileName: 'Contoso Slack export Mar 1 2025.zip', location: '/data/imports/contoso-slack.zip', sha256, bytes: 48_213_337 },
    requestedBy: megan,
    origin: 'cli',
    options: { fallbackUser: { id: alex.aadObjectId, displayName: alex.name }, completeWhenDone: true, uploadFiles: false, channelMap: { general: 'General' } },
    conversationId: null,
    conversationReference: null,
    progressActivityId: null,
    state: 'running',
    createdAt: '2025-03-01T10:00:00.000Z',
    updatedAt: '2025-03-01T10:00:00.000Z',
    ...overrides,
  };
}

/** `count` queued targets of `job`, one per Engineering channel, seq 0..count-1, each fed by a Slack channel. */
export function importTargets(job: ImportJob, count: number): ImportTarget[] {
  return Array.from({ length: count }, (_, i) => {
    const target = engChannel(i + 1);
    return {
      jobId: job.id,
      targetKey: targetKey(target),
      seq: i,
      sourceChannelId: `C0${String(i).padStart(8, '0')}`,
      sourceChannelName: `channel-${i}`,
      target,
      state: 'queued' as const,
      planned: 0,
      conversationCreationDateTime: null,
      startedByJob: false,
      counts: { ...ZERO_COUNTS },
      detail: null,
      errorCode: null,
      requestId: null,
      updatedAt: job.createdAt,
    };
  });
}

/** The row of message `seq` of `target` (a Slack ts as source id), recorded as an intent unless overridden. */
export function importMessage(target: ImportTarget, seq: number, overrides: Partial<ImportMessageRecord> = {}): ImportMessageRecord {
  return {
    jobId: target.jobId,
    targetKey: target.targetKey,
    seq,
    sourceId: `${1_700_000_000 + seq}.000100`,
    parentSourceId: null,
    state: 'intent',
    createdDateTime: new Date(Date.UTC(2023, 10, 14, 22, 13, 20) + seq * 1000).toISOString(),
    graphId: null,
    requestId: null,
    detail: null,
    updatedAt: '2025-03-01T10:05:00.000Z',
    ...overrides,
  };
}
