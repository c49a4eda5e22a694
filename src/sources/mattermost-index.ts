import type { SourceChannel, SourceUser } from '../domain/import/source-model';
import { byteLines } from './byte-lines';
import { ExportRefused } from './export-reader';
import { arrayField, isRecord, numberField, recordField, stringField, stringsField, textField, type JsonRecord } from './json-guards';
import { tryParseJson } from './json-text';
import { decodeUtf8 } from './utf8';

/**
 * One pass over a Mattermost bulk export (JSONL) that keeps what is small (users, channels) and, for
 * posts, only where they are: per channel, three numbers per message (time, which line, which reply
 * of it) in typed arrays. Messages are read again from their lines when a channel is imported, so
 * the posts themselves are never all in memory, only one line at a time here.
 */

/** A growable column of numbers in a typed array (a few bytes a message instead of an object each). */
class Column<A extends Float64Array | Uint32Array | Int32Array> {
  private data: A;
  length = 0;

  constructor(private readonly make: (size: number) => A) {
    this.data = make(16);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = this.make(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length] = value;
    this.length += 1;
  }

  get(index: number): number {
    return this.data[index];
  }
}

/** Where a channel's messages are: message k is reply `reply[k]` (-1: the post itself) of post line `line[k]`, at `time[k]`. */
export class ChannelLocators {
  /** Sort time, epoch ms: the message's `create_at`, a reply's never before its root's. */
  readonly time = new Column((size) => new Float64Array(size));
  readonly line = new Column((size) => new Uint32Array(size));
  readonly reply = new Column((size) => new Int32Array(size));

  get length(): number {
    return this.time.length;
  }

  push(time: number, line: number, reply: number): void {
    this.time.push(time);
    this.line.push(line);
    this.reply.push(reply);
  }
}

/** The post lines of the file: where line p starts, how many bytes it has, its line number (for messages). */
export class PostLines {
  private readonly start = new Column((size) => new Float64Array(size));
  private readonly size = new Column((size) => new Float64Array(size));
  private readonly number = new Column((size) => new Uint32Array(size));

  add(start: number, size: number, lineNumber: number): number {
    this.start.push(start);
    this.size.push(size);
    this.number.push(lineNumber);
    return this.start.length - 1;
  }

  at(line: number): { start: number; size: number; lineNumber: number } {
    return { start: this.start.get(line), size: this.size.get(line), lineNumber: this.number.get(line) };
  }
}

export interface MattermostIndex {
  users: SourceUser[];
  /** In the order the export lists them; channels only posts name (not listed themselves) come last. */
  channels: Map<string, SourceChannel>;
  locators: Map<string, ChannelLocators>;
  lines: PostLines;
}

/** The channel id of a team channel: `team/name`. */
export function teamChannelId(team: string, name: string): string {
  return `${team}/${name}`;
}

/** The channel id of a direct or group conversation: `dm:` and its members' usernames, sorted, joined by `,`. */
export function directChannelId(members: readonly string[]): string {
  return `dm:${[...new Set(members)].sort().join(',')}`;
}

/** The object a JSONL line carries: `{"type":"post","post":{…}}` → the post. Null when absent. */
export function lineData(row: JsonRecord): JsonRecord | null {
  const type = stringField(row, 'type');
  return type === null ? null : recordField(row, type);
}

/**
 * Parses one line's bytes (UTF-8, JSON, an object with a `type`), refusing with the line number and
 * position otherwise. `label` names the file.
 */
export function parseLine(bytes: Buffer, offset: number, lineNumber: number, label: string): JsonRecord & { type: string } {
  const where = `${label} line ${lineNumber}`;
  const parsed = tryParseJson(decodeUtf8(bytes, where, offset));
  if ('problem' in parsed) {
    const { column, reason } = parsed.problem;
    throw new ExportRefused(
      `${where}, column ${column}, is not valid JSON (${reason}): the export is damaged or was edited; export it again (mmctl export create) and send it unchanged.`,
    );
  }
  const row = parsed.value;
  if (!isRecord(row) || typeof row.type !== 'string') {
    throw new ExportRefused(
      `${where} is not a Mattermost export line (an object with a "type"): send the .jsonl (or zip) that mmctl export produced, unchanged.`,
    );
  }
  return row as JsonRecord & { type: string };
}

/**
 * Reads the JSONL once and indexes it. The first line must be `{"type":"version","version":1}`;
 * malformed lines and posts without `create_at` throw `ExportRefused` naming the line.
 */
export async function indexMattermostJsonl(chunks: AsyncIterable<Buffer>, label: string): Promise<MattermostIndex> {
  const index: MattermostIndex = { users: [], channels: new Map(), locators: new Map(), lines: new PostLines() };
  const usernames = new Set<string>();
  const unlisted = new Map<string, SourceChannel>();
  let sawVersion = false;
  for await (const { bytes, offset, lineNumber } of byteLines(chunks)) {
    if (isBlank(bytes)) continue;
    const row = parseLine(bytes, offset, lineNumber, label);
    if (!sawVersion) {
      if (row.type !== 'version' || row.version !== 1) {
        throw new ExportRefused(
          `${label} does not start with a version line ({"type":"version","version":1}; line ${lineNumber} is a "${row.type}" line${row.type === 'version' ? ` of version ${JSON.stringify(row.version) ?? 'none'}` : ''}): this is not a Mattermost bulk export this importer reads; create one with mmctl export create and send it unchanged.`,
        );
      }
      sawVersion = true;
      continue;
    }
    const data = lineData(row);
    if (data === null) continue;
    const where = `${label} line ${lineNumber}`;
    switch (row.type) {
      case 'channel': {
        const channel = teamChannel(data);
        if (channel && !index.channels.has(channel.id)) index.channels.set(channel.id, channel);
        break;
      }
      case 'direct_channel': {
        const channel = directChannel(directMembers(data, 'members'), textField(data, 'header'));
        if (!index.channels.has(channel.id)) index.channels.set(channel.id, channel);
        break;
      }
      case 'user':
      case 'bot': {
        const user = toUser(data, row.type === 'bot');
        if (user && !usernames.has(user.id)) {
          usernames.add(user.id);
          index.users.push(user);
        }
        break;
      }
      case 'post':
      case 'direct_post': {
        const channelId = postChannel(data, row.type, where, index.channels, unlisted);
        const locators = index.locators.get(channelId) ?? new ChannelLocators();
        index.locators.set(channelId, locators);
        addPost(data, index.lines.add(offset, bytes.length, lineNumber), locators, where);
        break;
      }
      default:
        // version (again), scheme, team, emoji, role…: nothing the import needs.
        break;
    }
  }
  if (!sawVersion) throw new ExportRefused(`${label} is empty: create the export again with mmctl export create.`);
  for (const [id, channel] of unlisted) if (!index.channels.has(id)) index.channels.set(id, channel);
  return index;
}

function isBlank(bytes: Buffer): boolean {
  return bytes.every((byte) => byte === 0x20 || byte === 0x09 || byte === 0x0d);
}

function addPost(post: JsonRecord, line: number, locators: ChannelLocators, where: string): void {
  const rootTime = numberField(post, 'create_at');
  if (rootTime === null) throw missingTime(where, 'a post');
  locators.push(rootTime, line, -1);
  arrayField(post, 'replies').forEach((reply, replyIndex) => {
    const time = isRecord(reply) ? numberField(reply, 'create_at') : null;
    if (time === null) throw missingTime(where, `reply ${replyIndex} (counting from 0)`);
    // A reply stamped before its root (clock skew at the source) still comes after it.
    locators.push(Math.max(time, rootTime), line, replyIndex);
  });
}

function missingTime(where: string, what: string): ExportRefused {
  return new ExportRefused(`${where}: ${what} has no "create_at" time: the export is damaged or was edited; export it again and send it unchanged.`);
}

/** The channel a post belongs to; a channel the export does not list is added as a private one (the safer guess). */
function postChannel(
  post: JsonRecord,
  type: 'post' | 'direct_post',
  where: string,
  listed: ReadonlyMap<string, SourceChannel>,
  unlisted: Map<string, SourceChannel>,
): string {
  let channel: SourceChannel;
  if (type === 'direct_post') {
    const members = directMembers(post, 'channel_members');
    if (members.length === 0) throw new ExportRefused(`${where}: a direct post without "channel_members": the export is damaged; export it again.`);
    channel = directChannel(members, null);
  } else {
    const team = textField(post, 'team');
    const name = textField(post, 'channel');
    if (team === null || name === null) throw new ExportRefused(`${where}: a post without "team" or "channel": the export is damaged; export it again.`);
    const id = teamChannelId(team, name);
    channel = { id, name, displayName: name, kind: 'private', topic: null, purpose: null };
  }
  if (!listed.has(channel.id) && !unlisted.has(channel.id)) unlisted.set(channel.id, channel);
  return channel.id;
}

function teamChannel(data: JsonRecord): SourceChannel | null {
  const team = textField(data, 'team');
  const name = textField(data, 'name');
  if (team === null || name === null) return null;
  return {
    id: teamChannelId(team, name),
    name,
    displayName: textField(data, 'display_name') ?? name,
    kind: stringField(data, 'type') === 'O' ? 'public' : 'private',
    topic: textField(data, 'header'),
    purpose: textField(data, 'purpose'),
  };
}

/** Usernames of a direct conversation: `members` / `channel_members`, or newer exports' `participants: [{ username }]`. */
function directMembers(data: JsonRecord, key: string): string[] {
  const members = stringsField(data, key);
  if (members.length > 0) return members;
  return arrayField(data, 'participants')
    .map((participant) => (isRecord(participant) ? textField(participant, 'username') : null))
    .filter((username): username is string => username !== null);
}

function directChannel(members: string[], header: string | null): SourceChannel {
  const id = directChannelId(members);
  const people = [...new Set(members)].sort();
  return { id, name: id, displayName: people.join(', '), kind: people.length > 2 ? 'group' : 'direct', topic: header, purpose: null };
}

function toUser(data: JsonRecord, isBotLine: boolean): SourceUser | null {
  const username = textField(data, 'username');
  if (username === null) return null;
  const fullName = [textField(data, 'first_name'), textField(data, 'last_name')]
    .filter((part): part is string => part !== null)
    .join(' ')
    .trim();
  const email = textField(data, 'email');
  const roles = stringField(data, 'roles') ?? '';
  return {
    id: username,
    name: username,
    displayName: fullName || (textField(data, 'nickname') ?? textField(data, 'display_name') ?? username),
    email: email === null ? null : email.trim().toLowerCase(),
    deleted: (numberField(data, 'delete_at') ?? 0) > 0,
    // Bots come as `bot` lines, or as users flagged is_bot or with a bot role, depending on the server version.
    bot: isBotLine || data.is_bot === true || /(^|\s)(system_)?bot(\s|$)/.test(roles),
  };
}
