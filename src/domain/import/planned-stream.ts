/**
 * A source channel's messages as the import will treat them, in the order they are sent: each gets
 * a `seq` (its row in the job), roots and replies are told apart, channel events and empty
 * messages are marked skipped, and a reply whose root is gone (deleted, missing from the export, or
 * not importable) gets a placeholder root just before it, once per thread, so it keeps a thread.
 * Deterministic: the same export always yields the same items with the same seqs, which is what
 * lets a killed run resume by seq.
 */

import { contentSkipReason, DELETED_ROOT_TEXT, isDeletedRoot } from './import-rules';
import type { SourceMessage } from './source-model';

export type PlannedItem =
  | { seq: number; kind: 'root' | 'reply'; message: SourceMessage; parentSourceId: string | null }
  | { seq: number; kind: 'placeholder'; message: SourceMessage; parentSourceId: null }
  | { seq: number; kind: 'skipped'; message: SourceMessage; parentSourceId: string | null; reason: string };

/** The export contradicts itself in a way the import cannot carry over faithfully; the message says how. */
export class SourceProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceProblem';
  }
}

/** Earliest and latest times a message may carry (JavaScript dates cover ±8.64e15 ms; exports are after 1970). */
const LATEST_MS = Date.UTC(9999, 11, 31);

/** Why a message cannot be planned (a repeated id, a time that is not a date), or null. */
function sourceMessageProblem(message: SourceMessage, seen: ReadonlySet<string>): string | null {
  if (seen.has(message.id) || message.id.startsWith('placeholder:')) {
    return `The export holds two messages with the id "${message.id.slice(0, 80)}" in one channel, so the import could not tell them apart; export the workspace again.`;
  }
  if (!Number.isSafeInteger(message.time) || message.time < 0 || message.time > LATEST_MS) {
    return `The message "${message.id.slice(0, 80)}" has a time that is not a date (${String(message.time).slice(0, 30)}); export the workspace again.`;
  }
  return null;
}

/** The source id of the placeholder root made for a thread whose root is gone. */
export function placeholderId(threadId: string): string {
  return `placeholder:${threadId}`;
}

function placeholderFor(reply: SourceMessage, threadId: string): SourceMessage {
  return { ...reply, id: placeholderId(threadId), threadId: null, subtype: 'tombstone', text: DELETED_ROOT_TEXT, files: [], reactions: [], edited: false };
}

/**
 * Plans one channel. Holds only the set of root ids seen so far in this channel (a reply's root
 * always comes before it), never the messages themselves.
 */
export async function* plannedStream(messages: AsyncIterable<SourceMessage>): AsyncGenerator<PlannedItem> {
  /** Root id → the id replies go under (itself, or its placeholder). Absent: not importable. */
  const roots = new Map<string, string>();
  /** Every id seen: a repeated id would make a resumed run (and replies) find the wrong message. */
  const seen = new Set<string>();
  let seq = 0;
  for await (const message of messages) {
    const problem = sourceMessageProblem(message, seen);
    if (problem) throw new SourceProblem(problem);
    seen.add(message.id);
    if (message.threadId === null) {
      if (isDeletedRoot(message)) {
        roots.set(message.id, message.id);
        yield { seq: seq++, kind: 'placeholder', message: { ...message, text: DELETED_ROOT_TEXT, files: [], reactions: [] }, parentSourceId: null };
        continue;
      }
      const skip = contentSkipReason(message);
      if (skip) {
        yield { seq: seq++, kind: 'skipped', message, parentSourceId: null, reason: skip };
        continue;
      }
      roots.set(message.id, message.id);
      yield { seq: seq++, kind: 'root', message, parentSourceId: null };
      continue;
    }
    const skip = contentSkipReason(message);
    if (skip) {
      yield { seq: seq++, kind: 'skipped', message, parentSourceId: message.threadId, reason: skip };
      continue;
    }
    let parent = roots.get(message.threadId);
    if (parent === undefined) {
      const placeholder = placeholderFor(message, message.threadId);
      parent = placeholder.id;
      roots.set(message.threadId, parent);
      yield { seq: seq++, kind: 'placeholder', message: placeholder, parentSourceId: null };
    }
    yield { seq: seq++, kind: 'reply', message, parentSourceId: parent };
  }
}
