import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Emulator } from '../../emulator/index';
import { startEmulator, TeamsClient } from '../../emulator/index';
import { createStore } from '../../src/store/create-store';
import type { LedgerEntry } from '../../src/store/ports/ledger';
import { cardActions, emulatorEnv, lastCardActivity } from '../support/harness';
import { ENGINEERING_FRESH, LEGACY, served, VENDOR, waitForCardUpdate, writesTo } from './support';

const REPO = path.resolve(__dirname, '..', '..', '..');
const TEAM_RPS = 10;

/** The built bot (`node dist/src/index.js`, as `npm start` runs it) in a child process. */
class BotProcess {
  private output = '';
  readonly exited: Promise<number | null>;
  readonly url: Promise<string>;

  constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.url = new Promise((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        const listening = this.output
          .split('\n')
          .map((l) => (l.startsWith('{') ? safeJson(l) : null))
          .find((l) => l?.msg === 'bot listening');
        if (listening) resolve(`http://127.0.0.1:${listening.port}`);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
      void this.exited.then((code) => reject(new Error(`bot exited (${code}) before listening:\n${this.output.slice(-2000)}`)));
    });
  }

  static start(env: Record<string, string>): BotProcess {
    const child = spawn(process.execPath, [path.join(REPO, 'dist', 'src', 'index.js')], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new BotProcess(child);
  }

  get log(): string {
    return this.output;
  }
}

function safeJson(line: string): { msg?: string; port?: number } | null {
  try {
    return JSON.parse(line) as { msg?: string; port?: number };
  } catch {
    return null;
  }
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function ledger(dataDir: string): Promise<LedgerEntry[]> {
  const store = await createStore({ kind: 'sqlite', dataDir });
  try {
    return await store.queryLedger({ action: 'bulk-start', limit: 10000 });
  } finally {
    await store.close();
  }
}

describe('bulk: the bot is killed (kill -9) in the middle of a bulk job and started again', function () {
  // The restarted bot waits for the dead one's job lease to expire (15 s) before taking the job over.
  this.timeout(120_000);
  let emulator: Emulator;
  let dataDir: string;
  const bots: BotProcess[] = [];
  before(async () => {
    emulator = await startEmulator({ quiet: true, limits: { enabled: true, perAppPerTeam: TEAM_RPS, perAppPerTenant: 30, perAppPerThread: 1 } });
    dataDir = mkdtempSync(path.join(tmpdir(), 'tmb-crash-'));
  });
  after(async () => {
    for (const bot of bots) if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
    await emulator?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes the job after the restart: no channel gets a second startMigration and no ledger entry is lost', async () => {
    // Intents older than 6 s (more than the 5 s Graph timeout here) are read at take-over; the lease outlasts that anyway.
    const env = {
      ...emulatorEnv(emulator, dataDir),
      BULK_TEAM_RPS: String(TEAM_RPS),
      BULK_TENANT_RPS: '30',
      BULK_INTENT_SETTLE_SECONDS: '6',
      LOG_LEVEL: 'info',
    };
    // Channel 30's call hangs: the bot dies with that item's intent written and no answer.
    emulator.faults.inject({ method: 'POST', path: /eng-ch30%40thread\.tacv2\/startMigration$/, kind: 'hang', hangMs: 4000 });

    const first = BotProcess.start(env);
    bots.push(first);
    const teams = new TeamsClient({ emulator, botUrl: `${await first.url}/api/messages` });
    const alex = teams.as('alex').inPersonalChat();
    await alex.says('migrate team "Contoso Engineering" since 2020-01-01');
    const { id, card } = lastCardActivity(alex, emulator);
    const confirm = cardActions(card).find((a) => a.title === 'Confirm')!;
    const pressed = await alex.executes(id, confirm.verb, { ...confirm.data, typedConfirmation: 'Contoso Engineering' });
    assert.match(JSON.stringify(pressed.body), /Starting migration: Contoso Engineering/);

    const startedSoFar = () => ENGINEERING_FRESH.filter((c) => served(writesTo(emulator, c, 'startMigration')).length > 0).length;
    await until(() => startedSoFar() >= 36, 20000, 'the job to get past channel 30');
    first.child.kill('SIGKILL');
    assert.equal(await first.exited, null, 'killed, not exited');
    const done = startedSoFar();
    assert.ok(done < ENGINEERING_FRESH.length, `killed mid-job (${done} started)`);
    const beforeRestart = await ledger(dataDir);

    const second = BotProcess.start(env);
    bots.push(second);
    await second.url;
    await waitForCardUpdate(emulator, alex, /Bulk start finished/, 60000);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0, `graceful stop:\n${second.log.slice(-1500)}`);

    for (const channel of ENGINEERING_FRESH) {
      assert.equal(served(writesTo(emulator, channel, 'startMigration')).length, 1, `${channel}: exactly one startMigration served`);
      assert.equal(emulator.thread(channel)!.startMigrationCalls, 1, `${channel}: reached Graph once`);
      assert.equal(emulator.thread(channel)!.migrationMode, 'inProgress');
    }
    assert.equal(writesTo(emulator, LEGACY, 'startMigration').length + writesTo(emulator, VENDOR, 'startMigration').length, 0);

    const after = await ledger(dataDir);
    const ids = new Set(after.map((e) => e.id));
    assert.ok(
      beforeRestart.every((e) => ids.has(e.id)),
      'every entry written before the crash is still there',
    );
    const jobEntries = after.filter((e) => e.jobId);
    assert.equal(jobEntries.length, ENGINEERING_FRESH.length, 'one entry per channel, none lost, none doubled');
    assert.equal(new Set(jobEntries.map((e) => e.targetKey)).size, ENGINEERING_FRESH.length);
    assert.ok(jobEntries.every((e) => e.outcome === 'succeeded'));
    const ch30 = jobEntries.find((e) => e.target?.kind === 'channel' && e.target.channelId === '19:eng-ch30@thread.tacv2')!;
    assert.ok(ch30, 'channel 30 has its entry');
    // Its intent had no outcome: the restarted bot read the channel before sending again.
    const ch30Calls = emulator.requests({ service: 'graph' }).filter((r) => decodeURIComponent(r.path).includes('/19:eng-ch30@thread.tacv2'));
    assert.deepEqual(
      ch30Calls.map((r) => `${r.method} ${r.status}`),
      ['POST 0', 'GET 200', 'POST 204'],
    );
    assert.match(second.log, /resuming bulk job/);
  });
});
