/**
 * How long Graph calls can take, for the rules that must outlast one (a stale claim, a bulk intent
 * that may still be in flight). Pure: the numbers come from graph-client's retry policy (spec §5).
 */

/** The longest pause graph-client's retry handler makes between two tries (its cap, spec §5). */
export const MAX_RETRY_PAUSE_MS = 180_000;

/**
 * The longest one Graph call can run: its timeout, plus the retry pause under way when the timeout
 * fires (graph-client sleeps through it; no try is sent after the timeout).
 */
export function longestCallMs(timeoutMs: number): number {
  return timeoutMs + MAX_RETRY_PAUSE_MS;
}
