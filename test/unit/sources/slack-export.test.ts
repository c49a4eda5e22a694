import assert from 'node:assert/strict';
import type { SourceMessage } from '../../../src/domain/import/source-model';
import { DEFAULT_ARCHIVE_LIMITS } from '../../../src/sources/export-reader';
import { SlackExportReader, slackRootOf } from '../../../src/sources/slack-export';
import { ZipArchive } from '../../../src/sources/zip-archive';
import { collect, refusal, scratchFolder, writeZip } from './fixtures';

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** A small export in the shapes Slack writes (day files and their messages deliberately out of order). */
function slackExport(overrides: Record<string, string | Buffer> = {}): Record<string, string | Buffer> {
  return {
    'users.json': json([
      { id: 'U1', name: 'alice', real_name: 'Alice A', profile: { email: 'Alice@Example.COM', real_name: 'Alice Anders', display_name: 'ali' } },
      { id: 'U2', name: 'bob', deleted: true, profile: { display_name: 'Bobby' } },
      { id: 'B1', name: 'deploybot', is_bot: true, profile: { real_name: 'Deploy Bot' } },
      { id: 'USLACKBOT', name: 'slackbot', real_name: 'Slackbot', profile: {} },
    ]),
    'channels.json': json([{ id: 'C1', name: 'general', topic: { value: 'Company news' }, purpose: { value: '' } }]),
    'groups.json': json([
      { id: 'G1', name: 'secret', purpose: { value: 'Hush' } },
      { id: 'G2', name: 'mpdm-alice--bob--carol-1', is_mpim: true },
    ]),
    'mpims.json': json([{ id: 'G2', name: 'mpdm-alice--bob--carol-1' }]),
    'dms.json': json([{ id: 'D1', members: ['U1', 'U2'] }]),
    'general/2021-01-02.json': json([
      { type: 'message', user: 'U2', text: 'a reply, the next day', ts: '1609545600.000200', thread_ts: '1609459200.123456', parent_user_id: 'U1' },
      { type: 'message', user: 'U1', text: 'morning', ts: '1609545600.000100' },
    ]),
    'general/2021-01-01.json': json([
      {
        type: 'message',
        user: 'U1',
        text: 'Happy new year *all*',
        ts: '1609459200.123456',
        thread_ts: '1609459200.123456',
        reply_count: 1,
        user_profile: { real_name: 'Alice Anders' },
        reactions: [
          { name: '+1', users: ['U2', 'U1'], count: 2 },
          { name: 'tada', users: ['U2'], count: 1 },
        ],
        edited: { user: 'U1', ts: '1609459260.000000' },
      },
      { type: 'message', subtype: 'channel_join', user: 'U2', text: '<@U2> has joined the channel', ts: '1609459100.000001' },
      { type: 'pin_added', ts: '1609459150.000000' },
      { type: 'message', subtype: 'bot_message', bot_id: 'B1', username: 'deploybot', text: 'deployed', ts: '1609459300.999999' },
      {
        type: 'message',
        subtype: 'file_share',
        user: 'U1',
        text: 'files',
        ts: '1609459400.000000',
        files: [
          { id: 'F1', name: 'report.pdf', title: 'Report', mimetype: 'application/pdf', size: 9 },
          { id: 'F2', title: 'Untitled', mimetype: 'text/plain', size: 120 },
          { id: 'F3', name: 'photo.png', mimetype: 'image/png', size: 5 },
          { id: 'F4', name: 'notes.txt', mimetype: 'text/plain', size: 4 },
        ],
      },
      { type: 'message', user: 'U1', text: 'same ts, first', ts: '1609459500.000000' },
      { type: 'message', user: 'U2', text: 'same ts, second', ts: '1609459500.000000' },
    ]),
    '__uploads/F1/report.pdf': 'PDF bytes',
    'general/attachments/F3-photo.png': 'PNG!!',
    'general/attachments/notes.txt': 'note',
    'secret/2021-01-01.json': json([{ type: 'message', user: 'U1', text: 'psst', ts: '1609459200.000000' }]),
    'D1/2021-01-01.json': json([{ type: 'message', user: 'U2', text: 'hi alice', ts: '1609459201.000000' }]),
    'mpdm-alice--bob--carol-1/2021-01-01.json': json([{ type: 'message', user: 'U1', text: 'hi all', ts: '1609459202.000000' }]),
    ...overrides,
  };
}

describe('Slack export reader', () => {
  const scratch = scratchFolder();
  after(() => scratch.cleanup());
  let counter = 0;

  async function open(files: Record<string, string | Buffer>): Promise<SlackExportReader> {
    counter += 1;
    const path = await writeZip(scratch.path(`slack-${counter}.zip`), files);
    return SlackExportReader.fromArchive(await ZipArchive.open(path, DEFAULT_ARCHIVE_LIMITS, 'slack.zip'));
  }

  it('maps users: lower-cased e-mail, the best display name, bots and deleted users', async () => {
    const reader = await open(slackExport());
    assert.deepEqual(await reader.users(), [
      { id: 'U1', name: 'alice', displayName: 'Alice Anders', email: 'alice@example.com', deleted: false, bot: false },
      { id: 'U2', name: 'bob', displayName: 'Bobby', email: null, deleted: true, bot: false },
      { id: 'B1', name: 'deploybot', displayName: 'Deploy Bot', email: null, deleted: false, bot: true },
      { id: 'USLACKBOT', name: 'slackbot', displayName: 'Slackbot', email: null, deleted: false, bot: true },
    ]);
    await reader.close();
  });

  it('maps channels, private channels, group DMs and DMs', async () => {
    const reader = await open(slackExport());
    assert.deepEqual(await reader.channels(), [
      { id: 'C1', name: 'general', displayName: 'general', kind: 'public', topic: 'Company news', purpose: null },
      { id: 'G1', name: 'secret', displayName: 'secret', kind: 'private', topic: null, purpose: 'Hush' },
      { id: 'G2', name: 'mpdm-alice--bob--carol-1', displayName: 'mpdm-alice--bob--carol-1', kind: 'group', topic: null, purpose: null },
      { id: 'D1', name: 'D1', displayName: 'D1', kind: 'direct', topic: null, purpose: null },
    ]);
    assert.deepEqual(
      (await collect(reader.messages('D1'))).map((m) => m.text),
      ['hi alice'],
    );
    assert.deepEqual(
      (await collect(reader.messages('G2'))).map((m) => m.text),
      ['hi all'],
    );
    assert.deepEqual(
      (await collect(reader.messages('G1'))).map((m) => m.text),
      ['psst'],
    );
    await reader.close();
  });

  it('gives a channel chronologically across day files, skipping non-messages but keeping every subtype', async () => {
    const reader = await open(slackExport());
    const messages = await collect(reader.messages('C1'));
    assert.deepEqual(
      messages.map((m) => [m.id, m.subtype, m.text]),
      [
        ['1609459100.000001', 'channel_join', '<@U2> has joined the channel'],
        ['1609459200.123456', null, 'Happy new year *all*'],
        ['1609459300.999999', 'bot_message', 'deployed'],
        ['1609459400.000000', 'file_share', 'files'],
        ['1609459500.000000', null, 'same ts, first'],
        ['1609459500.000000#2', null, 'same ts, second'],
        ['1609545600.000100', null, 'morning'],
        ['1609545600.000200', null, 'a reply, the next day'],
      ],
    );
    await reader.close();
  });

  it('maps a message: ms time, thread, author, reactions, edits', async () => {
    const reader = await open(slackExport());
    const messages = await collect(reader.messages('C1'));
    const byId = (id: string) => messages.find((m) => m.id === id) as SourceMessage;
    assert.deepEqual(byId('1609459200.123456'), {
      id: '1609459200.123456',
      time: 1609459200123,
      userId: 'U1',
      authorName: 'Alice Anders',
      threadId: null,
      subtype: null,
      text: 'Happy new year *all*',
      markup: 'slack-mrkdwn',
      files: [],
      reactions: [
        { emoji: '+1', userIds: ['U2', 'U1'] },
        { emoji: 'tada', userIds: ['U2'] },
      ],
      edited: true,
    });
    assert.equal(byId('1609545600.000200').threadId, '1609459200.123456');
    assert.equal(byId('1609545600.000200').time, 1609545600000);
    const bot = byId('1609459300.999999');
    assert.deepEqual([bot.userId, bot.authorName, bot.time, bot.edited], [null, 'deploybot', 1609459300999, false]);
    await reader.close();
  });

  it('maps files, with the archive path of their bytes when the export holds them', async () => {
    const reader = await open(slackExport());
    const shared = (await collect(reader.messages('C1'))).find((m) => m.subtype === 'file_share') as SourceMessage;
    assert.deepEqual(shared.files, [
      { id: 'F1', name: 'report.pdf', mimeType: 'application/pdf', size: 9, contentPath: '__uploads/F1/report.pdf' },
      { id: 'F2', name: 'Untitled', mimeType: 'text/plain', size: 120, contentPath: null },
      { id: 'F3', name: 'photo.png', mimeType: 'image/png', size: 5, contentPath: 'general/attachments/F3-photo.png' },
      { id: 'F4', name: 'notes.txt', mimeType: 'text/plain', size: 4, contentPath: 'general/attachments/notes.txt' },
    ]);
    assert.equal((await reader.fileBytes(shared.files[0], 1024))?.toString(), 'PDF bytes');
    assert.equal(await reader.fileBytes(shared.files[0], 5), null, 'larger than asked for');
    assert.equal(await reader.fileBytes(shared.files[1], 1024), null, 'not in the export');
    await reader.close();
  });

  it('reads the same messages with the same ids twice', async () => {
    const reader = await open(slackExport());
    assert.deepEqual(await collect(reader.messages('C1')), await collect(reader.messages('C1')));
    await reader.close();
  });

  it('finds an export zipped inside a folder', async () => {
    const nested = Object.fromEntries(Object.entries(slackExport()).map(([name, content]) => [`My Workspace Slack export/${name}`, content]));
    const reader = await open(nested);
    assert.equal((await reader.users()).length, 4);
    const shared = (await collect(reader.messages('C1'))).find((m) => m.subtype === 'file_share') as SourceMessage;
    assert.equal(shared.files[0].contentPath, 'My Workspace Slack export/__uploads/F1/report.pdf');
    await reader.close();
    assert.equal(slackRootOf(['__MACOSX/users.json', 'x/readme.txt']), null);
  });

  it('refuses a message without ts, naming the file and index', async () => {
    const reader = await open(
      slackExport({
        'general/2021-01-03.json': json([
          { type: 'message', ts: '1609632000.000000' },
          { type: 'message', text: 'no ts' },
        ]),
      }),
    );
    const message = await refusal(collect(reader.messages('C1')));
    assert.match(message, /^general\/2021-01-03\.json: message 1 \(counting from 0\) has no valid "ts"/);
    await reader.close();
  });

  it('refuses malformed JSON naming the file, line and column', async () => {
    const reader = await open(slackExport({ 'general/2021-01-03.json': '[\n  {"type": "message", "ts": "1609632000.000000",}\n]' }));
    const message = await refusal(collect(reader.messages('C1')));
    assert.match(message, /^general\/2021-01-03\.json is not valid JSON at line 2, column 49 \(expected a property name in double quotes, found "}"\)/);
    await reader.close();
  });

  it('refuses a day file that is not UTF-8', async () => {
    const latin1 = Buffer.concat([Buffer.from('[{"type":"message","ts":"1609632000.000000","text":"caf'), Buffer.from([0xe9]), Buffer.from('"}]')]);
    const reader = await open(slackExport({ 'general/2021-01-03.json': latin1 }));
    assert.match(
      await refusal(collect(reader.messages('C1'))),
      /^general\/2021-01-03\.json is not UTF-8 text \(byte offset 55, line 1, column 56\): re-export/,
    );
    await reader.close();
  });

  it('refuses users.json that is not a list', async () => {
    const reader = await open(slackExport({ 'users.json': '{"users": []}' }));
    assert.match(await refusal(reader.users()), /^users\.json is not a list of users/);
    await reader.close();
  });
});
