/**
 * Deterministic Slack workspace exports for end-to-end tests, benchmarks and the local demo:
 * - `writeSlackStoryExport`: a small hand-written export touching every importer rule, with a
 *   `SlackStory` of the facts tests assert against;
 * - `writeSlackBulkExport`: a large generated export (tens or hundreds of thousands of messages),
 *   streamed day file by day file with flat memory.
 *
 * The shapes follow `/work/shared/spec/export-formats.md` (users.json, channels.json, groups.json,
 * one folder per channel of `YYYY-MM-DD.json` arrays, pretty-printed with four spaces as Slack does).
 */
import { SeededRandom, deriveSeed, sha256, tinyPdf, tinyPng } from './deterministic';
import {
  SKIPPED_SUBTYPES,
  countStory,
  findMsCollisions,
  type StoryCounts,
  type StoryFile,
  type StoryMessageFacts,
  type StoryMsCollision,
  type StoryReaction,
  type StoryRole,
} from './story-facts';
import { STORY_TEAM, TENANT_PEOPLE, storyTeamsChannel, tenantPersonByEmail } from './tenant-people';
import { ZipSink, type ZipEntryWriter } from './zip-sink';

// ---------------------------------------------------------------------------------------------
// Slack JSON shapes (the subset the generators write)
// ---------------------------------------------------------------------------------------------

/** A `users.json` item. */
export interface SlackUserJson {
  id: string;
  team_id: string;
  name: string;
  deleted: boolean;
  real_name?: string;
  tz?: string;
  is_admin?: boolean;
  is_bot: boolean;
  is_app_user: boolean;
  updated: number;
  profile: {
    real_name: string;
    display_name: string;
    email?: string;
    first_name?: string;
    last_name?: string;
    image_72: string;
    bot_id?: string;
    team: string;
  };
}

/** A `channels.json` / `groups.json` item. */
export interface SlackChannelJson {
  id: string;
  name: string;
  created: number;
  creator: string;
  is_archived: boolean;
  is_general: boolean;
  members: string[];
  topic: { value: string; creator: string; last_set: number };
  purpose: { value: string; creator: string; last_set: number };
}

/** A file object of a message's `files`. */
export interface SlackFileJson {
  id: string;
  created: number;
  timestamp: number;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  pretty_type: string;
  user: string;
  size: number;
  mode: 'hosted';
  is_external: boolean;
  url_private: string;
  url_private_download: string;
  permalink: string;
  original_w?: number;
  original_h?: number;
}

/** The author snapshot Slack stores on a user's message. */
export interface SlackUserProfileSnapshot {
  avatar_hash: string;
  image_72: string;
  first_name: string;
  real_name: string;
  display_name: string;
  team: string;
  name: string;
  is_restricted: boolean;
  is_ultra_restricted: boolean;
}

/** A day-file array item. */
export interface SlackMessageJson {
  type: 'message';
  subtype?: string;
  user?: string;
  bot_id?: string;
  username?: string;
  text: string;
  ts: string;
  client_msg_id?: string;
  team?: string;
  user_team?: string;
  user_profile?: SlackUserProfileSnapshot;
  hidden?: boolean;
  edited?: { user: string; ts: string };
  thread_ts?: string;
  reply_count?: number;
  reply_users_count?: number;
  latest_reply?: string;
  reply_users?: string[];
  replies?: Array<{ user: string; ts: string }>;
  parent_user_id?: string;
  reactions?: Array<{ name: string; users: string[]; count: number }>;
  files?: SlackFileJson[];
  upload?: boolean;
  display_as_bot?: boolean;
  topic?: string;
  purpose?: string;
  name?: string;
  old_name?: string;
  icons?: { emoji: string };
}

const TEAM_ID = 'T_CONTOSO';

/** Pretty-prints like Slack's exporter (four spaces). */
function pretty(value: unknown): string {
  return JSON.stringify(value, null, 4);
}

/** `YYYY-MM-DD` of an epoch second, UTC. */
function utcDay(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

/** A Slack `ts` from epoch seconds and microseconds. */
function slackTs(seconds: number, micros: number): string {
  return `${seconds}.${String(micros).padStart(6, '0')}`;
}

/** Epoch milliseconds of a Slack `ts` (truncated, as the importer does). */
export function slackTsToMs(ts: string): number {
  const [sec = '0', frac = ''] = ts.split('.');
  return Number(sec) * 1000 + Number(frac.padEnd(6, '0').slice(0, 3));
}

// ---------------------------------------------------------------------------------------------
// The story
// ---------------------------------------------------------------------------------------------

/** The story's notable messages, by the rule each one exercises (`SlackStory.named`). */
export const SLACK_STORY_NAMES = [
  'channelJoin',
  'channelPurpose',
  'channelTopic',
  'channelName',
  'channelLeave',
  'oldtimerMessage',
  'markup',
  'escaped',
  'mentions',
  'emoji',
  'threadParent',
  'threadReply',
  'threadBroadcast',
  'crossDayReply',
  'danaMessage',
  'edited',
  'meMessage',
  'collisionFirst',
  'collisionSecond',
  'botMessage',
  'botUserMessage',
  'fileMissing',
  'filePng',
  'filePdf',
  'tombstone',
  'tombstoneReply',
  'orphanReply',
  'privateChannelMessage',
  'unmatchedChannelMessage',
] as const;

/** The name of a notable story message. */
export type SlackStoryName = (typeof SLACK_STORY_NAMES)[number];

/** A user of the story workspace and what the importer should make of them. */
export interface SlackStoryUser {
  id: string;
  name: string;
  /** `real_name`. */
  displayName: string;
  /** `profile.email` exactly as written (case kept), or null when absent. */
  email: string | null;
  /** The tenant user's mail they map to (lower case), or null. */
  tenantEmail: string | null;
  /** The tenant user's display name, or null. */
  tenantDisplayName: string | null;
  deleted: boolean;
  bot: boolean;
  /** Why they do not map, in words (null when they do). */
  unmappedBecause: string | null;
}

/** One conversation of the story export. */
export interface SlackStoryChannel {
  id: string;
  name: string;
  /** The zip folder holding its day files (the channel name). */
  folder: string;
  /** Listed in `groups.json` (private) rather than `channels.json`. */
  private: boolean;
  /** The My Team channel its name matches, or null (then nothing of it is imported). */
  teamsChannel: string | null;
  topic: string;
  purpose: string;
  members: string[];
  /** Its day-file entries, sorted by date. */
  dayFiles: string[];
  counts: StoryCounts;
}

/** One message object of a day file, with the facts the importer rules give it. */
export interface SlackStoryMessage extends StoryMessageFacts {
  /** Slack `ts`: the message id within the channel. */
  ts: string;
  /** The root's `ts` for replies and orphan replies; null otherwise. */
  threadTs: string | null;
  /** The day-file entry holding it. */
  dayFile: string;
  /** Index in that day file's array (the arrays are deliberately not chronological). */
  arrayIndex: number;
  /** The rule it exercises, for named messages; null otherwise. */
  name: SlackStoryName | null;
}

/**
 * What `writeSlackStoryExport` wrote, as facts to assert against (the rules behind `role`,
 * `fallbackAuthored` and the counts are in `story-facts.ts`). Plain data: safe to `JSON.stringify`.
 */
export interface SlackStory {
  kind: 'slack';
  /** The zip written. */
  file: string;
  /** Every zip entry, in the zip's order. */
  entries: string[];
  /** The team the story is imported into (`My Team`). */
  teamsTeam: string;
  users: SlackStoryUser[];
  channels: SlackStoryChannel[];
  /** Every message object of every day file, by channel then chronologically (`ts`). */
  messages: SlackStoryMessage[];
  /** The notable messages, by name. */
  named: Record<SlackStoryName, SlackStoryMessage>;
  /** Every file of every message. */
  files: Array<StoryFile & { channelId: string; ts: string }>;
  /** Milliseconds shared by two messages of a channel (ids are `ts` values). */
  msCollisions: StoryMsCollision[];
  /**
   * Emoji short names used that are custom to the workspace (no Unicode form): in text they stay
   * `:name:`; a reaction with one (`party_parrot` by megan on `named.emoji`) has nothing Graph can
   * carry, although its user maps and `reactionsByMappedUsers` counts it.
   */
  customEmoji: string[];
  /** Day files whose array is not in chronological order (all with two or more messages). */
  unsortedDayFiles: string[];
  /** Counts over every channel. */
  totals: StoryCounts;
  /** Counts over the channels that match a My Team channel (what an import of the whole export moves). */
  importedTotals: StoryCounts;
}

const STORY_DAY_1 = Date.UTC(2021, 2, 1) / 1000; // Monday 2021-03-01 00:00 UTC

interface StoryUserDef {
  id: string;
  name: string;
  first: string;
  last: string;
  email?: string;
  deleted?: boolean;
  bot?: boolean;
  botId?: string;
  unmappedBecause: string | null;
}

const STORY_USERS: StoryUserDef[] = [
  { id: 'U_ALEX', name: 'alex', first: 'Alex', last: 'Wilber', email: 'alexw@example.com', unmappedBecause: null },
  { id: 'U_MEGAN', name: 'megan', first: 'Megan', last: 'Bowen', email: 'MeganB@Example.com', unmappedBecause: null },
  { id: 'U_ADELE', name: 'adele', first: 'Adele', last: 'Vance', email: 'adelev@example.com', unmappedBecause: null },
  { id: 'U_DANA', name: 'dana', first: 'Dana', last: 'Ortiz', email: 'dana@othercorp.example', unmappedBecause: 'no tenant user has this e-mail' },
  { id: 'U_OLDTIMER', name: 'oldtimer', first: 'Old', last: 'Timer', deleted: true, unmappedBecause: 'deleted, no e-mail in the export' },
  { id: 'U_DEPLOYBOT', name: 'deploybot', first: 'Deploy', last: 'Bot', bot: true, botId: 'B_DEPLOY', unmappedBecause: 'a bot, no e-mail' },
  { id: 'USLACKBOT', name: 'slackbot', first: 'Slackbot', last: '', unmappedBecause: "Slack's own bot, no e-mail" },
];

function storyUserJson(u: StoryUserDef): SlackUserJson {
  const realName = `${u.first} ${u.last}`.trim();
  return {
    id: u.id,
    team_id: TEAM_ID,
    name: u.name,
    deleted: u.deleted ?? false,
    real_name: realName,
    tz: 'Europe/London',
    is_admin: u.id === 'U_ALEX',
    is_bot: u.bot ?? false,
    is_app_user: false,
    updated: STORY_DAY_1 - 86_400 * 30,
    profile: {
      real_name: realName,
      display_name: u.name,
      ...(u.email ? { email: u.email } : {}),
      first_name: u.first,
      last_name: u.last,
      image_72: `https://avatars.slack-edge.example/${u.name}_72.png`,
      ...(u.botId ? { bot_id: u.botId } : {}),
      team: TEAM_ID,
    },
  };
}

interface StoryChannelDef {
  id: string;
  name: string;
  private: boolean;
  topic: string;
  purpose: string;
  members: string[];
}

const STORY_CHANNELS: StoryChannelDef[] = [
  {
    id: 'C_GENERAL',
    name: 'general',
    private: false,
    topic: 'Welcome!',
    purpose: 'Company-wide chatter',
    members: ['U_ALEX', 'U_MEGAN', 'U_ADELE', 'U_DANA', 'U_OLDTIMER', 'U_DEPLOYBOT'],
  },
  { id: 'C_ANNOUNCEMENTS', name: 'announcements', private: false, topic: '', purpose: 'Official news', members: ['U_ALEX', 'U_MEGAN', 'U_ADELE'] },
  { id: 'C_PROJECT_FALCON', name: 'project_falcon', private: false, topic: 'Ship Falcon by June', purpose: '', members: ['U_ALEX', 'U_ADELE'] },
  { id: 'C_RANDOM', name: 'random', private: false, topic: '', purpose: 'Off-topic', members: ['U_ALEX', 'U_MEGAN', 'U_DANA'] },
  { id: 'G_PARTNERS', name: 'partners', private: true, topic: '', purpose: 'Work with partner companies', members: ['U_ALEX', 'U_MEGAN'] },
];

function storyChannelJson(c: StoryChannelDef): SlackChannelJson {
  const created = STORY_DAY_1 - 86_400 * 60;
  return {
    id: c.id,
    name: c.name,
    created,
    creator: 'U_ALEX',
    is_archived: false,
    is_general: c.id === 'C_GENERAL',
    members: c.members,
    topic: { value: c.topic, creator: c.topic ? 'U_ALEX' : '', last_set: c.topic ? created : 0 },
    purpose: { value: c.purpose, creator: c.purpose ? 'U_ALEX' : '', last_set: c.purpose ? created : 0 },
  };
}

/** A story file: metadata, and its bytes when the export holds them. */
interface StoryFileDef {
  json: SlackFileJson;
  bytes: Buffer | null;
}

/** Where an export-tool copy of a file's bytes lives in the zip. */
function uploadPath(f: SlackFileJson): string {
  return `__uploads/${f.id}/${f.name}`;
}

function storyFile(
  id: string,
  name: string,
  title: string,
  mimetype: string,
  filetype: string,
  user: string,
  atSeconds: number,
  bytes: Buffer | null,
  claimedSize?: number,
): StoryFileDef {
  const size = bytes ? bytes.length : (claimedSize ?? 0);
  return {
    json: {
      id,
      created: atSeconds,
      timestamp: atSeconds,
      name,
      title,
      mimetype,
      filetype,
      pretty_type: filetype.toUpperCase(),
      user,
      size,
      mode: 'hosted',
      is_external: false,
      url_private: `https://files.slack.com/files-pri/${TEAM_ID}-${id}/${name}`,
      url_private_download: `https://files.slack.com/files-pri/${TEAM_ID}-${id}/download/${name}`,
      permalink: `https://contoso.slack.com/files/${user}/${id}/${name}`,
      ...(mimetype === 'image/png' ? { original_w: 2, original_h: 2 } : {}),
    },
    bytes,
  };
}

/** A draft story message: where it goes and its JSON; thread fields of roots are filled in afterwards. */
interface Draft {
  channelId: string;
  name: SlackStoryName | null;
  json: SlackMessageJson;
  /** A root whose `reply_count`, `replies`… are computed from the drafts replying to it. */
  threadRoot: boolean;
}

/** Seconds since the story's first day: `at(2, '09:30')` is day 2 (2021-03-02) 09:30:00 UTC. */
function at(day: 1 | 2 | 3, hhmm: string, seconds = 0): number {
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  return STORY_DAY_1 + (day - 1) * 86_400 + h * 3600 + m * 60 + seconds;
}

function profileSnapshot(userId: string): SlackUserProfileSnapshot | undefined {
  const u = STORY_USERS.find((x) => x.id === userId);
  if (!u || u.bot || u.id === 'USLACKBOT') return undefined;
  return {
    avatar_hash: `g${u.name.padEnd(11, '0').slice(0, 11)}`,
    image_72: `https://avatars.slack-edge.example/${u.name}_72.png`,
    first_name: u.first,
    real_name: `${u.first} ${u.last}`.trim(),
    display_name: u.name,
    team: TEAM_ID,
    name: u.name,
    is_restricted: false,
    is_ultra_restricted: false,
  };
}

/** The story's message drafts and files, in chronological order per channel. */
function storyDrafts(): { drafts: Draft[]; files: StoryFileDef[] } {
  const drafts: Draft[] = [];
  let clientSeq = 0;
  const add = (channelId: string, name: SlackStoryName | null, json: SlackMessageJson, threadRoot = false): SlackMessageJson => {
    drafts.push({ channelId, name, json, threadRoot });
    return json;
  };
  /** A plain user message. */
  const say = (
    channelId: string,
    name: SlackStoryName | null,
    seconds: number,
    user: string,
    text: string,
    extra: Partial<SlackMessageJson> = {},
    micros = 100,
  ): SlackMessageJson => {
    clientSeq++;
    const profile = profileSnapshot(user);
    return add(
      channelId,
      name,
      {
        client_msg_id: `00000000-0000-4000-8000-${String(clientSeq).padStart(12, '0')}`,
        type: 'message',
        text,
        user,
        ts: slackTs(seconds, micros),
        team: TEAM_ID,
        user_team: TEAM_ID,
        ...(profile ? { user_profile: profile } : {}),
        ...extra,
      },
      extra.thread_ts === 'ROOT',
    );
  };
  /** A channel event (join, leave, topic…). */
  const event = (
    channelId: string,
    name: SlackStoryName | null,
    seconds: number,
    user: string,
    subtype: string,
    text: string,
    extra: Partial<SlackMessageJson> = {},
  ): SlackMessageJson => add(channelId, name, { type: 'message', subtype, ts: slackTs(seconds, 100), user, text, ...extra });
  const reply = (root: SlackMessageJson): Partial<SlackMessageJson> => ({ thread_ts: root.ts, parent_user_id: root.user ?? '' });
  const ROOT: Partial<SlackMessageJson> = { thread_ts: 'ROOT' };

  // #general ------------------------------------------------------------------------------
  const G = 'C_GENERAL';
  event(G, 'channelJoin', at(1, '08:00'), 'U_ALEX', 'channel_join', '<@U_ALEX> has joined the channel');
  event(G, 'channelPurpose', at(1, '08:01'), 'U_ALEX', 'channel_purpose', 'set the channel purpose: Company-wide chatter', { purpose: 'Company-wide chatter' });
  event(G, 'channelTopic', at(1, '08:02'), 'U_ALEX', 'channel_topic', 'set the channel topic: Welcome!', { topic: 'Welcome!' });
  event(G, null, at(1, '08:05'), 'U_MEGAN', 'channel_join', '<@U_MEGAN> has joined the channel');
  event(G, null, at(1, '08:06'), 'U_DANA', 'channel_join', '<@U_DANA> has joined the channel');
  say(G, 'oldtimerMessage', at(1, '08:30'), 'U_OLDTIMER', 'Handing over before I leave: the wiki is at <https://wiki.contoso.example>. Good luck!');
  say(
    G,
    'markup',
    at(1, '09:00'),
    'U_ALEX',
    'Kick-off notes: *bold*, _italic_, ~strike~ and `code`, then a block:\n```npm ci\nnpm run build```\nDetails on <https://contoso.example|Contoso>.',
  );
  say(G, 'escaped', at(1, '09:05'), 'U_MEGAN', "Please never paste &lt;script&gt;alert('hi')&lt;/script&gt; into the wiki &amp; remember 1 &lt; 2 &gt; 0.");
  say(G, 'mentions', at(1, '09:10'), 'U_ADELE', '<@U_MEGAN> and <@U_DANA>, the notes are in <#C_RANDOM|random>. <!here> please read them.');
  say(G, 'emoji', at(1, '09:15'), 'U_ALEX', 'Shipped it :smile: :+1::skin-tone-3: :party_parrot:', {
    reactions: [
      { name: '+1::skin-tone-3', users: ['U_ADELE'], count: 1 },
      { name: 'party_parrot', users: ['U_MEGAN'], count: 1 },
    ],
  });
  const parent = say(G, 'threadParent', at(1, '10:00'), 'U_MEGAN', 'Who reviews the Falcon design?', {
    ...ROOT,
    reactions: [
      { name: '+1', users: ['U_MEGAN', 'U_DANA'], count: 2 },
      { name: 'heart', users: ['U_ALEX'], count: 1 },
    ],
  });
  say(G, 'threadReply', at(1, '10:05'), 'U_ADELE', 'I can take it.', reply(parent));
  say(G, 'threadBroadcast', at(1, '10:07'), 'U_ALEX', 'Adele reviews it; FYI everyone.', { subtype: 'thread_broadcast', ...reply(parent) });
  say(G, 'danaMessage', at(1, '11:00'), 'U_DANA', 'Hello from Other Corp! :wave:');
  say(G, 'edited', at(1, '12:00'), 'U_ADELE', 'Standup moves to 10:30 from tomorrow.', { edited: { user: 'U_ADELE', ts: slackTs(at(1, '12:04'), 0) } });
  say(G, 'meMessage', at(1, '13:00'), 'U_MEGAN', 'is out for lunch', { subtype: 'me_message' });
  say(G, 'crossDayReply', at(2, '08:00'), 'U_ALEX', 'Review done, looks good.', reply(parent));
  say(G, 'collisionFirst', at(2, '09:00'), 'U_ALEX', 'First of two in the same millisecond.', {}, 123456);
  say(G, 'collisionSecond', at(2, '09:00'), 'U_MEGAN', 'Second of two in the same millisecond.', {}, 123789);
  add(G, 'botMessage', {
    type: 'message',
    subtype: 'bot_message',
    text: 'Deployed build 42 to production :rocket:',
    ts: slackTs(at(2, '10:00'), 100),
    bot_id: 'B_DEPLOY',
    username: 'deploybot',
    icons: { emoji: ':rocket:' },
  });
  add(G, 'botUserMessage', {
    type: 'message',
    text: 'Nightly backup finished in 42 s.',
    user: 'U_DEPLOYBOT',
    bot_id: 'B_DEPLOY',
    ts: slackTs(at(2, '10:30'), 100),
    team: TEAM_ID,
  });
  const docx = storyFile(
    'F_SPEC',
    'spec.docx',
    'Falcon spec',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'docx',
    'U_ALEX',
    at(2, '11:00'),
    null,
    48_213,
  );
  say(G, 'fileMissing', at(2, '11:00'), 'U_ALEX', 'Here is the spec.', { subtype: 'file_share', upload: true, display_as_bot: false, files: [docx.json] });
  const png = storyFile('F_DIAGRAM', 'diagram.png', 'Architecture diagram', 'image/png', 'png', 'U_MEGAN', at(2, '11:30'), tinyPng());
  say(G, 'filePng', at(2, '11:30'), 'U_MEGAN', 'The architecture diagram', { subtype: 'file_share', upload: true, display_as_bot: false, files: [png.json] });
  const tombstone = add(
    G,
    'tombstone',
    {
      type: 'message',
      subtype: 'tombstone',
      text: 'This message was deleted.',
      user: 'USLACKBOT',
      hidden: true,
      ts: slackTs(at(2, '14:00'), 100),
      thread_ts: 'ROOT',
    },
    true,
  );
  say(G, 'tombstoneReply', at(2, '14:10'), 'U_MEGAN', 'Answering the question that was deleted.', { thread_ts: tombstone.ts, parent_user_id: 'USLACKBOT' });
  say(G, 'orphanReply', at(3, '09:00'), 'U_ADELE', "Following up on last week's thread: done.", {
    thread_ts: slackTs(at(1, '10:00') - 4 * 86_400, 100),
    parent_user_id: 'U_ALEX',
  });
  event(G, 'channelLeave', at(3, '10:00'), 'U_DANA', 'channel_leave', '<@U_DANA> has left the channel');
  say(G, null, at(3, '11:00'), 'U_ALEX', 'Wrapping up the week. Thanks all!');

  // #announcements ------------------------------------------------------------------------
  const A = 'C_ANNOUNCEMENTS';
  event(A, null, at(1, '08:00'), 'U_ALEX', 'channel_purpose', 'set the channel purpose: Official news', { purpose: 'Official news' });
  say(A, null, at(1, '09:30'), 'U_ALEX', '*Office closed* on Friday.');
  say(A, null, at(3, '08:00'), 'U_MEGAN', 'Welcome <@U_ADELE> to the team! :tada:');

  // #project_falcon -----------------------------------------------------------------------
  const F = 'C_PROJECT_FALCON';
  event(F, null, at(1, '08:00'), 'U_ADELE', 'channel_join', '<@U_ADELE> has joined the channel');
  event(F, 'channelName', at(1, '08:10'), 'U_ALEX', 'channel_name', 'renamed the channel from "falcon" to "project_falcon"', {
    old_name: 'falcon',
    name: 'project_falcon',
  });
  say(F, null, at(1, '09:00'), 'U_ADELE', 'Falcon kickoff at 14:00.');
  const pdf = storyFile('F_MINUTES', 'minutes.pdf', 'Kickoff minutes', 'application/pdf', 'pdf', 'U_ADELE', at(2, '15:00'), tinyPdf('Falcon kickoff minutes'));
  const minutes = say(F, 'filePdf', at(2, '15:00'), 'U_ADELE', 'Minutes of the kickoff', {
    ...ROOT,
    subtype: 'file_share',
    upload: true,
    display_as_bot: false,
    files: [pdf.json],
  });
  say(F, null, at(2, '15:05'), 'U_ALEX', 'Thanks, Adele.', reply(minutes));

  // #random (matches no channel of My Team) ---------------------------------------------------
  const R = 'C_RANDOM';
  const lunch = say(R, 'unmatchedChannelMessage', at(1, '12:30'), 'U_DANA', 'Anyone up for lunch?', ROOT);
  say(R, null, at(1, '12:31'), 'U_ALEX', 'Me!', reply(lunch));
  say(R, null, at(2, '16:00'), 'U_MEGAN', 'Look at this :party_parrot:');

  // partners (groups.json, private) -----------------------------------------------------------
  const P = 'G_PARTNERS';
  const sync = say(P, 'privateChannelMessage', at(2, '09:30'), 'U_ALEX', 'Partner sync notes will go here.', ROOT);
  say(P, null, at(2, '09:35'), 'U_MEGAN', 'Noted.', reply(sync));

  // Thread roots: their thread fields come from the replies that name them.
  for (const d of drafts) {
    if (!d.threadRoot) continue;
    d.json.thread_ts = d.json.ts;
    const replies = drafts.filter((r) => r.channelId === d.channelId && r.json.thread_ts === d.json.ts && r !== d);
    const users = [...new Set(replies.map((r) => r.json.user ?? ''))];
    d.json.reply_count = replies.length;
    d.json.reply_users_count = users.length;
    d.json.latest_reply = replies[replies.length - 1]?.json.ts ?? d.json.ts;
    d.json.reply_users = users;
    d.json.replies = replies.map((r) => ({ user: r.json.user ?? '', ts: r.json.ts }));
  }
  return { drafts, files: [docx, png, pdf] };
}

const CUSTOM_EMOJI = ['party_parrot'];

/** The named messages by name; throws if the story lost one (a broken story must not pass silently). */
function namedMessages(messages: readonly SlackStoryMessage[]): Record<SlackStoryName, SlackStoryMessage> {
  const entries = SLACK_STORY_NAMES.map((name): [SlackStoryName, SlackStoryMessage] => {
    const found = messages.find((m) => m.name === name);
    if (!found) throw new Error(`Slack story: no message named ${name}`);
    return [name, found];
  });
  return Object.fromEntries(entries) as Record<SlackStoryName, SlackStoryMessage>;
}

/** The facts of one story message. */
function slackFacts(d: Draft, all: readonly Draft[], files: readonly StoryFileDef[]): Omit<SlackStoryMessage, 'dayFile' | 'arrayIndex'> {
  const j = d.json;
  const subtype = j.subtype ?? null;
  const isReply = j.thread_ts !== undefined && j.thread_ts !== j.ts;
  const rootInExport = isReply && all.some((x) => x.channelId === d.channelId && x.json.ts === j.thread_ts);
  const role: StoryRole = subtype !== null && SKIPPED_SUBTYPES.includes(subtype) ? 'event' : isReply ? (rootInExport ? 'reply' : 'orphan-reply') : 'root';
  const user = STORY_USERS.find((u) => u.id === j.user);
  const tenant = tenantPersonByEmail(user?.email);
  const mapped = (id: string): boolean => tenantPersonByEmail(STORY_USERS.find((u) => u.id === id)?.email) !== null;
  const reactions: StoryReaction[] = (j.reactions ?? []).map((r) => ({ emoji: r.name, userIds: [...r.users], mappedUserIds: r.users.filter(mapped) }));
  const storyFiles: StoryFile[] = (j.files ?? []).map((f) => {
    const bytes = files.find((x) => x.json.id === f.id)?.bytes ?? null;
    return {
      id: f.id,
      name: f.name,
      mimeType: f.mimetype,
      size: f.size,
      contentPath: bytes ? uploadPath(f) : null,
      sha256: bytes ? sha256(bytes) : null,
    };
  });
  return {
    channelId: d.channelId,
    ts: j.ts,
    time: slackTsToMs(j.ts),
    threadTs: isReply ? (j.thread_ts ?? null) : null,
    role,
    subtype,
    text: j.text,
    authorId: j.user ?? null,
    authorName: user ? `${user.first} ${user.last}`.trim() : (j.username ?? 'unknown'),
    tenantEmail: tenant?.email ?? null,
    fallbackAuthored: role !== 'event' && tenant === null,
    edited: j.edited !== undefined,
    reactions,
    files: storyFiles,
    mentionedUserIds: [...j.text.matchAll(/<@([UW][A-Z0-9_]+)(?:\|[^>]*)?>/g)].map((m) => m[1] ?? ''),
    specialMentions: [...j.text.matchAll(/<!(here|channel|everyone)(?:\|[^>]*)?>/g)].map((m) => m[1] ?? ''),
    name: d.name,
  };
}

/**
 * A day file's array order: reverse chronological (so a reader must sort), except that messages
 * sharing a millisecond keep their `ts` order, so "ties keep the export's order" and "sort by full
 * `ts`" agree on them.
 */
function unsortedDayOrder(day: readonly Draft[]): Draft[] {
  const groups = new Map<number, Draft[]>();
  for (const d of [...day].sort((a, b) => a.json.ts.localeCompare(b.json.ts))) {
    const ms = slackTsToMs(d.json.ts);
    groups.set(ms, [...(groups.get(ms) ?? []), d]);
  }
  return [...groups.entries()].sort((a, b) => b[0] - a[0]).flatMap(([, g]) => g);
}

/**
 * Writes the story export zip to `file` and returns its facts. The zip holds `users.json`,
 * `channels.json`, `groups.json`, one folder per channel with day files over 2021-03-01..03 (UTC),
 * entries deliberately out of date order and arrays out of chronological order, and export-tool
 * copies of two files' bytes under `__uploads/{file id}/{name}` (a PNG and a PDF; the DOCX's bytes
 * are absent, as in a standard export).
 */
export async function writeSlackStoryExport(file: string): Promise<SlackStory> {
  const { drafts, files } = storyDrafts();
  const entries: string[] = [];
  const messages: SlackStoryMessage[] = [];
  const unsortedDayFiles: string[] = [];
  const zip = new ZipSink(file);
  const put = (name: string, content: string | Buffer): void => {
    zip.addBuffer(name, content);
    entries.push(name);
  };

  put('users.json', pretty(STORY_USERS.map(storyUserJson)));
  put('channels.json', pretty(STORY_CHANNELS.filter((c) => !c.private).map(storyChannelJson)));
  put('groups.json', pretty(STORY_CHANNELS.filter((c) => c.private).map(storyChannelJson)));

  const channels: SlackStoryChannel[] = [];
  for (const c of STORY_CHANNELS) {
    const own = drafts.filter((d) => d.channelId === c.id);
    const days = [...new Set(own.map((d) => utcDay(Math.floor(slackTsToMs(d.json.ts) / 1000))))].sort();
    const channelMessages: SlackStoryMessage[] = [];
    // Newest day first: a reader must not rely on the zip's entry order.
    for (const day of [...days].reverse()) {
      const entry = `${c.name}/${day}.json`;
      const ordered = unsortedDayOrder(own.filter((d) => utcDay(Math.floor(slackTsToMs(d.json.ts) / 1000)) === day));
      put(entry, pretty(ordered.map((d) => d.json)));
      if (ordered.length > 1) unsortedDayFiles.push(entry);
      ordered.forEach((d, arrayIndex) => channelMessages.push({ ...slackFacts(d, drafts, files), dayFile: entry, arrayIndex }));
    }
    channelMessages.sort((a, b) => a.ts.localeCompare(b.ts));
    messages.push(...channelMessages);
    channels.push({
      id: c.id,
      name: c.name,
      folder: c.name,
      private: c.private,
      teamsChannel: storyTeamsChannel(c.name),
      topic: c.topic,
      purpose: c.purpose,
      members: c.members,
      dayFiles: days.map((day) => `${c.name}/${day}.json`),
      counts: countStory(channelMessages, findMsCollisions(channelMessages, (m) => m.ts).length),
    });
  }
  for (const f of files) if (f.bytes) put(uploadPath(f.json), f.bytes);
  await zip.close();

  const named = namedMessages(messages);
  const msCollisions = findMsCollisions(messages, (m) => m.ts);
  const imported = new Set(channels.filter((c) => c.teamsChannel !== null).map((c) => c.id));
  const importedMessages = messages.filter((m) => imported.has(m.channelId));
  return {
    kind: 'slack',
    file,
    entries,
    teamsTeam: STORY_TEAM.displayName,
    users: STORY_USERS.map((u) => {
      const tenant = tenantPersonByEmail(u.email);
      return {
        id: u.id,
        name: u.name,
        displayName: `${u.first} ${u.last}`.trim(),
        email: u.email ?? null,
        tenantEmail: tenant?.email ?? null,
        tenantDisplayName: tenant?.displayName ?? null,
        deleted: u.deleted ?? false,
        bot: u.bot ?? false,
        unmappedBecause: u.unmappedBecause,
      };
    }),
    channels,
    messages,
    named,
    files: messages.flatMap((m) => m.files.map((f) => ({ ...f, channelId: m.channelId, ts: m.ts }))),
    msCollisions,
    customEmoji: CUSTOM_EMOJI,
    unsortedDayFiles,
    totals: countStory(messages, msCollisions.length),
    importedTotals: countStory(importedMessages, msCollisions.filter((c) => imported.has(c.channelId)).length),
  };
}

// ---------------------------------------------------------------------------------------------
// Bulk export
// ---------------------------------------------------------------------------------------------

/** Options of `writeSlackBulkExport`. */
export interface SlackBulkOptions {
  /** Message objects in all (roots, replies and join events), split evenly over the channels. */
  messages: number;
  /** Channels `bench-01`, `bench-02`, … */
  channels: number;
  /** First UTC day (`YYYY-MM-DD`), 2022-01-03 by default. */
  startDate?: string;
  /**
   * How many of the seven tenant people (alex, megan, adele, isaiah, patti, lynne, nestor, in that
   * order) keep their tenant e-mail; the others get an `@unmatched.example` address, so their
   * messages need the fallback author. 7 (everyone maps) by default.
   */
  usersMatched?: number;
  /** Seed of the generator: the same options give the same bytes. 1 by default. */
  seed?: number;
}

/** What `writeSlackBulkExport` wrote. `messages` = roots + replies + joins = the sum of `perChannel`. */
export interface SlackBulkSummary {
  messages: number;
  /** Replies (about 20 %), each after its root and in the same channel. */
  replies: number;
  /** Top-level messages other than joins. */
  roots: number;
  /** `channel_join` events (about 2 %). */
  joins: number;
  /** (emoji, user) reaction pairs. */
  reactions: number;
  /** Importable messages (roots + replies) whose author does not map (0 unless `usersMatched` < 7). */
  fallbackAuthored: number;
  /** Message objects per channel name (`bench-01` → n). */
  perChannel: Record<string, number>;
  /** Day files written. */
  dayFiles: number;
  /** The most message objects in one day file. */
  maxPerDayFile: number;
  /** Channel names in order. */
  channelNames: string[];
}

/** At most this many messages go in one day file (then the channel moves on to the next day). */
const MAX_PER_DAY = 280;

const WORDS =
  'the release plan build review design deploy test budget meeting notes customer feature roadmap sprint ticket issue fix merge branch draft slides demo launch metrics report dashboard backlog estimate risk timeline owner update question answer idea proposal summary agenda decision follow-up'.split(
    ' ',
  );
const BULK_EMOJI = ['smile', 'tada', '+1', 'eyes', 'rocket', 'white_check_mark', 'thinking_face', 'heart'];
const REACTION_EMOJI = ['+1', 'heart', 'tada', 'eyes', 'joy', 'white_check_mark'];

/** One bulk workspace member. */
interface BulkUser {
  id: string;
  name: string;
  displayName: string;
  email: string;
  mapped: boolean;
}

function bulkUsers(usersMatched: number): BulkUser[] {
  return TENANT_PEOPLE.map((p, i) => ({
    id: `U_${p.key.toUpperCase()}`,
    name: p.key,
    displayName: p.displayName,
    email: i < usersMatched ? p.email : `${p.key}@unmatched.example`,
    mapped: i < usersMatched,
  }));
}

/** A sentence with the usual mix of mrkdwn: mentions, emoji, bold, links, code. */
function bulkText(rng: SeededRandom, users: readonly BulkUser[]): string {
  const words = Array.from({ length: rng.int(4, 18) }, () => rng.pick(WORDS));
  if (rng.chance(0.1)) words.splice(rng.int(0, words.length), 0, `<@${rng.pick(users).id}>`);
  if (rng.chance(0.05)) words.splice(rng.int(0, words.length), 0, `*${rng.pick(WORDS)}*`);
  if (rng.chance(0.03)) words.push(`<https://contoso.example/items/${rng.int(1, 9999)}|item ${rng.int(1, 9999)}>`);
  if (rng.chance(0.03)) words.push(`\`npm run ${rng.pick(WORDS)}\``);
  if (rng.chance(0.1)) words.push(`:${rng.pick(BULK_EMOJI)}:`);
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** A reply scheduled when its root was generated (its `ts` is already in the root's `replies`). */
interface PendingReply {
  ms: number;
  ts: string;
  user: BulkUser;
  rootTs: string;
  rootUser: string;
}

/**
 * Writes a large Slack export to `file`: `options.channels` channels `bench-NN`, `options.messages`
 * message objects split evenly over them, about 20 % replies (threads of 1–3 replies, some landing on
 * a later day), about 2 % `channel_join` events, reactions on about 10 % of messages, mentions, emoji
 * and formatting in the text; every author is one of the seven tenant people (see `usersMatched`).
 * At most 280 messages go in one day file; messages of a day file are in chronological order, every
 * `ts` is unique to the millisecond within its channel. Deterministic for a seed; streamed (one day
 * file at a time, a handful of pending replies in memory), so 200,000 messages take flat memory.
 */
export async function writeSlackBulkExport(file: string, options: SlackBulkOptions): Promise<SlackBulkSummary> {
  const seed = options.seed ?? 1;
  const users = bulkUsers(Math.max(0, Math.min(TENANT_PEOPLE.length, options.usersMatched ?? TENANT_PEOPLE.length)));
  const start = Date.parse(`${options.startDate ?? '2022-01-03'}T00:00:00Z`);
  if (Number.isNaN(start)) throw new Error(`writeSlackBulkExport: startDate ${options.startDate ?? ''} is not YYYY-MM-DD`);
  const channelCount = Math.max(1, options.channels);
  const names = Array.from({ length: channelCount }, (_, i) => `bench-${String(i + 1).padStart(channelCount >= 100 ? 3 : 2, '0')}`);
  const summary: SlackBulkSummary = {
    messages: 0,
    replies: 0,
    roots: 0,
    joins: 0,
    reactions: 0,
    fallbackAuthored: 0,
    perChannel: {},
    dayFiles: 0,
    maxPerDayFile: 0,
    channelNames: names,
  };

  const zip = new ZipSink(file);
  zip.addBuffer(
    'users.json',
    pretty(
      users.map((u, i): SlackUserJson => {
        const [first = '', last = ''] = u.displayName.split(' ');
        return {
          id: u.id,
          team_id: TEAM_ID,
          name: u.name,
          deleted: false,
          real_name: u.displayName,
          tz: 'Europe/London',
          is_admin: i === 0,
          is_bot: false,
          is_app_user: false,
          updated: start / 1000 - 86_400,
          profile: {
            real_name: u.displayName,
            display_name: u.name,
            email: u.email,
            first_name: first,
            last_name: last,
            image_72: `https://avatars.slack-edge.example/${u.name}_72.png`,
            team: TEAM_ID,
          },
        };
      }),
    ),
  );
  zip.addBuffer(
    'channels.json',
    pretty(
      names.map((name, i): SlackChannelJson => ({
        id: `C_BENCH_${String(i + 1).padStart(3, '0')}`,
        name,
        created: start / 1000 - 86_400,
        creator: users[0]?.id ?? '',
        is_archived: false,
        is_general: false,
        members: users.map((u) => u.id),
        topic: { value: `Benchmark channel ${i + 1}`, creator: users[0]?.id ?? '', last_set: start / 1000 - 86_400 },
        purpose: { value: '', creator: '', last_set: 0 },
      })),
    ),
  );

  for (let c = 0; c < channelCount; c++) {
    const budget = Math.floor(options.messages / channelCount) + (c < options.messages % channelCount ? 1 : 0);
    await writeBulkChannel(zip, names[c] ?? '', budget, start, users, new SeededRandom(deriveSeed(seed, c)), summary);
    summary.perChannel[names[c] ?? ''] = budget;
  }
  await zip.close();
  return summary;
}

/** The day files of one channel being streamed: a new entry whenever a message falls on a new UTC day. */
class DayFileStream {
  private entry: ZipEntryWriter | null = null;
  private day = -1;
  private count = 0;

  constructor(
    private readonly zip: ZipSink,
    private readonly folder: string,
    private readonly summary: SlackBulkSummary,
  ) {}

  /** Appends a message (messages arrive in chronological order). */
  async add(ms: number, json: SlackMessageJson): Promise<void> {
    const day = Math.floor(ms / DAY_MS);
    if (day !== this.day || !this.entry) {
      await this.close();
      this.day = day;
      this.count = 0;
      this.entry = this.zip.openEntry(`${this.folder}/${new Date(day * DAY_MS).toISOString().slice(0, 10)}.json`);
      this.summary.dayFiles++;
      await this.entry.write('[\n');
    }
    this.count++;
    this.summary.messages++;
    this.summary.maxPerDayFile = Math.max(this.summary.maxPerDayFile, this.count);
    await this.entry.write(`${this.count > 1 ? ',\n' : ''}${pretty(json).replace(/^/gm, '    ')}`);
  }

  /** The UTC day (epoch ms ÷ 86,400,000) of the open day file, and how many messages it holds. */
  current(): { day: number; count: number } {
    return { day: this.day, count: this.count };
  }

  /** Closes the open day file, if any. */
  async close(): Promise<void> {
    if (!this.entry) return;
    await this.entry.write('\n]\n');
    await this.entry.end();
    this.entry = null;
  }
}

const DAY_MS = 86_400_000;

/** Streams one bulk channel's day files. */
async function writeBulkChannel(
  zip: ZipSink,
  name: string,
  budget: number,
  startMs: number,
  users: readonly BulkUser[],
  rng: SeededRandom,
  summary: SlackBulkSummary,
): Promise<void> {
  const days = new DayFileStream(zip, name, summary);
  /** Replies already announced by their root, by time (a handful at most). */
  const pending: PendingReply[] = [];
  const pendingMs = new Set<number>();
  let remaining = budget;
  // The next top-level message's time. Top-level messages fall on whole seconds (even ms), replies on
  // odd ms, so the two never share a millisecond.
  let clock = startMs + 8 * 3_600_000;
  let clientSeq = 0;

  const tsOf = (ms: number): string => slackTs(Math.floor(ms / 1000), (ms % 1000) * 1000 + rng.int(0, 999));
  const reactionsFor = (): SlackMessageJson['reactions'] => {
    if (!rng.chance(0.1)) return undefined;
    const out = rng.sample(REACTION_EMOJI, rng.int(1, 2)).map((emoji) => {
      const who = rng.sample(users, rng.int(1, 3)).map((u) => u.id);
      return { name: emoji, users: who, count: who.length };
    });
    summary.reactions += out.reduce((n, r) => n + r.count, 0);
    return out;
  };
  const userMessage = (ts: string, user: BulkUser, extra: Partial<SlackMessageJson>): SlackMessageJson => {
    clientSeq++;
    if (!user.mapped) summary.fallbackAuthored++;
    const reactions = reactionsFor();
    return {
      client_msg_id: `00000000-0000-4000-8000-${String(clientSeq).padStart(12, '0')}`,
      type: 'message',
      text: bulkText(rng, users),
      user: user.id,
      ts,
      team: TEAM_ID,
      ...extra,
      ...(reactions ? { reactions } : {}),
    };
  };

  while (remaining > 0 || pending.length > 0) {
    pending.sort((a, b) => a.ms - b.ms);
    const next = pending[0];
    if (next && (next.ms < clock || remaining === 0)) {
      pending.shift();
      pendingMs.delete(next.ms);
      summary.replies++;
      await days.add(next.ms, userMessage(next.ts, next.user, { thread_ts: next.rootTs, parent_user_id: next.rootUser }));
      continue;
    }
    const ms = clock;
    const user = rng.pick(users);
    const ts = tsOf(ms);
    remaining--;
    if (rng.chance(0.025)) {
      summary.joins++;
      await days.add(ms, { type: 'message', subtype: 'channel_join', user: user.id, text: `<@${user.id}> has joined the channel`, ts });
    } else {
      summary.roots++;
      const replyCount = Math.min(rng.chance(0.125) ? rng.int(1, 3) : 0, remaining);
      const thread: PendingReply[] = [];
      let offsetSeconds = 0;
      for (let i = 0; i < replyCount; i++) {
        offsetSeconds += rng.int(20, 3 * 3600);
        let replyMs = ms + offsetSeconds * 1000 + 1;
        while (pendingMs.has(replyMs)) replyMs += 2;
        pendingMs.add(replyMs);
        thread.push({ ms: replyMs, ts: tsOf(replyMs), user: rng.pick(users), rootTs: ts, rootUser: user.id });
      }
      remaining -= replyCount;
      pending.push(...thread);
      const replyUsers = [...new Set(thread.map((r) => r.user.id))];
      const threadFields: Partial<SlackMessageJson> =
        thread.length > 0
          ? {
              thread_ts: ts,
              reply_count: thread.length,
              reply_users_count: replyUsers.length,
              latest_reply: thread[thread.length - 1]?.ts ?? ts,
              reply_users: replyUsers,
              replies: thread.map((r) => ({ user: r.user.id, ts: r.ts })),
            }
          : {};
      await days.add(ms, userMessage(ts, user, threadFields));
    }
    // About 150 messages a day; a nearly full day file moves the clock to the next morning.
    clock += rng.int(60, 1_100) * 1000;
    const open = days.current();
    if (open.count >= MAX_PER_DAY - 20 && Math.floor(clock / DAY_MS) === open.day) clock = (open.day + 1) * DAY_MS + 8 * 3_600_000;
  }
  await days.close();
}
