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
  let seq = 0;
  for await (const message of messages) {
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
