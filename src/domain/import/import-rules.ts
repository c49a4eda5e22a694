/**
 * The rules that decide what of a source channel is imported, and when each message is dated:
 * channel events are skipped, empty messages too, messages older than the thread's migration date
 * or in the future are skipped and listed, and sent messages get unique, increasing milliseconds
 * (Graph answers 409 to a second message at the same millisecond of a thread, spec §9).
 */

import type { SourceMessage } from './source-model';

/** Channel housekeeping events: counted, never imported. */
export const SKIPPED_EVENT_SUBTYPES: ReadonlySet<string> = new Set(['channel_join', 'channel_leave', 'channel_topic', 'channel_purpose', 'channel_name']);

/** Why a message is not imported whatever its time, or null when it is importable. */
export function contentSkipReason(message: SourceMessage): string | null {
  if (message.subtype && SKIPPED_EVENT_SUBTYPES.has(message.subtype)) return `channel event (${message.subtype})`;
  if (message.subtype === 'tombstone') return null;
  if (!message.text.trim() && message.files.length === 0) return 'empty message (no text, no files)';
  return null;
}

/** A root the source kept only to hold replies (Slack `tombstone`): imported as a placeholder. */
export function isDeletedRoot(message: SourceMessage): boolean {
  return message.subtype === 'tombstone';
}

/** What a placeholder root says, for a deleted or missing thread root. */
export const DELETED_ROOT_TEXT = 'This message was deleted.';

/**
 * The time a message is sent with: its own millisecond, moved just past the previous message of
 * the thread when that one is as late or later (colliding milliseconds; order kept).
 */
export function importTime(sourceMs: number, previousMs: number | null): number {
  return previousMs === null ? sourceMs : Math.max(sourceMs, previousMs + 1);
}

/**
 * The `conversationCreationDateTime` a target is started with: one second before the oldest message
 * it will receive, and never later than one second before the thread's current creation date (Graph
 * only moves it back in time).
 */
export function migrationDateFor(oldestMessageMs: number, threadCreatedDateTime: string | null): string {
  const created = threadCreatedDateTime ? Date.parse(threadCreatedDateTime) : Number.NaN;
  const ms = Number.isFinite(created) ? Math.min(oldestMessageMs, created) - 1000 : oldestMessageMs - 1000;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

/** Why a message cannot be imported at `timeMs` into a thread created at `threadCreatedMs`, or null. */
export function timeSkipReason(timeMs: number, threadCreatedMs: number, nowMs: number): string | null {
  if (timeMs <= threadCreatedMs) return `older than the channel's migration date (${new Date(threadCreatedMs).toISOString()})`;
  if (timeMs > nowMs) return 'dated in the future';
  return null;
}

/** How many times a message is moved on by a millisecond when Graph reports a clash at its time. */
export const MAX_TIME_SHIFTS = 20;
