/**
 * What an export reader hands the import engine, whatever the source platform: users, channels,
 * and each channel's messages in chronological order. Pure data; readers live in `src/sources/`.
 * A third source needs a reader producing these shapes and nothing else.
 */

export type SourceKind = 'slack' | 'mattermost';

/** The markup a message's text is written in. */
export type SourceMarkup = 'slack-mrkdwn' | 'markdown';

/** A person (or bot) of the source workspace. */
export interface SourceUser {
  /** Slack `U…`/`W…` id; Mattermost username (what posts and mentions name). */
  id: string;
  /** Handle: Slack `name`, Mattermost `username`. */
  name: string;
  /** The name people know them by (real name, display name, first + last). */
  displayName: string;
  /** Lower-cased e-mail, or null when the export has none (bots, some deleted or guest users). */
  email: string | null;
  deleted: boolean;
  bot: boolean;
}

/** A conversation of the source workspace. Only `public` and `private` channels are imported today. */
export interface SourceChannel {
  /** Slack `C…`/`G…`/`D…` id; Mattermost `team/name`. */
  id: string;
  /** Slack `name`; Mattermost `name` (the URL handle). */
  name: string;
  /** Mattermost `display_name`; Slack: same as name. */
  displayName: string;
  kind: 'public' | 'private' | 'direct' | 'group';
  topic: string | null;
  purpose: string | null;
}

/** A file a message carried. Its bytes may or may not be in the export. */
export interface SourceFile {
  id: string;
  name: string;
  mimeType: string | null;
  /** Bytes, as the export claims; null when unknown. */
  size: number | null;
  /**
   * Where the bytes are inside the export (an archive entry path, normalised, `/`-separated), or
   * null when the export does not hold them (a standard Slack export never does).
   */
  contentPath: string | null;
}

/** One emoji's reactions on a message. */
export interface SourceReaction {
  /** Short name without colons, skin tone kept as Slack writes it: `+1`, `+1::skin-tone-3`, `party_parrot`. */
  emoji: string;
  /** Source user ids (Slack ids / Mattermost usernames), in the export's order. */
  userIds: string[];
}

/** One message of a channel. */
export interface SourceMessage {
  /**
   * Unique and stable within the channel across readings of the same export (Slack `ts`;
   * Mattermost: derived from the post's time, author and position). Replies name their root by it.
   */
  id: string;
  /** Epoch milliseconds (Slack `ts` truncated to ms; Mattermost `create_at`). */
  time: number;
  /** Source user id of the author, or null (bot messages without a user). */
  userId: string | null;
  /** A name to show when there is no user or it is unknown (`username` of a bot message, `user_profile`). */
  authorName: string | null;
  /** The id of the thread root this message replies to; null for roots and unthreaded messages. */
  threadId: string | null;
  /** Source subtype as written (`channel_join`, `bot_message`, `tombstone`, …); null for a plain message. */
  subtype: string | null;
  text: string;
  markup: SourceMarkup;
  files: SourceFile[];
  reactions: SourceReaction[];
  /** The text was edited at the source (the export holds the final text). */
  edited: boolean;
}
