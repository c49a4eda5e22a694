/**
 * The threads the bot acts on, and the part of them migration changes. Pure: shared by the domain
 * rules, the Graph port and the store.
 */

/** A thread the bot can put into migration mode. */
export type TargetRef =
  { kind: 'channel'; teamId: string; channelId: string; displayName?: string; teamName?: string } | { kind: 'chat'; chatId: string; displayName?: string };

/** Stable key of a target, used to index the ledger: `channel:{teamId}:{channelId}` or `chat:{chatId}`. */
export function targetKey(target: TargetRef): string {
  return target.kind === 'channel' ? `channel:${target.teamId}:${target.channelId}` : `chat:${target.chatId}`;
}

export interface Actor {
  aadObjectId: string | null;
  name: string | null;
}

/** Thread dates and mode as read from Graph, before or after an action. */
export interface ThreadSnapshot {
  createdDateTime: string | null;
  originalCreatedDateTime: string | null;
  migrationMode: 'inProgress' | 'completed' | null;
}

/** How a target is named to an admin: `Team › Channel`, or the chat's topic. */
export function targetDisplayName(target: TargetRef): string {
  return target.kind === 'channel' ? `${target.teamName ?? target.teamId} › ${target.displayName ?? target.channelId}` : (target.displayName ?? target.chatId);
}

export type MigrationMode = 'inProgress' | 'completed' | null;

/** The part of a channel or chat that migration changes, as recorded in the ledger. */
export function snapshotOf(thread: {
  createdDateTime?: string | null;
  originalCreatedDateTime?: string | null;
  /** As Graph sends it: anything but the two known modes reads as none. */
  migrationMode?: string | null;
}): ThreadSnapshot {
  const mode = thread.migrationMode === 'inProgress' || thread.migrationMode === 'completed' ? thread.migrationMode : null;
  return {
    createdDateTime: thread.createdDateTime ?? null,
    originalCreatedDateTime: thread.originalCreatedDateTime ?? null,
    migrationMode: mode,
  };
}

/** The part of a resolved channel or chat that says what kind of thread it is. */
export type ThreadKindFacts = { kind: 'channel'; channel: { membershipType?: string | null } } | { kind: 'chat'; chat: { chatType?: string | null } };

/** What kind of thread this is, in an admin's words: `private channel`, `meeting chat`… */
export function threadKindLabel(target: ThreadKindFacts): string {
  if (target.kind === 'channel') return `${target.channel.membershipType ?? 'standard'} channel`;
  const t = target.chat.chatType;
  return t === 'oneOnOne' ? 'one-on-one chat' : t === 'meeting' ? 'meeting chat' : 'group chat';
}
