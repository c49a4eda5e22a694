import type { Logger } from '../../log/logger';
import type { BudgetSpec, Pacer } from './pacer';

/** One Graph request's worth of work, with the budgets it draws from. */
export interface WorkUnit {
  budgets: BudgetSpec[];
  /**
   * Does the work; calls `answered` as soon as Graph's response is in, so the budgets' slots are
   * handed back before the bookkeeping that follows (they are handed back at the end otherwise).
   */
  run: (answered: () => void) => Promise<void>;
}

/**
 * What a source has to offer right now: a unit to run, how long until it may have one, or
 * nothing until something it waits on finishes (`null`; the scheduler is woken on every release).
 */
export type Offer = { unit: WorkUnit } | { waitMs: number } | null;

/** A bulk job as the scheduler sees it: something that hands out units when budgets allow. */
export interface WorkSource {
  /** Called with the pacer's view of the budgets; must mark whatever it returns as taken. */
  offer(pacer: Pacer): Offer;
}

/**
 * Runs the units of every active job (bulk starts and completes, imports), round-robin across jobs, each the moment the pacer
 * allows its request — in the background, never inside a turn. Units run concurrently (up to what
 * the budgets allow); the scheduler sleeps until the earliest moment any source can proceed or a
 * request comes back. `stop` stops handing out work and waits for the units in flight.
 */
export class WorkScheduler {
  private sources: WorkSource[] = [];
  private next = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private pumping = false;

  constructor(
    private readonly pacer: Pacer,
    private readonly logger: Logger,
  ) {
    pacer.onRelease(() => this.wake());
  }

  /** Starts handing out the source's units. */
  add(source: WorkSource): void {
    if (this.stopping) return;
    this.sources.push(source);
    this.wake();
  }

  /** Stops asking the source for work (it finished or was cancelled). */
  remove(source: WorkSource): void {
    const i = this.sources.indexOf(source);
    if (i >= 0) {
      this.sources.splice(i, 1);
      if (this.next > i) this.next--;
    }
  }

  /** Something changed (a unit finished, a job was added): look for work again, soon. */
  wake(): void {
    if (this.stopping) return;
    // Coalesce bursts of wake-ups into one pass on the next tick.
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.pumping = false;
    if (this.stopping) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    let minWait: number;
    for (;;) {
      minWait = Number.POSITIVE_INFINITY;
      let dispatched = false;
      const n = this.sources.length;
      for (let i = 0; i < n && !dispatched; i++) {
        const idx = (this.next + i) % n;
        const offer = this.sources[idx].offer(this.pacer);
        if (offer && 'unit' in offer) {
          this.dispatch(offer.unit);
          this.next = (idx + 1) % Math.max(1, this.sources.length);
          dispatched = true;
        } else if (offer) {
          minWait = Math.min(minWait, offer.waitMs);
        }
      }
      if (!dispatched) break;
    }
    if (Number.isFinite(minWait)) {
      this.timer = setTimeout(() => this.pump(), Math.max(1, Math.ceil(minWait)));
      this.timer.unref();
    }
  }

  private dispatch(unit: WorkUnit): void {
    const ticket = this.pacer.take(unit.budgets);
    const answered = () => this.pacer.release(ticket);
    const done: Promise<void> = unit
      .run(answered)
      .catch((err) => this.logger.error({ err: { message: (err as Error)?.message } }, 'bulk work unit failed unexpectedly'))
      .finally(() => {
        this.inFlight.delete(done);
        this.pacer.release(ticket);
        // The unit may have left its item ready for another step (a read, a retry).
        this.wake();
      });
    this.inFlight.add(done);
  }

  /** Number of requests running now. */
  get running(): number {
    return this.inFlight.size;
  }

  /** Hands out no more work and resolves once every unit in flight has finished. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
