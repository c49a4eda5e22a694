import assert from 'node:assert/strict';
import * as path from 'node:path';
import { writeZipBomb, writeZipWithEntry, writeSlackExportWithMalformedDay } from '../support/exports/hostile-exports';
import { writeMattermostStoryExport } from '../support/exports/mattermost-export';
import { writeSlackBulkExport, writeSlackStoryExport } from '../support/exports/slack-export';
import { lastReplyText, startHarness } from '../support/harness';
import { startOperator, type Operator } from './support';

const GENERAL = '19:myteam-general@thread.tacv2';
const ANNOUNCEMENTS = '19:myteam-announcements@thread.tacv2';
const FALCON = '19:myteam-falcon@thread.tacv2';
const MIGRATION_APP = (op: Operator) => op.env.GRAPH_CLIENT_ID;

describe('more import stories', function () {
  this.timeout(120000);
  let op: Operator;
  beforeEach(async () => {
    op = await startOperator();
  });
  afterEach(async () => op.stop());

  it('imports a Mattermost bulk export (zip with attachments): markdown, mentions, threads and reactions', async () => {
    const file = path.join(op.work, 'mattermost.zip');
    await writeMattermostStoryExport(file, { zip: true });
    const result = await op.runs(['run', file, '--team', 'My Team', '--fallback-user', 'alexw@example.com', '--map', 'off-topic=']);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const general = op.emulator.messages(GENERAL);
    assert.ok(general.length > 0);
    assert.ok(general.some((m) => m.body.content.includes('<b>')));
    assert.ok(general.some((m) => m.mentions.length > 0));
    assert.ok(general.some((m) => m.replyToId !== null));
    assert.ok(general.some((m) => m.reactions.length > 0));
  });

  it('uploads a file whose bytes are in the export to the channel files folder when asked, and attaches it to its message', async () => {
    const file = path.join(op.work, 'slack.zip');
    await writeSlackStoryExport(file);
    op.emulator.grantRoles(MIGRATION_APP(op), ['Files.ReadWrite.All']);
    const result = await op.runs([
      'run',
      file,
      '--team',
      'My Team',
      '--fallback-user',
      'alexw@example.com',
      '--map',
      'random=',
      '--map',
      'partners=',
      '--upload-files',
    ]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const uploaded = op.emulator.uploadedFiles().find((f) => f.name.endsWith('minutes.pdf'));
    assert.ok(uploaded, 'the PDF is in the channel files folder');
    const minutes = op.emulator.messages(FALCON).find((m) => m.body.content.includes('Minutes of the kickoff'))!;
    assert.equal(minutes.attachments.length, 1);
    assert.match(minutes.body.content, /<attachment id="[0-9a-f-]{36}"><\/attachment>/i);
  });

  it('names a file it did not upload, and why, when uploads are off', async () => {
    const file = path.join(op.work, 'slack.zip');
    await writeSlackStoryExport(file);
    const result = await op.runs(['run', file, '--team', 'My Team', '--fallback-user', 'alexw@example.com', '--map', 'random=', '--map', 'partners=']);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const minutes = op.emulator.messages(FALCON).find((m) => m.body.content.includes('Minutes of the kickoff'))!;
    assert.match(minutes.body.content, /minutes\.pdf <i>\(in the export, not uploaded: this import did not upload files/);
    assert.equal(op.emulator.uploadedFiles().length, 0);
  });

  it('does not start again a channel this bot completed moments ago (the restart cool-down), and imports the others', async () => {
    const file = path.join(op.work, 'slack.zip');
    await writeSlackStoryExport(file);
    const first = await op.runs([
      'run',
      file,
      '--team',
      'My Team',
      '--fallback-user',
      'alexw@example.com',
      '--map',
      'random=',
      '--map',
      'partners=',
      '--map',
      'announcements=',
      '--map',
      'project_falcon=',
      '--complete',
    ]);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.equal(op.emulator.thread(GENERAL)!.migrationMode, 'completed');
    const bulk = path.join(op.work, 'bulk.zip');
    await writeSlackBulkExport(bulk, { messages: 30, channels: 2, seed: 5 });
    const second = await op.runs(['run', bulk, '--team', 'My Team', '--map', 'bench-01=General', '--map', 'bench-02=Announcements']);
    assert.equal(second.code, 1, second.stderr + second.stdout);
    assert.match(second.stdout, /bench-01 → General: failed; .*was completed by this bot .* Try again after/);
    assert.equal(op.emulator.thread(GENERAL)!.startMigrationCalls, 1);
    assert.ok(op.emulator.messages(ANNOUNCEMENTS).length > 0);
  });

  it('keeps the date of a channel already in migration by this app and lists the older messages as skipped', async () => {
    const file = path.join(op.work, 'slack.zip');
    await writeSlackStoryExport(file);
    const midway = '2021-03-02T00:00:00.000Z';
    op.emulator.setThread(GENERAL, { migrationMode: 'inProgress', migrationOwnerAppId: MIGRATION_APP(op), createdDateTime: midway });
    const result = await op.runs(['run', file, '--team', 'My Team', '--fallback-user', 'alexw@example.com', '--map', 'random=', '--map', 'partners=']);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /already in migration mode since 2021-03-02T00:00:00\.000Z: its date is kept/);
    assert.match(result.stdout, /skipped \d+: older than the channel's migration date \(2021-03-02T00:00:00\.000Z\)/);
    assert.equal(op.emulator.thread(GENERAL)!.createdDateTime, midway);
    assert.equal(op.emulator.thread(GENERAL)!.startMigrationCalls, 0);
    for (const m of op.emulator.messages(GENERAL)) assert.ok(Date.parse(m.createdDateTime) > Date.parse(midway));
  });

  it('stops at a channel another app is migrating, says why, and imports the others', async () => {
    const file = path.join(op.work, 'slack.zip');
    await writeSlackStoryExport(file);
    op.emulator.setThread(ANNOUNCEMENTS, {
      migrationMode: 'inProgress',
      migrationOwnerAppId: '99999999-0000-0000-0000-000000000099',
      createdDateTime: '2020-01-01T00:00:00Z',
    });
    const result = await op.runs(['run', file, '--team', 'My Team', '--fallback-user', 'alexw@example.com', '--map', 'random=', '--map', 'partners=']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /announcements → Announcements: failed; .*Only the app that started this channel's migration may import into it/);
    assert.ok(op.emulator.messages(GENERAL).length > 0);
    assert.equal(op.emulator.messages(ANNOUNCEMENTS).length, 0);
  });

  for (const [name, write, expected] of [
    ['an entry that climbs out of the archive', (f: string) => writeZipWithEntry(f, '../../etc/passwd', 'x'), /\.\.\/\.\.\/etc\/passwd/],
    ['a zip bomb', (f: string) => writeZipBomb(f, 300), /zip bomb/],
    ['a day file that is not JSON', (f: string) => writeSlackExportWithMalformedDay(f), /line \d+.*column \d+|line \d+:\d+/i],
  ] as const) {
    it(`refuses ${name} with a clear reason, before any Graph write`, async () => {
      const file = path.join(op.work, 'hostile.zip');
      await write(file);
      const result = await op.runs(['run', file, '--team', 'My Team', '--fallback-user', 'alexw@example.com']);
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.match(result.stderr, expected);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
      assert.equal(op.emulator.graphWrites().length, 0);
    });
  }

  it('shows the import in the bot: status of the channel, the locked board and the audit ledger', async () => {
    const file = path.join(op.work, 'slack.zip');
    await writeSlackStoryExport(file);
    const result = await op.runs(['run', file, '--team', 'My Team', '--fallback-user', 'alexw@example.com', '--map', 'random=', '--map', 'partners=']);
    assert.equal(result.code, 0, result.stderr);
    const h = await startHarness({ sharedEmulator: op.emulator, env: { DATA_DIR: op.dataDir } });
    try {
      const alex = h.teams.as('alex').inPersonalChat();
      await alex.says('status channel "My Team" General');
      assert.match(lastReplyText(alex), /History import[\s\S]*succeeded: \d+ messages, \d+ replies/);
      assert.match(lastReplyText(alex), /Started by[\s\S]*command line/);
      await alex.says('locked');
      assert.match(lastReplyText(alex), /General/);
      await alex.says('audit');
      assert.match(lastReplyText(alex), /import · succeeded · My Team › General/);
      assert.match(lastReplyText(alex), /import-start · succeeded/);
    } finally {
      await h.stop();
    }
  });
});
