import type { AdaptiveCardJson } from '../../cards/renderer';
import type { Messenger } from '../shared/conversation';
import type { Logger } from '../../log/logger';

/** Least time between the last progress update (or the confirmation) and the final summary. */
const FINAL_GAP_MS = 1000;

/** Where the progress card lives and how often it may change. */
export interface ProgressReporterOptions {
  /** Sends and replaces the card outside any turn (the Teams edge implements it). */
  messenger: Messenger;
  /** The conversation the job was confirmed in (`Conversation.reference`, kept on the job). */
  reference: Record<string, unknown>;
  /** The card to update in place; null sends a new message the first time and keeps its id. */
  activityId: string | null;
  intervalMs: number;
  logger: Logger;
  jobId: string;
  /** Remembers the id of a newly sent progress message (so a resumed job updates the same one). */
  onActivityId: (activityId: string) => Promise<void>;
}

/**
 * Keeps one progress card up to date, in place, through the Messenger port's proactive
 * `showCard` (the job runs after the turn that started it has ended, possibly in
 * another process after a restart). At most one update per `intervalMs`, counted from the
 * confirmation itself so an update never races the card the confirming turn returned; bursts of
 * changes collapse into one update. Connector failures are logged, never fatal to the job.
 */
export class ProgressReporter {
  private lastSentAt: number;
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();
  private activityId: string | null;
  private release: (() => void) | null = null;
  private flushed = false;
  private closed = false;

  constructor(private opts: ProgressReporterOptions) {
    this.lastSentAt = Date.now();
    this.activityId = opts.activityId;
  }

  /** The card now lives elsewhere (a job confirmed again from another card): updates go there from now on. */
  moveTo(reference: Record<string, unknown>, activityId: string | null): void {
    this.opts.reference = reference;
    this.activityId = activityId;
  }

  /** The job moved on: schedule an update with `render()` unless one is already due. */
  changed(render: () => AdaptiveCardJson): void {
    if (this.timer || this.closed || this.flushed) return;
    const delay = Math.max(0, this.lastSentAt + this.opts.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.enqueue(render);
    }, delay);
    this.timer.unref();
  }

  /**
   * The final summary replaces the card one last time, without waiting out the whole interval:
   * one second after the previous update (or the confirmation) is within Teams' update limits and
   * leaves the confirming turn time to return its card first. A `flush` sends it at once.
   */
  async final(render: () => AdaptiveCardJson): Promise<void> {
    this.cancelTimer();
    await this.sending;
    const delay = Math.max(0, this.lastSentAt + Math.min(this.opts.intervalMs, FINAL_GAP_MS) - Date.now());
    if (delay > 0 && !this.flushed) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        t.unref();
        this.release = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.release = null;
    }
    this.closed = true;
    this.enqueue(render);
    await this.sending;
  }

  /** Shutdown: drop pending intermediate updates and send a waiting final summary right away. */
  flush(): void {
    this.flushed = true;
    this.cancelTimer();
    this.release?.();
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private enqueue(render: () => AdaptiveCardJson): void {
    this.sending = this.sending.then(() => this.send(render())).catch(() => undefined);
  }

  private async send(card: AdaptiveCardJson): Promise<void> {
    this.lastSentAt = Date.now();
    try {
      const shownAs = await this.opts.messenger.showCard(this.opts.reference, card, this.activityId);
      // The first card of a job confirmed without one is a new message: remember it for the updates.
      if (!this.activityId && shownAs) {
        this.activityId = shownAs;
        await this.opts.onActivityId(shownAs);
      }
    } catch (err) {
      this.opts.logger.warn({ jobId: this.opts.jobId, err: { message: (err as Error)?.message } }, 'could not update a progress card');
    } finally {
      this.lastSentAt = Date.now();
    }
  }
}
