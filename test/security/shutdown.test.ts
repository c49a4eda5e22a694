import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startEmulator, type Emulator } from '../../emulator/index';
import { createStore } from '../../src/store/create-store';
import { emulatorEnv } from '../support/harness';
import { execute, fixtureActor, message, newestConfirmation, personalChat, post, secretLeaks, waitUntil } from './support/attack';

const BOT_ENTRY = path.resolve(__dirname, '../../src/index.js');
const LAUNCH_CHAT = '19:group-launch@thread.v2';
const SLACK_CHAT = '19:group-slack@thread.v2';

describe('threat: a restart or scale-in cuts a migration off halfway', function () {
  let emulator: Emulator;
  let dataDir: string;
  let child: ChildProcess | undefined;
  let output = '';

  before(async () => {
    emulator = await startEmulator({ quiet: true, limits: { enabled: false } });
    dataDir = mkdtempSync(path.join(tmpdir(), 'tmb-shutdown-'));
  });
  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await emulator?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts `node dist/src/index.js` against the emulator and resolves with its URL once it listens. */
  async function startChild(): Promise<string> {
    const env = { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: emulator.certPath, ...emulatorEnv(emulator, dataDir), GRAPH_TIMEOUT_SECONDS: '10' };
    child = spawn(process.execPath, [BOT_ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitUntil(() => /"msg":"bot listening"/.test(output) || child!.exitCode !== null, 15_000, 'the bot to listen');
    const port = /"port":(\d+)[^\n]*"msg":"bot listening"/.exec(output)?.[1];
    assert.ok(port, `the bot started: ${output.slice(0, 500)}`);
    return `http://127.0.0.1:${port}`;
  }

  it('SIGTERM finishes turns in flight, refuses new activities with 503, flushes the ledger and exits 0 within 10 s', async () => {
    const url = await startChild();
    const alex = fixtureActor('alex');
    const chat = personalChat('alex');
    await post(url, message(emulator, alex, chat, `migrate chat ${LAUNCH_CHAT} since 2020-01-01`));
    const card = newestConfirmation(emulator, chat.conversationId);
    assert.ok(card, 'a confirmation card');

    // Two slow turns: Graph throttles each once with Retry-After 2 s, so both are mid-turn at SIGTERM.
    emulator.faults.inject({ method: 'POST', path: '/startMigration', kind: '429', retryAfter: 2 });
    emulator.faults.inject({ method: 'GET', path: `/chats/${encodeURIComponent(SLACK_CHAT)}`, kind: '429', retryAfter: 2 });
    const confirming = post(url, execute(emulator, alex, chat, card.activityId, 'confirm', { verb: 'confirm', opId: card.opId }));
    const asking = post(url, message(emulator, alex, chat, `status chat ${SLACK_CHAT}`));
    await waitUntil(() => emulator.requests({ service: 'graph' }).filter((r) => r.status === 429).length === 2, 5000, 'both turns to be throttled');

    const exited = new Promise<{ code: number | null; at: number }>((resolve) => child!.once('exit', (code) => resolve({ code, at: Date.now() })));
    const termAt = Date.now();
    child!.kill('SIGTERM');
    await waitUntil(() => /"msg":"shutting down"/.test(output), 3000, 'the bot to start shutting down');

    const late = await post(url, message(emulator, alex, chat, 'help'));
    assert.equal(late.status, 503, 'a new activity during shutdown is refused');
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 503, 'the probe says the instance is stopping');

    const [confirmed, asked] = await Promise.all([confirming, asking]);
    assert.equal(confirmed.status, 200);
    assert.match(JSON.stringify(confirmed.body), /Migration started/, 'the Confirm in flight finished');
    assert.equal(asked.status, 200);
    assert.ok(
      emulator.connector.sent(chat.conversationId).some((a) => JSON.stringify(a.raw ?? {}).includes('Imported from Slack')),
      'the status reply in flight was delivered',
    );
    assert.equal(emulator.thread(LAUNCH_CHAT)!.migrationMode, 'inProgress');

    const { code, at } = await exited;
    assert.equal(code, 0);
    assert.ok(at - termAt < 10_000, `exited ${at - termAt} ms after SIGTERM`);

    const store = await createStore({ kind: 'sqlite', dataDir });
    try {
      const entries = await store.queryLedger({ targetKey: `chat:${LAUNCH_CHAT}`, limit: 5 });
      assert.ok(
        entries.some((e) => e.action === 'start' && e.outcome === 'succeeded'),
        'the ledger holds the start made during shutdown',
      );
    } finally {
      await store.close();
    }
    assert.deepEqual(secretLeaks(output), [], 'the process output carries no secret');
  });
});
