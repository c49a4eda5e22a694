import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type { Emulator } from '../../emulator/index';
import { startEmulator } from '../../emulator/index';
import { loadConfig } from '../../src/config/config';
import { composeImport, type ImportWiring } from '../../src/index';
import { writeSlackBulkExport } from '../support/exports/slack-export';
import { emulatorEnv } from '../support/harness';
import { startAzurite, type Azurite } from '../store/azurite';

const GENERAL = '19:myteam-general@thread.tacv2';
const ANNOUNCEMENTS = '19:myteam-announcements@thread.tacv2';
const quiet = () => new Writable({ write: (_c, _e, done) => done() });

describe('two bot instances on one Azure Table store run an import once', function () {
  this.timeout(180000);
  let azurite: Azurite;
  let emulator: Emulator;
  let dir: string;
  let a: ImportWiring;
  let b: ImportWiring;

  before(async () => {
    azurite = await startAzurite('table');
    emulator = await startEmulator({ quiet: true, limits: { enabled: false } });
    dir = mkdtempSync(path.join(tmpdir(), 'tmb-instances-'));
    const config = loadConfig({
      ...emulatorEnv(emulator, dir),
      STORAGE_BACKEND: 'table',
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      IMPORT_THREAD_RPS: '100',
      BULK_TENANT_RPS: '200',
      LOG_LEVEL: 'error',
    });
    const lease = { durationMs: 3000, renewEveryMs: 1000 };
    a = await composeImport(config, { logDestination: quiet(), lease });
    b = await composeImport(config, { logDestination: quiet(), lease });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await emulator?.stop();
    await azurite?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets only the lease holder send, and the other takes over when the holder stops: no duplicate, no gap', async () => {
    const file = path.join(dir, 'bulk.zip');
    const summary = await writeSlackBulkExport(file, { messages: 300, channels: 2, seed: 3 });
    const request = {
      exportPath: file,
      team: 'My Team',
      maps: ['bench-01=General', 'bench-02=Announcements'],
      fallbackUser: null,
      completeWhenDone: true,
      uploadFiles: false,
    };
    const prepared = await a.engine.prepare(request);
    const { job } = await a.engine.start(prepared, { requestedBy: { aadObjectId: null, name: 'test' }, origin: 'cli', exportLocation: file });

    const total = () => emulator.messages(GENERAL).length + emulator.messages(ANNOUNCEMENTS).length;
    const runA = a.engine.run(a.runner, job);
    while (total() < 40) await new Promise((r) => setTimeout(r, 10));
    // B asks while A holds the lease: it is told the job runs elsewhere and sends nothing.
    const before = total();
    const busy = await b.engine.run(b.runner, job);
    assert.equal(busy.state, 'busy');
    a.runner.stop('instance A shuts down');
    const endA = await runA;
    assert.equal(endA.state, 'stopped');
    assert.ok(total() >= before);
    const endB = await b.engine.run(b.runner, job, { waitForLeaseMs: 10000 });
    assert.equal(endB.state, 'done');

    const all = [...emulator.messages(GENERAL), ...emulator.messages(ANNOUNCEMENTS)];
    const placeholders = all.filter((m) => m.body.content.includes('This message was deleted.')).length;
    assert.equal(all.length, summary.roots + summary.replies + placeholders);
    for (const thread of [GENERAL, ANNOUNCEMENTS]) {
      const times = emulator.messages(thread).map((m) => m.createdDateTime);
      assert.equal(new Set(times).size, times.length);
      assert.equal(emulator.thread(thread)!.migrationMode, 'completed');
    }
  });

  it('makes one job of two runs of the same export started at the same moment on two instances', async () => {
    const file = path.join(dir, 'twice.zip');
    await writeSlackBulkExport(file, { messages: 40, channels: 1, seed: 9 });
    const request = { exportPath: file, team: 'My Team', maps: ['bench-01=Project Falcon'], fallbackUser: null, completeWhenDone: false, uploadFiles: false };
    const [pa, pb] = await Promise.all([a.engine.prepare(request), b.engine.prepare(request)]);
    const who = { requestedBy: { aadObjectId: null, name: 'test' }, origin: 'cli' as const, exportLocation: file };
    const [ja, jb] = await Promise.all([a.engine.start(pa, who), b.engine.start(pb, who)]);
    assert.equal(ja.job.id, jb.job.id);
    const jobs = await a.store.findImportJobsByKey(ja.job.jobKey);
    assert.equal(jobs.filter((j) => j.state === 'running').length, 1);
  });
});
