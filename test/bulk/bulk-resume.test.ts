import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { cardText } from '../support/harness';
import type { BulkItem, BulkJob, Store, ThreadSnapshot } from '../../src/store/types';
import { targetKey } from '../../src/store/types';
import { BulkHarness, startBulkHarness } from './bulk-harness';
import { FALCON, MY_TEAM, served, TENANT, writesTo } from './support';

const GENERAL = '19:myteam-general@thread.tacv2';
const ANNOUNCEMENTS = '19:myteam-announcements@thread.tacv2';
const PARTNERS = '19:myteam-partners@thread.tacv2';
const SINCE = '2020-01-01T00:00:00Z';
const CREATED = '2024-06-10T09:30:00Z';
const BOT = { id: '28:bbbbbbbb-0000-0000-0000-000000000001', name: 'Migration Bot' };
const USERS = {
  alex: { aadObjectId: '00000000-0000-0000-0000-000000000020', name: 'Alex Wilber' },
  lynne: { aadObjectId: '00000000-0000-0000-0000-000000000025', name: 'Lynne Robbins' },
};

/**
 * Writes a bulk start over "My Team" into the store as a bot that died mid-job would have left
 * it: job running, each channel in the given state. Returns the job id.
 */
async function interruptedJob(h: BulkHarness, requester: keyof typeof USERS, states: Record<string, BulkItem['state']>): Promise<string> {
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
    payload: { kind: 'bulk-start', teamId: MY_TEAM, teamName: 'My Team', items: Object.keys(states).map((c) => ({ channelId: c, displayName: names[c], membershipType: 'standard', before, run: true, note: null })), timeZone: null },
    createdAt: now,
    expiresAt: new Date(Date.now() + 3600000).toISOString(),
    state: 'pending',
    result: null,
    activityId: null,
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
    updatedAt: now,
  }));
  await store.createBulkJob(job, items);
  return id;
}

const reads = (h: BulkHarness, channelId: string) =>
  h.emulator.requests({ service: 'graph', method: 'GET' }).filter((r) => decodeURIComponent(r.path).endsWith(`/channels/${channelId}`));

describe('bulk: a job interrupted by a crash resumes when the bot starts again', function () {
  let h: BulkHarness;
  before(async () => {
    h = await startBulkHarness();
  });
  after(async () => h?.stop());
  beforeEach(() => h.reset());

  it('settles each intent by reading migrationMode (or from the ledger) and never sends a started channel again', async () => {
    const jobId = await interruptedJob(h, 'alex', { [GENERAL]: 'intent', [ANNOUNCEMENTS]: 'intent', [FALCON]: 'queued', [PARTNERS]: 'intent' });
    // General: the call reached Graph before the crash, the outcome was never written.
    h.emulator.setThread(GENERAL, { migrationMode: 'inProgress', createdDateTime: SINCE, originalCreatedDateTime: CREATED, migrationOwnerAppId: h.emulator.info.migrationApp.clientId });
    // Partners: it happened and its ledger entry was written; only the item's outcome was lost.
    h.emulator.setThread(PARTNERS, { migrationMode: 'inProgress', createdDateTime: SINCE, originalCreatedDateTime: CREATED, migrationOwnerAppId: h.emulator.info.migrationApp.clientId });
    await h.bot.store.appendAudit({
      id: randomUUID(), at: new Date().toISOString(), action: 'bulk-start', actor: USERS.alex, tenantId: TENANT, conversationId: 'a:personal-alex',
      target: { kind: 'channel', teamId: MY_TEAM, channelId: PARTNERS }, targetKey: targetKey({ kind: 'channel', teamId: MY_TEAM, channelId: PARTNERS }),
      parameters: { conversationCreationDateTime: SINCE }, outcome: 'succeeded', error: null, requestId: 'req-partners', before: null, after: null, jobId,
    });
    // Announcements: the intent was written but the call never left. Falcon: not reached yet.

    await h.bulk.resume();
    await h.bulk.whenIdle();

    assert.equal(writesTo(h.emulator, GENERAL, 'startMigration').length, 0, 'General was started before the crash: not sent again');
    assert.equal(reads(h, GENERAL).length, 1, 'General was read once to settle its intent');
    assert.equal(writesTo(h.emulator, PARTNERS, 'startMigration').length + reads(h, PARTNERS).length, 0, 'Partners was settled from the ledger, with no Graph call');
    assert.equal(served(writesTo(h.emulator, ANNOUNCEMENTS, 'startMigration')).length, 1);
    assert.equal(served(writesTo(h.emulator, FALCON, 'startMigration')).length, 1);
    for (const id of [GENERAL, ANNOUNCEMENTS, FALCON, PARTNERS]) assert.equal(h.emulator.thread(id)!.migrationMode, 'inProgress');

    const items = await h.bot.store.listBulkItems(jobId);
    assert.deepEqual(items.map((i) => i.state), ['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    assert.equal(items.find((i) => i.itemKey === PARTNERS)!.requestId, 'req-partners');
    assert.equal((await h.bot.store.getBulkJob(jobId))!.state, 'done');

    const ledger = (await h.bot.store.queryAudit({ action: 'bulk-start', limit: 100 })).filter((e) => e.jobId === jobId);
    assert.equal(ledger.length, 4, 'exactly one ledger entry per channel');
    assert.equal(new Set(ledger.map((e) => e.targetKey)).size, 4);
    assert.match(String(ledger.find((e) => e.target?.kind === 'channel' && e.target.channelId === GENERAL)!.parameters.reconciled), /read back after a restart/);

    // The progress card lives on in the requester's chat.
    const summary = h.emulator.connector.sent('a:personal-alex').concat(h.emulator.connector.updates('a:personal-alex'))
      .map((a) => cardText(a.attachments?.[0]?.content)).find((t) => /Bulk start finished/.test(t));
    assert.ok(summary, 'the final summary was sent');
    assert.match(summary!, /4 started, 0 failed, 0 skipped\./);
  });

  it('stops acting when the requester is no longer an administrator, but still settles what may have happened', async () => {
    const jobId = await interruptedJob(h, 'lynne', { [GENERAL]: 'intent', [ANNOUNCEMENTS]: 'queued', [FALCON]: 'queued' });
    h.emulator.setThread(GENERAL, { migrationMode: 'inProgress', createdDateTime: SINCE, originalCreatedDateTime: CREATED, migrationOwnerAppId: h.emulator.info.migrationApp.clientId });

    await h.bulk.resume();
    await h.bulk.whenIdle();

    assert.equal(h.emulator.graphWrites().length, 0, 'nothing is sent for someone who is not an administrator');
    const items = await h.bot.store.listBulkItems(jobId);
    assert.equal(items[0].state, 'succeeded', 'the intent found done is recorded as done');
    assert.equal(items[1].state, 'skipped');
    assert.match(items[1].detail!, /not run: Lynne Robbins is no longer an administrator/);
    assert.equal((await h.bot.store.getBulkJob(jobId))!.state, 'cancelled');
    const refusals = await h.bot.store.queryAudit({ action: 'refused', limit: 10 });
    assert.ok(refusals.some((e) => e.actor.name === 'Lynne Robbins' && e.parameters.jobId === jobId));
    assert.equal(h.emulator.thread(ANNOUNCEMENTS)!.migrationMode, null);
  });
});
