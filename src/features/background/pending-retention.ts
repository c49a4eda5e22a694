import type { Logger } from '../../log/logger';
import type { PendingOperationStore } from '../../store/ports/pending-operations';
import type { BackgroundTask } from './background-task';
import { PeriodicPass } from './periodic-pass';

const DAY_MS = 86_400_000;

export interface PendingRetentionDeps {
  store: PendingOperationStore;
  logger: Logger;
  /** PENDING_RETENTION_DAYS; 0 or less keeps every confirmation. */
  retentionDays: number;
}

/**
 * Keeps the pending-operation table from growing for ever: once a day (and at start-up) it deletes
 * confirmations whose card expired more than `retentionDays` ago and that are not running. Until
 * then a press on an old card still answers with its result; afterwards with "unknown
 * confirmation, run the command again". The audit ledger is never pruned.
 */
export class PendingRetention implements BackgroundTask {
  readonly name = 'pending retention';
  private readonly timers: PeriodicPass;

  constructor(private readonly deps: PendingRetentionDeps) {
    this.timers = new PeriodicPass({
      pass: () => this.prune(),
      periodMs: DAY_MS,
      atStart: true,
      logger: deps.logger,
      failure: 'pruning expired confirmations failed',
    });
  }

  start(): void {
    if (this.deps.retentionDays <= 0) return;
    this.timers.start();
  }

  /** A prune under way is not waited for: it is one delete, and deleting less is harmless. */
  async stop(): Promise<void> {
    this.timers.stop();
  }

  /** Deletes what expired more than `retentionDays` before `now`; returns how many. */
  async prune(now: Date = new Date()): Promise<number> {
    if (this.deps.retentionDays <= 0) return 0;
    const deleted = await this.deps.store.prunePending(new Date(now.getTime() - this.deps.retentionDays * DAY_MS).toISOString());
    if (deleted > 0) this.deps.logger.info({ deleted, retentionDays: this.deps.retentionDays }, 'pruned expired confirmations');
    return deleted;
  }
}
