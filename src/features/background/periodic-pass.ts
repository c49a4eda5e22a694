import type { Logger } from '../../log/logger';

export interface PeriodicPassOptions {
  /** One pass of the task; its rejection is logged as `failure`. */
  pass: () => Promise<unknown>;
  /** Time between two passes. */
  periodMs: number;
  /** Also one pass at start-up, after the current turn of the event loop (the server is already listening). */
  atStart: boolean;
  logger: Logger;
  /** The log message of a failed pass, e.g. `reminder check failed`. */
  failure: string;
}

/**
 * The timers of a background task: a pass every `periodMs`, optionally one at start-up, a failed
 * pass logged and never thrown (a timer callback has nobody to throw to). The timers are unref'd so
 * they never keep the process alive on their own.
 */
export class PeriodicPass {
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: PeriodicPassOptions) {}

  /** Arms the timers (again, after a stop). */
  start(): void {
    const { pass, periodMs, atStart, logger, failure } = this.options;
    const run = () => void pass().catch((err) => logger.error({ err: { message: (err as Error).message } }, failure));
    this.timers = atStart ? [setTimeout(run, 0), setInterval(run, periodMs)] : [setInterval(run, periodMs)];
    for (const t of this.timers) t.unref();
  }

  /** Disarms the timers; a pass under way is not waited for here (the task knows whether to). */
  stop(): void {
    for (const t of this.timers) clearTimeout(t); // clears intervals too
    this.timers = [];
  }
}
