import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import * as path from 'node:path';
import { startEmulator, TeamsClient, type Emulator } from '../../emulator/index';
import { ConfigError, loadConfig } from '../../src/config/config';
import { startBot } from '../../src/index';
import { capturedLogs, press, startHarness } from '../support/harness';
import { channelAuthEnv, secretLeaks } from './support/attack';

const BOT_ENTRY = path.resolve(__dirname, '../../src/index.js');

/** The base64 body lines of the private key in a PEM file (long enough to be unique). */
function privateKeyLines(pemPath: string): string[] {
  const pem = readFileSync(pemPath, 'utf8');
  const block = /-----BEGIN [A-Z ]*PRIVATE KEY-----([\s\S]+?)-----END/.exec(pem)?.[1] ?? '';
  return block
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 40);
}

/** Runs the built bot with exactly `env` (plus PATH) and resolves with its exit code and output. */
function runBot(env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BOT_ENTRY], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('threat: secrets leak into logs or error output', function () {
  let emulator: Emulator;
  let keyLines: string[] = [];

  before(async function () {
    // Exercise the paths most likely to log credentials, at the most verbose level: channel
    // authentication with the bot password, a certificate credential, and a failing token endpoint.
    emulator = await startEmulator({ quiet: true, limits: { enabled: false } });
    keyLines = privateKeyLines(emulator.info.migrationApp.certificatePath);
    const withPassword = await startHarness({ sharedEmulator: emulator, env: { ...channelAuthEnv(emulator), LOG_LEVEL: 'trace' } });
    try {
      const teams = new TeamsClient({ emulator, botUrl: `${withPassword.bot.url}/api/messages`, signTokens: true });
      const alex = teams.as('alex').inPersonalChat();
      await alex.says('migrate chat 19:group-launch@thread.v2 since 2020-01-01');
      await press(alex, emulator, 'Confirm');
    } finally {
      await withPassword.stop();
    }
    const withCertificate = await startHarness({
      sharedEmulator: emulator,
      env: { GRAPH_CLIENT_SECRET: undefined, GRAPH_CERTIFICATE_PATH: emulator.info.migrationApp.certificatePath, LOG_LEVEL: 'trace' },
    });
    try {
      const alex = withCertificate.teams.as('alex').inPersonalChat();
      await alex.says('status chat 19:group-launch@thread.v2');
    } finally {
      await withCertificate.stop();
    }
    const failing = await startHarness({ sharedEmulator: emulator, env: { LOG_LEVEL: 'trace' } });
    try {
      emulator.faults.inject({ path: /oauth2\/v2\.0\/token/, kind: 'invalid_client', times: 5 });
      await failing.teams.as('alex').inPersonalChat().says('locked');
    } finally {
      await failing.stop();
      await emulator.stop();
    }
  });

  it('no client secret, bot password, token or private key appears in any log line of any bot in this run', () => {
    assert.ok(capturedLogs.length >= 8, `enough log lines to mean something (${capturedLogs.length})`);
    const leaks = capturedLogs.flatMap((line, i) => secretLeaks(line, keyLines).map((what) => `line ${i}: ${what}: ${line.slice(0, 160)}`));
    assert.deepEqual(leaks, []);
  });

  const VALUE = 'LEAKCANARY';

  it('configuration errors name the variable and never its value (the built bot exits 2)', async () => {
    const run = await runBot({
      GRAPH_AUTHORITY_HOST: `http://${VALUE}.example.com`,
      GRAPH_ENDPOINT: `ftp://${VALUE}`,
      GRAPH_TIMEOUT_SECONDS: `${VALUE}-30`,
      ADMIN_GROUP_IDS: `${VALUE}-group`,
      LOCAL_MODE: `${VALUE}`,
      GRAPH_CLIENT_SECRET: `${VALUE}-secret`,
    });
    assert.equal(run.status, 2, run.stderr);
    for (const name of ['GRAPH_AUTHORITY_HOST', 'GRAPH_ENDPOINT', 'GRAPH_TIMEOUT_SECONDS', 'ADMIN_GROUP_IDS', 'LOCAL_MODE'])
      assert.match(run.stderr, new RegExp(name));
    assert.doesNotMatch(run.stderr + run.stdout, new RegExp(VALUE));
  });

  it('cross-field configuration errors name every variable involved and no value (the text main prints)', () => {
    // The schema check above stops before these; main() prints ConfigError.message as it is.
    const env = {
      GRAPH_TENANT_ID: `${VALUE}-tenant`,
      GRAPH_CLIENT_ID: `${VALUE}-client`,
      GRAPH_CLIENT_SECRET: `${VALUE}-secret`,
      GRAPH_CERTIFICATE_PATH: `/tmp/${VALUE}.pem`,
      BOT_ID: `${VALUE}-bot`,
      BOT_TYPE: `${VALUE}-type`,
      LOG_LEVEL: `${VALUE}-level`,
      GRAPH_CLOUD: `${VALUE}-cloud`,
    };
    assert.throws(
      () => loadConfig(env),
      (err: Error) => {
        assert.ok(err instanceof ConfigError);
        for (const name of [
          'GRAPH_TENANT_ID',
          'GRAPH_CLIENT_ID',
          'GRAPH_CLIENT_SECRET',
          'GRAPH_CERTIFICATE_PATH',
          'BOT_PASSWORD',
          'BOT_TYPE',
          'LOG_LEVEL',
          'GRAPH_CLOUD',
        ]) {
          assert.match(err.message, new RegExp(name), `names ${name}`);
        }
        assert.doesNotMatch(err.message, new RegExp(VALUE));
        return true;
      },
    );
  });

  it('a credential file that cannot be read stops the bot naming the variable, not the path or contents', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tmb-secrets-'));
    try {
      const config = loadConfig({
        LOCAL_MODE: 'true',
        LOCAL_MODE_ALLOW_REMOTE_GRAPH: 'true',
        PORT: '0',
        DATA_DIR: dataDir,
        GRAPH_TENANT_ID: '00000000-0000-0000-0000-000000000001',
        GRAPH_CLIENT_ID: 'aaaaaaaa-0000-0000-0000-000000000001',
        GRAPH_CERTIFICATE_PATH: `/nonexistent/${VALUE}.pem`,
      });
      await assert.rejects(startBot(config, { logDestination: new Writable({ write: (_c, _e, done) => done() }) }), (err: Error) => {
        assert.match(err.message, /GRAPH_CERTIFICATE_PATH/);
        assert.doesNotMatch(err.message, new RegExp(VALUE));
        return true;
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
