/**
 * The facts a story export promises, shared by the Slack and Mattermost stories: per message what it
 * is and how the importer's rules treat it, and the counts that follow. End-to-end tests assert
 * against these instead of re-deriving them from the export.
 *
 * The rules the facts encode:
 * - **Events** (`channel_join`, `channel_leave`, `channel_topic`, `channel_purpose`, `channel_name`,
 *   `channel_archive`) are not imported; they are counted per subtype.
 * - A **root** is any other top-level message: plain, `bot_message`, `me_message`, `file_share`, and a
 *   `tombstone` (a deleted parent that still has replies: it is the root its replies hang on).
 * - A **reply** names a root that is in the same channel of the export (`thread_broadcast` included);
 *   an **orphan reply** names a root the export does not hold (it has nothing to hang on, so it is
 *   expected to be imported as a root).
 * - An author **maps** when their e-mail equals a tenant user's mail, case-insensitively; a message
 *   whose author does not map (no user, unknown user, no e-mail, another tenant's e-mail) is
 *   **fallback-authored** (posted by the importing identity, naming the source author).
 * - A reaction can be carried only for users who map (Graph needs a tenant user per reaction).
 */

/** How the importer treats one message of the export. */
export type StoryRole = 'root' | 'reply' | 'orphan-reply' | 'event';

/** Subtypes that are events: skipped, never imported. */
export const SKIPPED_SUBTYPES: readonly string[] = ['channel_join', 'channel_leave', 'channel_topic', 'channel_purpose', 'channel_name', 'channel_archive'];

/** One emoji's reactions on a message. */
export interface StoryReaction {
  /** As the export writes it, without colons (`+1`, `+1::skin-tone-3`, `party_parrot`, `heart`). */
  emoji: string;
  /** Source user ids (Slack ids / Mattermost usernames), in the export's order. */
  userIds: string[];
  /** Those of `userIds` who map to a tenant user. */
  mappedUserIds: string[];
}

/** A file a message carries. */
export interface StoryFile {
  /** Slack file id; Mattermost: the attachment's file name. */
  id: string;
  name: string;
  mimeType: string;
  /** Size as the export claims it (equals the bytes' length when they are in the export); null when unknown. */
  size: number | null;
  /** The archive entry holding the bytes, or null when the export does not hold them. */
  contentPath: string | null;
  /** SHA-256 (hex) of the bytes when the export holds them, else null. */
  sha256: string | null;
}

/** What every story message states, whatever the source. */
export interface StoryMessageFacts {
  /** The source channel's id (Slack `C…`/`G…`; Mattermost `team/name`). */
  channelId: string;
  /** Epoch milliseconds (Slack `ts` truncated to ms; Mattermost `create_at`). */
  time: number;
  role: StoryRole;
  /** Subtype (Slack `subtype`, Mattermost `type`), or null for a plain message. */
  subtype: string | null;
  /** The text exactly as the export holds it (final text when edited). */
  text: string;
  /** Source user id of the author (Slack id / Mattermost username), or null (a bot message without user). */
  authorId: string | null;
  /** The name a fallback-authored message shows: the source display name or bot user name. */
  authorName: string;
  /** The tenant mail the author maps to (lower case), or null. */
  tenantEmail: string | null;
  /** Importable and its author maps to no tenant user. */
  fallbackAuthored: boolean;
  edited: boolean;
  reactions: StoryReaction[];
  files: StoryFile[];
  /** Users mentioned in the text (`<@U…>` / `@username`), in order; see the story's users for who maps. */
  mentionedUserIds: string[];
  /** Broadcast mentions in the text: `here`, `channel`, `everyone`, `all`. */
  specialMentions: string[];
}

/** Counts for one channel or a whole story, under the rules above. */
export interface StoryCounts {
  /** Message objects the export holds (Slack: day-file array items; Mattermost: posts plus replies). */
  messageObjects: number;
  /** Importable top-level messages (tombstones included, orphan replies not). */
  roots: number;
  /** Replies whose root is in the export. */
  replies: number;
  /** Replies whose root is not in the export. */
  orphanReplies: number;
  /** roots + replies + orphanReplies. */
  importable: number;
  /** Events not imported. */
  skipped: number;
  /** Events not imported, by subtype. */
  skippedBySubtype: Record<string, number>;
  /** Importable messages whose author maps to no tenant user. */
  fallbackAuthored: number;
  /** (emoji, user) reaction pairs on importable messages. */
  reactions: number;
  /** Those pairs whose user maps to a tenant user. */
  reactionsByMappedUsers: number;
  edited: number;
  /** Files on importable messages whose bytes are in the export. */
  filesWithBytes: number;
  /** Files on importable messages whose bytes are not. */
  filesWithoutBytes: number;
  /** Groups of two or more messages sharing one millisecond. */
  msCollisions: number;
}

/** One millisecond shared by two or more messages of a channel (Graph allows one message per ms per thread). */
export interface StoryMsCollision {
  channelId: string;
  /** The shared epoch millisecond. */
  time: number;
  /** The messages' ids (Slack `ts`; Mattermost: `line:index` positions), in chronological order. */
  ids: string[];
}

/** Finds the milliseconds shared by more than one message of the same channel. */
export function findMsCollisions<M extends StoryMessageFacts>(messages: readonly M[], idOf: (m: M) => string): StoryMsCollision[] {
  const byKey = new Map<string, M[]>();
  for (const m of messages) {
    const key = `${m.channelId}\u0000${m.time}`;
    byKey.set(key, [...(byKey.get(key) ?? []), m]);
  }
  return [...byKey.values()]
    .filter((group) => group.length > 1)
    .map((group) => ({ channelId: group[0].channelId, time: group[0].time, ids: group.map(idOf).sort() }));
}

/** Counts messages (all of one channel, or all of a story) under the rules above. */
export function countStory(messages: readonly StoryMessageFacts[], msCollisions: number): StoryCounts {
  const c: StoryCounts = {
    messageObjects: messages.length,
    roots: 0,
    replies: 0,
    orphanReplies: 0,
    importable: 0,
    skipped: 0,
    skippedBySubtype: {},
    fallbackAuthored: 0,
    reactions: 0,
    reactionsByMappedUsers: 0,
    edited: 0,
    filesWithBytes: 0,
    filesWithoutBytes: 0,
    msCollisions,
  };
  for (const m of messages) {
    if (m.role === 'event') {
      c.skipped++;
      const subtype = m.subtype ?? 'unknown';
      c.skippedBySubtype[subtype] = (c.skippedBySubtype[subtype] ?? 0) + 1;
      continue;
    }
    if (m.role === 'root') c.roots++;
    else if (m.role === 'reply') c.replies++;
    else c.orphanReplies++;
    c.importable++;
    if (m.fallbackAuthored) c.fallbackAuthored++;
    if (m.edited) c.edited++;
    for (const r of m.reactions) {
      c.reactions += r.userIds.length;
      c.reactionsByMappedUsers += r.mappedUserIds.length;
    }
    for (const f of m.files) {
      if (f.contentPath === null) c.filesWithoutBytes++;
      else c.filesWithBytes++;
    }
  }
  return c;
}
