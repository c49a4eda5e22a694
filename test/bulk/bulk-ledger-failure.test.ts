import assert from 'node:assert/strict';
import type { MigrationApi } from '../../src/graph/migration-api';
import type { TargetRef } from '../../src/domain/targets';
import { bulkItems, bulkJob } from '../store/fixtures';
import { fakeGraph, keptLogs, runJob, storeWithFailingWrites, tempStores } from './job-run';

const settleWithin = (done: Promise<void>, ms: number) =>
  Promise.race([done.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

describe('bulk: Graph accepted a channel but the ledger could not be written afterwards', () => {
  const stores = tempStores();
  afterEach(() => stores.cleanup());

  it('never sends the channel again without reading it, gives up after a few tries and fails the item with the reason', async () => {
    const job = bulkJob();
    const items = bulkItems(job, 3);
    const real = stores.open();
    await real.createBulkJob(job, items);
    const { store, control } = storeWithFailingWrites(real);
    const graph = fakeGraph(job.conversationCreationDateTime);
    // The disk fills up right after Graph's answer to each call: the intent was written, the outcome cannot be.
    const migration = {
      async startMigration(target: TargetRef, since: string | null) {
        const receipt = await graph.migration.startMigration(target, since);
        control.failing = true;
        return receipt;
      },
    } as unknown as MigrationApi;
    const { logger, lines } = keptLogs();
    const { run, scheduler, done } = runJob(job, items, { store, migration, directory: graph.directory, logger });
    const finished = await settleWithin(done, 8000);
    run.abandon('test over');
    await scheduler.stop();

    for (const item of items) {
      const mine = graph.calls.filter((c) => c.endsWith(` ${item.itemKey}`));
      assert.equal(
        mine.filter((c) => c.startsWith('write')).length,
        1,
        `${item.itemKey}: sent to Graph once (${mine.slice(0, 6).join(', ')}${mine.length > 6 ? ', …' : ''})`,
      );
      assert.equal(mine[1], `read ${item.itemKey}`, `${item.itemKey}: read after the call, before anything else`);
      assert.ok(mine.length <= 4, `${item.itemKey}: a bounded number of tries (${mine.length})`);
    }
    assert.ok(finished, 'the job ends instead of retrying for ever');
    for (const item of run.snapshot()) {
      assert.equal(item.state, 'failed');
      assert.match(item.detail ?? '', /^The ledger could not be written: SQLITE_FULL: database or disk is full/);
      assert.match(item.detail ?? '', /Graph accepted the change/);
    }
    assert.ok(lines.length <= 3 * 4 + 3, `a bounded number of log lines (${lines.length})`);
  });

  it('after a passing store failure, reads the channel and records it once as started', async () => {
    const job = bulkJob();
    const items = bulkItems(job, 2);
    const real = stores.open();
    await real.createBulkJob(job, items);
    const { store, control } = storeWithFailingWrites(real);
    const graph = fakeGraph(job.conversationCreationDateTime);
    let first = true;
    // Only the first item's outcome write fails, once.
    const migration = {
      async startMigration(target: TargetRef, since: string | null) {
        const receipt = await graph.migration.startMigration(target, since);
        if (first) control.failing = true;
        first = false;
        return receipt;
      },
    } as unknown as MigrationApi;
    const directory = {
      async getChannel(teamId: string, channelId: string) {
        control.failing = false;
        return graph.directory.getChannel(teamId, channelId);
      },
    } as unknown as typeof graph.directory;
    const { run, scheduler, done } = runJob(job, items, { store, migration, directory });
    assert.ok(await settleWithin(done, 8000), 'the job ends');
    await scheduler.stop();

    assert.equal(graph.writes().length, 2, 'each channel sent once');
    assert.deepEqual(
      graph.calls.filter((c) => c.endsWith(` ${items[0].itemKey}`)),
      [`write ${items[0].itemKey}`, `read ${items[0].itemKey}`],
      'read after the unrecorded call, not sent again',
    );
    assert.deepEqual(
      (await real.listBulkItems(job.id)).map((i) => i.state),
      ['succeeded', 'succeeded'],
    );
    const ledger = (await real.queryLedger({ action: 'bulk-start', limit: 10 })).filter((e) => e.jobId === job.id);
    assert.equal(ledger.length, 2, 'one ledger line per channel');
    assert.equal(run.snapshot()[0].state, 'succeeded');
  });
});
