import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { EXPORT_ID, ExportNotStored, ExportTooLarge, type ExportFileStore, type StoredExport } from '../../src/store/ports/export-files';
import { megan, TENANT_A } from './fixtures';

/** A store under test, a second handle on the same storage (another instance, a restart), and a clock. */
export interface ExportStoreHandle {
  store: ExportFileStore;
  reopen(): Promise<ExportFileStore>;
  /** Sets the time the stores stamp on what they save. */
  setNow(iso: string): void;
}

const meta = { fileName: 'Contoso Slack export — März 2025 (1).zip', tenantId: TENANT_A, uploadedBy: megan.aadObjectId };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** An async iterable of `bytes` in chunks of `size`, as a download hands them over. */
async function* chunks(bytes: Buffer, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield new Uint8Array(bytes.subarray(i, i + size));
}

/** Yields `before` bytes, then fails as a broken download would. */
async function* breaksAfter(before: number, error: Error): AsyncGenerator<Uint8Array> {
  yield new Uint8Array(before);
  throw error;
}

/**
 * The contract both stores of uploaded exports pass. `factory` gives every test its own empty store
 * (a new folder, a new container).
 */
export function runExportFileStoreContract(name: string, factory: () => Promise<ExportStoreHandle>): void {
  describe(`uploaded exports on ${name}`, function () {
    this.timeout(60_000);
    let handle: ExportStoreHandle;
    let store: ExportFileStore;

    beforeEach(async () => {
      handle = await factory();
      store = handle.store;
    });

    it('stores a streamed upload under a new random id, with its size and SHA-256, and gives back the same bytes', async () => {
      handle.setNow('2025-03-01T10:00:00.000Z');
      const bytes = randomBytes(300_000);
      const stored = await store.save(meta, chunks(bytes), 1_000_000);
      assert.match(stored.id, EXPORT_ID);
      assert.deepEqual(stored, { id: stored.id, ...meta, bytes: bytes.length, sha256: sha256(bytes), storedAt: '2025-03-01T10:00:00.000Z' });
      assert.deepEqual(await store.get(stored.id), stored);
      assert.deepEqual(await store.list(), [stored]);
      const file = await store.localPath(stored.id);
      assert.ok(fs.readFileSync(file).equals(bytes));
      assert.equal(await store.localPath(stored.id), file, 'the same file again');
      const other = await store.save(meta, chunks(bytes), 1_000_000);
      assert.notEqual(other.id, stored.id, 'the same file uploaded twice is two exports');
    });

    it('takes a Node stream, chunks of any size, an empty file, and one of exactly the cap', async () => {
      const text = Buffer.from('{"type":"version","version":1}\n');
      const fromStream = await store.save({ ...meta, fileName: 'export.jsonl' }, Readable.from([text.subarray(0, 5), text.subarray(5)]), 1000);
      assert.deepEqual([fromStream.bytes, fromStream.sha256], [text.length, sha256(text)]);
      const empty = await store.save(meta, chunks(Buffer.alloc(0)), 1000);
      assert.deepEqual([empty.bytes, empty.sha256], [0, sha256(Buffer.alloc(0))]);
      assert.equal(fs.statSync(await store.localPath(empty.id)).size, 0);
      const exact = await store.save(meta, chunks(Buffer.alloc(1000, 7), 7), 1000);
      assert.equal(exact.bytes, 1000);
      assert.equal((await store.list()).length, 3);
    });

    it('keeps large uploads intact across many blocks', async () => {
      const bytes = randomBytes(9 * 1024 * 1024 + 12_345);
      const stored = await store.save(meta, chunks(bytes, 100_000), 20 * 1024 * 1024);
      assert.equal(stored.sha256, sha256(bytes));
      const again = await handle.reopen();
      assert.ok(fs.readFileSync(await again.localPath(stored.id)).equals(bytes));
    });

    it('refuses an upload past the cap with ExportTooLarge, keeping nothing of it', async () => {
      const err = await store.save(meta, chunks(randomBytes(200_000), 10_000), 100_000).catch((e: unknown) => e);
      assert.ok(err instanceof ExportTooLarge);
      assert.equal(err.maxBytes, 100_000);
      assert.match(err.message, /IMPORT_MAX_UPLOAD_MB/);
      assert.deepEqual(await store.list(), []);
    });

    it('rethrows the error of a body that fails midway (a broken download) unchanged, keeping nothing', async () => {
      const broken = new Error('the download broke');
      await assert.rejects(store.save(meta, breaksAfter(50_000, broken), 1_000_000), (e) => e === broken);
      assert.deepEqual(await store.list(), []);
    });

    it('stops reading the body at the cap (the download is cancelled, not drained)', async () => {
      let pulled = 0;
      let closed = false;
      async function* endless(): AsyncGenerator<Uint8Array> {
        try {
          for (;;) {
            pulled++;
            yield new Uint8Array(10_000);
          }
        } finally {
          closed = true;
        }
      }
      await assert.rejects(store.save(meta, endless(), 55_000), ExportTooLarge);
      assert.ok(pulled <= 7, `pulled ${pulled} chunks`);
      assert.equal(closed, true);
    });

    it('knows nothing of ids it did not make: never a path or blob name from outside', async () => {
      const stored = await store.save(meta, chunks(Buffer.from('x')), 10);
      for (const id of ['../ledger.sqlite', '..', stored.id.toUpperCase(), `${stored.id}.json`, `${stored.id}/../${stored.id}`, '', 'export:' + stored.id]) {
        assert.equal(await store.get(id), null, id);
        await assert.rejects(store.localPath(id), ExportNotStored);
        await store.delete(id);
      }
      assert.deepEqual(await store.list(), [stored]);
    });

    it('deletes an export (twice is harmless); afterwards it is gone for every instance', async () => {
      const stored = await store.save(meta, chunks(Buffer.from('PK')), 10);
      const other = await handle.reopen();
      assert.deepEqual(await other.get(stored.id), stored);
      await other.localPath(stored.id);
      await store.delete(stored.id);
      await store.delete(stored.id);
      assert.equal(await store.get(stored.id), null);
      assert.equal(await other.get(stored.id), null);
      const err = await other.localPath(stored.id).catch((e: unknown) => e);
      assert.ok(err instanceof ExportNotStored);
      assert.match(err.message, /no longer stored/);
      assert.deepEqual(await other.list(), []);
    });

    it('lists every export oldest first, to any instance', async () => {
      const saved: StoredExport[] = [];
      for (const at of ['2025-03-03T00:00:00.000Z', '2025-03-01T00:00:00.000Z', '2025-03-02T00:00:00.000Z']) {
        handle.setNow(at);
        saved.push(await store.save(meta, chunks(Buffer.from(at)), 100));
      }
      const listed = await (await handle.reopen()).list();
      assert.deepEqual(
        listed.map((e) => e.storedAt),
        ['2025-03-01T00:00:00.000Z', '2025-03-02T00:00:00.000Z', '2025-03-03T00:00:00.000Z'],
      );
      assert.deepEqual(listed.map((e) => e.id).sort(), saved.map((e) => e.id).sort());
    });

    it('releasing the local copy of a finished import keeps the export; the next read gets the same bytes', async () => {
      const bytes = randomBytes(10_000);
      const stored = await store.save(meta, chunks(bytes), 100_000);
      await store.localPath(stored.id);
      await store.releaseLocalCopy(stored.id);
      await store.releaseLocalCopy('../ledger.sqlite');
      assert.deepEqual(await store.get(stored.id), stored);
      assert.ok(fs.readFileSync(await store.localPath(stored.id)).equals(bytes));
    });

    it('cleaning up leaves complete exports alone', async () => {
      const stored = await store.save(meta, chunks(Buffer.from('PK')), 10);
      await store.localPath(stored.id);
      assert.equal(await store.cleanUp(new Date(Date.now() + 60_000)), 0);
      assert.deepEqual(await store.list(), [stored]);
      assert.equal(fs.readFileSync(await store.localPath(stored.id), 'utf8'), 'PK');
    });
  });
}
