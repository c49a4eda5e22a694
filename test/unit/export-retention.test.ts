import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExportRetention, UNCONFIRMED_EXPORT_KEEP_MS } from '../../src/features/background/export-retention';
import { createLogger } from '../../src/log/logger';
import { DirectoryExportFileStore } from '../../src/store/export-files-directory';
import { exportLocation, type StoredExport } from '../../src/store/ports/export-files';
import type { ImportJobState } from '../../src/store/ports/import-jobs';
import { SqliteStore } from '../../src/store/sqlite-store';
import { importJob, importTargets, megan, TENANT_A } from '../store/fixtures';

const DAY = 86_400_000;
const NOW = new Date('2025-06-30T12:00:00.000Z');
const daysBefore = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();

describe('uploaded exports are deleted once their import is long finished, or never used', () => {
  let dataDir: string;
  let store: SqliteStore;
  let exports: DirectoryExportFileStore;
  let clock = NOW;
  let logged: Array<Record<string, unknown>>;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tmb-retention-'));
    store = SqliteStore.open(dataDir);
    exports = await DirectoryExportFileStore.open(path.join(dataDir, 'exports'), () => clock);
    logged = [];
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const retention = (retentionDays = 30, confirmationTtlMinutes = 60) => {
    const sink = { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) };
    return new ExportRetention({ exports, jobs: store, logger: createLogger('info', sink), retentionDays, confirmationTtlMinutes });
  };

  /** An upload stored `daysAgo` days before NOW. */
  let uploads = 0;
  async function upload(daysAgo: number, bytes = `export ${++uploads} uploaded ${daysAgo} days ago`): Promise<StoredExport> {
    clock = new Date(daysBefore(daysAgo));
    async function* body() {
      yield Buffer.from(bytes);
    }
    const stored = await exports.save({ fileName: 'slack.zip', tenantId: TENANT_A, uploadedBy: megan.aadObjectId }, body(), 1000);
    clock = NOW;
    return stored;
  }

  /** An import job of `stored`, in `state`, last changed `daysAgo` days before NOW. */
  async function jobOf(stored: StoredExport, state: ImportJobState, daysAgo: number) {
    const job = importJob({
      jobKey: `${stored.sha256}:${Math.random()}`,
      origin: 'teams',
      state,
      createdAt: daysBefore(daysAgo + 1),
      updatedAt: daysBefore(daysAgo),
      source: { kind: 'slack', fileName: stored.fileName, location: exportLocation(stored.id), sha256: stored.sha256, bytes: stored.bytes },
    });
    await store.createImportJob(job, importTargets(job, 1));
    return job;
  }

  const remaining = async () => (await exports.list()).map((e) => e.id).sort();

  it('deletes an export whose jobs all finished more than IMPORT_EXPORT_RETENTION_DAYS ago, and keeps younger ones', async () => {
    const old = await upload(60);
    await jobOf(old, 'done', 31);
    const cancelled = await upload(60);
    await jobOf(cancelled, 'cancelled', 45);
    const recent = await upload(40);
    await jobOf(recent, 'done', 29);
    const twoJobs = await upload(90);
    await jobOf(twoJobs, 'done', 80);
    await jobOf(twoJobs, 'done', 10);

    const result = await retention(30).prune(NOW);
    assert.deepEqual(result.deleted.map((d) => d.id).sort(), [old.id, cancelled.id].sort());
    assert.ok(result.deleted.every((d) => d.reason === 'job finished'));
    assert.deepEqual(await remaining(), [recent.id, twoJobs.id].sort(), 'the last job to finish counts');
    assert.equal(fs.existsSync(path.join(dataDir, 'exports', old.id)), false, 'the bytes are gone too');
    assert.ok(logged.some((l) => l.msg === 'deleted an uploaded export' && l.exportId === old.id && l.reason === 'job finished'));
  });

  it('keeps the same file attached again while the job of its deleted first copy is unfinished', async () => {
    const first = await upload(5, 'the same export');
    await jobOf(first, 'paused', 3);
    await exports.delete(first.id);
    const again = await upload(3, 'the same export');
    assert.deepEqual((await retention(30).prune(NOW)).deleted, [], 'no job names it, but it is the paused job’s bytes');
    assert.deepEqual(await remaining(), [again.id]);
  });

  it('deletes a fresh upload of bytes imported long ago only once it is a day old (a finished job does not protect it)', async () => {
    const first = await upload(60, 'imported last year');
    await jobOf(first, 'done', 50);
    await exports.delete(first.id);
    const fresh = await upload(0.01, 'imported last year');
    assert.deepEqual((await retention(30).prune(NOW)).deleted, []);
    assert.deepEqual(await remaining(), [fresh.id]);
  });

  it('releases the local copy of an export whose imports finished but which is kept a while yet', async () => {
    const released: string[] = [];
    const spy = Object.assign(Object.create(exports) as DirectoryExportFileStore, {
      releaseLocalCopy: async (id: string) => void released.push(id),
    });
    const finished = await upload(20);
    await jobOf(finished, 'done', 10);
    const running = await upload(20);
    await jobOf(running, 'running', 10);
    await upload(0.5);
    const task = new ExportRetention({ exports: spy, jobs: store, logger: createLogger('silent'), retentionDays: 30, confirmationTtlMinutes: 60 });
    assert.deepEqual((await task.prune(NOW)).deleted, []);
    assert.deepEqual(released, [finished.id]);
  });

  it('never deletes the export of a running or paused job, however old, even beside finished ones', async () => {
    const running = await upload(400);
    await jobOf(running, 'running', 300);
    const paused = await upload(400);
    await jobOf(paused, 'paused', 300);
    const resumedAfterDone = await upload(400);
    await jobOf(resumedAfterDone, 'done', 300);
    await jobOf(resumedAfterDone, 'paused', 200);
    assert.deepEqual((await retention(1).prune(NOW)).deleted, []);
    assert.equal((await remaining()).length, 3);
  });

  it('deletes an upload no job uses once it is a day old (never sooner than a confirmation card lives, plus an hour)', async () => {
    const stale = await upload(1.01);
    const fresh = await upload(0.9);
    const result = await retention(30).prune(NOW);
    assert.deepEqual(result.deleted, [{ id: stale.id, bytes: stale.bytes, reason: 'never used' }]);
    assert.deepEqual(await remaining(), [fresh.id]);

    const task = retention(30, 7 * 24 * 60);
    assert.equal(task.unconfirmedKeepMs, 7 * DAY + 3_600_000, 'a week-long card keeps its upload a week and an hour');
    assert.equal(retention(30, 60).unconfirmedKeepMs, UNCONFIRMED_EXPORT_KEEP_MS);
    const weekOld = await upload(6);
    assert.deepEqual((await task.prune(NOW)).deleted, []);
    assert.deepEqual((await remaining()).sort(), [fresh.id, weekOld.id].sort());
  });

  it('leaves jobs imported from a file on disk (the command line) and their files alone', async () => {
    const job = importJob({ state: 'done', updatedAt: daysBefore(400) });
    await store.createImportJob(job, importTargets(job, 1));
    const kept = await upload(0.5);
    assert.deepEqual((await retention(30).prune(NOW)).deleted, []);
    assert.deepEqual(await remaining(), [kept.id]);
  });

  it('with IMPORT_EXPORT_RETENTION_DAYS=0 keeps everything and never arms its timer', async () => {
    const old = await upload(400);
    await jobOf(old, 'done', 300);
    await upload(30);
    const task = retention(0);
    task.start();
    assert.deepEqual((await task.prune(NOW)).deleted, []);
    await task.stop();
    assert.equal((await remaining()).length, 2);
  });

  it('removes leftovers of interrupted uploads older than a day', async () => {
    const dir = path.join(dataDir, 'exports');
    const leftover = path.join(dir, `${'e'.repeat(32)}.part`);
    fs.writeFileSync(leftover, 'half an upload');
    const old = new Date(Date.now() - 2 * DAY);
    fs.utimesSync(leftover, old, old);
    await retention(30).prune(new Date());
    assert.equal(fs.existsSync(leftover), false);
    assert.ok(logged.some((l) => l.msg === 'removed leftovers of interrupted uploads' && l.removed === 1));
  });

  it('runs a pass at start-up, and a failed pass is logged, not thrown', async () => {
    const failing = new ExportRetention({
      exports: { ...exports, list: () => Promise.reject(new Error('storage unreachable')) } as unknown as DirectoryExportFileStore,
      jobs: store,
      logger: createLogger('info', { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) }),
      retentionDays: 30,
      confirmationTtlMinutes: 60,
    });
    failing.start();
    await new Promise((r) => setTimeout(r, 50));
    await failing.stop();
    assert.ok(logged.some((l) => l.msg === 'deleting old uploaded exports failed'));
  });
});
