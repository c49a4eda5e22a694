/**
 * Shapes of the ids admins paste and the bot puts into Graph paths: defined once, here. Anything
 * else is refused before any Graph call (the Graph adapter's path builder, `graph/graph-ids`,
 * checks the same shapes).
 */

/**
 * The kinds of id, each with the one definition of what it may look like before it is put into a Graph path.
 * `encodeURIComponent` keeps `.` and `..` as they are, so a path segment is only safe when the id
 * itself has its exact shape: anything else is refused here and never reaches Graph.
 */
export type GraphIdKind = 'team' | 'user' | 'userRef' | 'tenant' | 'channel' | 'chat' | 'message' | 'driveObject';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The opaque part of a thread id: letters, digits and `_ - . =` only, never a slash, `%`, `?`, `#` or space. */
const OPAQUE = '[A-Za-z0-9_\\-.=]{1,200}';
/** Channel thread ids: `19:<opaque>@thread.tacv2` (or the older `@thread.skype`). */
const CHANNEL_ID = new RegExp(`^19:${OPAQUE}@thread\\.(tacv2|skype)$`);
/**
 * Chat ids: group `19:<opaque>@thread.v2`, meeting `19:meeting_<opaque>@thread.v2`, one-on-one
 * `19:<guid>_<guid>@unq.gbl.spaces`, and older `@thread.skype` chats.
 */
const CHAT_ID = new RegExp(`^19:${OPAQUE}@(thread\\.v2|unq\\.gbl\\.spaces|thread\\.skype)$`);
/**
 * A sign-in name (UPN) as Entra allows it (guests' `#EXT#` included); the `@` means it can never
 * be a dot segment, and `encodeURIComponent` turns `#` into `%23`.
 */
const UPN = /^[A-Za-z0-9._'!#^~+-]{1,64}@[A-Za-z0-9.-]{1,190}$/;
/** Teams message ids are decimal numbers (milliseconds since the epoch, made unique by Teams). */
const MESSAGE_ID = /^[0-9]{1,24}$/;
/** Drive and drive item ids: `b!…` drive ids and `01…` item ids, letters, digits, `!`, `_`, `-` only. */
const DRIVE_OBJECT_ID = /^[A-Za-z0-9!_-]{1,200}$/;

interface Shape {
  test: (value: string) => boolean;
  /** What the id is, as the admin reads it. */
  what: string;
  /** What a good one looks like. */
  example: string;
}

const SHAPES: Record<GraphIdKind, Shape> = {
  team: { test: (v) => GUID.test(v), what: 'team id', example: 'a GUID such as 8c7e0b0e-2f1a-4c3d-9e5f-1a2b3c4d5e6f' },
  user: { test: (v) => GUID.test(v), what: 'Entra object id (aadObjectId)', example: 'a GUID such as 8c7e0b0e-2f1a-4c3d-9e5f-1a2b3c4d5e6f' },
  userRef: { test: (v) => GUID.test(v) || UPN.test(v), what: 'user (object id or sign-in name)', example: 'a GUID or a sign-in name such as name@contoso.com' },
  tenant: { test: (v) => GUID.test(v), what: 'tenant id', example: 'a GUID such as 8c7e0b0e-2f1a-4c3d-9e5f-1a2b3c4d5e6f' },
  channel: { test: (v) => CHANNEL_ID.test(v), what: 'channel id', example: '19:…@thread.tacv2' },
  chat: { test: (v) => CHAT_ID.test(v), what: 'chat id', example: '19:…@thread.v2 or 19:…_…@unq.gbl.spaces' },
  message: { test: (v) => MESSAGE_ID.test(v), what: 'message id', example: 'a number such as 1616965872395' },
  driveObject: { test: (v) => DRIVE_OBJECT_ID.test(v), what: 'drive or file id', example: 'an id such as b!x1y2z3 or 01ABCDEF' },
};

/** True when `value` has the exact shape of a `kind` id. */
export function isGraphId(kind: GraphIdKind, value: unknown): value is string {
  return typeof value === 'string' && SHAPES[kind].test(value);
}

/** How a malformed id is shown: quoted, bounded, with control characters made visible. */
function shown(value: unknown): string {
  if (typeof value !== 'string') return `(${value === null ? 'null' : typeof value})`;
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/** The admin-facing sentence for a malformed id: which id it was, and what a good one looks like. */
export function malformedIdMessage(kind: GraphIdKind, value: unknown): string {
  const shape = SHAPES[kind];
  return `The ${shape.what} ${shown(value)} is malformed, so nothing was sent to Microsoft Graph. It should be ${shape.example}.`;
}

/** Convenience checks for the parsers: a GUID (team, user or tenant id), a channel, chat or user reference. */
export const isGuid = (s: string): boolean => isGraphId('team', s);
export const isChannelId = (s: string): boolean => isGraphId('channel', s);
export const isChatId = (s: string): boolean => isGraphId('chat', s);
export const isUserRef = (s: string): boolean => isGraphId('userRef', s);

/** An import job id as the import engine makes it (a GUID-shaped hash), checked loosely: what typed commands and card data may name. */
export function isImportJobId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value);
}
