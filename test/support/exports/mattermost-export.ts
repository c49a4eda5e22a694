/**
 * Deterministic Mattermost bulk exports (JSONL, optionally zipped with a `data/` folder as
 * `mmctl export create --attachments` makes them) for end-to-end tests and benchmarks:
 * - `writeMattermostStoryExport`: the Slack story told again in Mattermost form, with a
 *   `MattermostStory` of the facts tests assert against;
 * - `writeMattermostBulkExport`: a large generated export, streamed line by line.
 *
 * Shapes follow `/work/shared/spec/export-formats.md` and Mattermost's own exporter: compact JSON,
 * one object per line, `version` first; posts carry their replies and reactions nested; the zip holds
 * `import.jsonl` and, under `data/`, the files that `attachments[].path` names (the path itself does
 * not start with `data/`).
 */
import { SeededRandom, deriveSeed, sha256, tinyPdf, tinyPng } from './deterministic';
import {
  countStory,
  findMsCollisions,
  type StoryCounts,
  type StoryFile,
  type StoryMessageFacts,
  type StoryMsCollision,
  type StoryReaction,
} from './story-facts';
import { STORY_TEAM, TENANT_PEOPLE, storyTeamsChannel, tenantPersonByEmail } from './tenant-people';
import { ZipSink, openPlainFile, type ZipEntryWriter } from './zip-sink';

// ---------------------------------------------------------------------------------------------
// Mattermost JSONL shapes (the subset the generators write)
// ---------------------------------------------------------------------------------------------

/** `reactions[]` of a post or reply. */
export interface MattermostReactionJson {
  user: string;
  emoji_name: string;
  create_at: number;
}

/** `attachments[]` of a post or reply: a path under the export's `data/` folder. */
export interface MattermostAttachmentJson {
  path: string;
}

/** A reply nested in a post. */
export interface MattermostReplyJson {
  user: string;
  type?: string;
  message: string;
  create_at: number;
  edit_at?: number;
  props?: Record<string, string>;
  flagged_by: string[] | null;
  reactions: MattermostReactionJson[] | null;
  attachments: MattermostAttachmentJson[] | null;
}

/** A `post` line's `post`. */
export interface MattermostPostJson extends MattermostReplyJson {
  team: string;
  channel: string;
  replies: MattermostReplyJson[] | null;
  is_pinned: boolean;
}

/** A `direct_post` line's `direct_post`. */
export interface MattermostDirectPostJson extends MattermostReplyJson {
  channel_members: string[];
  replies: MattermostReplyJson[] | null;
}

/** A `user` line's `user`. */
export interface MattermostUserJson {
  username: string;
  email: string;
  auth_service: string;
  nickname: string;
  first_name: string;
  last_name: string;
  position: string;
  roles: string;
  locale: string;
  delete_at?: number;
  teams: Array<{ name: string; roles: string; channels: Array<{ name: string; roles: string }> }>;
}

/** A `channel` line's `channel`. */
export interface MattermostChannelJson {
  team: string;
  name: string;
  display_name: string;
  type: 'O' | 'P';
  header: string;
  purpose: string;
}

function line(type: string, body: Record<string, unknown>): string {
  return `${JSON.stringify({ type, ...body })}\n`;
}

const ZIP_JSONL_ENTRY = 'import.jsonl';

// ---------------------------------------------------------------------------------------------
// The story
// ---------------------------------------------------------------------------------------------

/** The story's notable posts (`MattermostStory.named`), by the rule each one exercises. */
export const MATTERMOST_STORY_NAMES = [
  'oldtimerMessage',
  'markup',
  'escaped',
  'mentions',
  'emoji',
  'threadParent',
  'threadReply',
  'lateReply',
  'danaMessage',
  'edited',
  'collisionFirst',
  'collisionSecond',
  'botMessage',
  'filePng',
  'fileMissing',
  'filePdf',
  'unmatchedChannelMessage',
  'directMessage',
  'directReply',
] as const;

/** The name of a notable story post. */
export type MattermostStoryName = (typeof MATTERMOST_STORY_NAMES)[number];

/** A user of the story export and what the importer should make of them. */
export interface MattermostStoryUser {
  /** `username`: the id posts, reactions and mentions use. */
  username: string;
  /** First + last name. */
  displayName: string;
  /** `email` exactly as written (case kept). */
  email: string;
  /** The tenant user's mail they map to (lower case), or null. */
  tenantEmail: string | null;
  tenantDisplayName: string | null;
  /** Has a `delete_at` (deactivated). */
  deleted: boolean;
  /** A bot account (its posts carry `props.from_bot`). */
  bot: boolean;
  /** Why they do not map, in words (null when they do). */
  unmappedBecause: string | null;
}

/** A file named by `attachments[].path`. */
export interface MattermostStoryFile extends StoryFile {
  /** `attachments[].path` as written (relative to the export's `data/` folder). */
  path: string;
}

/** A post or reply, with the facts the importer rules give it. */
export interface MattermostStoryPost extends StoryMessageFacts {
  /** 1-based line of the JSONL holding it (a reply: its root's line). */
  line: number;
  /** Index in the root's `replies`, or null for the root itself. */
  replyIndex: number | null;
  /** Position id used in `msCollisions`: `"12"` for the post on line 12, `"12:0"` for its first reply. */
  position: string;
  /** The root's `create_at` for a reply; null for a root. */
  rootCreateAt: number | null;
  files: MattermostStoryFile[];
  /** The rule it exercises, for named posts; null otherwise. */
  name: MattermostStoryName | null;
}

/** A channel of the story export. */
export interface MattermostStoryChannel {
  /** `team/name`, as the reader names channels. */
  id: string;
  team: string;
  name: string;
  displayName: string;
  /** `type` `P`. */
  private: boolean;
  /** The My Team channel its name or display name matches, or null (then nothing of it is imported). */
  teamsChannel: string | null;
  header: string;
  purpose: string;
  counts: StoryCounts;
}

/** A direct channel (`direct_channel` + its `direct_post` lines); not imported today. */
export interface MattermostStoryDirectChannel {
  /** `direct:` + members joined by `,`. */
  id: string;
  members: string[];
  posts: MattermostStoryPost[];
}

/** What `writeMattermostStoryExport` wrote, as facts to assert against. */
export interface MattermostStory {
  kind: 'mattermost';
  file: string;
  zip: boolean;
  /** The JSONL's entry in the zip (`import.jsonl`), or null for a bare `.jsonl` file. */
  jsonlEntry: string | null;
  /** Every zip entry in order; empty for a bare `.jsonl`. */
  entries: string[];
  /** JSONL lines written. */
  lines: number;
  /** Line types in order (`version`, `emoji`, `team`, `channel`…, `user`…, `post`…, `direct_channel`, `direct_post`…). */
  lineTypes: string[];
  /** The source team (`myteam`, "My Team") and the Teams team the story is imported into. */
  team: { name: string; displayName: string };
  teamsTeam: string;
  users: MattermostStoryUser[];
  channels: MattermostStoryChannel[];
  /** Every post and reply of team channels, by channel then chronologically (ties in export order). */
  posts: MattermostStoryPost[];
  named: Record<MattermostStoryName, MattermostStoryPost>;
  directChannels: MattermostStoryDirectChannel[];
  /** Custom emoji (`emoji` lines): name, image path, and whether the image bytes are in the export. */
  customEmoji: Array<{ name: string; image: string; contentPath: string | null }>;
  /** Every file of every team-channel post. */
  files: Array<MattermostStoryFile & { channelId: string; position: string }>;
  /** Milliseconds shared by two posts of a channel (ids are positions). */
  msCollisions: StoryMsCollision[];
  /** Post lines are not in time order (`true`: the story interleaves channels newest first). */
  postLinesUnsorted: boolean;
  totals: StoryCounts;
  /** Counts over the channels that match a My Team channel. */
  importedTotals: StoryCounts;
}

const MM_DAY_1 = Date.UTC(2021, 2, 1); // 2021-03-01 00:00 UTC, as the Slack story

/** Epoch ms: `at(2, '09:30')` is 2021-03-02 09:30:00.000 UTC. */
function at(day: 1 | 2 | 3, hhmm: string, ms = 0): number {
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  return MM_DAY_1 + (day - 1) * 86_400_000 + (h * 3600 + m * 60) * 1000 + ms;
}

interface MmUserDef {
  username: string;
  first: string;
  last: string;
  email: string;
  deleted?: boolean;
  bot?: boolean;
  unmappedBecause: string | null;
}

const MM_USERS: MmUserDef[] = [
  { username: 'alex', first: 'Alex', last: 'Wilber', email: 'alexw@example.com', unmappedBecause: null },
  { username: 'megan', first: 'Megan', last: 'Bowen', email: 'MeganB@Example.com', unmappedBecause: null },
  { username: 'adele', first: 'Adele', last: 'Vance', email: 'adelev@example.com', unmappedBecause: null },
  { username: 'dana', first: 'Dana', last: 'Ortiz', email: 'dana@othercorp.example', unmappedBecause: 'no tenant user has this e-mail' },
  {
    username: 'oldtimer',
    first: 'Old',
    last: 'Timer',
    email: 'oldtimer@example.com',
    deleted: true,
    unmappedBecause: 'deactivated; no tenant user has this e-mail',
  },
  { username: 'deploybot', first: 'Deploy', last: 'Bot', email: 'deploybot@localhost', bot: true, unmappedBecause: 'a bot account' },
];

interface MmChannelDef {
  name: string;
  displayName: string;
  type: 'O' | 'P';
  header: string;
  purpose: string;
  members: string[];
}

const MM_TEAM = { name: 'myteam', displayName: 'My Team' };

const MM_CHANNELS: MmChannelDef[] = [
  {
    name: 'general',
    displayName: 'General',
    type: 'O',
    header: 'Welcome!',
    purpose: 'Company-wide chatter',
    members: ['alex', 'megan', 'adele', 'dana', 'oldtimer', 'deploybot'],
  },
  { name: 'announcements', displayName: 'Announcements', type: 'O', header: '', purpose: 'Official news', members: ['alex', 'megan', 'adele'] },
  { name: 'project-falcon', displayName: 'Project Falcon', type: 'P', header: 'Ship Falcon by June', purpose: '', members: ['alex', 'adele'] },
  { name: 'off-topic', displayName: 'Off-Topic', type: 'O', header: '', purpose: 'Off-topic', members: ['alex', 'megan', 'dana'] },
];

/** A file of the story: where the JSONL says it is, and its bytes (null: named but absent from the zip). */
interface MmFileDef {
  path: string;
  name: string;
  mimeType: string;
  bytes: Buffer | null;
}

function mmFile(day: string, channel: string, user: string, fileId: string, name: string, mimeType: string, bytes: Buffer | null): MmFileDef {
  return { path: `${day}/teams/tm${MM_TEAM.name}/channels/ch${channel}/users/us${user}/${fileId}/${name}`, name, mimeType, bytes };
}

/** A story post being drafted: its line's JSON and, per message (root first, then replies), its name. */
interface MmDraft {
  kind: 'post' | 'direct_post';
  json: MattermostPostJson | MattermostDirectPostJson;
  names: Array<MattermostStoryName | null>;
}

const CUSTOM_EMOJI_NAME = 'party_parrot';
const CUSTOM_EMOJI_IMAGE = 'emoji/pp0000000000000000000000/image';

/** The story's posts in chronological order of their roots, and the files they name. */
function mmDrafts(): { drafts: MmDraft[]; files: MmFileDef[] } {
  const drafts: MmDraft[] = [];
  const reply = (
    user: string,
    createAt: number,
    message: string,
    name: MattermostStoryName | null = null,
  ): { json: MattermostReplyJson; name: MattermostStoryName | null } => ({
    json: { user, message, create_at: createAt, flagged_by: null, reactions: null, attachments: null },
    name,
  });
  const post = (
    channel: string,
    name: MattermostStoryName | null,
    user: string,
    createAt: number,
    message: string,
    extra: Partial<MattermostPostJson> = {},
    replies: Array<ReturnType<typeof reply>> = [],
  ): void => {
    drafts.push({
      kind: 'post',
      json: {
        team: MM_TEAM.name,
        channel,
        user,
        message,
        props: {},
        create_at: createAt,
        flagged_by: null,
        replies: replies.map((r) => r.json),
        reactions: [],
        attachments: null,
        is_pinned: false,
        ...extra,
      },
      names: [name, ...replies.map((r) => r.name)],
    });
  };
  const reactions = (...items: Array<[string, string, number]>): MattermostReactionJson[] =>
    items.map(([user, emoji, createAt]) => ({ user, emoji_name: emoji, create_at: createAt }));

  const png = mmFile('20210302', 'general', 'megan', 'fidiagram00000000000000000', 'diagram.png', 'image/png', tinyPng());
  const docx = mmFile(
    '20210302',
    'general',
    'alex',
    'fispec0000000000000000000',
    'spec.docx',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    null,
  );
  const pdf = mmFile('20210302', 'project-falcon', 'adele', 'fiminutes0000000000000000', 'minutes.pdf', 'application/pdf', tinyPdf('Falcon kickoff minutes'));

  post('general', 'oldtimerMessage', 'oldtimer', at(1, '08:30'), 'Handing over before I leave: the wiki is at https://wiki.contoso.example. Good luck!');
  post(
    'general',
    'markup',
    'alex',
    at(1, '09:00'),
    'Kick-off notes: **bold**, _italic_, ~~strike~~ and `code`, then a block:\n```\nnpm ci\nnpm run build\n```\nDetails on [Contoso](https://contoso.example).',
  );
  post('general', 'escaped', 'megan', at(1, '09:05'), "Please never paste <script>alert('hi')</script> into the wiki & remember 1 < 2 > 0.");
  post('general', 'mentions', 'adele', at(1, '09:10'), '@megan and @dana, the notes are in ~off-topic. @here please read them.');
  post('general', 'emoji', 'alex', at(1, '09:15'), `Shipped it :smile: :+1: :${CUSTOM_EMOJI_NAME}:`, {
    reactions: reactions(['adele', '+1', at(1, '09:16')], ['megan', CUSTOM_EMOJI_NAME, at(1, '09:17')]),
  });
  post(
    'general',
    'threadParent',
    'megan',
    at(1, '10:00'),
    'Who reviews the Falcon design?',
    { reactions: reactions(['megan', '+1', at(1, '10:01')], ['dana', '+1', at(1, '10:02')], ['alex', 'heart', at(1, '10:03')]) },
    // The second reply comes the next day, after the channel's next root (dana at 11:00).
    [reply('adele', at(1, '10:05'), 'I can take it.', 'threadReply'), reply('alex', at(2, '08:00'), 'Review done, looks good.', 'lateReply')],
  );
  post('general', 'danaMessage', 'dana', at(1, '11:00'), 'Hello from Other Corp! :wave:');
  post('general', 'edited', 'adele', at(1, '12:00'), 'Standup moves to 10:30 from tomorrow.', { edit_at: at(1, '12:04') });
  post('general', 'collisionFirst', 'alex', at(2, '09:00', 123), 'First of two in the same millisecond.');
  post('general', 'collisionSecond', 'megan', at(2, '09:00', 123), 'Second of two in the same millisecond.');
  post('general', 'botMessage', 'deploybot', at(2, '10:00'), 'Deployed build 42 to production :rocket:', { props: { from_bot: 'true' } });
  post('general', 'fileMissing', 'alex', at(2, '11:00'), 'Here is the spec.', { attachments: [{ path: docx.path }] });
  post('general', 'filePng', 'megan', at(2, '11:30'), 'The architecture diagram', { attachments: [{ path: png.path }] });
  post('general', null, 'alex', at(3, '11:00'), 'Wrapping up the week. Thanks all!');

  post('announcements', null, 'alex', at(1, '09:30'), '**Office closed** on Friday.');
  post('announcements', null, 'megan', at(3, '08:00'), 'Welcome @adele to the team! :tada:');

  post('project-falcon', null, 'adele', at(1, '09:00'), 'Falcon kickoff at 14:00.');
  post('project-falcon', 'filePdf', 'adele', at(2, '15:00'), 'Minutes of the kickoff', { attachments: [{ path: pdf.path }] }, [
    reply('alex', at(2, '15:05'), 'Thanks, Adele.'),
  ]);

  post('off-topic', 'unmatchedChannelMessage', 'dana', at(1, '12:30'), 'Anyone up for lunch?', {}, [reply('alex', at(1, '12:31'), 'Me!')]);
  post('off-topic', null, 'megan', at(2, '16:00'), `Look at this :${CUSTOM_EMOJI_NAME}:`);

  drafts.push({
    kind: 'direct_post',
    json: {
      channel_members: ['alex', 'megan'],
      user: 'alex',
      message: 'Can you review my PR?',
      props: {},
      create_at: at(1, '16:00'),
      flagged_by: null,
      replies: [reply('megan', at(1, '16:05'), 'Sure.').json],
      reactions: null,
      attachments: null,
    },
    names: ['directMessage', 'directReply'],
  });
  return { drafts, files: [png, docx, pdf] };
}

function mmUserJson(u: MmUserDef): MattermostUserJson {
  return {
    username: u.username,
    email: u.email,
    auth_service: '',
    nickname: '',
    first_name: u.first,
    last_name: u.last,
    position: '',
    roles: u.username === 'alex' ? 'system_admin system_user' : 'system_user',
    locale: 'en',
    ...(u.deleted ? { delete_at: MM_DAY_1 - 86_400_000 } : {}),
    teams: [
      {
        name: MM_TEAM.name,
        roles: 'team_user',
        channels: MM_CHANNELS.filter((c) => c.members.includes(u.username)).map((c) => ({ name: c.name, roles: 'channel_user' })),
      },
    ],
  };
}

/** Post drafts in export order: newest root first, channels interleaved; same-ms posts keep their order. */
function unsortedPostOrder(drafts: readonly MmDraft[]): MmDraft[] {
  const groups = new Map<number, MmDraft[]>();
  for (const d of drafts) groups.set(d.json.create_at, [...(groups.get(d.json.create_at) ?? []), d]);
  return [...groups.entries()].sort((a, b) => b[0] - a[0]).flatMap(([, g]) => g);
}

/** The facts of a root or reply. */
function mmFacts(
  channelId: string,
  msg: MattermostReplyJson,
  lineNo: number,
  replyIndex: number | null,
  rootCreateAt: number | null,
  name: MattermostStoryName | null,
  files: readonly MmFileDef[],
  zip: boolean,
): MattermostStoryPost {
  const user = MM_USERS.find((u) => u.username === msg.user);
  const tenant = tenantPersonByEmail(user?.email);
  const mapped = (username: string): boolean => tenantPersonByEmail(MM_USERS.find((u) => u.username === username)?.email) !== null;
  const byEmoji = new Map<string, string[]>();
  for (const r of msg.reactions ?? []) byEmoji.set(r.emoji_name, [...(byEmoji.get(r.emoji_name) ?? []), r.user]);
  const reactions: StoryReaction[] = [...byEmoji.entries()].map(([emoji, userIds]) => ({ emoji, userIds, mappedUserIds: userIds.filter(mapped) }));
  const storyFiles: MattermostStoryFile[] = (msg.attachments ?? []).map((a) => {
    const f = files.find((x) => x.path === a.path);
    const bytes = zip ? (f?.bytes ?? null) : null;
    const segments = a.path.split('/');
    return {
      id: segments[segments.length - 2] ?? a.path,
      name: f?.name ?? segments[segments.length - 1] ?? a.path,
      mimeType: f?.mimeType ?? 'application/octet-stream',
      size: bytes ? bytes.length : null,
      contentPath: bytes ? `data/${a.path}` : null,
      sha256: bytes ? sha256(bytes) : null,
      path: a.path,
    };
  });
  const mentions = [...msg.message.matchAll(/(?<![\w@])@([a-z0-9][a-z0-9._-]*[a-z0-9]|[a-z0-9])/gi)].map((m) => (m[1] ?? '').toLowerCase());
  const special = ['here', 'channel', 'all'];
  return {
    channelId,
    time: msg.create_at,
    role: replyIndex === null ? 'root' : 'reply',
    subtype: msg.type ? msg.type : null,
    text: msg.message,
    authorId: msg.user,
    authorName: user ? `${user.first} ${user.last}` : msg.user,
    tenantEmail: tenant?.email ?? null,
    fallbackAuthored: tenant === null,
    edited: msg.edit_at !== undefined && msg.edit_at > 0,
    reactions,
    files: storyFiles,
    mentionedUserIds: mentions.filter((m) => !special.includes(m)),
    specialMentions: mentions.filter((m) => special.includes(m)),
    line: lineNo,
    replyIndex,
    position: replyIndex === null ? String(lineNo) : `${lineNo}:${replyIndex}`,
    rootCreateAt,
    name,
  };
}

/**
 * Writes the Mattermost story: with `zip: true` a zip holding `import.jsonl` and `data/…` (the PNG,
 * the PDF and the custom emoji image; the DOCX is named but absent, as when the file store lost it),
 * with `zip: false` a bare JSONL file (no file bytes at all). Lines: `version`, `emoji`, `team`,
 * `channel` ×4, `user` ×6, `post` lines (channels interleaved, newest first), `direct_channel`,
 * `direct_post`.
 */
export async function writeMattermostStoryExport(file: string, options: { zip: boolean }): Promise<MattermostStory> {
  const { drafts, files } = mmDrafts();
  const lines: string[] = [];
  const lineTypes: string[] = [];
  const push = (type: string, body: Record<string, unknown>): number => {
    lines.push(line(type, body));
    lineTypes.push(type);
    return lines.length;
  };
  const emojiImage = options.zip ? CUSTOM_EMOJI_IMAGE : `exported_emoji/${CUSTOM_EMOJI_IMAGE.split('/')[1] ?? ''}/image`;

  push('version', { version: 1, info: { generator: 'teams-migration-bot test fixtures', version: 'story', created: '2021-03-04T00:00:00Z' } });
  push('emoji', { emoji: { name: CUSTOM_EMOJI_NAME, image: emojiImage } });
  push('team', { team: { name: MM_TEAM.name, display_name: MM_TEAM.displayName, type: 'I', description: 'The story team', allow_open_invite: false } });
  for (const c of MM_CHANNELS) {
    const channel: MattermostChannelJson = {
      team: MM_TEAM.name,
      name: c.name,
      display_name: c.displayName,
      type: c.type,
      header: c.header,
      purpose: c.purpose,
    };
    push('channel', { channel });
  }
  for (const u of MM_USERS) push('user', { user: mmUserJson(u) });

  const posts: MattermostStoryPost[] = [];
  const direct: MattermostStoryPost[] = [];
  const teamPosts = unsortedPostOrder(drafts.filter((d) => d.kind === 'post'));
  const record = (d: MmDraft, lineNo: number, channelId: string, into: MattermostStoryPost[]): void => {
    into.push(mmFacts(channelId, d.json, lineNo, null, null, d.names[0] ?? null, files, options.zip));
    (d.json.replies ?? []).forEach((r, i) => into.push(mmFacts(channelId, r, lineNo, i, d.json.create_at, d.names[i + 1] ?? null, files, options.zip)));
  };
  for (const d of teamPosts) {
    const lineNo = push('post', { post: d.json });
    record(d, lineNo, `${MM_TEAM.name}/${(d.json as MattermostPostJson).channel}`, posts);
  }
  push('direct_channel', { direct_channel: { members: ['alex', 'megan'], favorited_by: null, header: '' } });
  for (const d of drafts.filter((x) => x.kind === 'direct_post')) {
    const lineNo = push('direct_post', { direct_post: d.json });
    record(d, lineNo, 'direct:alex,megan', direct);
  }

  const entries: string[] = [];
  if (options.zip) {
    const zip = new ZipSink(file);
    zip.addBuffer(ZIP_JSONL_ENTRY, lines.join(''));
    entries.push(ZIP_JSONL_ENTRY);
    for (const f of files) {
      if (!f.bytes) continue;
      zip.addBuffer(`data/${f.path}`, f.bytes, 0);
      entries.push(`data/${f.path}`);
    }
    zip.addBuffer(`data/${CUSTOM_EMOJI_IMAGE}`, tinyPng(), 0);
    entries.push(`data/${CUSTOM_EMOJI_IMAGE}`);
    await zip.close();
  } else {
    const out = openPlainFile(file);
    for (const l of lines) await out.write(l);
    await out.end();
  }

  // Chronological per channel; same-ms posts keep the export's order (stable sort).
  const channelOrder = MM_CHANNELS.map((c) => `${MM_TEAM.name}/${c.name}`);
  posts.sort((a, b) => channelOrder.indexOf(a.channelId) - channelOrder.indexOf(b.channelId) || a.time - b.time);
  direct.sort((a, b) => a.time - b.time);
  const channels: MattermostStoryChannel[] = MM_CHANNELS.map((c) => {
    const id = `${MM_TEAM.name}/${c.name}`;
    const own = posts.filter((p) => p.channelId === id);
    return {
      id,
      team: MM_TEAM.name,
      name: c.name,
      displayName: c.displayName,
      private: c.type === 'P',
      teamsChannel: storyTeamsChannel(c.displayName) ?? storyTeamsChannel(c.name),
      header: c.header,
      purpose: c.purpose,
      counts: countStory(own, findMsCollisions(own, (p) => p.position).length),
    };
  });
  const named = Object.fromEntries(
    MATTERMOST_STORY_NAMES.map((name): [MattermostStoryName, MattermostStoryPost] => {
      const found = [...posts, ...direct].find((p) => p.name === name);
      if (!found) throw new Error(`Mattermost story: no post named ${name}`);
      return [name, found];
    }),
  ) as Record<MattermostStoryName, MattermostStoryPost>;
  const msCollisions = findMsCollisions(posts, (p) => p.position);
  const imported = new Set(channels.filter((c) => c.teamsChannel !== null).map((c) => c.id));
  const importedPosts = posts.filter((p) => imported.has(p.channelId));
  const postTimes = teamPosts.map((d) => d.json.create_at);
  return {
    kind: 'mattermost',
    file,
    zip: options.zip,
    jsonlEntry: options.zip ? ZIP_JSONL_ENTRY : null,
    entries,
    lines: lines.length,
    lineTypes,
    team: { ...MM_TEAM },
    teamsTeam: STORY_TEAM.displayName,
    users: MM_USERS.map((u) => {
      const tenant = tenantPersonByEmail(u.email);
      return {
        username: u.username,
        displayName: `${u.first} ${u.last}`,
        email: u.email,
        tenantEmail: tenant?.email ?? null,
        tenantDisplayName: tenant?.displayName ?? null,
        deleted: u.deleted ?? false,
        bot: u.bot ?? false,
        unmappedBecause: u.unmappedBecause,
      };
    }),
    channels,
    posts,
    named,
    directChannels: [{ id: 'direct:alex,megan', members: ['alex', 'megan'], posts: direct }],
    customEmoji: [{ name: CUSTOM_EMOJI_NAME, image: emojiImage, contentPath: options.zip ? `data/${CUSTOM_EMOJI_IMAGE}` : null }],
    files: posts.flatMap((p) => p.files.map((f) => ({ ...f, channelId: p.channelId, position: p.position }))),
    msCollisions,
    postLinesUnsorted: postTimes.some((t, i) => i > 0 && t < (postTimes[i - 1] ?? 0)),
    totals: countStory(posts, msCollisions.length),
    importedTotals: countStory(importedPosts, msCollisions.filter((c) => imported.has(c.channelId)).length),
  };
}

// ---------------------------------------------------------------------------------------------
// Bulk export
// ---------------------------------------------------------------------------------------------

/** Options of `writeMattermostBulkExport`. */
export interface MattermostBulkOptions {
  /** Posts plus replies in all, split evenly over the channels. */
  messages: number;
  /** Channels `bench-01`, `bench-02`, … of team `bench`. */
  channels: number;
  /** Seed of the generator: the same options give the same bytes. 1 by default. */
  seed?: number;
  /** Write a zip holding `import.jsonl` rather than a bare JSONL file. False by default. */
  zip?: boolean;
  /** First UTC day (`YYYY-MM-DD`), 2022-01-03 by default. */
  startDate?: string;
}

/** What `writeMattermostBulkExport` wrote. `messages` = roots + replies = the sum of `perChannel`. */
export interface MattermostBulkSummary {
  messages: number;
  /** Replies (about 20 %), nested in their root's line. */
  replies: number;
  /** `post` lines. */
  roots: number;
  /** Reactions (one per user and emoji). */
  reactions: number;
  /** Posts plus replies per channel name. */
  perChannel: Record<string, number>;
  /** JSONL lines in all. */
  lines: number;
  channelNames: string[];
}

const MM_WORDS =
  'the release plan build review design deploy test budget meeting notes customer feature roadmap sprint ticket issue fix merge branch draft slides demo launch metrics report dashboard backlog estimate risk timeline owner update question answer idea proposal summary agenda decision follow-up'.split(
    ' ',
  );
const MM_EMOJI = ['smile', 'tada', '+1', 'eyes', 'rocket', 'white_check_mark', 'thinking_face', 'heart'];

function mmBulkText(rng: SeededRandom): string {
  const words = Array.from({ length: rng.int(4, 18) }, () => rng.pick(MM_WORDS));
  if (rng.chance(0.1)) words.splice(rng.int(0, words.length), 0, `@${rng.pick(TENANT_PEOPLE).key}`);
  if (rng.chance(0.05)) words.splice(rng.int(0, words.length), 0, `**${rng.pick(MM_WORDS)}**`);
  if (rng.chance(0.03)) words.push(`[item ${rng.int(1, 9999)}](https://contoso.example/items/${rng.int(1, 9999)})`);
  if (rng.chance(0.03)) words.push(`\`npm run ${rng.pick(MM_WORDS)}\``);
  if (rng.chance(0.1)) words.push(`:${rng.pick(MM_EMOJI)}:`);
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** One bulk channel's generator state. */
interface MmBulkChannel {
  name: string;
  remaining: number;
  clock: number;
  rng: SeededRandom;
  /** Reply times still ahead of the clock (pruned as the clock passes them). */
  replyMs: Set<number>;
}

/**
 * Writes a large Mattermost bulk export: team `bench`, `options.channels` channels `bench-NN`, the
 * seven tenant people as users (members of every channel), then `post` lines for
 * `options.messages` posts plus replies (about 20 % replies, threads of 1–3 with replies up to hours
 * later, reactions on about 10 %), channels interleaved at random as an export's lines are. Every
 * `create_at` is unique within its channel. Deterministic for a seed; streamed line by line.
 */
export async function writeMattermostBulkExport(file: string, options: MattermostBulkOptions): Promise<MattermostBulkSummary> {
  const seed = options.seed ?? 1;
  const start = Date.parse(`${options.startDate ?? '2022-01-03'}T00:00:00Z`);
  if (Number.isNaN(start)) throw new Error(`writeMattermostBulkExport: startDate ${options.startDate ?? ''} is not YYYY-MM-DD`);
  const count = Math.max(1, options.channels);
  const names = Array.from({ length: count }, (_, i) => `bench-${String(i + 1).padStart(count >= 100 ? 3 : 2, '0')}`);
  const summary: MattermostBulkSummary = { messages: 0, replies: 0, roots: 0, reactions: 0, perChannel: {}, lines: 0, channelNames: names };
  const channels: MmBulkChannel[] = names.map((name, i) => {
    const budget = Math.floor(options.messages / count) + (i < options.messages % count ? 1 : 0);
    summary.perChannel[name] = budget;
    return { name, remaining: budget, clock: start + 8 * 3_600_000, rng: new SeededRandom(deriveSeed(seed, i)), replyMs: new Set<number>() };
  });
  const picker = new SeededRandom(deriveSeed(seed, 1_000_003));

  let zip: ZipSink | null = null;
  let out: ZipEntryWriter;
  if (options.zip) {
    zip = new ZipSink(file);
    out = zip.openEntry(ZIP_JSONL_ENTRY);
  } else {
    out = openPlainFile(file);
  }
  const write = async (type: string, body: Record<string, unknown>): Promise<void> => {
    summary.lines++;
    await out.write(line(type, body));
  };

  await write('version', { version: 1, info: { generator: 'teams-migration-bot test fixtures', version: 'bulk', created: '2022-01-01T00:00:00Z' } });
  await write('team', { team: { name: 'bench', display_name: 'Bench', type: 'I', description: 'Benchmark team', allow_open_invite: false } });
  for (const name of names) await write('channel', { channel: { team: 'bench', name, display_name: name, type: 'O', header: '', purpose: '' } });
  for (const p of TENANT_PEOPLE) {
    const user: MattermostUserJson = {
      username: p.key,
      email: p.email,
      auth_service: '',
      nickname: '',
      first_name: p.firstName,
      last_name: p.lastName,
      position: '',
      roles: 'system_user',
      locale: 'en',
      teams: [{ name: 'bench', roles: 'team_user', channels: names.map((name) => ({ name, roles: 'channel_user' })) }],
    };
    await write('user', { user });
  }

  const active = channels.filter((c) => c.remaining > 0);
  const reactionsFor = (rng: SeededRandom, createAt: number): MattermostReactionJson[] => {
    if (!rng.chance(0.1)) return [];
    const out: MattermostReactionJson[] = [];
    for (const emoji of rng.sample(MM_EMOJI, rng.int(1, 2))) {
      for (const p of rng.sample(TENANT_PEOPLE, rng.int(1, 3))) out.push({ user: p.key, emoji_name: emoji, create_at: createAt + rng.int(1, 600) * 1000 });
    }
    summary.reactions += out.length;
    return out;
  };
  let rootsSincePrune = 0;
  while (active.length > 0) {
    const index = picker.int(0, active.length - 1);
    const c = active[index];
    const rng = c.rng;
    // Roots on whole seconds (even ms), replies on odd ms: the two never share a millisecond.
    const createAt = c.clock;
    c.remaining--;
    const replyCount = Math.min(rng.chance(0.125) ? rng.int(1, 3) : 0, c.remaining);
    c.remaining -= replyCount;
    const replies: MattermostReplyJson[] = [];
    let offsetSeconds = 0;
    for (let i = 0; i < replyCount; i++) {
      offsetSeconds += rng.int(20, 3 * 3600);
      let ms = createAt + offsetSeconds * 1000 + 1;
      while (c.replyMs.has(ms)) ms += 2;
      c.replyMs.add(ms);
      const reactions = reactionsFor(rng, ms);
      replies.push({
        user: rng.pick(TENANT_PEOPLE).key,
        message: mmBulkText(rng),
        create_at: ms,
        flagged_by: null,
        reactions: reactions.length > 0 ? reactions : null,
        attachments: null,
      });
    }
    const post: MattermostPostJson = {
      team: 'bench',
      channel: c.name,
      user: rng.pick(TENANT_PEOPLE).key,
      message: mmBulkText(rng),
      props: {},
      create_at: createAt,
      flagged_by: null,
      replies,
      reactions: reactionsFor(rng, createAt),
      attachments: null,
      is_pinned: false,
    };
    await write('post', { post });
    summary.roots++;
    summary.replies += replyCount;
    summary.messages += 1 + replyCount;
    c.clock += rng.int(60, 1_100) * 1000;
    if (++rootsSincePrune >= 1000) {
      rootsSincePrune = 0;
      for (const ch of channels) for (const ms of ch.replyMs) if (ms < ch.clock) ch.replyMs.delete(ms);
    }
    if (c.remaining === 0) active.splice(index, 1);
  }
  await out.end();
  if (zip) await zip.close();
  return summary;
}
