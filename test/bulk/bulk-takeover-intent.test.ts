import assert from 'node:assert/strict';
import type { BulkHarness } from './bulk-harness';
import { startBulkHarness } from './bulk-harness';
import { ANNOUNCEMENTS, CREATED, FALCON, GENERAL, interruptedJob, served, SINCE, writesTo } from './support';

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** As short as a test allows; in production GRAPH_TIMEOUT_SECONDS + 180 (the longest one Graph call can run). */
const SETTLE_SECONDS = 3;

describe('bulk: an instance takes over a job whose previous holder lost its lease with a Graph call in flight', function () {
  let h: BulkHarness;
  const graphCallsFor = (channelId: string) => h.emulator.requests({ service: 'graph' }).filter((r) => decodeURIComponent(r.path).includes(`/${channelId}`));

  before(async () => {
    h = await startBulkHarness({ env: { BULK_INTENT_SETTLE_SECONDS: String(SETTLE_SECONDS) } });
  });
  after(async () => h?.stop());

  it('leaves a channel with a fresh intent alone until no call can still be in flight, then reads it before writing', async () => {
    const intentAt = Date.now();
    // The holder recorded two intents just now and stalled past its lease; its calls may still land.
    const lost = { ownerId: 'instance-that-stalled', leaseUntil: new Date(intentAt - 1000).toISOString() };
    const jobId = await interruptedJob(
      h,
      'alex',
      { [GENERAL]: 'intent', [FALCON]: 'intent', [ANNOUNCEMENTS]: 'queued' },
      lost,
      new Date(intentAt).toISOString(),
    );
    // General's call lands at Graph a second and a half later; Project Falcon's never does.
    const landed = setTimeout(
      () =>
        h.emulator.setThread(GENERAL, {
          migrationMode: 'inProgress',
          createdDateTime: SINCE,
          originalCreatedDateTime: CREATED,
          migrationOwnerAppId: h.emulator.info.migrationApp.clientId,
        }),
      1500,
    );
    try {
      await h.bulk.resume();
      await until(() => served(writesTo(h.emulator, ANNOUNCEMENTS, 'startMigration')).length === 1, 5000, 'the queued channel to be started');
      assert.ok(Date.now() < intentAt + SETTLE_SECONDS * 1000, 'the queued channel did not wait');
      assert.deepEqual([...graphCallsFor(GENERAL), ...graphCallsFor(FALCON)], [], 'nothing asked of the channels with fresh intents yet');
      await until(async () => (await h.bot.store.getBulkJob(jobId))!.state === 'done', 15000, 'the job to finish');
      await h.bulk.whenIdle();
    } finally {
      clearTimeout(landed);
    }

    const general = graphCallsFor(GENERAL);
    assert.deepEqual(
      general.map((r) => r.method),
      ['GET'],
      "General: read once, found started by the old holder's call, not sent again",
    );
    assert.ok(general[0].at >= intentAt + SETTLE_SECONDS * 1000, 'read only once its intent was stale');
    const falcon = graphCallsFor(FALCON);
    assert.deepEqual(
      falcon.map((r) => `${r.method} ${r.status}`),
      ['GET 200', 'POST 204'],
      'Project Falcon: read first, then started',
    );
    assert.ok(falcon[0].at >= intentAt + SETTLE_SECONDS * 1000);

    const items = await h.bot.store.listBulkItems(jobId);
    assert.deepEqual(
      items.map((i) => i.state),
      ['succeeded', 'succeeded', 'succeeded'],
    );
    const ledger = (await h.bot.store.queryLedger({ action: 'bulk-start', limit: 100 })).filter((e) => e.jobId === jobId);
    assert.equal(ledger.length, 3, 'one ledger line per channel');
    assert.match(String(ledger.find((e) => e.target?.kind === 'channel' && e.target.channelId === GENERAL)!.parameters.reconciled), /read back/);
    assert.ok(
      h.logs.some((l) => l.includes('recent intent') && l.includes(GENERAL)),
      'the wait is logged',
    );
  });
});
