import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { DEFAULT_ARCHIVE_LIMITS } from '../../../src/sources/export-reader';
import { openExport, sha256File } from '../../../src/sources/open-export';
import { jsonl, refusal, scratchFolder, writeZip } from './fixtures';

const versionLine = { type: 'version', version: 1 };
const channelLine = { type: 'channel', channel: { team: 't', name: 'c', display_name: 'C', type: 'O' } };

describe('opening an export: the format is told from the content', () => {
  const scratch = scratchFolder();
  after(() => scratch.cleanup());

  it('opens a Slack export zip', async () => {
    const path = await writeZip(scratch.path('slack.zip'), { 'users.json': '[]', 'channels.json': '[{"id":"C1","name":"general"}]' });
    const reader = await openExport(path);
    assert.equal(reader.kind, 'slack');
    assert.deepEqual(
      (await reader.channels()).map((c) => c.id),
      ['C1'],
    );
    await reader.close();
  });

  it('opens a Mattermost zip, a .jsonl, and a JSONL whatever its name', async () => {
    const zip = await writeZip(scratch.path('mm.zip'), { 'import.jsonl': jsonl([versionLine, channelLine]) });
    const bare = scratch.path('export.jsonl');
    await writeFile(bare, jsonl([versionLine, channelLine]));
    const unnamed = scratch.path('upload-1234.bin');
    await writeFile(unnamed, jsonl([versionLine, channelLine]));
    for (const path of [zip, bare, unnamed]) {
      const reader = await openExport(path, { limits: DEFAULT_ARCHIVE_LIMITS, workDir: scratch.path('') });
      assert.equal(reader.kind, 'mattermost', path);
      assert.deepEqual(
        (await reader.channels()).map((c) => c.id),
        ['t/c'],
      );
      await reader.close();
    }
  });

  it('refuses anything else, saying what an export looks like', async () => {
    const text = scratch.path('notes.txt');
    await writeFile(text, 'just some notes');
    const otherZip = await writeZip(scratch.path('photos.zip'), { 'readme.txt': 'hi', 'cat.jpg': 'meow' });
    const empty = scratch.path('empty.jsonl.txt');
    await writeFile(empty, '');
    for (const [path, name] of [
      [text, 'notes.txt'],
      [otherZip, 'photos.zip'],
      [empty, 'empty.jsonl.txt'],
    ]) {
      assert.equal(
        await refusal(openExport(path)),
        `this file (${name}) is neither a Slack export zip (users.json, channels.json) nor a Mattermost bulk export (.jsonl): send the zip Slack's workspace export produced, or the .jsonl or zip that Mattermost's mmctl export create produced, unchanged.`,
      );
    }
  });

  it('names the file as the admin sent it when told', async () => {
    const path = scratch.path('tmp-upload');
    await writeFile(path, 'nope');
    assert.match(await refusal(openExport(path, { label: 'acme-export.zip' })), /^this file \(acme-export\.zip\) is neither/);
  });

  it('passes the archive limits on', async () => {
    const path = await writeZip(scratch.path('limited.zip'), { 'users.json': '[]', 'channels.json': '[]', 'general/2021-01-01.json': '[]' });
    assert.match(await refusal(openExport(path, { limits: { ...DEFAULT_ARCHIVE_LIMITS, maxEntries: 2 } })), /holds 3 entries/);
  });

  it('hashes a file with SHA-256, streamed', async () => {
    const path = scratch.path('abc.txt');
    await writeFile(path, 'abc');
    assert.equal(await sha256File(path), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const big = scratch.path('big.bin');
    const bytes = Buffer.alloc(3 * 1024 * 1024, 7);
    await writeFile(big, bytes);
    assert.equal(await sha256File(big), createHash('sha256').update(bytes).digest('hex'));
  });
});
