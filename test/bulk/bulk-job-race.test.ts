import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ActingContext } from '../../src/features/shared/acting';
import { BulkJobRun, type BulkJobDeps } from '../../src/features/bulk/bulk-job';
import { Pacer } from '../../src/features/shared/pacer';
import type { RequesterStanding } from '../../src/features/bulk/requester-check';
import { WorkScheduler } from '../../src/features/shared/work-scheduler';
import type { MigrationApi } from '../../src/graph/migration-api';
import type { TeamsDirectory } from '../../src/graph/teams-directory';
import { createLogger } from '../../src/log/logger';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { BulkItem, BulkJob } from '../../src/store/ports/bulk-jobs';
import type { Store } from '../../src/store/ports/store';
import type { TargetRef } from '../../src/domain/targets';
import { bulkItems, bulkJob, megan, TENANT_A } from '../store/fixtures';

const logger = createLogger('silent');
const megansTurn: ActingContext = { ...megan, tenantId: TENANT_A, conversationId: '19:eng-general@thread.tacv2;messageid=1', timeZone: null };
const fast = { perSecond: 1000 };

/** A Graph that records every startMigration it is sent and answers each after a short delay. */
function recordingGraph() {
  const calls: string[] = [];
  const migration = {
    async startMigration(target: TargetRef) {
      calls.push(target.kind === 'channel' ? target.channelId : target.chatId);
      await new Promise((resolve) => setTimeout(resolve, 2));
      return { requestId: `req-${calls.length}` };
    },
  } as unknown as MigrationApi;
  return { calls, migration };
}

/** Runs one bulk job the way a bot instance does: its own pacer and scheduler, on its own store handle. */
function instance(job: BulkJob, items: BulkItem[], store: Store, migration: MigrationApi, overrides: Partial<BulkJobDeps> = {}) {
  const pacer = new Pacer();
  const scheduler = new WorkScheduler(pacer, logger);
  const run = new BulkJobRun(job, items, megansTurn, new Map(), {
    migration,
    directory: {} as TeamsDirectory,
    store,
    logger,
    pacer,
    budgets: { tenant: { key: 'tenant', ...fast }, team: { key: 'team', ...fast }, thread: (id) => ({ key: `thread:${id}`, ...fast }) },
    onChange: () => undefined,
    checkRequester: async () => ({ kind: 'admin' }),
    stillOwner: async () => true,
    ...overrides,
  });
  scheduler.add(run);
  return { run, done: run.finished.then(() => scheduler.stop()) };
}

describe('bulk: a job run by two instances at once (one lost its lease while stalled)', () => {
  const dirs: string[] = [];
  const stores: Store[] = [];
  const openStore = (dir: string) => {
    const store = SqliteStore.open(dir);
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('records each intent once, so only one instance calls Graph for each channel, and the other gives the job up', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tmb-race-'));
    dirs.push(dir);
    const job = bulkJob();
    const items = bulkItems(job, 12);
    await openStore(dir).createBulkJob(job, items);
    const graph = recordingGraph();

    const first = instance(job, items, openStore(dir), graph.migration);
    const second = instance(job, items, openStore(dir), graph.migration);
    await Promise.all([first.done, second.done]);

    assert.deepEqual([...graph.calls].sort(), items.map((i) => i.itemKey).sort(), 'every channel sent to Graph exactly once');
    const gaveUp = [first.run, second.run].filter((r) => r.abandonedBecause);
    assert.equal(gaveUp.length, 1, 'the instance that lost the race for an intent stops');
    assert.match(gaveUp[0].abandonedBecause!, /another bot instance recorded the intent/);
    const store = stores[0];
    assert.deepEqual(
      (await store.listBulkItems(job.id)).map((i) => i.state),
      Array(12).fill('succeeded'),
    );
    const ledger = (await store.queryLedger({ action: 'bulk-start', limit: 100 })).filter((e) => e.jobId === job.id);
    assert.equal(ledger.length, 12, 'one ledger entry per channel, none doubled');
  });

  it('re-checks the requester before every write and stops the whole job at the first refusal', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tmb-race-'));
    dirs.push(dir);
    const job = bulkJob();
    const items = bulkItems(job, 10);
    const store = openStore(dir);
    await store.createBulkJob(job, items);
    const graph = recordingGraph();
    let checks = 0;
    // Admin for the first three writes, then demoted.
    const checkRequester = async (): Promise<RequesterStanding> =>
      ++checks > 3 ? { kind: 'not-admin', reason: 'Megan Bowen is no longer an administrator' } : { kind: 'admin' };
    const { run, done } = instance(job, items, store, graph.migration, { checkRequester });
    await done;

    assert.equal(graph.calls.length, 3, 'no write after the refusal');
    assert.equal(run.stoppedBecause, 'Megan Bowen is no longer an administrator');
    const stored = await store.listBulkItems(job.id);
    assert.deepEqual(
      stored.map((i) => i.state),
      [...Array(3).fill('succeeded'), ...Array(7).fill('skipped')],
    );
    assert.ok(stored.slice(3).every((i) => i.detail === 'not run: Megan Bowen is no longer an administrator'));
  });
});
