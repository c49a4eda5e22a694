import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createStore } from '../../src/store/create-store';
import { LEDGER_FILE_NAME, SqliteStore } from '../../src/store/sqlite-store';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema';
import { auditEntry, bulkItems, bulkJob } from './fixtures';
import { runStoreContract } from './store-contract';

const tempDirs: string[] = [];
const newDataDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tmb-ledger-'));
  tempDirs.push(dir);
  return dir;
};

describe('the embedded SQLite ledger on a single bot instance', () => {
  after(() => {
    for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  runStoreContract('SQLite', async () => {
    const dataDir = newDataDir();
    return { store: SqliteStore.open(dataDir), reopen: async () => SqliteStore.open(dataDir) };
  });

  it('lives in <DATA_DIR>/ledger.sqlite, creating the folder, in WAL mode with normal sync (the disk is reached by group commit)', async () => {
    const dataDir = path.join(newDataDir(), 'nested', 'data');
    const store = await createStore({ kind: 'sqlite', dataDir });
    await store.appendLedger(auditEntry());
    const connection = (store as unknown as { db: Database.Database }).db;
    assert.equal(connection.pragma('synchronous', { simple: true }), 1, 'synchronous=NORMAL: SQLite never waits for the disk on the event loop');
    await store.close();

    const raw = new Database(path.join(dataDir, LEDGER_FILE_NAME), { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assert.equal((raw.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n, 1);
    } finally {
      raw.close();
    }
  });

  it('will not let anyone rewrite or delete audit history, even with plain SQL', async () => {
    const dataDir = newDataDir();
    const store = SqliteStore.open(dataDir);
    await store.appendLedger(auditEntry());
    await store.close();

    const raw = new Database(path.join(dataDir, LEDGER_FILE_NAME));
    try {
      assert.throws(() => raw.prepare("UPDATE audit SET outcome = 'succeeded'").run(), /append-only/);
      assert.throws(() => raw.prepare('DELETE FROM audit').run(), /append-only/);
    } finally {
      raw.close();
    }
  });

  it('refuses to open a ledger written by a newer release rather than corrupt it', async () => {
    const dataDir = newDataDir();
    await SqliteStore.open(dataDir).close();
    const raw = new Database(path.join(dataDir, LEDGER_FILE_NAME));
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    assert.throws(() => SqliteStore.open(dataDir), new RegExp(`schema version ${SCHEMA_VERSION + 1}`));
  });

  it('upgrades a ledger written by the release before leases, and its running job can then be leased', async () => {
    const dataDir = newDataDir();
    const job = bulkJob();
    const setup = SqliteStore.open(dataDir);
    await setup.createBulkJob(job, bulkItems(job, 3));
    await setup.close();
    // Turn the file back into what schema version 1 wrote: no lease columns.
    const raw = new Database(path.join(dataDir, LEDGER_FILE_NAME));
    raw.exec(
      'ALTER TABLE bulk_jobs DROP COLUMN lease_owner; ALTER TABLE bulk_jobs DROP COLUMN lease_until_ms; ALTER TABLE pending_operations DROP COLUMN claimed_at;',
    );
    raw.pragma('user_version = 1');
    raw.close();

    const upgraded = SqliteStore.open(dataDir);
    try {
      assert.deepEqual(await upgraded.getBulkJob(job.id), job);
      assert.equal((await upgraded.listBulkItems(job.id)).length, 3);
      assert.equal(await upgraded.acquireBulkJobLease(job.id, 'instance-a', new Date(Date.now() + 15000).toISOString()), true);
      assert.equal(await upgraded.acquireBulkJobLease(job.id, 'instance-b', new Date(Date.now() + 15000).toISOString()), false);
    } finally {
      await upgraded.close();
    }
  });

  it('loses no acknowledged intent when the bot is killed with SIGKILL mid-job', async function () {
    this.timeout(15_000);
    const dataDir = newDataDir();
    const job = bulkJob();
    const items = bulkItems(job, 200);
    const setup = SqliteStore.open(dataDir);
    await setup.createBulkJob(job, items);
    await setup.close();

    // The child records an intent per item and reports each one only after the call has resolved,
    // exactly as the bulk runner does before calling Graph; it is killed after the 25th report.
    const moduleFile = path.resolve(__dirname, '../../src/store/sqlite-store.js');
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('node:fs');
         const [moduleFile, dataDir, jobId, keysJson] = process.argv.slice(1);
         const store = require(moduleFile).SqliteStore.open(dataDir);
         (async () => {
           for (const key of JSON.parse(keysJson)) {
             await store.updateBulkItem(jobId, key, { state: 'intent' });
             fs.writeSync(1, key + '\\n');
           }
           setInterval(() => {}, 1000);
         })();`,
        moduleFile,
        dataDir,
        job.id,
        JSON.stringify(items.map((i) => i.itemKey)),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const acknowledged = await new Promise<string[]>((resolve, reject) => {
      const keys: string[] = [];
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        keys.push(...lines);
        if (keys.length >= 25 && child.kill('SIGKILL')) resolve([...keys]);
      });
      child.on('exit', () => reject(new Error(`the writer exited before it was killed: ${stderr}`)));
    });
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));
    assert.equal(child.signalCode, 'SIGKILL');
    assert.ok(fs.existsSync(path.join(dataDir, `${LEDGER_FILE_NAME}-wal`)), 'the killed writer left its WAL behind for recovery');

    const recovered = SqliteStore.open(dataDir);
    try {
      const states = new Map((await recovered.listBulkItems(job.id)).map((i) => [i.itemKey, i.state]));
      assert.equal(states.size, 200);
      for (const key of acknowledged) assert.equal(states.get(key), 'intent', `intent for ${key} survived`);
      // Writes were sequential, so the recovered intents must be one unbroken prefix of the job.
      const order = items.map((i) => states.get(i.itemKey));
      const intents = order.filter((s) => s === 'intent').length;
      assert.ok(intents >= acknowledged.length);
      assert.deepEqual(order, [...Array(intents).fill('intent'), ...Array(200 - intents).fill('queued')]);
    } finally {
      await recovered.close();
    }
  });
});
