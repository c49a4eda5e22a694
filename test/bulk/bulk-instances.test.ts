import assert from 'node:assert/strict';
import type { Harness } from '../support/harness';
import { press, startHarness } from '../support/harness';
import type { BulkHarness } from './bulk-harness';
import { startBulkHarness } from './bulk-harness';
import {
  ANNOUNCEMENTS,
  bulkEnv,
  ENGINEERING_FRESH,
  FALCON,
  GENERAL,
  interruptedJob,
  PARTNERS,
  served,
  throttled,
  waitForCardUpdate,
  writesTo,
} from './support';

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const resumed = (logs: string[], jobId: string) => logs.filter((l) => l.includes('resuming bulk job') && l.includes(jobId)).length;

describe('bulk: two bot instances share one ledger (the same DATA_DIR)', function () {
  let a: BulkHarness;
  const others: Harness[] = [];
  /** A second bot on the first one's ledger and emulator; it boots as in production (resume included). */
  const secondInstance = async () => {
    const b = await startHarness({ sharedEmulator: a.emulator, env: { ...bulkEnv, DATA_DIR: a.dataDir } });
    others.push(b);
    return b;
  };

  before(async () => {
    a = await startBulkHarness({ emulator: { limits: throttled }, env: bulkEnv });
  });
  afterEach(async () => {
    await Promise.all(others.splice(0).map((b) => b.stop()));
  });
  after(async () => a?.stop());
  beforeEach(() => a.reset());

  it('an instance started in the middle of a job leaves it to the one running it: every channel is started exactly once', async () => {
    const alex = a.teams.as('alex').inPersonalChat();
    await alex.says('migrate team "Contoso Engineering" since 2020-01-01');
    const started = await press(alex, a.emulator, 'Confirm', { typedConfirmation: 'Contoso Engineering' });
    assert.match(started.text, /Starting migration: Contoso Engineering/);
    const startedSoFar = () => ENGINEERING_FRESH.filter((c) => served(writesTo(a.emulator, c, 'startMigration')).length > 0).length;
    await until(() => startedSoFar() >= 8, 20000, 'the job to be under way');

    const b = await secondInstance();
    // And once more, as its take-over pass does every few seconds.
    await b.bot.bulk.resume();
    await waitForCardUpdate(a.emulator, alex, /Bulk start finished/);
    await Promise.all([a.bulk.whenIdle(), b.bot.bulk.whenIdle()]);

    for (const channel of ENGINEERING_FRESH) {
      assert.equal(served(writesTo(a.emulator, channel, 'startMigration')).length, 1, `${channel}: exactly one startMigration`);
      assert.equal(a.emulator.thread(channel)!.startMigrationCalls, 1, `${channel}: reached Graph once`);
    }
    const entries = (await a.bot.store.queryLedger({ action: 'bulk-start', limit: 1000 })).filter((e) => e.jobId);
    assert.equal(entries.length, 64, 'one ledger entry per channel');
    assert.equal(new Set(entries.map((e) => e.targetKey)).size, 64);
    assert.equal(resumed(b.logs, entries[0].jobId!), 0, 'the second instance never ran the job');
    assert.equal((await b.bot.store.getBulkJob(entries[0].jobId!))!.state, 'done');
  });

  it('of two instances that find the same interrupted job at once, exactly one runs it', async () => {
    const b = await secondInstance();
    const jobId = await interruptedJob(a, 'alex', { [GENERAL]: 'queued', [ANNOUNCEMENTS]: 'queued', [FALCON]: 'queued', [PARTNERS]: 'queued' });
    await Promise.all([a.bulk.resume(), b.bot.bulk.resume(), a.bulk.resume(), b.bot.bulk.resume()]);
    await Promise.all([a.bulk.whenIdle(), b.bot.bulk.whenIdle()]);

    for (const channel of [GENERAL, ANNOUNCEMENTS, FALCON, PARTNERS]) {
      assert.equal(served(writesTo(a.emulator, channel, 'startMigration')).length, 1, `${channel}: exactly one startMigration`);
    }
    assert.equal(resumed(a.logs, jobId) + resumed(b.logs, jobId), 1, 'one instance took the job');
    assert.deepEqual(
      (await a.bot.store.listBulkItems(jobId)).map((i) => i.state),
      ['succeeded', 'succeeded', 'succeeded', 'succeeded'],
    );
    assert.equal((await a.bot.store.queryLedger({ action: 'bulk-start', limit: 100 })).filter((e) => e.jobId === jobId).length, 4);
  });

  it("takes over a crashed instance's job once its lease has expired, and not before", async () => {
    const lease = { ownerId: 'instance-that-crashed', leaseUntil: new Date(Date.now() + 3000).toISOString() };
    const jobId = await interruptedJob(a, 'alex', { [GENERAL]: 'queued', [ANNOUNCEMENTS]: 'queued' }, lease);
    await a.bulk.resume();
    assert.equal(resumed(a.logs, jobId), 0, 'a live lease is respected');
    assert.equal(a.emulator.graphWrites().length, 0);

    await until(async () => (await a.bot.store.getBulkJob(jobId))!.state === 'done', 20000, 'the job to be taken over and finished');
    await a.bulk.whenIdle();
    const firstWrite = Math.min(...a.emulator.graphWrites().map((r) => r.at));
    assert.ok(firstWrite >= Date.parse(lease.leaseUntil), 'nothing was sent before the lease ended');
    assert.equal(resumed(a.logs, jobId), 1);
    for (const channel of [GENERAL, ANNOUNCEMENTS]) assert.equal(served(writesTo(a.emulator, channel, 'startMigration')).length, 1);
  });
});
