import type { Logger } from '../../log/logger';

/**
 * Work the bot does on its own schedule, outside any turn (reminders, settling interrupted
 * confirmations, pruning old ones). The composition root starts every task once the server listens
 * and stops them on shutdown, before the store closes.
 */
export interface BackgroundTask {
  /** Says which task a logged start or stop failure was, e.g. `reminders`. */
  readonly name: string;
  /** Arms the task's timers; a pass that fails later is logged by the task, never thrown. */
  start(): void;
  /** Disarms the timers and resolves once a pass under way (if the task waits for one) has ended. */
  stop(): Promise<void>;
}

/**
 * Runs a set of background tasks behind one lifecycle: `start` starts them in order, `stop` stops
 * them in reverse order. One task's failure to start or stop is logged and does not keep the others
 * from starting or stopping, so a shutdown always reaches the store's close.
 */
export class BackgroundTasks {
  constructor(
    private readonly tasks: readonly BackgroundTask[],
    private readonly logger: Logger,
  ) {}

  /** Starts every task; one that throws is logged and the rest still start. */
  start(): void {
    for (const task of this.tasks) {
      try {
        task.start();
      } catch (err) {
        this.logger.error({ task: task.name, err: { message: (err as Error)?.message } }, 'background task could not start');
      }
    }
  }

  /** Stops every task, last started first; one that fails is logged and the rest still stop. */
  async stop(): Promise<void> {
    for (const task of [...this.tasks].reverse()) {
      try {
        await task.stop();
      } catch (err) {
        this.logger.error({ task: task.name, err: { message: (err as Error)?.message } }, 'background task could not stop');
      }
    }
  }
}
