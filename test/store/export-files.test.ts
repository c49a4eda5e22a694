import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { createExportFileStore, EXPORT_CACHE_FOLDER, EXPORTS_FOLDER } from '../../src/store/create-export-file-store';
import { BlobExportFileStore, DEFAULT_EXPORT_CONTAINER } from '../../src/store/export-files-blob';
import { DirectoryExportFileStore } from '../../src/store/export-files-directory';
import { ExportDamaged, exportIdOfLocation, exportLocation } from '../../src/store/ports/export-files';
import { startAzurite, type Azurite } from './azurite';
import { runExportFileStoreContract } from './export-files-contract';
import { megan, TENANT_A } from './fixtures';

const tempDirs: string[] = [];
const newDataDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tmb-exports-'));
  tempDirs.push(dir);
  return dir;
};
const meta = { fileName: 'slack.zip', tenantId: TENANT_A, uploadedBy: megan.aadObjectId };
async function* bytes(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text);
}
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

describe('uploaded exports kept until their import is done', function () {
  this.timeout(60_000);
  let azurite: Azurite;
  before(async () => {
    azurite = await startAzurite('blob');
  });
  after(async () => {
    await azurite?.stop();
    for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  runExportFileStoreContract('a folder under DATA_DIR (one instance)', async () => {
    const dir = path.join(newDataDir(), EXPORTS_FOLDER);
    let now = new Date();
    const clock = () => now;
    return {
      store: await DirectoryExportFileStore.open(dir, clock),
      reopen: () => DirectoryExportFileStore.open(dir, clock),
      setNow: (iso) => (now = new Date(iso)),
    };
  });

  runExportFileStoreContract('Azure Blob Storage on Azurite (several instances)', async () => {
    const container = `exports-${randomBytes(6).toString('hex')}`;
    let now = new Date();
    const open = () =>
      BlobExportFileStore.open({
        connectionString: azurite.connectionString,
        container,
        cacheDir: path.join(newDataDir(), EXPORT_CACHE_FOLDER),
        now: () => now,
      });
    return { store: await open(), reopen: open, setNow: (iso) => (now = new Date(iso)) };
  });

  describe('the folder backend', () => {
    it('keeps the bytes in DATA_DIR/exports/<id> and what is known of them in <id>.json, private to the bot', async () => {
      const dataDir = newDataDir();
      const store = await createExportFileStore({ dataDir, storage: { kind: 'sqlite' } });
      assert.ok(store instanceof DirectoryExportFileStore);
      const stored = await store.save(meta, bytes('PK'), 10);
      const dir = path.join(dataDir, 'exports');
      assert.deepEqual(fs.readdirSync(dir).sort(), [stored.id, `${stored.id}.json`]);
      assert.equal(await store.localPath(stored.id), path.join(dir, stored.id));
      assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, `${stored.id}.json`), 'utf8')), stored);
      if (process.platform !== 'win32') {
        assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
        assert.equal(fs.statSync(path.join(dir, stored.id)).mode & 0o777, 0o600);
      }
    });

    it('writes the sidecar last, so a stopped upload is never listed; clean-up removes its leftovers once old', async () => {
      const dir = path.join(newDataDir(), 'exports');
      const store = await DirectoryExportFileStore.open(dir);
      const kept = await store.save(meta, bytes('PK'), 10);
      const partial = `${'b'.repeat(32)}.part`;
      const noSidecar = 'c'.repeat(32);
      const young = `${'d'.repeat(32)}.part`;
      for (const name of [partial, noSidecar, young]) fs.writeFileSync(path.join(dir, name), 'x');
      for (const name of [partial, noSidecar]) fs.utimesSync(path.join(dir, name), hoursAgo(48), hoursAgo(48));
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'not ours');
      fs.utimesSync(path.join(dir, 'notes.txt'), hoursAgo(48), hoursAgo(48));
      assert.deepEqual(await store.list(), [kept]);
      assert.equal(await store.cleanUp(hoursAgo(24)), 2);
      assert.deepEqual(fs.readdirSync(dir).sort(), [kept.id, `${kept.id}.json`, young, 'notes.txt'].sort());
    });
  });

  describe('the Blob backend', () => {
    it('is used with STORAGE_BACKEND=table: container migrationbot-exports in the same account, copies under DATA_DIR/export-cache', async () => {
      const dataDir = newDataDir();
      const store = await createExportFileStore({ dataDir, storage: { kind: 'table', connectionString: azurite.connectionString } });
      assert.ok(store instanceof BlobExportFileStore);
      const stored = await store.save({ ...meta, fileName: 'Exporte — März.zip' }, bytes('PK-bytes'), 100);
      const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(DEFAULT_EXPORT_CONTAINER);
      const props = await container.getBlockBlobClient(stored.id).getProperties();
      assert.equal(props.contentLength, 8);
      assert.deepEqual(props.metadata, {
        filename: encodeURIComponent('Exporte — März.zip'),
        bytes: '8',
        sha256: stored.sha256,
        storedat: stored.storedAt,
        tenantid: TENANT_A,
        uploadedby: megan.aadObjectId,
      });
      const copy = path.join(dataDir, 'export-cache', stored.id);
      assert.equal(await store.localPath(stored.id), copy);
      await store.releaseLocalCopy(stored.id);
      assert.equal(fs.existsSync(copy), false, 'a released copy frees DATA_DIR');
      await store.localPath(stored.id);
      await store.delete(stored.id);
      assert.equal(fs.existsSync(copy), false, 'deleting removes the copy too');
    });

    it('refuses a copy whose bytes do not match the SHA-256 taken at upload, leaving nothing in the cache', async () => {
      const container = `exports-${randomBytes(6).toString('hex')}`;
      const cacheDir = path.join(newDataDir(), 'export-cache');
      const store = await BlobExportFileStore.open({ connectionString: azurite.connectionString, container, cacheDir });
      const stored = await store.save(meta, bytes('PK-original'), 100);
      const blob = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(container).getBlockBlobClient(stored.id);
      const props = await blob.getProperties();
      await blob.upload('PK-tampered', 11, { metadata: props.metadata });
      await assert.rejects(store.localPath(stored.id), ExportDamaged);
      assert.deepEqual(fs.readdirSync(cacheDir), []);
    });

    it('downloads a copy once per instance even when asked twice at once; clean-up drops copies of exports deleted elsewhere', async () => {
      const container = `exports-${randomBytes(6).toString('hex')}`;
      const open = (cacheDir: string) => BlobExportFileStore.open({ connectionString: azurite.connectionString, container, cacheDir });
      const cacheA = path.join(newDataDir(), 'export-cache');
      const a = await open(cacheA);
      const b = await open(path.join(newDataDir(), 'export-cache'));
      const stored = await b.save(meta, bytes('PK'), 10);
      const [p1, p2] = await Promise.all([a.localPath(stored.id), a.localPath(stored.id)]);
      assert.equal(p1, p2);
      assert.deepEqual(fs.readdirSync(cacheA), [stored.id]);
      await b.delete(stored.id);
      assert.equal(await a.cleanUp(hoursAgo(24)), 1);
      assert.deepEqual(fs.readdirSync(cacheA), []);
    });

    it('refuses a container name Azure would reject, before contacting the service', async () => {
      for (const container of ['Exports', 'ex', 'ex--ports', '-exports', 'exports_1']) {
        await assert.rejects(BlobExportFileStore.open({ connectionString: azurite.connectionString, container, cacheDir: newDataDir() }), /container name/);
      }
    });
  });
});

describe('where an import job finds its uploaded export', () => {
  it('names it export:<id> in source.location, and reads the id back only from that form', () => {
    const id = 'a'.repeat(32);
    assert.equal(exportLocation(id), `export:${id}`);
    assert.equal(exportIdOfLocation(`export:${id}`), id);
    for (const location of ['/data/imports/contoso-slack.zip', `export:${id}/..`, 'export:../x', `EXPORT:${id}`, 'export:']) {
      assert.equal(exportIdOfLocation(location), null, location);
    }
  });
});
