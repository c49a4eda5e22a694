import type { BulkItem, BulkJob } from './ports/bulk-jobs';
import type { LedgerQuery } from './ports/ledger';

/** How many audit entries a query returns when it names no limit. */
export const DEFAULT_LEDGER_LIMIT = 50;

/** Latest instant an audit entry may carry: keeps inverted-time keys fixed-width (year 9999). */
export const MAX_LEDGER_EPOCH_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Parses an ISO 8601 time to epoch milliseconds and rejects anything outside 1970..9999. Both
 * backends order the ledger by this number, never by the string, because `…00Z` and `…00.000Z` name
 * the same instant yet sort differently as text. `field` names the offending property in the error.
 */
export function epochMs(iso: string, field: string): number {
  const ms = typeof iso === 'string' ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_LEDGER_EPOCH_MS) {
    throw new Error(`${field} must be an ISO 8601 date-time between 1970 and 9999`);
  }
  return ms;
}

/**
 * Turns `LedgerQuery.limit` into a row count: 50 when absent, 0 for zero or negative values, and
 * `Infinity` (every matching entry, for exports) when the caller passes `Number.POSITIVE_INFINITY`.
 */
export function ledgerLimit(query: LedgerQuery): number {
  const { limit } = query;
  if (limit === undefined) return DEFAULT_LEDGER_LIMIT;
  if (Number.isNaN(limit)) throw new Error('audit query limit must be a number');
  if (limit === Number.POSITIVE_INFINITY) return limit;
  return Math.max(0, Math.floor(limit));
}

/**
 * Checks that a bulk job and its items belong together before anything is written: every item names
 * the job, item keys are unique, and `seq` is an integer. Both backends call it so they reject the
 * same malformed input the same way instead of half-writing a job.
 */
export function assertBulkJobShape(job: BulkJob, items: BulkItem[]): void {
  const keys = new Set<string>();
  for (const item of items) {
    if (item.jobId !== job.id) throw new Error(`bulk item ${item.itemKey} names job ${item.jobId}, not ${job.id}`);
    if (keys.has(item.itemKey)) throw new Error(`bulk job ${job.id} lists item ${item.itemKey} twice`);
    if (!Number.isSafeInteger(item.seq)) throw new Error(`bulk item ${item.itemKey} has a non-integer seq`);
    keys.add(item.itemKey);
  }
}

/** Orders bulk items the way a job runs them: by `seq`, then by key so equal seqs stay stable. */
export function compareBulkItems(a: BulkItem, b: BulkItem): number {
  return a.seq - b.seq || (a.itemKey < b.itemKey ? -1 : a.itemKey > b.itemKey ? 1 : 0);
}

/** Error for an update aimed at a record that does not exist; callers rely on the intent being stored. */
export class UnknownRecordError extends Error {
  constructor(what: string) {
    super(`${what} does not exist`);
    this.name = 'UnknownRecordError';
  }
}

/** Error for any call made after `close()`; a closed store never silently drops a write. */
export class StoreClosedError extends Error {
  constructor() {
    super('the store is closed');
    this.name = 'StoreClosedError';
  }
}
