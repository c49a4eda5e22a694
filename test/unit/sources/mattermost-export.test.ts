import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import type { SourceMessage } from '../../../src/domain/import/source-model';
import { DEFAULT_ARCHIVE_LIMITS } from '../../../src/sources/export-reader';
import { MattermostExportReader } from '../../../src/sources/mattermost-export';
import { ZipArchive } from '../../../src/sources/zip-archive';
import { collect, jsonl, refusal, scratchFolder, writeZip } from './fixtures';

/** A bulk export in the shape mmctl writes: `{"type": T, T: {...}}` per line. */
function exportLines(): unknown[] {
  return [
    { type: 'version', version: 1, info: { generator: 'mattermost-server' } },
    { type: 'team', team: { name: 'eng', display_name: 'Engineering', type: 'O' } },
    { type: 'channel', channel: { team: 'eng', name: 'town-square', display_name: 'Town Square', type: 'O', header: 'Welcome', purpose: '' } },
    { type: 'channel', channel: { team: 'eng', name: 'secret', display_name: 'Secret Plans', type: 'P', header: '', purpose: 'plans' } },
    { type: 'user', user: { username: 'alice', email: 'Alice@Example.com', first_name: 'Alice', last_name: 'Anders', nickname: 'ali', teams: null } },
    { type: 'user', user: { username: 'bob', email: 'bob@example.com', first_name: '', last_name: '', nickname: 'Bobby', delete_at: 1700000000000 } },
    { type: 'user', user: { username: 'hookbot', email: 'hook@example.com', is_bot: true } },
    { type: 'bot', bot: { username: 'builder', display_name: 'Build Bot', owner: 'alice' } },
    {
      type: 'post',
      post: {
        team: 'eng',
        channel: 'town-square',
        user: 'alice',
        message: 'root **A**',
        create_at: 1000,
        edit_at: 1500,
        reactions: [
          { user: 'bob', emoji_name: '+1', create_at: 1100 },
          { user: 'alice', emoji_name: 'smile', create_at: 1200 },
          { user: 'alice', emoji_name: '+1', create_at: 1300 },
        ],
        attachments: [{ path: '20210101/teams/eng/report.txt' }, { path: '20210101/teams/eng/missing.png' }],
        replies: [
          { user: 'bob', message: 'reply 1', create_at: 3000 },
          { user: 'alice', message: 'reply 2', create_at: 5000, reactions: [{ user: 'bob', emoji_name: 'tada', create_at: 5100 }] },
        ],
      },
    },
    { type: 'post', post: { team: 'eng', channel: 'secret', user: 'alice', message: 'secret root', create_at: 1500, replies: null, reactions: null } },
    { type: 'post', post: { team: 'eng', channel: 'town-square', user: 'bob', message: 'root B', create_at: 2000 } },
    { type: 'post', post: { team: 'eng', channel: 'town-square', user: 'bob', message: 'root C', create_at: 4000 } },
    { type: 'post', post: { team: 'eng', channel: 'town-square', user: 'bob', message: 'root C again', create_at: 4000 } },
    {
      type: 'post',
      post: {
        team: 'eng',
        channel: 'town-square',
        user: 'hookbot',
        message: 'from a webhook',
        create_at: 6000,
        type: 'custom_hook',
        props: { override_username: 'CI' },
      },
    },
    { type: 'direct_channel', direct_channel: { members: ['bob', 'alice'], header: 'just us' } },
    { type: 'direct_channel', direct_channel: { members: ['carol', 'alice', 'bob'] } },
    { type: 'direct_post', direct_post: { channel_members: ['bob', 'alice'], user: 'bob', message: 'dm later', create_at: 9000 } },
    {
      type: 'direct_post',
      direct_post: {
        channel_members: ['alice', 'bob'],
        user: 'alice',
        message: 'dm first',
        create_at: 8000,
        replies: [{ user: 'bob', message: 'dm reply', create_at: 8500 }],
      },
    },
    { type: 'direct_post', direct_post: { channel_members: ['alice', 'bob', 'carol'], user: 'carol', message: 'group hello', create_at: 7000 } },
  ];
}

describe('Mattermost export reader', () => {
  const scratch = scratchFolder();
  after(() => scratch.cleanup());
  let counter = 0;

  async function bare(text: string | Buffer): Promise<MattermostExportReader> {
    counter += 1;
    const path = scratch.path(`mm-${counter}.jsonl`);
    await writeFile(path, text);
    return MattermostExportReader.fromJsonlFile(path, DEFAULT_ARCHIVE_LIMITS);
  }

  async function zipped(files: Record<string, string | Buffer>, workDir = scratch.path('')): Promise<MattermostExportReader> {
    counter += 1;
    const path = await writeZip(scratch.path(`mm-${counter}.zip`), files);
    return MattermostExportReader.fromArchive(await ZipArchive.open(path, DEFAULT_ARCHIVE_LIMITS, 'mm.zip'), workDir);
  }

  it('maps users and bots', async () => {
    const reader = await bare(jsonl(exportLines()));
    assert.deepEqual(await reader.users(), [
      { id: 'alice', name: 'alice', displayName: 'Alice Anders', email: 'alice@example.com', deleted: false, bot: false },
      { id: 'bob', name: 'bob', displayName: 'Bobby', email: 'bob@example.com', deleted: true, bot: false },
      { id: 'hookbot', name: 'hookbot', displayName: 'hookbot', email: 'hook@example.com', deleted: false, bot: true },
      { id: 'builder', name: 'builder', displayName: 'Build Bot', email: null, deleted: false, bot: true },
    ]);
    await reader.close();
  });

  it('maps team channels (team/name) and direct conversations (dm: sorted members)', async () => {
    const reader = await bare(jsonl(exportLines()));
    assert.deepEqual(await reader.channels(), [
      { id: 'eng/town-square', name: 'town-square', displayName: 'Town Square', kind: 'public', topic: 'Welcome', purpose: null },
      { id: 'eng/secret', name: 'secret', displayName: 'Secret Plans', kind: 'private', topic: null, purpose: 'plans' },
      { id: 'dm:alice,bob', name: 'dm:alice,bob', displayName: 'alice, bob', kind: 'direct', topic: 'just us', purpose: null },
      { id: 'dm:alice,bob,carol', name: 'dm:alice,bob,carol', displayName: 'alice, bob, carol', kind: 'group', topic: null, purpose: null },
    ]);
    await reader.close();
  });

  it('interleaves replies chronologically with other roots, with stable unique ids', async () => {
    const reader = await bare(jsonl(exportLines()));
    const messages = await collect(reader.messages('eng/town-square'));
    assert.deepEqual(
      messages.map((m) => [m.id, m.time, m.threadId, m.text]),
      [
        ['1000:alice', 1000, null, 'root **A**'],
        ['2000:bob', 2000, null, 'root B'],
        ['1000:alice/r0', 3000, '1000:alice', 'reply 1'],
        ['4000:bob', 4000, null, 'root C'],
        ['4000:bob#2', 4000, null, 'root C again'],
        ['1000:alice/r1', 5000, '1000:alice', 'reply 2'],
        ['6000:hookbot', 6000, null, 'from a webhook'],
      ],
    );
    assert.deepEqual(await collect(reader.messages('eng/town-square')), messages, 'the same on a second reading');
    await reader.close();
  });

  it('maps a post: markdown, grouped reactions, edits, subtype, webhook name; a bare JSONL has no attachment bytes', async () => {
    const reader = await bare(jsonl(exportLines()));
    const messages = await collect(reader.messages('eng/town-square'));
    assert.deepEqual(messages[0], {
      id: '1000:alice',
      time: 1000,
      userId: 'alice',
      authorName: null,
      threadId: null,
      subtype: null,
      text: 'root **A**',
      markup: 'markdown',
      files: [
        { id: '20210101/teams/eng/report.txt', name: 'report.txt', mimeType: null, size: null, contentPath: null },
        { id: '20210101/teams/eng/missing.png', name: 'missing.png', mimeType: null, size: null, contentPath: null },
      ],
      reactions: [
        { emoji: '+1', userIds: ['bob', 'alice'] },
        { emoji: 'smile', userIds: ['alice'] },
      ],
      edited: true,
    });
    assert.deepEqual(messages[5].reactions, [{ emoji: 'tada', userIds: ['bob'] }]);
    assert.equal(messages[5].edited, false);
    assert.deepEqual([messages[6].subtype, messages[6].authorName], ['custom_hook', 'CI']);
    assert.equal(await reader.fileBytes(messages[0].files[0], 1024), null);
    await reader.close();
  });

  it('reads direct and group conversations, replies included', async () => {
    const reader = await bare(jsonl(exportLines()));
    assert.deepEqual(
      (await collect(reader.messages('dm:alice,bob'))).map((m) => [m.id, m.userId, m.text, m.threadId]),
      [
        ['8000:alice', 'alice', 'dm first', null],
        ['8000:alice/r0', 'bob', 'dm reply', '8000:alice'],
        ['9000:bob', 'bob', 'dm later', null],
      ],
    );
    assert.deepEqual(
      (await collect(reader.messages('dm:alice,bob,carol'))).map((m) => m.text),
      ['group hello'],
    );
    assert.deepEqual(
      (await collect(reader.messages('eng/secret'))).map((m) => m.text),
      ['secret root'],
    );
    await reader.close();
  });

  it('reads a zip with the JSONL and data/ attachments, and removes its working copy on close', async () => {
    const workDir = scratch.path('work');
    await mkdir(workDir);
    const reader = await zipped(
      {
        'import.jsonl': jsonl(exportLines()),
        'data/20210101/teams/eng/report.txt': 'the report',
      },
      workDir,
    );
    assert.equal((await readdir(workDir)).length, 1, 'a working copy of the JSONL');
    const [root] = await collect(reader.messages('eng/town-square'));
    assert.deepEqual(root.files, [
      { id: '20210101/teams/eng/report.txt', name: 'report.txt', mimeType: null, size: 10, contentPath: 'data/20210101/teams/eng/report.txt' },
      { id: '20210101/teams/eng/missing.png', name: 'missing.png', mimeType: null, size: null, contentPath: null },
    ]);
    assert.equal((await reader.fileBytes(root.files[0], 1024))?.toString(), 'the report');
    assert.equal(await reader.fileBytes(root.files[0], 4), null);
    assert.equal((await reader.users()).length, 4);
    await reader.close();
    assert.deepEqual(await readdir(workDir), []);
  });

  it('finds the JSONL anywhere in the zip, with data/ beside it', async () => {
    const reader = await zipped({ 'export/export.jsonl': jsonl(exportLines()), 'export/data/20210101/teams/eng/report.txt': 'r' });
    const [root] = await collect(reader.messages('eng/town-square'));
    assert.equal(root.files[0].contentPath, 'export/data/20210101/teams/eng/report.txt');
    await reader.close();
  });

  it('tolerates a byte-order mark, CRLF line ends and blank lines', async () => {
    const text = '\uFEFF' + jsonl(exportLines()).replace(/\n/g, '\r\n\r\n');
    const reader = await bare(text);
    const messages: SourceMessage[] = await collect(reader.messages('eng/town-square'));
    assert.equal(messages.length, 7);
    assert.equal(messages[2].text, 'reply 1');
    await reader.close();
  });

  it('adds a channel that only posts name, as private', async () => {
    const lines = [exportLines()[0], { type: 'post', post: { team: 'eng', channel: 'archived', user: 'alice', message: 'old', create_at: 1 } }];
    const reader = await bare(jsonl(lines));
    assert.deepEqual(await reader.channels(), [{ id: 'eng/archived', name: 'archived', displayName: 'archived', kind: 'private', topic: null, purpose: null }]);
    assert.equal((await collect(reader.messages('eng/archived'))).length, 1);
    await reader.close();
  });

  it('refuses an export without the version line first', async () => {
    const message = await refusal(bare(jsonl(exportLines().slice(1))));
    assert.match(message, /^mm-\d+\.jsonl does not start with a version line \(\{"type":"version","version":1\}; line 1 is a "team" line\)/);
    const wrongVersion = await refusal(bare(jsonl([{ type: 'version', version: 2 }])));
    assert.match(wrongVersion, /line 1 is a "version" line of version 2/);
  });

  it('refuses malformed JSON naming the line and column', async () => {
    const broken = '{"type": "user", "user": {"username": "x",}}';
    const message = await refusal(bare(jsonl(exportLines().slice(0, 3)) + broken + '\n'));
    assert.equal(broken.indexOf(',}') + 2, 43, 'the "}" after a trailing comma is column 43');
    assert.match(message, /^mm-\d+\.jsonl line 4, column 43, is not valid JSON \(expected a property name in double quotes, found "}"\)/);
  });

  it('refuses a line that is not UTF-8, naming the line and byte offset', async () => {
    const head = jsonl(exportLines().slice(0, 2));
    const before = '{"type":"user","user":{"username":"Ren';
    const text = Buffer.concat([Buffer.from(head), Buffer.from(before), Buffer.from([0xe9]), Buffer.from('"}}\n')]);
    const message = await refusal(bare(text));
    const offset = Buffer.byteLength(head) + Buffer.byteLength(before);
    assert.match(message, new RegExp(`^mm-\\d+\\.jsonl line 3 is not UTF-8 text \\(byte offset ${offset}, column ${Buffer.byteLength(before) + 1}\\)`));
  });

  it('refuses a post without create_at', async () => {
    const text = jsonl([
      exportLines()[0],
      { type: 'post', post: { team: 'eng', channel: 'x', user: 'a', message: 'm', replies: [{ user: 'b' }], create_at: 5 } },
    ]);
    assert.match(await refusal(bare(text)), /^mm-\d+\.jsonl line 2: reply 0 \(counting from 0\) has no "create_at" time/);
  });

  it('refuses a zip without a .jsonl, and cleans up', async () => {
    counter += 1;
    const path = await writeZip(scratch.path(`mm-${counter}.zip`), { 'readme.txt': 'hi' });
    assert.match(await refusal(MattermostExportReader.fromArchive(await ZipArchive.open(path, DEFAULT_ARCHIVE_LIMITS))), /holds no \.jsonl file/);
  });
});
