import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStore, LEDGER_FILE_NAME } from '../../src/store/sqlite-store';
import { WalFlusher } from '../../src/store/wal-flusher';
import { auditEntry, bulkItems, bulkJob } from './fixtures';

type SyncCallback = (err: NodeJS.ErrnoException | null) => void;

/**
 * Watches `fs.fdatasync` (the flusher's only way to the disk): counts the syncs, and can hold them
 * back or fail them, so a test sees exactly when a write is acknowledged relative to its sync.
 */
class SyncSpy {
  syncs = 0;
  held: (() => void)[] = [];
  hold = false;
  failWith: NodeJS.ErrnoException | null = null;
  private readonly real = fs.fdatasync;

  install(): void {
    (fs as { fdatasync: unknown }).fdatasync = (fd: number, callback: SyncCallback) => {
      this.syncs++;
      const run = () => {
        if (this.failWith) {
          const err = this.failWith;
          this.failWith = null;
          callback(err);
        } else this.real(fd, callback);
      };
      if (this.hold) this.held.push(run);
      else run();
    };
  }

  releaseAll(): void {
    this.hold = false;
    for (const run of this.held.splice(0)) run();
  }

  uninstall(): void {
    (fs as { fdatasync: unknown }).fdatasync = this.real;
  }
}

const settledWithin = async (promise: Promise<unknown>, ms: number): Promise<boolean> => {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((r) => setTimeout(r, ms));
  return settled;
};

describe('the SQLite ledger reaches the disk by group commit', () => {
  let dir: string;
  let spy: SyncSpy;
  const walOf = (d: string) => path.join(d, `${LEDGER_FILE_NAME}-wal`);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tmb-wal-'));
    spy = new SyncSpy();
    spy.install();
  });

  afterEach(() => {
    spy.releaseAll();
    spy.uninstall();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('does not acknowledge a bulk intent until the WAL it was written to is synced', async () => {
    const store = SqliteStore.open(dir);
    const job = bulkJob();
    const items = bulkItems(job, 2);
    await store.createBulkJob(job, items);
    const before = spy.syncs;
    spy.hold = true;
    const intent = store.transitionBulkItem(job.id, items[0].itemKey, 'queued', { state: 'intent' });
    assert.equal(await settledWithin(intent, 30), false, 'the intent is not acknowledged while its sync is held back');
    assert.equal(spy.syncs, before + 1);
    spy.releaseAll();
    assert.equal(await intent, true);
    await store.close();
  });

  it('syncs audit entries in the background, one sync for everything committed within the window', async () => {
    const store = SqliteStore.open(dir);
    const before = spy.syncs;
    await Promise.all(Array.from({ length: 25 }, () => store.appendLedger(auditEntry())));
    assert.equal(spy.syncs, before, 'appending waits for no sync');
    assert.equal((await store.queryLedger({ limit: 100 })).length, 25, 'every entry is committed at once');
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(spy.syncs, before + 1, 'one sync carried all 25 entries to the disk');
    await store.close();
  });

  it('writes the ledger line and finishes the operation in one transaction, or neither', async () => {
    const store = SqliteStore.open(dir);
    const entry = auditEntry();
    await assert.rejects(store.finishPending('never-issued', 'done', null, entry), /does not exist/);
    assert.deepEqual(await store.queryLedger({}), [], 'no ledger line for an operation that was not finished');
    await store.close();
  });

  it('lets concurrent callers share syncs: twenty flushes, at most two syncs', async () => {
    fs.writeFileSync(walOf(dir), 'x');
    const flusher = new WalFlusher(walOf(dir));
    const before = spy.syncs;
    await Promise.all(Array.from({ length: 20 }, () => flusher.flush()));
    assert.ok(spy.syncs - before <= 2, `${spy.syncs - before} syncs`);
    await flusher.close();
  });

  it('makes a caller who arrives during a sync wait for the next one, which may not cover its write', async () => {
    fs.writeFileSync(walOf(dir), 'x');
    const flusher = new WalFlusher(walOf(dir));
    spy.hold = true;
    const first = flusher.flush();
    const second = flusher.flush();
    assert.equal(spy.held.length, 1);
    spy.held.shift()!();
    await first;
    assert.equal(await settledWithin(second, 20), false, 'the second caller rode on a sync that began before it asked');
    assert.equal(spy.held.length, 1, 'a fresh sync was started for it');
    spy.releaseAll();
    await second;
    await flusher.close();
  });

  it('after a failed background sync, refuses further ledger writes and says why, instead of trusting the disk', async () => {
    const store = SqliteStore.open(dir);
    spy.failWith = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    await store.appendLedger(auditEntry());
    await new Promise((r) => setTimeout(r, 80));
    await assert.rejects(store.appendLedger(auditEntry()), /could not be synced to the disk \(EIO\).*restart the bot/);
    const job = bulkJob();
    await assert.rejects(store.createBulkJob(job, bulkItems(job, 1)), /EIO/, 'a durable write is refused too');
    assert.equal(await store.getBulkJob(job.id), null, 'refused before anything was written');
    await assert.rejects(store.close(), /EIO/, 'closing reports it as well');
  });

  it('syncs on close what a background sync was still waiting to carry', async () => {
    fs.writeFileSync(walOf(dir), 'x');
    const flusher = new WalFlusher(walOf(dir), 60_000);
    const before = spy.syncs;
    flusher.soon();
    await flusher.close();
    assert.equal(spy.syncs, before + 1);
  });
});
