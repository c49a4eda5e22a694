import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cardText } from '../support/harness';
import { targetKey } from '../../src/domain/targets';
import type { BulkHarness } from './bulk-harness';
import { startBulkHarness } from './bulk-harness';
import { ANNOUNCEMENTS, FALCON, GENERAL, interruptedJob, MY_TEAM, PARTNERS, served, SINCE, CREATED, TENANT, USERS, writesTo } from './support';

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
    h.emulator.setThread(GENERAL, {
      migrationMode: 'inProgress',
      createdDateTime: SINCE,
      originalCreatedDateTime: CREATED,
      migrationOwnerAppId: h.emulator.info.migrationApp.clientId,
    });
    // Partners: it happened and its ledger entry was written; only the item's outcome was lost.
    h.emulator.setThread(PARTNERS, {
      migrationMode: 'inProgress',
      createdDateTime: SINCE,
      originalCreatedDateTime: CREATED,
      migrationOwnerAppId: h.emulator.info.migrationApp.clientId,
    });
    await h.bot.store.appendLedger({
      id: randomUUID(),
      at: new Date().toISOString(),
      action: 'bulk-start',
      actor: USERS.alex,
      tenantId: TENANT,
      conversationId: 'a:personal-alex',
      target: { kind: 'channel', teamId: MY_TEAM, channelId: PARTNERS },
      targetKey: targetKey({ kind: 'channel', teamId: MY_TEAM, channelId: PARTNERS }),
      parameters: { conversationCreationDateTime: SINCE },
      outcome: 'succeeded',
      error: null,
      requestId: 'req-partners',
      before: null,
      after: null,
      jobId,
    });
    // Announcements: the intent was written but the call never left. Falcon: not reached yet.

    await h.bulk.resume();
    await h.bulk.whenIdle();

    assert.equal(writesTo(h.emulator, GENERAL, 'startMigration').length, 0, 'General was started before the crash: not sent again');
    assert.equal(reads(h, GENERAL).length, 1, 'General was read once to settle its intent');
    assert.equal(
      writesTo(h.emulator, PARTNERS, 'startMigration').length + reads(h, PARTNERS).length,
      0,
      'Partners was settled from the ledger, with no Graph call',
    );
    assert.equal(served(writesTo(h.emulator, ANNOUNCEMENTS, 'startMigration')).length, 1);
    assert.equal(served(writesTo(h.emulator, FALCON, 'startMigration')).length, 1);
    for (const id of [GENERAL, ANNOUNCEMENTS, FALCON, PARTNERS]) assert.equal(h.emulator.thread(id)!.migrationMode, 'inProgress');

    const items = await h.bot.store.listBulkItems(jobId);
    assert.deepEqual(
      items.map((i) => i.state),
      ['succeeded', 'succeeded', 'succeeded', 'succeeded'],
    );
    assert.equal(items.find((i) => i.itemKey === PARTNERS)!.requestId, 'req-partners');
    assert.equal((await h.bot.store.getBulkJob(jobId))!.state, 'done');

    const ledger = (await h.bot.store.queryLedger({ action: 'bulk-start', limit: 100 })).filter((e) => e.jobId === jobId);
    assert.equal(ledger.length, 4, 'exactly one ledger entry per channel');
    assert.equal(new Set(ledger.map((e) => e.targetKey)).size, 4);
    assert.match(
      String(ledger.find((e) => e.target?.kind === 'channel' && e.target.channelId === GENERAL)!.parameters.reconciled),
      /read back after a restart/,
    );

    // The progress card lives on in the requester's chat.
    const summary = h.emulator.connector
      .sent('a:personal-alex')
      .concat(h.emulator.connector.updates('a:personal-alex'))
      .map((a) => cardText(a.attachments?.[0]?.content))
      .find((t) => /Bulk start finished/.test(t));
    assert.ok(summary, 'the final summary was sent');
    assert.match(summary, /4 started, 0 failed, 0 skipped\./);
  });

  it('stops acting when the requester is no longer an administrator, but still settles what may have happened', async () => {
    const jobId = await interruptedJob(h, 'lynne', { [GENERAL]: 'intent', [ANNOUNCEMENTS]: 'queued', [FALCON]: 'queued' });
    h.emulator.setThread(GENERAL, {
      migrationMode: 'inProgress',
      createdDateTime: SINCE,
      originalCreatedDateTime: CREATED,
      migrationOwnerAppId: h.emulator.info.migrationApp.clientId,
    });

    await h.bulk.resume();
    await h.bulk.whenIdle();

    assert.equal(h.emulator.graphWrites().length, 0, 'nothing is sent for someone who is not an administrator');
    const items = await h.bot.store.listBulkItems(jobId);
    assert.equal(items[0].state, 'succeeded', 'the intent found done is recorded as done');
    assert.equal(items[1].state, 'skipped');
    assert.match(items[1].detail!, /not run: Lynne Robbins is no longer an administrator/);
    assert.equal((await h.bot.store.getBulkJob(jobId))!.state, 'cancelled');
    const refusals = await h.bot.store.queryLedger({ action: 'refused', limit: 10 });
    assert.ok(refusals.some((e) => e.actor.name === 'Lynne Robbins' && e.parameters.jobId === jobId));
    assert.equal(h.emulator.thread(ANNOUNCEMENTS)!.migrationMode, null);
  });
});
