import type { SourceChannel, SourceFile, SourceMessage, SourceReaction, SourceUser } from '../domain/import/source-model';
import { ExportRefused, type ExportReader } from './export-reader';
import { arrayField, isRecord, numberField, recordField, stringField, stringsField, textField, type JsonRecord } from './json-guards';
import { parseJsonFile } from './json-text';
import { isSlackTs, slackTsSortKey, slackTsToMillis } from './slack-ts';
import { decodeUtf8 } from './utf8';
import type { ZipArchive } from './zip-archive';

/** The conversation lists of a Slack export and the kind of conversation each holds. */
const CONVERSATION_LISTS: readonly (readonly [string, SourceChannel['kind']])[] = [
  ['channels.json', 'public'],
  ['groups.json', 'private'],
  ['mpims.json', 'group'],
  ['dms.json', 'direct'],
];

/** A conversation and the folder of the export that holds its day files (null when it has none). */
interface Conversation {
  channel: SourceChannel;
  folder: string | null;
}

const DAY_FILE = /^([^/]+)\/\d{4}-\d{2}-\d{2}\.json$/;

/**
 * The folder of the zip that holds a Slack export's `users.json` / `channels.json`: `''` at the root,
 * or `name/` when the export was unpacked and zipped again inside a folder; null when there is none.
 */
export function slackRootOf(names: readonly string[]): string | null {
  const roots = names
    .map((name) => /^(?:([^/]+)\/)?(?:users|channels)\.json$/.exec(name))
    .filter((match): match is RegExpExecArray => match !== null && match[1] !== '__MACOSX')
    .map((match) => (match[1] === undefined ? '' : `${match[1]}/`))
    .sort();
  return roots.length > 0 ? roots[0] : null;
}

/**
 * Reads a Slack workspace export zip: `users.json`, the conversation lists (`channels.json`,
 * `groups.json`, `mpims.json`, `dms.json`, whichever are present) and one folder of `YYYY-MM-DD.json`
 * day files per conversation. A day file is read whole (it is capped by the per-file limit); nothing
 * else of a channel is held while reading it, and other channels are not read at all.
 */
export class SlackExportReader implements ExportReader {
  readonly kind = 'slack' as const;
  private conversationsRead: Promise<Map<string, Conversation>> | null = null;

  private constructor(
    private readonly archive: ZipArchive,
    /** `''` or `folder/`: where the export sits in the zip. */
    private readonly root: string,
    /** Conversation folder (relative to the root) to its day files' entry names, sorted, hence chronological. */
    private readonly dayFiles: ReadonlyMap<string, readonly string[]>,
  ) {}

  /** A reader over an opened archive (which it then owns and closes); ExportRefused when the zip is not a Slack export. */
  static fromArchive(archive: ZipArchive): SlackExportReader {
    const root = slackRootOf(archive.names);
    if (root === null) {
      throw new ExportRefused(
        `${archive.label} is not a Slack export: it has no users.json or channels.json. Send the zip Slack's export produced, unchanged.`,
      );
    }
    const dayFiles = new Map<string, string[]>();
    for (const name of archive.names) {
      if (!name.startsWith(root)) continue;
      const match = DAY_FILE.exec(name.slice(root.length));
      if (!match) continue;
      const files = dayFiles.get(match[1]) ?? [];
      files.push(name);
      dayFiles.set(match[1], files);
    }
    // Day files are UTC days named YYYY-MM-DD, so name order is time order.
    for (const files of dayFiles.values()) files.sort();
    return new SlackExportReader(archive, root, dayFiles);
  }

  async users(): Promise<SourceUser[]> {
    const file = `${this.root}users.json`;
    if (!this.archive.has(file)) return [];
    return listOf(await this.readJson(file), file, 'users').map((item, index) => toUser(item, file, index));
  }

  async channels(): Promise<SourceChannel[]> {
    return [...(await this.conversations()).values()].map((conversation) => conversation.channel);
  }

  /**
   * The channel's messages: its day files in name order, each sorted by `ts` (stable). Items of a
   * day file that are not messages are skipped; every message subtype is kept. A `ts` repeated in
   * the channel keeps both messages, the later one with id `ts#2` (then `#3`, …).
   */
  async *messages(channelId: string): AsyncGenerator<SourceMessage> {
    const conversation = (await this.conversations()).get(channelId);
    if (!conversation) throw new Error(`no conversation ${channelId} in this Slack export`);
    const files = conversation.folder === null ? [] : (this.dayFiles.get(conversation.folder) ?? []);
    let previousTs: string | null = null;
    let repeats = 0;
    for (const file of files) {
      for (const { ts, message } of await this.dayFileMessages(file)) {
        // Equal ts sort next to each other (and a day boundary cannot split them), so counting runs finds every repeat.
        repeats = ts === previousTs ? repeats + 1 : 1;
        previousTs = ts;
        yield this.toMessage(message, repeats === 1 ? ts : `${ts}#${repeats}`, ts, conversation.folder);
      }
    }
  }

  async fileBytes(file: SourceFile, maxBytes: number): Promise<Buffer | null> {
    if (file.contentPath === null) return null;
    const size = this.archive.size(file.contentPath);
    if (size === null || size > maxBytes) return null;
    return this.archive.readEntry(file.contentPath, maxBytes);
  }

  async close(): Promise<void> {
    await this.archive.close();
  }

  private async readJson(file: string): Promise<unknown> {
    return parseJsonFile(decodeUtf8(await this.archive.readEntry(file), file), file);
  }

  private conversations(): Promise<Map<string, Conversation>> {
    this.conversationsRead ??= this.readConversations();
    return this.conversationsRead;
  }

  private async readConversations(): Promise<Map<string, Conversation>> {
    const conversations = new Map<string, Conversation>();
    for (const [list, kind] of CONVERSATION_LISTS) {
      const file = `${this.root}${list}`;
      if (!this.archive.has(file)) continue;
      listOf(await this.readJson(file), file, 'conversations').forEach((item, index) => {
        const channel = toChannel(item, kind, file, index);
        if (conversations.has(channel.id)) return;
        // Channels' folders are named after the channel; DMs' (and some exports' group DMs') after the id.
        const folder = [channel.name, channel.id].find((candidate) => this.dayFiles.has(candidate)) ?? null;
        conversations.set(channel.id, { channel, folder });
      });
    }
    return conversations;
  }

  /** One day file's messages with their ts, sorted by ts; ties keep the file's order. */
  private async dayFileMessages(file: string): Promise<{ ts: string; message: JsonRecord }[]> {
    const rows: { ts: string; key: string; index: number; message: JsonRecord }[] = [];
    listOf(await this.readJson(file), file, 'messages').forEach((item, index) => {
      if (!isRecord(item)) return;
      const type = item.type;
      if (type !== undefined && type !== 'message') return;
      const ts = stringField(item, 'ts');
      if (ts === null || !isSlackTs(ts)) {
        throw new ExportRefused(
          `${file}: message ${index} (counting from 0) has no valid "ts" (Slack's message id): the export is damaged or was edited; export it again and send it unchanged.`,
        );
      }
      rows.push({ ts, key: slackTsSortKey(ts), index, message: item });
    });
    rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index));
    return rows;
  }

  private toMessage(message: JsonRecord, id: string, ts: string, folder: string | null): SourceMessage {
    const threadTs = stringField(message, 'thread_ts');
    const profile = recordField(message, 'user_profile');
    const bot = recordField(message, 'bot_profile');
    const files = arrayField(message, 'files');
    // Exports from before 2019 carry a file_share's file as `file`, not `files`.
    const legacyFile = recordField(message, 'file');
    return {
      id,
      time: slackTsToMillis(ts),
      userId: textField(message, 'user'),
      authorName:
        (profile && (textField(profile, 'real_name') ?? textField(profile, 'display_name'))) ??
        textField(message, 'username') ??
        (bot && textField(bot, 'name')) ??
        null,
      threadId: threadTs !== null && threadTs !== ts ? threadTs : null,
      subtype: textField(message, 'subtype'),
      text: stringField(message, 'text') ?? '',
      markup: 'slack-mrkdwn',
      files: (files.length === 0 && legacyFile ? [legacyFile] : files)
        .filter(isRecord)
        .map((file) => this.toFile(file, folder))
        .filter((file): file is SourceFile => file !== null),
      reactions: arrayField(message, 'reactions')
        .filter(isRecord)
        .map(toReaction)
        .filter((reaction): reaction is SourceReaction => reaction !== null),
      edited: recordField(message, 'edited') !== null,
    };
  }

  private toFile(file: JsonRecord, folder: string | null): SourceFile | null {
    const id = textField(file, 'id');
    if (id === null) return null;
    const name = textField(file, 'name') ?? textField(file, 'title') ?? id;
    return {
      id,
      name,
      mimeType: textField(file, 'mimetype'),
      size: numberField(file, 'size'),
      contentPath: this.bytesPath(id, name, folder),
    };
  }

  /** Where an export tool put a file's bytes, if it did: `__uploads/<id>/<name>` or `<channel>/attachments/[<id>-]<name>`. */
  private bytesPath(id: string, name: string, folder: string | null): string | null {
    const candidates = [`${this.root}__uploads/${id}/${name}`];
    if (folder !== null) candidates.push(`${this.root}${folder}/attachments/${id}-${name}`, `${this.root}${folder}/attachments/${name}`);
    return candidates.find((candidate) => this.archive.has(candidate)) ?? null;
  }
}

function listOf(parsed: unknown, file: string, what: string): unknown[] {
  if (!Array.isArray(parsed)) {
    throw new ExportRefused(`${file} is not a list of ${what}: the export is damaged or was edited; export it again and send it unchanged.`);
  }
  return parsed;
}

function requiredId(item: unknown, file: string, index: number): JsonRecord & { id: string } {
  if (isRecord(item) && typeof item.id === 'string' && item.id !== '') return item as JsonRecord & { id: string };
  throw new ExportRefused(`${file}: entry ${index} (counting from 0) has no "id": the export is damaged or was edited; export it again and send it unchanged.`);
}

function toUser(item: unknown, file: string, index: number): SourceUser {
  const user = requiredId(item, file, index);
  const profile = recordField(user, 'profile') ?? {};
  const name = textField(user, 'name') ?? user.id;
  const email = textField(profile, 'email');
  return {
    id: user.id,
    name,
    displayName: textField(profile, 'real_name') ?? textField(user, 'real_name') ?? textField(profile, 'display_name') ?? name,
    email: email === null ? null : email.trim().toLowerCase(),
    deleted: user.deleted === true,
    // Slackbot is a bot in every workspace but is not flagged is_bot in users.json.
    bot: user.is_bot === true || user.id === 'USLACKBOT',
  };
}

function toChannel(item: unknown, kind: SourceChannel['kind'], file: string, index: number): SourceChannel {
  const channel = requiredId(item, file, index);
  const name = textField(channel, 'name') ?? channel.id;
  const topic = recordField(channel, 'topic');
  const purpose = recordField(channel, 'purpose');
  return {
    id: channel.id,
    name,
    displayName: name,
    // Older exports list group DMs in groups.json, flagged is_mpim.
    kind: channel.is_mpim === true ? 'group' : kind,
    topic: topic && textField(topic, 'value'),
    purpose: purpose && textField(purpose, 'value'),
  };
}

function toReaction(reaction: JsonRecord): SourceReaction | null {
  const emoji = textField(reaction, 'name');
  return emoji === null ? null : { emoji, userIds: stringsField(reaction, 'users') };
}
