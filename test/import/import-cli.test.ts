import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { ImportedMessage } from '../../emulator/types';
import { writeSlackStoryExport, type SlackStory } from '../support/exports/slack-export';
import { startOperator, type Operator } from './support';

const TEAM = 'My Team';
const GENERAL = '19:myteam-general@thread.tacv2';
const ANNOUNCEMENTS = '19:myteam-announcements@thread.tacv2';
const FALCON = '19:myteam-falcon@thread.tacv2';
const ALEX = '00000000-0000-0000-0000-000000000020';
const MEGAN = '00000000-0000-0000-0000-000000000021';

function byTime(messages: ImportedMessage[]): ImportedMessage[] {
  return [...messages].sort((a, b) => Date.parse(a.createdDateTime) - Date.parse(b.createdDateTime));
}

function containing(messages: ImportedMessage[], text: string): ImportedMessage {
  const found = messages.find((m) => m.body.content.includes(text));
  if (!found) throw new Error(`no imported message contains ${JSON.stringify(text)}; bodies:\n${messages.map((m) => m.body.content).join('\n')}`);
  return found;
}

describe('an operator imports a Slack export from the command line', function () {
  this.timeout(120000);
  let op: Operator;
  let story: SlackStory;
  let exportFile: string;

  before(async () => {
    op = await startOperator();
    exportFile = path.join(op.work, 'acme-slack.zip');
    story = await writeSlackStoryExport(exportFile);
  });
  after(async () => op.stop());

  it('plans without a single Graph write: channels matched by name, counts, date range, users matched and not, and the missing fallback named', async () => {
    const result = await op.runs(['plan', exportFile, '--team', TEAM]);
    assert.match(result.stdout, /general → General \(same name\)/);
    assert.match(result.stdout, /project_falcon → Project Falcon \(same name\)/);
    assert.match(result.stdout, /random: no channel of the team has this name/);
    assert.match(result.stdout, /✓ Megan Bowen → Megan Bowen/);
    assert.match(result.stdout, /✗ Dana Ortiz: not in this tenant/);
    assert.match(result.stdout, /skipped \d+: channel event \(channel_join\)/);
    assert.match(result.stderr + result.stdout, /Name a fallback user \(--fallback-user/);
    assert.equal(result.code, 2);
    assert.equal(op.emulator.graphWrites().length, 0);
  });

  it('refuses to run without a fallback user when authors have no tenant user, naming them, and writes nothing', async () => {
    const result = await op.runs(['run', exportFile, '--team', TEAM]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Dana Ortiz \(not in this tenant\)/);
    assert.match(result.stderr, /deleted user/);
    assert.equal(op.emulator.graphWrites().length, 0);
  });

  it('answers an unknown option with what was wrong and the usage, exit 2', async () => {
    const result = await op.runs(['run', exportFile, '--team', TEAM, '--fallback', 'alexw@example.com']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Unknown option '--fallback'[\s\S]*Usage:/);
    assert.equal(op.emulator.graphWrites().length, 0);
  });

  it('refuses a fallback user who is not in the tenant, before anything is read from the export', async () => {
    const result = await op.runs(['run', exportFile, '--team', TEAM, '--fallback-user', 'nobody@example.com']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /The fallback user "nobody@example.com" is not a user of this tenant/);
    assert.equal(op.emulator.graphWrites().length, 0);
  });

  it('refuses a mapping to a channel the team does not have, listing its channels', async () => {
    const result = await op.runs(['plan', exportFile, '--team', TEAM, '--map', 'random=Nowhere', '--fallback-user', 'alexw@example.com']);
    assert.equal(result.code, 2);
    assert.match(result.stdout, /names a channel the team does not have\. Its channels: General, Announcements/);
  });

  describe('the run', () => {
    let run: { code: number | null; stdout: string; stderr: string };
    let general: ImportedMessage[];

    before(async () => {
      run = await op.runs(['run', exportFile, '--team', TEAM, '--fallback-user', 'alexw@example.com', '--map', 'random=Partners', '--map', 'partners=']);
      general = byTime(op.emulator.messages(GENERAL));
    });

    it('finishes, starting each channel dated one second before its oldest message, and says so', () => {
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.match(run.stdout, /Finished\./);
      const oldest = Math.min(...story.messages.filter((m) => m.channelId === 'C_GENERAL' && m.role !== 'event').map((m) => m.time));
      const thread = op.emulator.thread(GENERAL)!;
      assert.equal(thread.migrationMode, 'inProgress');
      assert.ok(Date.parse(thread.createdDateTime) <= oldest - 1000);
      assert.ok(Date.parse(thread.createdDateTime) > oldest - 2000);
    });

    it('posts matched authors as themselves and unmatched ones as the fallback user with their name shown', () => {
      const megans = general.filter((m) => m.from.user.id === MEGAN);
      assert.ok(megans.length > 0);
      const dana = containing(general, '<b>Dana Ortiz</b>');
      assert.equal(dana.from.user.id, ALEX);
      assert.match(dana.body.content, /<b>Dana Ortiz<\/b> <i>\(Slack · not in this tenant\)<\/i>/);
    });

    it('turns Slack markup into Teams HTML, keeps escaped text as text, and mentions mapped users for real', () => {
      const markup = containing(general, '<b>');
      assert.match(markup.body.content, /<i>|<s>|<code>/);
      assert.doesNotMatch(general.map((m) => m.body.content).join('\n'), /<script>/);
      const mention = general.find((m) => m.mentions.length > 0)!;
      assert.equal(mention.mentions[0].mentioned.user.id, MEGAN);
      assert.ok(mention.body.content.includes(`<at id="0">Megan Bowen</at>`));
    });

    it('carries reactions of mapped users only, as Unicode emoji', () => {
      const reacted = general.filter((m) => m.reactions.length > 0);
      assert.ok(reacted.length > 0);
      for (const m of reacted) for (const r of m.reactions) assert.ok([ALEX, MEGAN, '00000000-0000-0000-0000-000000000022'].includes(r.user.user.id));
      assert.ok(reacted.flatMap((m) => m.reactions.map((r) => r.reactionType)).includes('👍'));
    });

    it('puts replies under their parent, and gives a reply whose parent is gone a placeholder root', () => {
      for (const reply of general.filter((m) => m.replyToId)) {
        const parent = general.find((m) => m.id === reply.replyToId)!;
        assert.ok(parent, 'parent');
        assert.ok(Date.parse(reply.createdDateTime) > Date.parse(parent.createdDateTime));
      }
      const placeholders = general.filter((m) => m.body.content.includes('This message was deleted.'));
      assert.ok(placeholders.length >= 2);
      for (const p of placeholders)
        assert.equal(
          general.some((m) => m.replyToId === p.id),
          true,
        );
    });

    it('dates every message to the millisecond of its source, moving a clash on by one millisecond and keeping the order', () => {
      const times = general.map((m) => m.createdDateTime);
      assert.equal(new Set(times).size, times.length);
      const clash = story.msCollisions.find((c) => c.channelId === 'C_GENERAL')!;
      const first = general.find((m) => Date.parse(m.createdDateTime) === clash.time);
      const second = general.find((m) => Date.parse(m.createdDateTime) === clash.time + 1);
      assert.ok(first, 'first of the clash at its own ms');
      assert.ok(second, 'second of the clash one ms later');
    });

    it('skips channel events and shows files: a missing file as a line, an image in the export inline', () => {
      const bodies = general.map((m) => m.body.content).join('\n');
      assert.doesNotMatch(bodies, /has joined the channel/);
      assert.match(bodies, /file not included in the export/);
      assert.equal(
        general.some((m) => m.hostedContents.length === 1 && m.body.content.includes('../hostedContents/1/$value')),
        true,
      );
    });

    it('imports the private channel matched ignoring underscores, and the mapped channel, and leaves other channels alone', () => {
      assert.ok(op.emulator.messages(FALCON).length > 0);
      assert.ok(op.emulator.messages('19:myteam-partners@thread.tacv2').length > 0);
      assert.equal(
        op.emulator.messages(ANNOUNCEMENTS).length,
        story.channels.find((c) => c.id === 'C_ANNOUNCEMENTS') ? op.emulator.messages(ANNOUNCEMENTS).length : 0,
      );
    });

    it('records the job in the status listing and every target in the audit ledger', async () => {
      const status = await op.runs(['status']);
      assert.match(status.stdout, /Import job [0-9a-f-]+ \(done\): slack acme-slack\.zip → My Team/);
      assert.match(status.stdout, /general → General: imported; \d+ messages, \d+ replies/);
    });

    it('does nothing more when the same command runs again', async () => {
      const before = op.emulator.graphWrites().length;
      const again = await op.runs([
        'run',
        exportFile,
        '--team',
        TEAM,
        '--fallback-user',
        'alexw@example.com',
        '--map',
        'random=Partners',
        '--map',
        'partners=',
      ]);
      assert.equal(again.code, 2, again.stderr);
      assert.match(again.stderr, /already/i);
      assert.equal(op.emulator.graphWrites().length, before);
    });
  });
});
