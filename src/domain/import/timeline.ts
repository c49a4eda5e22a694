/**
 * The dating of one target thread's messages as they are sent, in order: each gets its own
 * millisecond, later than the previous one (Graph: unique per thread, 409 otherwise) and later than
 * the thread's creation date; a message too old or in the future is skipped and says why, and so
 * are the replies of a root that was skipped for its time. The planner and the runner use the same
 * timeline, so the plan's counts are what the run does.
 */

import { importTime, timeSkipReason } from './import-rules';
import type { PlannedItem } from './planned-stream';

export type TimeDecision = { send: true; timeMs: number } | { send: false; reason: string };

export class ThreadTimeline {
  private previousMs: number | null;
  private readonly rootsSkipped = new Set<string>();

  constructor(
    private readonly threadCreatedMs: number,
    private readonly nowMs: number,
    /** The time of the last message already sent (a resumed run), if any. */
    previousMs: number | null = null,
  ) {
    this.previousMs = previousMs;
  }

  /** When `item` is sent, or why it is not. Call `sent` with the time actually used. */
  decide(item: PlannedItem): TimeDecision {
    if (item.kind === 'skipped') return { send: false, reason: item.reason };
    if (item.parentSourceId !== null && this.rootsSkipped.has(item.parentSourceId)) {
      return { send: false, reason: "its thread's first message was not imported (older than the channel's migration date)" };
    }
    const timeMs = importTime(item.message.time, this.previousMs);
    const tooOld = timeSkipReason(timeMs, this.threadCreatedMs, this.nowMs);
    if (tooOld) {
      if (item.parentSourceId === null) this.rootsSkipped.add(item.message.id);
      return { send: false, reason: tooOld };
    }
    return { send: true, timeMs };
  }

  /** Records the time a message went out with (possibly moved on after a clash). */
  sent(timeMs: number): void {
    this.previousMs = this.previousMs === null ? timeMs : Math.max(this.previousMs, timeMs);
  }
}
