import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startEmulator, type Emulator } from '../../emulator/index';
import type { Harness } from '../support/harness';
import { startHarness } from '../support/harness';
import { channelAuthEnv, fixtureActor, message, personalChat } from './support/attack';

/** Regular files in the OS temp directory, by name. */
function tempFiles(): Set<string> {
  const names = new Set<string>();
  for (const name of readdirSync(tmpdir())) {
    try {
      if (statSync(path.join(tmpdir(), name)).isFile()) names.add(name);
    } catch {
      // removed meanwhile (other suites use the temp directory too)
    }
  }
  return names;
}

/**
 * Files that appeared since `before` and look like an upload: restify's multipart parser names them
 * `upload_…`, and any new file of a megabyte or more counts too (other suites running at the same
 * time only write small files there).
 */
function newUploads(before: Set<string>): string[] {
  return [...tempFiles()].filter((name) => {
    if (before.has(name)) return false;
    if (name.startsWith('upload_')) return true;
    try {
      return statSync(path.join(tmpdir(), name)).size >= 1024 * 1024;
    } catch {
      return false;
    }
  });
}

describe('threat: an unauthenticated caller fills the disk through /api/messages', function () {
  let emulator: Emulator;
  let h: Harness;

  before(async () => {
    emulator = await startEmulator({ quiet: true, limits: { enabled: false } });
    h = await startHarness({ sharedEmulator: emulator, env: channelAuthEnv(emulator) });
  });
  after(async () => {
    await h?.stop();
    await emulator?.stop();
  });

  it('refuses three 5 MB multipart uploads with 415, leaves no file in the temp directory, and stays healthy', async () => {
    const before = tempFiles();
    const file = new Uint8Array(5 * 1024 * 1024).fill(0x41);
    const answers: { status: number; error: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const form = new FormData();
      form.append('activity', new Blob([file], { type: 'application/octet-stream' }), `fill-${i}.bin`);
      const res = await fetch(`${h.bot.url}/api/messages`, { method: 'POST', body: form, signal: AbortSignal.timeout(30_000) });
      const text = await res.text();
      answers.push({ status: res.status, error: text.startsWith('{') ? String((JSON.parse(text) as { error?: unknown }).error) : text });
    }
    // Give a slow disk a moment to show anything a parser wrote while the request was read.
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(newUploads(before), [], 'no upload reached the temp directory');
    for (const answer of answers) {
      assert.equal(answer.status, 415);
      assert.match(answer.error, /application\/json/);
    }
    assert.equal((await fetch(`${h.bot.url}/healthz`)).status, 200);
    assert.deepEqual(emulator.requests({ service: 'graph' }), []);
  });

  it('refuses a JSON body larger than 1 MB with 413 and a clear message, and still serves the next request', async () => {
    const activity = message(emulator, fixtureActor('alex'), personalChat('alex'), 'x'.repeat(2 * 1024 * 1024));
    const res = await fetch(`${h.bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
      signal: AbortSignal.timeout(30_000),
    });
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { error: string }).error, /larger than 1024 KB/);
    assert.equal((await fetch(`${h.bot.url}/healthz`)).status, 200);
  });

  it('answers a body that is not JSON, or is JSON but not an activity, with 400 and a specific message, before authentication', async () => {
    for (const [body, expected] of [
      ['{"type": "mess', /not valid JSON/],
      ['', /empty/],
      ['[1,2]', /Bot Framework activity/],
    ] as const) {
      const res = await fetch(`${h.bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(((await res.json()) as { error: string }).error, expected);
    }
  });

  it('refuses gzip-compressed and non-UTF-8 bodies with 415 (no decompression bomb)', async () => {
    const gz = await fetch(`${h.bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: 'x',
    });
    assert.equal(gz.status, 415);
    const latin = await fetch(`${h.bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json; charset=iso-8859-1' }, body: '{}' });
    assert.equal(latin.status, 415);
  });
});
