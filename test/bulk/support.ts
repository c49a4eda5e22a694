import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Emulator, LoggedRequest } from '../../emulator/index';
import type { Conversation } from '../../emulator/teams-client';
import type { BulkItem, BulkJob, BulkJobLease } from '../../src/store/ports/bulk-jobs';
import type { Store } from '../../src/store/ports/store';
import type { ThreadSnapshot } from '../../src/domain/targets';
import { cardText } from '../support/harness';

export const TENANT = '00000000-0000-0000-0000-000000000001';
export const ENGINEERING = '00000000-0000-0000-0000-000000000032';
export const MY_TEAM = '00000000-0000-0000-0000-000000000031';
export const LEGACY = '19:eng-legacy@thread.tacv2';
export const VENDOR = '19:eng-vendor@thread.tacv2';
export const FALCON = '19:myteam-falcon@thread.tacv2';

/** General plus "Channel 01" … "Channel 63" of Contoso Engineering: the channels a bulk start runs on. */
export const ENGINEERING_FRESH: string[] = [
  '19:eng-general@thread.tacv2',
  ...Array.from({ length: 63 }, (_, i) => `19:eng-ch${String(i + 1).padStart(2, '0')}@thread.tacv2`),
];

/** Emulator limits (spec §5 shape) matching the bot's BULK_TEAM_RPS / BULK_TENANT_RPS in these tests. */
export const TEAM_RPS = 8;
export const TENANT_RPS = 30;
export const throttled = { enabled: true, perAppPerTenant: TENANT_RPS, channelsListPerAppPerTenant: 60, perAppPerTeam: TEAM_RPS, perAppPerThread: 1 };
export const bulkEnv = { BULK_TEAM_RPS: String(TEAM_RPS), BULK_TENANT_RPS: String(TENANT_RPS) };

/** Graph requests that reached the emulator for one thread's `startMigration` / `completeMigration`. */
export function writesTo(emulator: Emulator, threadId: string, action: 'startMigration' | 'completeMigration'): LoggedRequest[] {
  return emulator.requests({ service: 'graph', method: 'POST' }).filter((r) => {
    const path = decodeURIComponent(r.path);
    return path.includes(`/${threadId}/`) && path.endsWith(`/${action}`);
  });
}

/** Requests Graph actually served (not throttled, not an injected fault). */
export const served = (requests: LoggedRequest[]) => requests.filter((r) => r.status !== 429 && r.status !== 0 && r.status < 500);

/** Every text of the current version of each card the bot updated in a conversation. */
export function updatedCardTexts(emulator: Emulator, conversation: Conversation): string[] {
  return emulator.connector
    .updates(conversation.conversationId)
    .map((a) => cardText(a.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content));
}

/** Waits until the bot updates a card in this conversation so that it reads `pattern`. */
export async function waitForCardUpdate(emulator: Emulator, conversation: Conversation, pattern: RegExp, timeoutMs = 45000): Promise<string> {
  const found = await emulator.connector.waitFor(
    (a) =>
      a.operation === 'update' &&
      a.conversationId === conversation.conversationId &&
      pattern.test(cardText(a.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content)),
    timeoutMs,
  );
  return cardText(found.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive')?.content);
}

export const GENERAL = '19:myteam-general@thread.tacv2';
export const ANNOUNCEMENTS = '19:myteam-announcements@thread.tacv2';
export const PARTNERS = '19:myteam-partners@thread.tacv2';
export const SINCE = '2020-01-01T00:00:00Z';
export const CREATED = '2024-06-10T09:30:00Z';
const BOT = { id: '28:bbbbbbbb-0000-0000-0000-000000000001', name: 'Migration Bot' };
export const USERS = {
  alex: { aadObjectId: '00000000-0000-0000-0000-000000000020', name: 'Alex Wilber' },
  lynne: { aadObjectId: '00000000-0000-0000-0000-000000000025', name: 'Lynne Robbins' },
};

/**
 * Writes a bulk start over "My Team" into the store as a bot that died mid-job would have left
 * it: job running, each channel in the given state, leased to that bot when `lease` is given
 * (else free). Intents are dated `intentAt` (default an hour ago: that bot died a while back).
 * Returns the job id.
 */
export async function interruptedJob(
  h: { bot: { store: Store }; emulator: Emulator },
  requester: keyof typeof USERS,
  states: Record<string, BulkItem['state']>,
  lease?: BulkJobLease,
  intentAt: string = new Date(Date.now() - 3600000).toISOString(),
): Promise<string> {
  const store: Store = h.bot.store;
  const id = randomBytes(16).toString('base64url');
  const who = USERS[requester];
  const conversationId = `a:personal-${requester}`;
  const now = new Date().toISOString();
  const before: ThreadSnapshot = { createdDateTime: CREATED, originalCreatedDateTime: null, migrationMode: null };
  const names: Record<string, string> = { [GENERAL]: 'General', [ANNOUNCEMENTS]: 'Announcements', [FALCON]: 'Project Falcon', [PARTNERS]: 'Partners' };
  await store.createPending({
    id,
    kind: 'bulk-start',
    tenantId: TENANT,
    requestedBy: who,
    conversationId,
    payload: {
      kind: 'bulk-start',
      teamId: MY_TEAM,
      teamName: 'My Team',
      items: Object.keys(states).map((c) => ({ channelId: c, displayName: names[c], membershipType: 'standard', before, run: true, note: null })),
      timeZone: null,
    },
    createdAt: now,
    expiresAt: new Date(Date.now() + 3600000).toISOString(),
    state: 'pending',
    result: null,
    activityId: null,
    claimedAt: null,
  });
  assert.ok(await store.claimPending(id));
  const job: BulkJob = {
    id,
    kind: 'bulk-start',
    tenantId: TENANT,
    teamId: MY_TEAM,
    teamName: 'My Team',
    requestedBy: who,
    conversationId,
    conversationReference: {
      channelId: 'msteams',
      serviceUrl: h.emulator.connectorUrl,
      conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT },
      bot: BOT,
      user: { id: `29:${who.aadObjectId}`, name: who.name, aadObjectId: who.aadObjectId },
    },
    progressActivityId: null,
    conversationCreationDateTime: SINCE,
    state: 'running',
    createdAt: now,
    updatedAt: now,
  };
  const items: BulkItem[] = Object.entries(states).map(([channelId, state], seq) => ({
    jobId: id,
    itemKey: channelId,
    seq,
    target: { kind: 'channel', teamId: MY_TEAM, channelId, displayName: names[channelId], teamName: 'My Team' },
    state,
    detail: null,
    errorCode: null,
    requestId: null,
    updatedAt: state === 'intent' ? intentAt : now,
  }));
  await store.createBulkJob(job, items, lease);
  return id;
}
