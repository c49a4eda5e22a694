/** One rate a Graph request draws from: a key (tenant, team, thread) and its requests per second. */
export interface BudgetSpec {
  key: string;
  perSecond: number;
}

/** A slot taken for one request; hand it back with `release` when the response is in. */
export interface Ticket {
  readonly budgets: readonly BudgetSpec[];
  released: boolean;
}

interface BudgetState {
  capacity: number;
  windowMs: number;
  /** Requests sent and not yet answered: their slot is busy until they finish. */
  inFlight: number;
  /** Times at which slots of finished requests become free again, ascending. */
  freeAt: number[];
  /** No request before this time (a `Retry-After` we were given). */
  blockedUntil: number;
}

/** A rate of r/s as a sliding window: at least one slot; rates below 1/s get a longer window. */
export function windowShape(perSecond: number): { capacity: number; windowMs: number } {
  const capacity = Math.max(1, Math.floor(perSecond));
  return { capacity, windowMs: (capacity / perSecond) * 1000 };
}

/**
 * Client-side pacing of Graph requests against per-key sliding windows (spec §5: per app per
 * tenant, per team, per channel). A slot is busy from the moment a request is sent until one
 * window after its answer arrived: Graph counts the request somewhere between those two instants,
 * so by then the server's window has certainly moved past it too. That keeps bulk work at the
 * published ceiling without the 429s that sending "on time" by the client's clock would provoke.
 * Pure timing, no I/O: the scheduler asks `waitFor`, then `take`s and later `release`s a ticket.
 */
export class Pacer {
  private readonly states = new Map<string, BudgetState>();
  private readonly releaseListeners: (() => void)[] = [];

  constructor(
    /** Extra spacing after a window, for clock granularity. */
    private readonly marginMs = 2,
    private readonly now: () => number = Date.now,
  ) {}

  private state(spec: BudgetSpec): BudgetState {
    const { capacity, windowMs } = windowShape(spec.perSecond);
    let s = this.states.get(spec.key);
    if (!s) {
      s = { capacity, windowMs, inFlight: 0, freeAt: [], blockedUntil: 0 };
      this.states.set(spec.key, s);
    } else if (s.capacity !== capacity || s.windowMs !== windowMs) {
      s.capacity = capacity;
      s.windowMs = windowMs;
    }
    return s;
  }

  private prune(s: BudgetState, now: number): void {
    let drop = 0;
    while (drop < s.freeAt.length && s.freeAt[drop] <= now) drop++;
    if (drop > 0) s.freeAt.splice(0, drop);
  }

  /**
   * Milliseconds until a request drawing on every budget may be sent: 0 = now, `Infinity` = not
   * before a request in flight finishes (the scheduler is woken then).
   */
  waitFor(budgets: readonly BudgetSpec[]): number {
    const now = this.now();
    let wait = 0;
    for (const spec of budgets) {
      const s = this.states.get(spec.key);
      if (!s) continue;
      this.prune(s, now);
      if (s.inFlight === 0 && s.freeAt.length === 0 && s.blockedUntil <= now) {
        // Idle budgets are forgotten so a long-running bot does not keep one per channel ever touched.
        this.states.delete(spec.key);
        continue;
      }
      this.state(spec);
      let w = Math.max(0, s.blockedUntil - now);
      const over = s.inFlight + s.freeAt.length - s.capacity + 1;
      if (over > 0) w = Math.max(w, over > s.freeAt.length ? Number.POSITIVE_INFINITY : s.freeAt[over - 1] - now);
      wait = Math.max(wait, w);
    }
    return wait;
  }

  /** Takes a slot in every budget for a request about to be sent. */
  take(budgets: readonly BudgetSpec[]): Ticket {
    for (const spec of budgets) this.state(spec).inFlight++;
    return { budgets: [...budgets], released: false };
  }

  /** The request finished: each slot frees one window (plus margin) from now. */
  release(ticket: Ticket): void {
    if (ticket.released) return;
    ticket.released = true;
    const now = this.now();
    for (const spec of ticket.budgets) {
      const s = this.state(spec);
      s.inFlight = Math.max(0, s.inFlight - 1);
      const at = now + s.windowMs + this.marginMs;
      // Windows are equal per key, so appending keeps the list ascending; insert defensively otherwise.
      let i = s.freeAt.length;
      while (i > 0 && s.freeAt[i - 1] > at) i--;
      s.freeAt.splice(i, 0, at);
    }
    for (const listener of this.releaseListeners) listener();
  }

  /** Calls `listener` whenever a slot is handed back (a scheduler waiting on busy slots wakes up). */
  onRelease(listener: () => void): void {
    this.releaseListeners.push(listener);
  }

  /** Graph answered 429: send nothing on these budgets for `ms` (its `Retry-After`). */
  block(budgets: readonly BudgetSpec[], ms: number): void {
    const until = this.now() + Math.max(0, ms);
    for (const spec of budgets) {
      const s = this.state(spec);
      s.blockedUntil = Math.max(s.blockedUntil, until);
    }
  }

  /** Runs one request outside the scheduler (previews, confirm-time listings) within the budgets. */
  async run<T>(budgets: readonly BudgetSpec[], request: () => Promise<T>): Promise<T> {
    for (;;) {
      const wait = this.waitFor(budgets);
      if (wait === 0) break;
      // An unknown wait means every slot is in flight; poll briefly until one comes back.
      await new Promise((resolve) => setTimeout(resolve, Number.isFinite(wait) ? wait : 25));
    }
    const ticket = this.take(budgets);
    try {
      return await request();
    } finally {
      this.release(ticket);
    }
  }
}
