import type { Logger } from '../../log/logger';
import type { PendingOperationStore } from '../../store/ports/pending-operations';

const DAY_MS = 86_400_000;

/**
 * Keeps the pending-operation table from growing for ever: once a day (and at start-up) it deletes
 * confirmations whose card expired more than `retentionDays` ago and that are not running. Until
 * then a press on an old card still answers with its result; afterwards with "unknown
 * confirmation, run the command again". The audit ledger is never pruned.
 */
export class PendingRetention {
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly deps: { store: PendingOperationStore; logger: Logger; retentionDays: number }) {}

  start(): void {
    if (this.deps.retentionDays <= 0) return;
    const run = () => void this.prune().catch((err) => this.deps.logger.error({ err: { message: (err as Error).message } }, 'pruning expired confirmations failed'));
    this.timers = [setTimeout(run, 0), setInterval(run, DAY_MS)];
    for (const t of this.timers) t.unref();
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  /** Deletes what expired more than `retentionDays` before `now`; returns how many. */
  async prune(now: Date = new Date()): Promise<number> {
    if (this.deps.retentionDays <= 0) return 0;
    const deleted = await this.deps.store.prunePending(new Date(now.getTime() - this.deps.retentionDays * DAY_MS).toISOString());
    if (deleted > 0) this.deps.logger.info({ deleted, retentionDays: this.deps.retentionDays }, 'pruned expired confirmations');
    return deleted;
  }
}
