import type { SourceChannel, SourceFile, SourceKind, SourceMessage, SourceUser } from '../domain/import/source-model';

/**
 * One export, opened: the reader interface every source platform implements (Slack zip,
 * Mattermost JSONL or zip). Streaming: users and channels are small and read whole; messages are
 * read one channel at a time, in chronological order, never the whole export at once.
 */
export interface ExportReader {
  readonly kind: SourceKind;
  /** The workspace's people, bots included. */
  users(): Promise<SourceUser[]>;
  /** Every conversation of the export (public, private, and DMs / group DMs when present). */
  channels(): Promise<SourceChannel[]>;
  /**
   * The channel's messages in chronological order (ties keep the export's order), replies
   * interleaved at their own time, so a reply always comes after its root. Stable: reading twice
   * yields the same messages with the same ids in the same order. Throws `ExportRefused` on
   * malformed content (naming the file and position).
   */
  messages(channelId: string): AsyncIterable<SourceMessage>;
  /** A file's bytes when the export holds them and they are at most `maxBytes`; null otherwise. */
  fileBytes(file: SourceFile, maxBytes: number): Promise<Buffer | null>;
  /** Releases the file handles. */
  close(): Promise<void>;
}

/** Caps that keep a hostile archive from exhausting the machine (IMPORT_MAX_* settings). */
export interface ArchiveLimits {
  /** Entries in a zip. */
  maxEntries: number;
  /** Sum of the entries' uncompressed sizes. */
  maxTotalBytes: number;
  /** One entry's uncompressed size (a day file, the JSONL). */
  maxEntryBytes: number;
  /** Uncompressed ÷ compressed size of one entry (a zip bomb is refused). */
  maxCompressionRatio: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 500_000,
  maxTotalBytes: 20 * 1024 ** 3,
  maxEntryBytes: 1024 ** 3,
  maxCompressionRatio: 100,
};

/**
 * The export cannot be imported, and why, in words for the admin (what was wrong, what to do).
 * Raised before anything is written anywhere.
 */
export class ExportRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportRefused';
  }
}
