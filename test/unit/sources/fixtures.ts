import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as yazl from 'yazl';
import { ExportRefused } from '../../../src/sources/export-reader';

/**
 * A scratch folder for one test file's exports, made on first use (not when mocha loads the file, so
 * a run that never reaches these tests leaves nothing behind) and removed by `cleanup()`.
 */
export function scratchFolder(): { path: (name: string) => string; cleanup: () => void } {
  let dir: string | null = null;
  return {
    path: (name) => {
      dir ??= mkdtempSync(join(tmpdir(), 'sources-test-'));
      return join(dir, name);
    },
    cleanup: () => {
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a zip holding `files` (name → text or bytes, in order) at `path`, built with yazl. */
export async function writeZip(path: string, files: Record<string, string | Buffer>, options: { compress?: boolean } = {}): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) {
    zip.addBuffer(typeof content === 'string' ? Buffer.from(content, 'utf8') : content, name, { compress: options.compress ?? true });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
  return path;
}

/**
 * Replaces every occurrence of `from` by `to` (same length) in a file's bytes: how a test gets entry
 * names into a zip that yazl itself refuses to write (`../evil.json`, absolute paths, backslashes).
 */
export async function patchBytes(path: string, from: string, to: string): Promise<void> {
  assert.equal(Buffer.byteLength(from), Buffer.byteLength(to), 'a patch keeps the length');
  const bytes = await readFile(path);
  const needle = Buffer.from(from);
  let found = 0;
  for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + needle.length)) {
    Buffer.from(to).copy(bytes, at);
    found += 1;
  }
  assert.ok(found > 0, `${from} is in the zip`);
  await writeFile(path, bytes);
}

/** Every item of an async iterable. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** Awaits `work`, asserts it failed with ExportRefused, and returns the message. */
export async function refusal(work: Promise<unknown> | (() => Promise<unknown>)): Promise<string> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    assert.ok(error instanceof ExportRefused, `expected ExportRefused, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected ExportRefused, but it succeeded');
}

/** JSON lines from objects, `\n`-terminated. */
export function jsonl(rows: unknown[]): string {
  return rows.map((row) => JSON.stringify(row)).join('\n') + '\n';
}
