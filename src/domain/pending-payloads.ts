/**
 * What a confirmation card promised, kept on the server under an opaque id until Confirm: one
 * typed payload per single-thread pending kind, written by its flow and read back — by the flow on
 * Confirm and by the recovery of interrupted confirmations — through one checked reader each.
 */
import { targetDisplayName, type TargetRef, type ThreadSnapshot } from './targets';

/** A confirmed start: the target, how it was named on the card, the date asked for, the thread as shown. */
export type StartPayload = {
  target: TargetRef;
  targetName: string;
  targetKind: string;
  /** The requested creation date, or null to keep the current one. */
  conversationCreationDateTime: string | null;
  /** The thread as the pre-flight saw it (the ledger's "before"); null in payloads stored before it was kept. */
  before: ThreadSnapshot | null;
};

/** A confirmed completion: the target and how it was named on the card. */
export type CompletePayload = {
  target: TargetRef;
  targetName: string;
  targetKind: string;
};

/** A JSON object (not null, not an array): what a stored payload must be before its fields are read. */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A stored target: a channel (team and channel ids) or a chat (chat id), names optional. */
function readTarget(v: unknown): TargetRef | null {
  if (!isRecord(v)) return null;
  if (v.kind === 'channel' && typeof v.teamId === 'string' && typeof v.channelId === 'string') return v as TargetRef;
  if (v.kind === 'chat' && typeof v.chatId === 'string') return v as TargetRef;
  return null;
}

/**
 * The fields both payloads share, or null when the stored value holds no target. The name and kind
 * only word the cards: missing in an older or hand-made record, they fall back to the target's own
 * name and "thread" rather than leaving the operation unsettled.
 */
function readCommon(raw: unknown): (CompletePayload & { rest: Record<string, unknown> }) | null {
  if (!isRecord(raw)) return null;
  const target = readTarget(raw.target);
  if (!target) return null;
  const targetName = typeof raw.targetName === 'string' ? raw.targetName : targetDisplayName(target);
  const targetKind = typeof raw.targetKind === 'string' ? raw.targetKind : 'thread';
  return { target, targetName, targetKind, rest: raw };
}

/**
 * Reads back a stored start payload: null when it is not one (the store is shared and outlives
 * versions, so it is checked, never cast). A missing date means "unchanged"; a missing snapshot,
 * from before it was kept, reads as null.
 */
export function readStartPayload(raw: unknown): StartPayload | null {
  const common = readCommon(raw);
  if (!common) return null;
  const { rest, ...named } = common;
  const since = rest.conversationCreationDateTime;
  if (since !== undefined && since !== null && typeof since !== 'string') return null;
  return { ...named, conversationCreationDateTime: since ?? null, before: isRecord(rest.before) ? (rest.before as unknown as ThreadSnapshot) : null };
}

/** Reads back a stored complete payload: null when it is not one. */
export function readCompletePayload(raw: unknown): CompletePayload | null {
  const common = readCommon(raw);
  if (!common) return null;
  const { rest: _rest, ...named } = common;
  return named;
}

/** A single-thread pending operation's payload, tagged with its kind. */
export type SingleThreadPayload = { kind: 'start'; payload: StartPayload } | { kind: 'complete'; payload: CompletePayload };

/**
 * Reads back the payload of a `start` or `complete` pending operation by its kind; null for any
 * other kind or a payload that is not one of ours.
 */
export function readSingleThreadPayload(kind: string, raw: unknown): SingleThreadPayload | null {
  if (kind === 'start') {
    const payload = readStartPayload(raw);
    return payload && { kind, payload };
  }
  if (kind === 'complete') {
    const payload = readCompletePayload(raw);
    return payload && { kind, payload };
  }
  return null;
}
