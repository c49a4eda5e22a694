import { parseCreationDate } from '../../domain/parse/dates';
import { isChannelId } from '../../domain/parse/ids';
import { isRecord } from '../../domain/pending-payloads';
import type { BulkKind, PlannedItem } from './bulk-plan';

/** The pending-operation kinds of bulk previews; a Confirm loads only these. */
export const BULK_KINDS: BulkKind[] = ['bulk-start', 'bulk-complete'];

/** What a bulk preview asks for; all of it came from a typed command or untrusted card data. */
export interface BulkAskArgs {
  team: string;
  since: string | null;
  excludePrivate?: boolean;
  /** Only these channels (the form's multi-select). */
  channelIds?: string[] | null;
  /** The pending operation of the preview this one replaces (toggling private channels). */
  replaces?: string | null;
}

/**
 * What the preview promised, kept on the server under the opaque operation id: Confirm acts on
 * this, never on the card's data, and a resumed job reads its time zone and "before" snapshots here.
 */
export interface BulkPayload {
  kind: BulkKind;
  teamId: string;
  teamName: string;
  /** Shown by `cancel`. */
  targetName: string;
  since: string | null;
  excludePrivate: boolean;
  channelIds: string[] | null;
  items: PlannedItem[];
  typedRequired: boolean;
  timeZone: string | null;
  [key: string]: unknown;
}

const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** A planned channel as stored: the fields the job and its cards read. */
function isPlannedItem(v: unknown): v is PlannedItem {
  return (
    isRecord(v) &&
    typeof v.channelId === 'string' &&
    typeof v.displayName === 'string' &&
    typeof v.membershipType === 'string' &&
    typeof v.run === 'boolean' &&
    isStringOrNull(v.note) &&
    isRecord(v.before)
  );
}

/**
 * Reads back a stored bulk preview (the store holds JSON written by this or an earlier version, so
 * it is checked, never cast): null when it is not one.
 */
export function readBulkPayload(raw: unknown): BulkPayload | null {
  if (!isRecord(raw)) return null;
  const { kind, teamId, teamName, targetName, since, excludePrivate, channelIds, items, typedRequired, timeZone } = raw;
  if (kind !== 'bulk-start' && kind !== 'bulk-complete') return null;
  if (typeof teamId !== 'string' || typeof teamName !== 'string' || typeof targetName !== 'string') return null;
  if (!isStringOrNull(since) || !isStringOrNull(timeZone ?? null) || typeof excludePrivate !== 'boolean' || typeof typedRequired !== 'boolean') return null;
  if (channelIds !== null && !(Array.isArray(channelIds) && channelIds.every((c) => typeof c === 'string'))) return null;
  if (!Array.isArray(items) || !items.every(isPlannedItem)) return null;
  return {
    ...raw,
    kind,
    teamId,
    teamName,
    targetName,
    since,
    excludePrivate,
    channelIds,
    items,
    typedRequired,
    timeZone: (timeZone as string | null | undefined) ?? null,
  };
}

/** What an admin reads when a stored bulk preview cannot be read back. */
export const UNREADABLE_BULK_PREVIEW = 'This bulk preview could not be read back, so nothing was started. Run the command again to get a new preview.';

/**
 * Reads the preview request from a typed command or a card's data; a message when it is unusable.
 * Everything is bounded here (team name length, number of channel ids, their shape) because the
 * card data is whatever the client sent.
 */
export function parseAskArgs(data: Record<string, unknown>): BulkAskArgs | string {
  const team = typeof data.team === 'string' ? data.team.trim() : '';
  if (!team || team.length > 256) return 'Name the team (1 to 256 characters), e.g. migrate team "Contoso Engineering" since 2020-01-01.';
  let since: string | null = null;
  if (typeof data.since === 'string' && data.since.trim()) {
    const parsed = parseCreationDate(data.since);
    if (!parsed.ok) return parsed.message;
    since = parsed.iso;
  } else if (data.since !== undefined && data.since !== null && data.since !== '') {
    return 'The date must be text such as 2020-01-01.';
  }
  let channelIds: string[] | null = null;
  const raw = data.channelIds;
  if (raw !== undefined && raw !== null && raw !== '') {
    const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : null;
    if (!list || list.length > 5000 || !list.every((id) => typeof id === 'string' && isChannelId(id.trim())))
      return 'The chosen channels are not valid channel ids. Open the form again.';
    channelIds = list.map((id) => (id as string).trim());
  }
  const replaces = typeof data.replaces === 'string' && data.replaces ? data.replaces : null;
  return { team, since, excludePrivate: data.excludePrivate === true || data.excludePrivate === 'true', channelIds, replaces };
}
