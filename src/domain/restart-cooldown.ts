/**
 * A thread completed and started again straight away can stay stuck: `migrationMode` reads
 * `completed` while the service keeps importing, start then fails and complete does nothing, with
 * no public reset (spec §4). So a start waits a while after this bot's own completion.
 */
export interface RestartCooldown {
  /** When this bot last completed the thread. */
  completedAt: string;
  /** The earliest moment a start is allowed again. */
  retryAt: string;
}

/**
 * Whether a start must wait: returns when the thread was completed and when it may be started
 * again, or null when it may be started now (never completed by this bot, long enough ago, or the
 * cool-down is 0).
 */
export function restartCooldown(lastCompletedAt: string | null, nowMs: number, cooldownMinutes: number): RestartCooldown | null {
  if (!lastCompletedAt || cooldownMinutes <= 0) return null;
  const completed = Date.parse(lastCompletedAt);
  if (!Number.isFinite(completed)) return null;
  const retry = completed + cooldownMinutes * 60_000;
  return nowMs < retry ? { completedAt: new Date(completed).toISOString(), retryAt: new Date(retry).toISOString() } : null;
}

/** Minutes left until `retryAt`, rounded up, at least 1. */
export function minutesUntil(retryAt: string, nowMs: number): number {
  return Math.max(1, Math.ceil((Date.parse(retryAt) - nowMs) / 60_000));
}
