import type { RateLimits } from './types';

/** Defaults of spec §5 and §9 (message import): requests per second per app. */
export const DEFAULT_LIMITS: RateLimits = {
  enabled: true,
  perAppPerTenant: 30,
  channelsListPerAppPerTenant: 60,
  perAppPerTeam: 4,
  perAppPerThread: 1,
  importPerThread: 5,
};

/** One budget a request draws from: a key (e.g. app + team) and its rate in requests per second. */
export interface Budget {
  key: string;
  perSecond: number;
}

/** The throttling decision for one request. */
export type ThrottleDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Sliding-window rate limiter. A request passes when every budget it draws from has a free slot
 * in its window; it is then counted in all of them. A refused request is not counted, except when
 * it arrives before the Retry-After the caller was already given: like Graph, retrying early
 * extends the throttle. Retry-After is the real time until a slot frees up.
 */
export class RateLimiter {
  limits: RateLimits;
  private windows = new Map<string, number[]>();
  private blockedUntil = new Map<string, number>();

  constructor(limits: Partial<RateLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Changes limits (partial), keeping the windows. */
  set(limits: Partial<RateLimits>): void {
    this.limits = { ...this.limits, ...limits };
  }

  /** Forgets all windows (state reset between tests). */
  clear(): void {
    this.windows.clear();
    this.blockedUntil.clear();
  }

  /** Decides whether a request drawing on `budgets` may pass now, and counts it if so. */
  take(budgets: Budget[], now: number = Date.now()): ThrottleDecision {
    if (!this.limits.enabled) return { ok: true };
    const active = budgets.filter((b) => Number.isFinite(b.perSecond) && b.perSecond > 0);
    let waitMs = 0;
    const refusing: Budget[] = [];
    for (const b of active) {
      const { capacity, windowMs } = shape(b.perSecond);
      const stamps = this.prune(b.key, now, windowMs);
      const early = now < (this.blockedUntil.get(b.key) ?? 0);
      if (early) stamps.push(now);
      if (stamps.length >= capacity + (early ? 1 : 0) || early) {
        const sorted = stamps.sort((x, y) => x - y);
        const idx = sorted.length - capacity;
        const wait = sorted[Math.max(0, idx)] + windowMs - now;
        waitMs = Math.max(waitMs, wait);
        refusing.push(b);
      }
    }
    if (refusing.length === 0) {
      for (const b of active) this.prune(b.key, now, shape(b.perSecond).windowMs).push(now);
      return { ok: true };
    }
    waitMs = Math.max(1, waitMs);
    for (const b of refusing) this.blockedUntil.set(b.key, now + waitMs);
    return { ok: false, retryAfterSeconds: waitMs / 1000 };
  }

  private prune(key: string, now: number, windowMs: number): number[] {
    const stamps = (this.windows.get(key) ?? []).filter((t) => t > now - windowMs);
    this.windows.set(key, stamps);
    return stamps;
  }
}

/** A rate of r/s as a window: at least one slot; rates below 1/s get a longer window. */
function shape(perSecond: number): { capacity: number; windowMs: number } {
  const capacity = Math.max(1, Math.floor(perSecond));
  return { capacity, windowMs: (capacity / perSecond) * 1000 };
}
