import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import type { Emulator } from '../../emulator/index';
import { ConfigError, loadConfig } from '../../src/config/config';
import type { Harness } from '../support/harness';
import { startHarness } from '../support/harness';
import { fixtureActor, message, personalChat } from './support/attack';

const BOT_ENTRY = path.resolve(__dirname, '../../src/index.js');
const LAUNCH_CHAT = '19:group-launch@thread.v2';

/** An object as a form body with bracketed keys (`from[id]=…`), the way a page's <form> can send it. */
function formEncode(value: Record<string, unknown>, prefix = '', out = new URLSearchParams()): URLSearchParams {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}[${k}]` : k;
    if (v !== null && typeof v === 'object') formEncode(v as Record<string, unknown>, key, out);
    else out.append(key, String(v));
  }
  return out;
}

/** A raw POST to /api/messages with headers a browser would add (node:http lets a test set Host). */
function rawPost(botUrl: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const url = new URL(`${botUrl}/api/messages`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let parsed: any = text;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            // keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe("threat: a web page in the developer's browser drives the bot in local mode", function () {
  let emulator: Emulator;
  let h: Harness;
  const alex = fixtureActor('alex');

  before(async () => {
    h = await startHarness();
    emulator = h.emulator;
  });
  after(async () => h?.stop());
  beforeEach(() => h.reset());

  function migrateActivity(): Record<string, unknown> {
    return message(emulator, alex, personalChat('alex'), `migrate chat ${LAUNCH_CHAT} since 2020-01-01`);
  }

  it('runs in local mode (no channel authentication), as the Agents Playground does', () => {
    assert.equal(h.bot.config.localMode, true);
  });

  it('refuses a form-encoded POST (what any page can send cross-origin, no preflight) with 415 and starts nothing in Graph', async () => {
    const form = formEncode(migrateActivity()).toString();
    // Twice, as the reproduced attack did: the command, then the press on its confirmation.
    for (let i = 0; i < 2; i++) {
      const res = await rawPost(h.bot.url, form, { 'content-type': 'application/x-www-form-urlencoded', host: new URL(h.bot.url).host });
      assert.equal(res.status, 415);
      assert.match(res.body.error, /application\/json/);
    }
    assert.deepEqual(emulator.requests({ service: 'graph' }), [], 'nothing reached Graph');
    assert.deepEqual(emulator.requests({ service: 'connector' }), [], 'no reply was sent');
    assert.equal(emulator.thread(LAUNCH_CHAT)!.startMigrationCalls, 0);
  });

  it('refuses a text/plain POST holding JSON (the other content type a page can send without a preflight) with 415', async () => {
    const res = await rawPost(h.bot.url, JSON.stringify(migrateActivity()), { 'content-type': 'text/plain', host: new URL(h.bot.url).host });
    assert.equal(res.status, 415);
    assert.deepEqual(emulator.requests({ service: 'graph' }), []);
  });

  it('refuses a JSON POST carrying an Origin header with 403 and a clear message, and touches nothing', async () => {
    const res = await rawPost(h.bot.url, JSON.stringify(migrateActivity()), {
      'content-type': 'application/json',
      origin: 'https://evil.example',
      host: new URL(h.bot.url).host,
    });
    assert.equal(res.status, 403);
    assert.match(res.body.error, /Local mode refuses requests from web pages/);
    assert.deepEqual(emulator.requests({ service: 'graph' }), []);
    assert.deepEqual(emulator.requests({ service: 'connector' }), []);
  });

  it('refuses a JSON POST a browser marks with Sec-Fetch-Site (even without Origin) with 403', async () => {
    const res = await rawPost(h.bot.url, JSON.stringify(migrateActivity()), {
      'content-type': 'application/json',
      'sec-fetch-site': 'cross-site',
      host: new URL(h.bot.url).host,
    });
    assert.equal(res.status, 403);
    assert.deepEqual(emulator.requests({ service: 'graph' }), []);
  });

  it('refuses a request whose Host is evil.example (DNS rebinding to 127.0.0.1) with 403, naming the rule', async () => {
    for (const host of ['evil.example', `evil.example:${h.bot.port}`, `127.0.0.1.evil.example:${h.bot.port}`, `localhost.evil.example`]) {
      const res = await rawPost(h.bot.url, JSON.stringify(migrateActivity()), { 'content-type': 'application/json', host });
      assert.equal(res.status, 403, host);
      assert.match(res.body.error, /only answers requests addressed to 127\.0\.0\.1, localhost or \[::1\]/);
    }
    assert.deepEqual(emulator.requests({ service: 'graph' }), []);
    assert.ok(
      h.logs.some((l) => /local mode: request refused/.test(l)),
      'each refusal is logged',
    );
  });

  it('still serves JSON addressed to 127.0.0.1, localhost or [::1] on any port', async () => {
    for (const host of [new URL(h.bot.url).host, `localhost:${h.bot.port}`, `[::1]:${h.bot.port}`, 'localhost']) {
      const activity = message(emulator, alex, personalChat('alex'), `status chat ${LAUNCH_CHAT}`);
      const res = await rawPost(h.bot.url, JSON.stringify(activity), { 'content-type': 'application/json; charset=utf-8', host });
      assert.equal(res.status, 200, host);
    }
  });
});

describe('an operator starts local mode against a real Microsoft Graph', function () {
  const env = {
    LOCAL_MODE: 'true',
    GRAPH_TENANT_ID: '00000000-0000-0000-0000-000000000001',
    GRAPH_CLIENT_ID: 'aaaaaaaa-0000-0000-0000-000000000001',
    GRAPH_CLIENT_SECRET: 'not-a-real-secret',
  };

  it('refuses the real cloud endpoints, naming GRAPH_ENDPOINT and GRAPH_AUTHORITY_HOST and the switch that allows it', () => {
    assert.throws(
      () => loadConfig(env),
      (err: Error) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /GRAPH_ENDPOINT must point to this machine/);
        assert.match(err.message, /GRAPH_AUTHORITY_HOST must point to this machine/);
        assert.match(err.message, /LOCAL_MODE_ALLOW_REMOTE_GRAPH=true/);
        return true;
      },
    );
  });

  it('names only the endpoint that is remote', () => {
    assert.throws(
      () => loadConfig({ ...env, GRAPH_AUTHORITY_HOST: 'https://127.0.0.1:8443' }),
      (err: Error) => {
        assert.match(err.message, /GRAPH_ENDPOINT must point/);
        assert.doesNotMatch(err.message, /GRAPH_AUTHORITY_HOST must point/);
        return true;
      },
    );
  });

  it('starts against the emulator on loopback, and against a real tenant only with LOCAL_MODE_ALLOW_REMOTE_GRAPH=true', () => {
    assert.equal(loadConfig({ ...env, GRAPH_ENDPOINT: 'https://localhost:8443', GRAPH_AUTHORITY_HOST: 'https://[::1]:8443' }).localMode, true);
    assert.equal(loadConfig({ ...env, LOCAL_MODE_ALLOW_REMOTE_GRAPH: 'true' }).graph.endpoint, 'https://graph.microsoft.com');
  });

  it('the built bot exits 2 with the message before it listens', async () => {
    const run = await new Promise<{ status: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [BOT_ENTRY], { env: { PATH: process.env.PATH ?? '', ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stderr, stdout });
      });
    });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /GRAPH_ENDPOINT must point to this machine/);
    assert.doesNotMatch(run.stdout, /bot listening/);
  });
});
