import type { BulkItem, BulkJob } from './ports/bulk-jobs';
import type { ImportCounts, ImportJob, ImportTarget } from './ports/import-jobs';
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
  return rowLimit(query.limit, DEFAULT_LEDGER_LIMIT, 'audit query limit');
}

/**
 * A listing's `limit` as a row count, the same way for every listing: `fallback` when absent, 0 for
 * zero or negative values, `Infinity` for every row. `what` names the limit in the error.
 */
export function rowLimit(limit: number | undefined, fallback: number, what: string): number {
  if (limit === undefined) return fallback;
  if (Number.isNaN(limit)) throw new Error(`${what} must be a number`);
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

/** How many import jobs `listImportJobs` returns when it names no limit. */
export const DEFAULT_IMPORT_JOB_LIMIT = 50;
/** How many message rows `listImportMessages` returns when it names no limit. */
export const DEFAULT_IMPORT_MESSAGE_LIMIT = 500;

/**
 * Highest message `seq` either backend accepts: Table Storage keys rows by the seq zero-padded to
 * ten digits (so key order is seq order), and SQLite is held to the same range so both refuse alike.
 */
export const MAX_IMPORT_SEQ = 9_999_999_999;

/** Throws unless `seq` is an integer in 0..MAX_IMPORT_SEQ. */
export function assertImportSeq(seq: number, what: string): void {
  if (!Number.isSafeInteger(seq) || seq < 0 || seq > MAX_IMPORT_SEQ) throw new Error(`${what} must be an integer between 0 and ${MAX_IMPORT_SEQ}`);
}

/**
 * Checks that an import job and its targets belong together before anything is written (as
 * `assertBulkJobShape` does for bulk jobs): every target names the job, target keys are unique,
 * `seq` is an integer, and the creation time is one both backends can order jobs by.
 */
export function assertImportJobShape(job: ImportJob, targets: ImportTarget[]): void {
  epochMs(job.createdAt, 'import job creation time');
  const keys = new Set<string>();
  for (const target of targets) {
    if (target.jobId !== job.id) throw new Error(`import target ${target.targetKey} names job ${target.jobId}, not ${job.id}`);
    if (keys.has(target.targetKey)) throw new Error(`import job ${job.id} lists target ${target.targetKey} twice`);
    if (!Number.isSafeInteger(target.seq)) throw new Error(`import target ${target.targetKey} has a non-integer seq`);
    keys.add(target.targetKey);
  }
}

/** The counter names, in one place so both backends add every one of them. */
export const IMPORT_COUNTERS = ['messages', 'replies', 'reactions', 'skipped', 'fallbackAuthored', 'failed'] as const satisfies ReadonlyArray<
  keyof ImportCounts
>;

/**
 * What a message write adds to its target's counters: every counter (absent ones 0), or null when it
 * adds nothing, so a backend can skip the counter write. Throws before anything is written when a
 * value is not an integer: a counter is never made fractional or NaN by a caller's mistake.
 * Negative values are allowed: a retried message may move from `failed` back to `messages`.
 */
export function countsDelta(counts: Partial<ImportCounts> | undefined): ImportCounts | null {
  if (!counts) return null;
  let any = false;
  const delta = {} as ImportCounts;
  for (const name of IMPORT_COUNTERS) {
    const value = counts[name] ?? 0;
    if (!Number.isSafeInteger(value)) throw new Error(`import count ${name} must be an integer`);
    delta[name] = value;
    any ||= value !== 0;
  }
  return any ? delta : null;
}

/** `base` plus `delta`, counter by counter. */
export function addCounts(base: ImportCounts, delta: ImportCounts | null): ImportCounts {
  if (!delta) return base;
  const sum = {} as ImportCounts;
  for (const name of IMPORT_COUNTERS) sum[name] = base[name] + delta[name];
  return sum;
}

/**
 * Orders import jobs newest first: by the instant of `createdAt` (never its text, whose spellings of
 * one instant sort differently), then by id, descending, so equal times still have one order.
 */
export function compareImportJobsNewestFirst(a: ImportJob, b: ImportJob): number {
  return Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** Orders a job's targets the way the job runs them: by `seq`, then by key. */
export function compareImportTargets(a: ImportTarget, b: ImportTarget): number {
  return a.seq - b.seq || (a.targetKey < b.targetKey ? -1 : a.targetKey > b.targetKey ? 1 : 0);
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
