import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import type { SourceChannel, SourceFile, SourceMessage, SourceReaction, SourceUser } from '../domain/import/source-model';
import { ExportRefused, type ArchiveLimits, type ExportReader } from './export-reader';
import { arrayField, isRecord, numberField, recordField, stringField, textField, type JsonRecord } from './json-guards';
import { indexMattermostJsonl, lineData, parseLine, type MattermostIndex } from './mattermost-index';
import type { ZipArchive } from './zip-archive';

/** The `.jsonl` entries of a zip (macOS resource forks left out). */
export function jsonlEntriesOf(names: readonly string[]): string[] {
  return names.filter((name) => name.toLowerCase().endsWith('.jsonl') && !name.startsWith('__MACOSX/') && !posix.basename(name).startsWith('._'));
}

/**
 * Parsed post lines kept between a root and its last reply, so a thread's line is usually read
 * once however many replies it has. Bounded: past the budget the oldest are dropped and read again
 * if needed, so a channel of long-lived threads costs re-reads, not memory.
 */
const THREAD_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * Reads a Mattermost bulk export: a bare `.jsonl`, or a zip (mmctl export create --attachments)
 * holding one `.jsonl` anywhere and a `data/` folder beside it with the attachments. Opening indexes
 * the JSONL in one streaming pass (see mattermost-index.ts); a zipped JSONL is copied to a temporary
 * file on the way, because reading a channel needs positioned reads of its lines, which a deflated
 * entry cannot give. The copy is deleted by `close()`.
 *
 * Ids: a team channel is `team/name`, a direct conversation `dm:` and its sorted usernames joined by
 * `,`. A post is `{create_at}:{username}` (`#2`, `#3`… when that repeats in the channel, in export
 * order), a reply `{root id}/r{index in the root's replies}`.
 */
export class MattermostExportReader implements ExportReader {
  readonly kind = 'mattermost' as const;

  private constructor(
    private readonly index: MattermostIndex,
    private readonly jsonl: FileHandle,
    private readonly label: string,
    /** The zip holding the attachments, or null for a bare JSONL (whose attachments are absent). */
    private readonly archive: ZipArchive | null,
    /** The folder of the zip holding the JSONL (`''` or `folder/`): `data/` is looked for beside it. */
    private readonly jsonlFolder: string,
    private readonly tempDir: string | null,
  ) {}

  /** Opens a bare JSONL file (at most `maxEntryBytes`) and indexes it. */
  static async fromJsonlFile(path: string, limits: ArchiveLimits, label = basename(path)): Promise<MattermostExportReader> {
    const { size } = await stat(path);
    if (size > limits.maxEntryBytes) {
      throw new ExportRefused(
        `${label} is ${size} bytes, more than the ${limits.maxEntryBytes} an import accepts for one file: export a smaller part of the workspace, or raise the import's per-file limit if the export is genuine.`,
      );
    }
    const index = await indexMattermostJsonl(createReadStream(path), label);
    const handle = await open(path, 'r');
    return new MattermostExportReader(index, handle, label, null, '', null);
  }

  /**
   * A reader over an opened zip holding one `.jsonl` (which it then owns and closes, also when it
   * refuses). The JSONL is copied under `workDir` (default: the system's temporary folder) with the
   * archive's per-file cap enforced while copying.
   */
  static async fromArchive(archive: ZipArchive, workDir: string = tmpdir()): Promise<MattermostExportReader> {
    let tempDir: string | null = null;
    let handle: FileHandle | null = null;
    try {
      const jsonlName = onlyJsonl(archive);
      tempDir = await mkdtemp(join(workDir, 'mattermost-export-'));
      handle = await open(join(tempDir, 'export.jsonl'), 'w+');
      const label = `${jsonlName} in ${archive.label}`;
      const index = await indexMattermostJsonl(copiedTo(handle, await archive.openEntry(jsonlName)), label);
      const folder = jsonlName.includes('/') ? jsonlName.slice(0, jsonlName.lastIndexOf('/') + 1) : '';
      return new MattermostExportReader(index, handle, label, archive, folder, tempDir);
    } catch (error) {
      await handle?.close();
      if (tempDir !== null) await rm(tempDir, { recursive: true, force: true });
      await archive.close();
      throw error;
    }
  }

  async users(): Promise<SourceUser[]> {
    return [...this.index.users];
  }

  async channels(): Promise<SourceChannel[]> {
    return [...this.index.channels.values()];
  }

  /**
   * The channel's posts and replies sorted by time (ties in export order; a reply never before its
   * root), each read from its line in the JSONL. Memory: the channel's sort order (4 bytes a message)
   * and the lines of threads still open, within a budget.
   */
  async *messages(channelId: string): AsyncGenerator<SourceMessage> {
    if (!this.index.channels.has(channelId)) throw new Error(`no conversation ${channelId} in this Mattermost export`);
    const locators = this.index.locators.get(channelId);
    if (!locators) return;
    const order = new Uint32Array(locators.length).map((_, k) => k);
    order.sort((a, b) => locators.time.get(a) - locators.time.get(b) || a - b);
    const threads = new ThreadCache(THREAD_CACHE_BYTES);
    /** Root ids of threads with replies still to come, by post line. */
    const rootIds = new Map<number, string>();
    /** Root ids given so far at the current time, to make `{create_at}:{user}` unique. */
    const idsAtTime = new Map<string, number>();
    let currentTime = Number.NaN;
    for (const k of order) {
      const line = locators.line.get(k);
      const reply = locators.reply.get(k);
      const time = locators.time.get(k);
      const post = threads.get(line) ?? (await this.readPost(line));
      if (reply < 0) {
        // Roots with the same create_at sort together (in export order), so counting within a time is enough.
        if (time !== currentTime) {
          currentTime = time;
          idsAtTime.clear();
        }
        const base = `${time}:${textField(post, 'user') ?? ''}`;
        const seen = (idsAtTime.get(base) ?? 0) + 1;
        idsAtTime.set(base, seen);
        const id = seen === 1 ? base : `${base}#${seen}`;
        const replies = arrayField(post, 'replies').length;
        if (replies > 0) {
          rootIds.set(line, id);
          threads.open(line, post, replies, this.index.lines.at(line).size);
        }
        yield this.toMessage(post, id, time, null);
      } else {
        const rootId = rootIds.get(line) ?? '';
        const replyRecord = arrayField(post, 'replies')[reply];
        if (threads.replied(line)) rootIds.delete(line);
        yield this.toMessage(isRecord(replyRecord) ? replyRecord : {}, `${rootId}/r${reply}`, time, rootId);
      }
    }
  }

  async fileBytes(file: SourceFile, maxBytes: number): Promise<Buffer | null> {
    if (this.archive === null || file.contentPath === null) return null;
    const size = this.archive.size(file.contentPath);
    if (size === null || size > maxBytes) return null;
    return this.archive.readEntry(file.contentPath, maxBytes);
  }

  async close(): Promise<void> {
    await this.jsonl.close();
    if (this.tempDir !== null) await rm(this.tempDir, { recursive: true, force: true });
    await this.archive?.close();
  }

  /** The post (or direct post) object of post line `line`, read again from the file. */
  private async readPost(line: number): Promise<JsonRecord> {
    const { start, size, lineNumber } = this.index.lines.at(line);
    const bytes = Buffer.allocUnsafe(size);
    const { bytesRead } = await this.jsonl.read(bytes, 0, size, start);
    if (bytesRead !== size)
      throw new ExportRefused(`${this.label} changed while it was being imported (line ${lineNumber} is cut short): start the import again.`);
    return lineData(parseLine(bytes, start, lineNumber, this.label)) ?? {};
  }

  private toMessage(post: JsonRecord, id: string, time: number, threadId: string | null): SourceMessage {
    const props = recordField(post, 'props');
    return {
      id,
      time,
      userId: textField(post, 'user'),
      // Webhook and integration posts show the name they chose, not their owner's.
      authorName: props && textField(props, 'override_username'),
      threadId,
      subtype: textField(post, 'type'),
      text: stringField(post, 'message') ?? '',
      markup: 'markdown',
      files: arrayField(post, 'attachments')
        .map((attachment) => (isRecord(attachment) ? textField(attachment, 'path') : null))
        .filter((path): path is string => path !== null)
        .map((path) => this.toFile(path)),
      reactions: groupedReactions(arrayField(post, 'reactions')),
      edited: (numberField(post, 'edit_at') ?? 0) > 0,
    };
  }

  private toFile(path: string): SourceFile {
    const candidates = [`${this.jsonlFolder}data/${path}`, `${this.jsonlFolder}${path}`];
    const contentPath = this.archive === null ? null : (candidates.find((candidate) => this.archive?.has(candidate)) ?? null);
    return {
      id: path,
      name: posix.basename(path),
      mimeType: null,
      size: contentPath === null ? null : (this.archive?.size(contentPath) ?? null),
      contentPath,
    };
  }
}

/** Reactions grouped by emoji, in the order each emoji first appears, users in export order. */
function groupedReactions(reactions: unknown[]): SourceReaction[] {
  const byEmoji = new Map<string, string[]>();
  for (const reaction of reactions) {
    if (!isRecord(reaction)) continue;
    const emoji = textField(reaction, 'emoji_name');
    const user = textField(reaction, 'user');
    if (emoji === null || user === null) continue;
    const users = byEmoji.get(emoji) ?? [];
    if (!users.includes(user)) users.push(user);
    byEmoji.set(emoji, users);
  }
  return [...byEmoji].map(([emoji, userIds]) => ({ emoji, userIds }));
}

function onlyJsonl(archive: ZipArchive): string {
  const found = jsonlEntriesOf(archive.names);
  if (found.length === 1) return found[0];
  if (found.length === 0)
    throw new ExportRefused(`${archive.label} holds no .jsonl file, so it is not a Mattermost bulk export: create one with mmctl export create.`);
  throw new ExportRefused(
    `${archive.label} holds several .jsonl files (${found.slice(0, 5).join(', ')}${found.length > 5 ? ', …' : ''}): send one Mattermost export per import.`,
  );
}

/** The source's chunks, each written to `file` before it is passed on (so indexing and copying are one pass). */
async function* copiedTo(file: FileHandle, source: Readable): AsyncGenerator<Buffer> {
  let position = 0;
  for await (const chunk of source) {
    const bytes = chunk as Buffer;
    await file.write(bytes, 0, bytes.length, position);
    position += bytes.length;
    yield bytes;
  }
}

/**
 * Open threads while a channel is read: how many replies each still has to come, and (within a byte
 * budget, oldest dropped first) its parsed post line, so its replies need not read the line again.
 */
class ThreadCache {
  private readonly remaining = new Map<number, number>();
  private readonly posts = new Map<number, { post: JsonRecord; size: number }>();
  private total = 0;

  constructor(private readonly budget: number) {}

  get(line: number): JsonRecord | null {
    return this.posts.get(line)?.post ?? null;
  }

  /** A root with `replies` replies to come was read from a line of `size` bytes. */
  open(line: number, post: JsonRecord, replies: number, size: number): void {
    this.remaining.set(line, replies);
    if (size > this.budget) return;
    this.posts.set(line, { post, size });
    this.total += size;
    for (const [oldest, entry] of this.posts) {
      if (this.total <= this.budget) break;
      this.posts.delete(oldest);
      this.total -= entry.size;
    }
  }

  /** One reply of the thread at `line` was given; true when it was the last (the thread is then forgotten). */
  replied(line: number): boolean {
    const remaining = (this.remaining.get(line) ?? 1) - 1;
    if (remaining > 0) {
      this.remaining.set(line, remaining);
      return false;
    }
    this.remaining.delete(line);
    const entry = this.posts.get(line);
    if (entry) {
      this.posts.delete(line);
      this.total -= entry.size;
    }
    return true;
  }
}
