import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { openPromise } from 'yauzl';
import { sha256 } from '../support/exports/deterministic';
import {
  writeNotAnExport,
  writeSlackExportWithLatin1,
  writeSlackExportWithMalformedDay,
  writeZipBomb,
  writeZipWithEntry,
} from '../support/exports/hostile-exports';
import { writeMattermostBulkExport, writeMattermostStoryExport, type MattermostPostJson } from '../support/exports/mattermost-export';
import {
  SLACK_STORY_NAMES,
  slackTsToMs,
  writeSlackBulkExport,
  writeSlackStoryExport,
  type SlackMessageJson,
  type SlackStory,
} from '../support/exports/slack-export';
import { TENANT_PEOPLE } from '../support/exports/tenant-people';
import { entryContent, readZip, type ReadEntry } from '../support/exports/zip-read';

const fileHash = (file: string): string => sha256(readFileSync(file));
const json = (entries: readonly ReadEntry[], name: string): unknown => JSON.parse(entryContent(entries, name).toString('utf8'));
const dayMessages = (entries: readonly ReadEntry[], name: string): SlackMessageJson[] => json(entries, name) as SlackMessageJson[];
const jsonlLines = (text: string): Array<Record<string, any>> =>
  text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, any>);

/** yauzl's own (validating) open: the error a careless reader would hit, or null when it opens. */
async function yauzlRefusal(file: string): Promise<string | null> {
  try {
    const zip = await openPromise(file, { lazyEntries: true });
    for await (const _entry of zip.eachEntry()) {
      // names are validated as each entry is read
    }
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

describe('generated test exports (test/support/exports)', () => {
  let dir = '';
  const at = (name: string): string => path.join(dir, name);

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tmb-exports-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the tenant people exactly as the emulator fixture does', () => {
    const fixture = JSON.parse(readFileSync(path.join(__dirname, '../../../emulator/fixture/tenant.json'), 'utf8')) as {
      users: Array<{ key: string; mail: string | null; displayName: string }>;
    };
    for (const p of TENANT_PEOPLE) {
      const u = fixture.users.find((x) => x.key === p.key);
      assert.ok(u, `${p.key} is in the fixture`);
      assert.equal(u.mail, p.email);
      assert.equal(u.displayName, p.displayName);
    }
  });

  describe('the Slack story export', () => {
    let story: SlackStory;
    let entries: ReadEntry[];

    before(async () => {
      story = await writeSlackStoryExport(at('story.zip'));
      entries = await readZip(at('story.zip'), { contents: true });
    });

    it('is the same bytes and the same facts every time', async () => {
      const again = await writeSlackStoryExport(at('story-again.zip'));
      assert.equal(fileHash(at('story-again.zip')), fileHash(at('story.zip')));
      assert.deepEqual({ ...again, file: '' }, { ...story, file: '' });
    });

    it('holds the entries the story lists, every JSON one valid', () => {
      assert.deepEqual(
        entries.map((e) => e.name),
        story.entries,
      );
      for (const e of entries.filter((x) => x.name.endsWith('.json'))) assert.doesNotThrow(() => json(entries, e.name), e.name);
      for (const c of story.channels) for (const day of c.dayFiles) assert.ok(story.entries.includes(day), day);
      const general = story.channels.find((c) => c.id === 'C_GENERAL');
      assert.deepEqual(general?.dayFiles, ['general/2021-03-01.json', 'general/2021-03-02.json', 'general/2021-03-03.json']);
      // Entries of a channel are not in date order, so a reader must not rely on it.
      assert.ok(story.entries.indexOf('general/2021-03-03.json') < story.entries.indexOf('general/2021-03-01.json'));
    });

    it('lists users with emails in mixed case, a deleted user, a bot, Slackbot and an outsider', () => {
      const users = json(entries, 'users.json') as Array<{ id: string; deleted: boolean; is_bot: boolean; profile: { email?: string } }>;
      assert.deepEqual(
        users.map((u) => u.id),
        ['U_ALEX', 'U_MEGAN', 'U_ADELE', 'U_DANA', 'U_OLDTIMER', 'U_DEPLOYBOT', 'USLACKBOT'],
      );
      assert.equal(users.find((u) => u.id === 'U_MEGAN')?.profile.email, 'MeganB@Example.com');
      const oldtimer = users.find((u) => u.id === 'U_OLDTIMER');
      assert.equal(oldtimer?.deleted, true);
      assert.equal(oldtimer?.profile.email, undefined);
      const bot = users.find((u) => u.id === 'U_DEPLOYBOT');
      assert.equal(bot?.is_bot, true);
      assert.equal(bot?.profile.email, undefined);
      assert.deepEqual(
        story.users.filter((u) => u.tenantEmail !== null).map((u) => [u.id, u.tenantEmail]),
        [
          ['U_ALEX', 'alexw@example.com'],
          ['U_MEGAN', 'meganb@example.com'],
          ['U_ADELE', 'adelev@example.com'],
        ],
      );
    });

    it('lists public channels in channels.json and the private one in groups.json, matched to My Team by name', () => {
      assert.deepEqual(
        (json(entries, 'channels.json') as Array<{ name: string }>).map((c) => c.name),
        ['general', 'announcements', 'project_falcon', 'random'],
      );
      assert.deepEqual(
        (json(entries, 'groups.json') as Array<{ id: string }>).map((c) => c.id),
        ['G_PARTNERS'],
      );
      assert.deepEqual(
        story.channels.map((c) => [c.name, c.teamsChannel]),
        [
          ['general', 'General'],
          ['announcements', 'Announcements'],
          ['project_falcon', 'Project Falcon'],
          ['random', null],
          ['partners', 'Partners'],
        ],
      );
    });

    it('holds exactly the messages the story lists, arrays out of order as it says', () => {
      const written: Array<{ entry: string; m: SlackMessageJson }> = [];
      for (const c of story.channels) for (const entry of c.dayFiles) for (const m of dayMessages(entries, entry)) written.push({ entry, m });
      assert.equal(written.length, story.messages.length);
      for (const s of story.messages) {
        const w = written.find((x) => x.entry === s.dayFile && x.m.ts === s.ts);
        assert.ok(w, `${s.dayFile} holds ${s.ts}`);
        assert.equal(w.m.text, s.text);
        assert.equal(dayMessages(entries, s.dayFile)[s.arrayIndex]?.ts, s.ts);
        assert.equal(new Date(slackTsToMs(s.ts)).toISOString().slice(0, 10), s.dayFile.slice(-15, -5), 'a message lies in its UTC day file');
      }
      for (const entry of story.unsortedDayFiles) {
        const ts = dayMessages(entries, entry).map((m) => m.ts);
        assert.notDeepEqual(ts, [...ts].sort(), `${entry} is out of order`);
      }
      assert.ok(story.unsortedDayFiles.length >= 5);
    });

    it('names a message for every rule, and each one says what it should', () => {
      const n = story.named;
      assert.deepEqual(Object.keys(n).sort(), [...SLACK_STORY_NAMES].sort());
      for (const fragment of ['*bold*', '_italic_', '~strike~', '`code`', '```', '<https://contoso.example|Contoso>'])
        assert.ok(n.markup.text.includes(fragment), fragment);
      assert.ok(n.escaped.text.includes('&lt;script&gt;') && !n.escaped.text.includes('<script>'));
      assert.deepEqual(n.mentions.mentionedUserIds, ['U_MEGAN', 'U_DANA']);
      assert.deepEqual(n.mentions.specialMentions, ['here']);
      assert.ok(n.mentions.text.includes('<#C_RANDOM|random>'));
      for (const e of [':smile:', ':+1::skin-tone-3:', ':party_parrot:']) assert.ok(n.emoji.text.includes(e), e);
      assert.deepEqual(story.customEmoji, ['party_parrot']);
      assert.deepEqual(
        n.threadParent.reactions.map((r) => [r.emoji, r.userIds, r.mappedUserIds]),
        [
          ['+1', ['U_MEGAN', 'U_DANA'], ['U_MEGAN']],
          ['heart', ['U_ALEX'], ['U_ALEX']],
        ],
      );
      assert.equal(n.threadBroadcast.subtype, 'thread_broadcast');
      assert.equal(n.threadBroadcast.role, 'reply');
      assert.notEqual(n.crossDayReply.dayFile, n.threadParent.dayFile);
      assert.equal(n.tombstone.subtype, 'tombstone');
      assert.equal(n.tombstone.text, 'This message was deleted.');
      assert.equal(n.tombstoneReply.threadTs, n.tombstone.ts);
      assert.equal(n.orphanReply.role, 'orphan-reply');
      assert.ok(!story.messages.some((m) => m.ts === n.orphanReply.threadTs));
      assert.equal(n.collisionFirst.ts.slice(-6), '123456');
      assert.equal(n.collisionSecond.ts.slice(-6), '123789');
      assert.deepEqual(story.msCollisions, [{ channelId: 'C_GENERAL', time: n.collisionFirst.time, ids: [n.collisionFirst.ts, n.collisionSecond.ts] }]);
      assert.ok(n.edited.edited);
      assert.equal(n.meMessage.subtype, 'me_message');
      assert.equal(n.botMessage.authorId, null);
      assert.equal(n.botMessage.authorName, 'deploybot');
      for (const name of ['danaMessage', 'oldtimerMessage', 'botMessage', 'botUserMessage', 'tombstone'] as const) assert.ok(n[name].fallbackAuthored, name);
      for (const name of ['channelJoin', 'channelLeave', 'channelTopic', 'channelPurpose', 'channelName'] as const) assert.equal(n[name].role, 'event', name);
    });

    it('keeps thread fields consistent: a root lists exactly the replies that name it', () => {
      for (const c of story.channels) {
        const all = c.dayFiles.flatMap((d) => dayMessages(entries, d));
        for (const root of all.filter((m) => m.thread_ts === m.ts)) {
          const replies = all.filter((m) => m.thread_ts === root.ts && m.ts !== root.ts).sort((a, b) => a.ts.localeCompare(b.ts));
          assert.equal(root.reply_count, replies.length, root.ts);
          assert.deepEqual(
            root.replies,
            replies.map((r) => ({ user: r.user, ts: r.ts })),
          );
        }
      }
    });

    it('holds the PNG and PDF bytes it claims, and not the DOCX', () => {
      const [docx, png, pdf] = story.files;
      assert.equal(docx?.contentPath, null);
      assert.equal(png?.contentPath, '__uploads/F_DIAGRAM/diagram.png');
      assert.equal(pdf?.contentPath, '__uploads/F_MINUTES/minutes.pdf');
      const pngBytes = entryContent(entries, '__uploads/F_DIAGRAM/diagram.png');
      assert.equal(sha256(pngBytes), png?.sha256);
      assert.equal(pngBytes.length, png?.size);
      const image = PNG.sync.read(pngBytes);
      assert.deepEqual([image.width, image.height], [2, 2]);
      const pdfText = entryContent(entries, '__uploads/F_MINUTES/minutes.pdf').toString('latin1');
      assert.ok(pdfText.startsWith('%PDF-1.4') && pdfText.trimEnd().endsWith('%%EOF'));
      const startxref = Number(/startxref\n(\d+)/.exec(pdfText)?.[1]);
      assert.ok(pdfText.slice(startxref).startsWith('xref'), 'startxref points at the xref table');
      assert.equal(sha256(entryContent(entries, '__uploads/F_MINUTES/minutes.pdf')), pdf?.sha256);
    });

    it('counts add up, channel by channel (checked by hand for #general)', () => {
      const general = story.channels.find((c) => c.id === 'C_GENERAL')?.counts;
      assert.deepEqual(general, {
        messageObjects: 28,
        roots: 17,
        replies: 4,
        orphanReplies: 1,
        importable: 22,
        skipped: 6,
        skippedBySubtype: { channel_join: 3, channel_purpose: 1, channel_topic: 1, channel_leave: 1 },
        fallbackAuthored: 5,
        reactions: 5,
        reactionsByMappedUsers: 4,
        edited: 1,
        filesWithBytes: 1,
        filesWithoutBytes: 1,
        msCollisions: 1,
      });
      const sum = (key: 'messageObjects' | 'importable' | 'skipped' | 'fallbackAuthored') => story.channels.reduce((n, c) => n + c.counts[key], 0);
      assert.equal(sum('messageObjects'), story.totals.messageObjects);
      assert.equal(sum('importable'), story.totals.importable);
      assert.equal(story.totals.importable + story.totals.skipped, story.totals.messageObjects);
      assert.equal(story.importedTotals.messageObjects, story.totals.messageObjects - 3, '#random (3 messages) matches no channel');
      assert.deepEqual(Object.keys(story.totals.skippedBySubtype).sort(), [
        'channel_join',
        'channel_leave',
        'channel_name',
        'channel_purpose',
        'channel_topic',
      ]);
    });
  });

  describe('the Slack bulk export', () => {
    it('is the same bytes for the same seed, different for another', async () => {
      const options = { messages: 1500, channels: 3, seed: 42 };
      const a = await writeSlackBulkExport(at('bulk-a.zip'), options);
      const b = await writeSlackBulkExport(at('bulk-b.zip'), options);
      await writeSlackBulkExport(at('bulk-c.zip'), { ...options, seed: 43 });
      assert.equal(fileHash(at('bulk-a.zip')), fileHash(at('bulk-b.zip')));
      assert.notEqual(fileHash(at('bulk-a.zip')), fileHash(at('bulk-c.zip')));
      assert.deepEqual(a, b);
    });

    it('writes the counts it reports, with threads, joins and mentions in realistic shares', async () => {
      const summary = await writeSlackBulkExport(at('bulk.zip'), { messages: 6001, channels: 4, seed: 7, startDate: '2023-05-01' });
      const perChannel: Record<string, number> = { ...summary.perChannel };
      assert.equal(summary.messages, 6001);
      assert.deepEqual(summary.channelNames, ['bench-01', 'bench-02', 'bench-03', 'bench-04']);
      assert.deepEqual(summary.perChannel, { 'bench-01': 1501, 'bench-02': 1500, 'bench-03': 1500, 'bench-04': 1500 });
      assert.equal(summary.roots + summary.replies + summary.joins, summary.messages);
      assert.equal(summary.fallbackAuthored, 0);
      assert.ok(summary.replies / summary.messages > 0.15 && summary.replies / summary.messages < 0.25, `replies ${summary.replies}`);
      assert.ok(summary.joins / summary.messages > 0.01 && summary.joins / summary.messages < 0.035, `joins ${summary.joins}`);
      assert.ok(summary.maxPerDayFile <= 300);

      const entries = await readZip(at('bulk.zip'), { contents: true });
      const users = json(entries, 'users.json') as Array<{ profile: { email: string } }>;
      assert.deepEqual(
        users.map((u) => u.profile.email),
        TENANT_PEOPLE.map((p) => p.email),
      );
      const days = entries.filter((e) => /^bench-\d\d\/\d{4}-\d\d-\d\d\.json$/.test(e.name));
      assert.equal(days.length, summary.dayFiles);
      assert.equal(days[0]?.name, 'bench-01/2023-05-01.json');
      let replies = 0;
      let joins = 0;
      let mentions = 0;
      for (const name of summary.channelNames) {
        const messages = days
          .filter((d) => d.name.startsWith(`${name}/`))
          .flatMap((d) => dayMessages(entries, d.name).map((m) => ({ day: d.name.slice(-15, -5), m })));
        assert.equal(messages.length, perChannel[name]);
        const byTs = new Map(messages.map(({ m }) => [m.ts, m]));
        const ms = new Set(messages.map(({ m }) => slackTsToMs(m.ts)));
        assert.equal(ms.size, messages.length, `${name}: every ts is unique to the millisecond`);
        let previous = '';
        for (const { day, m } of messages) {
          assert.equal(new Date(slackTsToMs(m.ts)).toISOString().slice(0, 10), day);
          assert.ok(m.ts > previous, 'day files are chronological');
          previous = m.ts;
          if (m.subtype === 'channel_join') joins++;
          if (m.text.includes('<@U_')) mentions++;
          if (m.thread_ts && m.thread_ts !== m.ts) {
            replies++;
            const root = byTs.get(m.thread_ts);
            assert.ok(root && root.ts < m.ts, 'a reply follows its root');
            assert.ok(
              root.replies?.some((r) => r.ts === m.ts && r.user === m.user),
              'its root lists it',
            );
          }
        }
      }
      assert.equal(replies, summary.replies);
      assert.equal(joins, summary.joins);
      assert.ok(mentions > 0);
    });

    it('gives authors unmatched e-mails when fewer tenant users should match', async () => {
      const summary = await writeSlackBulkExport(at('bulk-unmatched.zip'), { messages: 600, channels: 2, usersMatched: 5 });
      const users = json(await readZip(at('bulk-unmatched.zip'), { contents: true }), 'users.json') as Array<{ profile: { email: string } }>;
      assert.deepEqual(
        users.slice(5).map((u) => u.profile.email),
        ['lynne@unmatched.example', 'nestor@unmatched.example'],
      );
      assert.ok(summary.fallbackAuthored > 0 && summary.fallbackAuthored < summary.messages);
    });
  });

  describe('the Mattermost story export', () => {
    it('is the same bytes every time, zipped or bare', async () => {
      const a = await writeMattermostStoryExport(at('mm-a.zip'), { zip: true });
      const b = await writeMattermostStoryExport(at('mm-b.zip'), { zip: true });
      assert.equal(fileHash(at('mm-a.zip')), fileHash(at('mm-b.zip')));
      assert.deepEqual({ ...a, file: '' }, { ...b, file: '' });
      await writeMattermostStoryExport(at('mm-a.jsonl'), { zip: false });
      await writeMattermostStoryExport(at('mm-b.jsonl'), { zip: false });
      assert.equal(fileHash(at('mm-a.jsonl')), fileHash(at('mm-b.jsonl')));
    });

    it('zips import.jsonl with the attachment bytes under data/, lines in the documented order', async () => {
      const story = await writeMattermostStoryExport(at('mm.zip'), { zip: true });
      const entries = await readZip(at('mm.zip'), { contents: true });
      assert.deepEqual(
        entries.map((e) => e.name),
        story.entries,
      );
      const lines = jsonlLines(entryContent(entries, 'import.jsonl').toString('utf8'));
      assert.equal(lines.length, story.lines);
      assert.deepEqual(
        lines.map((l) => l.type),
        story.lineTypes,
      );
      assert.deepEqual(lines[0], { type: 'version', version: 1, info: lines[0]?.info });
      assert.deepEqual(
        lines.filter((l) => l.type === 'channel').map((l) => l.channel.name),
        ['general', 'announcements', 'project-falcon', 'off-topic'],
      );
      assert.equal(lines.find((l) => l.type === 'user' && l.user.username === 'megan')?.user.email, 'MeganB@Example.com');
      for (const f of story.files) {
        if (f.contentPath === null) {
          assert.ok(!story.entries.includes(`data/${f.path}`), `${f.name} is named but absent`);
          continue;
        }
        assert.equal(f.contentPath, `data/${f.path}`);
        assert.equal(sha256(entryContent(entries, f.contentPath)), f.sha256);
      }
      assert.deepEqual(
        story.files.map((f) => [f.name, f.contentPath !== null]),
        [
          ['spec.docx', false],
          ['diagram.png', true],
          ['minutes.pdf', true],
        ],
      );
      assert.ok(story.postLinesUnsorted);
      const posts = lines.filter((l) => l.type === 'post').map((l) => l.post as MattermostPostJson);
      assert.ok(new Set(posts.slice(0, 4).map((p) => p.channel)).size > 1, 'channels are interleaved');
      assert.equal(lines.filter((l) => l.type === 'direct_post').length, 1);
      assert.deepEqual(lines.find((l) => l.type === 'direct_channel')?.direct_channel.members, ['alex', 'megan']);
    });

    it('names a post for every rule, and each one says what it should', async () => {
      const story = await writeMattermostStoryExport(at('mm-named.jsonl'), { zip: false });
      const n = story.named;
      for (const fragment of ['**bold**', '_italic_', '~~strike~~', '`code`', '```', '[Contoso](https://contoso.example)'])
        assert.ok(n.markup.text.includes(fragment), fragment);
      assert.deepEqual(n.mentions.mentionedUserIds, ['megan', 'dana']);
      assert.deepEqual(n.mentions.specialMentions, ['here']);
      assert.ok(n.escaped.text.includes('<script>'), 'Markdown sources carry a literal <script> that must stay text');
      assert.equal(n.lateReply.rootCreateAt, n.threadParent.time);
      assert.ok(n.lateReply.time > n.danaMessage.time && n.danaMessage.time > n.threadParent.time, 'a reply later than the next root');
      assert.equal(n.collisionFirst.time, n.collisionSecond.time);
      assert.deepEqual(story.msCollisions, [
        { channelId: 'myteam/general', time: n.collisionFirst.time, ids: [n.collisionFirst.position, n.collisionSecond.position].sort() },
      ]);
      assert.ok(n.collisionFirst.line < n.collisionSecond.line, 'same-ms posts: the export order is the story order');
      for (const name of ['danaMessage', 'oldtimerMessage', 'botMessage'] as const) assert.ok(n[name].fallbackAuthored, name);
      assert.ok(n.edited.edited);
      assert.ok(
        story.files.every((f) => f.contentPath === null),
        'a bare JSONL holds no file bytes',
      );
      assert.deepEqual(
        story.channels.map((c) => [c.id, c.teamsChannel, c.private]),
        [
          ['myteam/general', 'General', false],
          ['myteam/announcements', 'Announcements', false],
          ['myteam/project-falcon', 'Project Falcon', true],
          ['myteam/off-topic', null, false],
        ],
      );
      assert.equal(
        story.totals.importable,
        story.channels.reduce((s, c) => s + c.counts.importable, 0),
      );
      assert.equal(story.totals.roots, 20);
      assert.equal(story.totals.replies, 4);
    });
  });

  describe('the Mattermost bulk export', () => {
    it('is the same bytes for the same seed, and writes the counts it reports', async () => {
      const options = { messages: 3001, channels: 3, seed: 5 };
      const a = await writeMattermostBulkExport(at('mmb-a.jsonl'), options);
      const b = await writeMattermostBulkExport(at('mmb-b.jsonl'), options);
      assert.equal(fileHash(at('mmb-a.jsonl')), fileHash(at('mmb-b.jsonl')));
      assert.deepEqual(a, b);
      assert.equal(a.messages, 3001);
      assert.equal(a.roots + a.replies, a.messages);
      assert.ok(a.replies / a.messages > 0.15 && a.replies / a.messages < 0.25);

      const lines = jsonlLines(readFileSync(at('mmb-a.jsonl'), 'utf8'));
      assert.equal(lines.length, a.lines);
      assert.equal(lines[0]?.type, 'version');
      const posts = lines.filter((l) => l.type === 'post').map((l) => l.post as MattermostPostJson);
      assert.equal(posts.length, a.roots);
      const perChannel: Record<string, number> = {};
      const times = new Map<string, Set<number>>();
      let replies = 0;
      for (const p of posts) {
        const own = times.get(p.channel) ?? new Set<number>();
        times.set(p.channel, own);
        for (const t of [p.create_at, ...(p.replies ?? []).map((r) => r.create_at)]) {
          assert.ok(!own.has(t), `${p.channel}: create_at ${t} is unique`);
          own.add(t);
        }
        for (const r of p.replies ?? []) assert.ok(r.create_at > p.create_at);
        replies += (p.replies ?? []).length;
        perChannel[p.channel] = (perChannel[p.channel] ?? 0) + 1 + (p.replies ?? []).length;
      }
      assert.equal(replies, a.replies);
      assert.deepEqual(perChannel, a.perChannel);
      assert.ok(new Set(posts.slice(0, 6).map((p) => p.channel)).size > 1, 'channels are interleaved');

      await writeMattermostBulkExport(at('mmb.zip'), { ...options, zip: true });
      const zipped = await readZip(at('mmb.zip'), { contents: true });
      assert.deepEqual(
        zipped.map((e) => e.name),
        ['import.jsonl'],
      );
      assert.equal(sha256(entryContent(zipped, 'import.jsonl')), fileHash(at('mmb-a.jsonl')));
    });
  });

  describe('hostile archives', () => {
    for (const name of ['../../etc/passwd', '/etc/passwd', '..\\..\\evil.json', 'general/../../outside.json']) {
      it(`writes an entry named ${name} exactly, next to a valid Slack skeleton`, async () => {
        const file = at(`hostile-${sha256(name).slice(0, 8)}.zip`);
        const names = await writeZipWithEntry(file, name, 'root:x:0:0\n');
        const entries = await readZip(file, { contents: true });
        assert.deepEqual(
          entries.map((e) => e.name),
          names,
        );
        assert.deepEqual(names, ['users.json', 'channels.json', 'general/2021-01-01.json', name]);
        assert.equal(entryContent(entries, name).toString(), 'root:x:0:0\n');
        assert.doesNotThrow(() => json(entries, 'general/2021-01-01.json'));
        if (!name.includes('\\')) assert.match((await yauzlRefusal(file)) ?? 'opened', /invalid relative path|absolute path/);
      });
    }

    it('writes the hostile entry alone when asked', async () => {
      assert.deepEqual(await writeZipWithEntry(at('alone.zip'), '/etc/passwd', Buffer.from('x'), { skeleton: false }), ['/etc/passwd']);
      assert.deepEqual(
        (await readZip(at('alone.zip'))).map((e) => e.name),
        ['/etc/passwd'],
      );
    });

    it('writes a zip bomb of the size asked, compressed about a thousandfold', async () => {
      const bomb = await writeZipBomb(at('bomb.zip'), 8);
      assert.equal(bomb.entry, 'general/2021-01-01.json');
      assert.equal(bomb.uncompressedBytes, 8 * 1024 * 1024);
      assert.ok(bomb.ratio > 500, `ratio ${bomb.ratio}`);
      const entries = await readZip(at('bomb.zip'));
      assert.deepEqual(
        entries.map((e) => e.name),
        ['users.json', 'channels.json', 'general/2021-01-01.json'],
      );
      assert.equal(entries[2]?.uncompressedSize, bomb.uncompressedBytes);
      assert.equal(entries[2]?.compressedSize, bomb.compressedBytes);
    });

    it('writes a day file whose JSON error is where it says', async () => {
      const broken = await writeSlackExportWithMalformedDay(at('malformed.zip'));
      const entries = await readZip(at('malformed.zip'), { contents: true });
      const text = entryContent(entries, broken.entry).toString('utf8');
      assert.throws(
        () => JSON.parse(text),
        (err: Error) => err.message.includes(`position ${broken.offset}`),
      );
      assert.equal(text.split('\n')[broken.line - 1]?.[broken.column - 1], '"');
      assert.equal(text.slice(broken.offset, broken.offset + 4), '"ts"');
      assert.doesNotThrow(() => json(entries, 'general/2021-01-01.json'));
    });

    it('writes a day file that is Latin-1, not UTF-8', async () => {
      const latin = await writeSlackExportWithLatin1(at('latin1.zip'));
      const bytes = entryContent(await readZip(at('latin1.zip'), { contents: true }), latin.entry);
      assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes));
      assert.equal(bytes[latin.byteOffset], 0xe9);
      assert.equal((JSON.parse(bytes.toString('latin1')) as Array<{ text: string }>)[0]?.text, latin.text);
      assert.equal(bytes.toString('latin1').split('\n')[latin.line - 1]?.[latin.column - 1], 'é');
    });

    it('writes a zip that is no export, the same every time', async () => {
      assert.deepEqual(await writeNotAnExport(at('not-a.zip')), ['notes.txt']);
      await writeNotAnExport(at('not-b.zip'));
      assert.equal(fileHash(at('not-a.zip')), fileHash(at('not-b.zip')));
      const entries = await readZip(at('not-a.zip'), { contents: true });
      assert.ok(entryContent(entries, 'notes.txt').toString('utf8').split('\n').length > 10);
    });
  });
});
