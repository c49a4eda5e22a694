import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createStore } from '../../src/store/create-store';
import { LEDGER_FILE_NAME, SqliteStore } from '../../src/store/sqlite-store';
import { importMessageRows } from '../../src/store/sqlite-records';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema';
import { ZERO_COUNTS } from '../../src/store/ports/import-jobs';
import { auditEntry, bulkItems, bulkJob, importJob, importMessage, importTargets } from './fixtures';
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
    // Turn the file back into what schema version 1 wrote: no lease columns, no claim stamps, no imports.
    const raw = new Database(path.join(dataDir, LEDGER_FILE_NAME));
    raw.exec(
      'ALTER TABLE bulk_jobs DROP COLUMN lease_owner; ALTER TABLE bulk_jobs DROP COLUMN lease_until_ms; ALTER TABLE pending_operations DROP COLUMN claimed_at;',
    );
    raw.exec('DROP TABLE import_messages; DROP TABLE import_targets; DROP TABLE import_jobs;');
    raw.pragma('user_version = 1');
    raw.close();

    const upgraded = SqliteStore.open(dataDir);
    try {
      assert.deepEqual(await upgraded.getBulkJob(job.id), job);
      assert.equal((await upgraded.listBulkItems(job.id)).length, 3);
      assert.equal(await upgraded.acquireBulkJobLease(job.id, 'instance-a', new Date(Date.now() + 15000).toISOString()), true);
      assert.equal(await upgraded.acquireBulkJobLease(job.id, 'instance-b', new Date(Date.now() + 15000).toISOString()), false);
      const imported = importJob();
      const [target] = importTargets(imported, 1);
      await upgraded.createImportJob(imported, [target]);
      assert.equal(await upgraded.insertImportMessage(importMessage(target, 0), { messages: 1 }), true);
      assert.deepEqual((await upgraded.listImportTargets(imported.id))[0].counts, { ...ZERO_COUNTS, messages: 1 });
    } finally {
      await upgraded.close();
    }
  });

  it('puts an import message row and its counters on the disk before the write resolves', async () => {
    const store = SqliteStore.open(newDataDir());
    try {
      const job = importJob();
      const [target] = importTargets(job, 1);
      await store.createImportJob(job, [target]);
      // Hold the group commit: a durable write must not resolve until the sync it waits for has.
      const wal = (store as unknown as { wal: { flush(): Promise<void> } }).wal;
      const flush = wal.flush.bind(wal);
      let release = () => {};
      let synced = 0;
      wal.flush = () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }).then(async () => {
          await flush();
          synced++;
        });
      const settledEarly = async (write: Promise<unknown>) => {
        let done = false;
        void write.then(() => (done = true));
        await new Promise((resolve) => setTimeout(resolve, 30));
        const early = done;
        release();
        await write;
        return early;
      };
      assert.equal(await settledEarly(store.insertImportMessage(importMessage(target, 0), { messages: 1 })), false, 'insert waits for the disk');
      assert.equal(await settledEarly(store.settleImportMessage(job.id, target.targetKey, 0, { state: 'imported' }, { reactions: 1 })), false, 'settle too');
      assert.equal(synced, 2);
    } finally {
      await store.close();
    }
  });

  it('keeps every import message call an index lookup on a target of 200 000 rows', async function () {
    this.timeout(60_000);
    const store = SqliteStore.open(newDataDir());
    try {
      const job = importJob();
      const [target] = importTargets(job, 1);
      await store.createImportJob(job, [target]);
      const internals = store as unknown as { db: Database.Database; s: Record<string, Database.Statement> };
      // Every statement of the aggregate, planned by SQLite: a SCAN of the message table would make
      // each call read the whole run.
      for (const [name, statement] of Object.entries(internals.s)) {
        if (!/import_messages/.test(statement.source)) continue;
        const named = [...new Set([...statement.source.matchAll(/@(\w+)/g)].map((m) => m[1]))];
        const plan = internals.db.prepare(`EXPLAIN QUERY PLAN ${statement.source}`);
        const steps = (
          named.length ? plan.all(Object.fromEntries(named.map((n) => [n, null]))) : plan.all(...Array<null>(statement.source.split('?').length - 1).fill(null))
        ) as Array<{ detail: string }>;
        for (const { detail } of steps) assert.doesNotMatch(detail, /^SCAN|TEMP B-TREE/, `${name}: ${detail}`);
        // Listing by state reads only rows in that state, not every row after afterSeq.
        if (/state = @state/.test(statement.source)) assert.match(steps.map((s) => s.detail).join(), /import_messages_by_state/, name);
      }

      // The run's rows, written straight into the file (200 000 durable calls would only time the disk).
      const row = importMessageRows.insertSql();
      const insert = internals.db.prepare(row);
      const stateOf = (seq: number) => (seq % 10_000 === 7 ? 'failed' : seq % 1000 === 3 ? 'skipped' : 'imported');
      internals.db.transaction(() => {
        for (let seq = 0; seq < 200_000; seq++) {
          const reply = seq % 4 !== 0;
          const record = importMessage(target, seq, {
            state: stateOf(seq),
            graphId: `${1_740_000_000_000 + seq}`,
            parentSourceId: reply ? `${1_700_000_000 + seq - (seq % 4)}.000100` : null,
          });
          insert.run(importMessageRows.insertParams(record));
        }
      })();

      const started = process.hrtime.bigint();
      for (let i = 0; i < 500; i++) {
        const seq = (i * 397) % 200_000;
        assert.equal((await store.findImportMessage(job.id, target.targetKey, `${1_700_000_000 + seq}.000100`))?.seq, seq);
        assert.equal((await store.lastImportMessage(job.id, target.targetKey))?.seq, 199_999);
        if (i % 5 === 0)
          assert.equal(
            (await store.listImportMessages(job.id, target.targetKey, { states: ['failed'], afterSeq: seq, limit: 1 })).length,
            seq < 190_007 ? 1 : 0,
          );
      }
      const failed = await store.listImportMessages(job.id, target.targetKey, { states: ['failed'], limit: 100 });
      assert.deepEqual(
        failed.map((r) => r.seq),
        Array.from({ length: 20 }, (_, i) => i * 10_000 + 7),
      );
      const report = await store.listImportMessages(job.id, target.targetKey, { states: ['skipped', 'failed'], afterSeq: 190_000 });
      assert.equal(report.length, 10 + 1);
      const lookupMs = Number(process.hrtime.bigint() - started) / 1e6;
      // A scan per call would be ~10 ms each here (a state listing walking the primary key, several);
      // an index lookup is a few microseconds.
      assert.ok(lookupMs < 2000, `1100 lookups took ${lookupMs.toFixed(0)} ms`);

      // The run goes on: new rows and settles at the end of the big target.
      for (let seq = 200_000; seq < 200_050; seq++) {
        assert.equal(await store.insertImportMessage(importMessage(target, seq), undefined), true);
        await store.settleImportMessage(job.id, target.targetKey, seq, { state: 'imported', graphId: `g-${seq}` }, { messages: 1 });
      }
      assert.equal((await store.lastImportMessage(job.id, target.targetKey))?.graphId, 'g-200049');
      assert.equal((await store.listImportTargets(job.id))[0].counts.messages, 50);
    } finally {
      await store.close();
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
