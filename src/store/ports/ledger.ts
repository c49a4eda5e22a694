/**
 * The audit ledger aggregate: the append-only record of every write the bot made or refused, and
 * how it is read back.
 */

import type { Actor, TargetRef, ThreadSnapshot } from '../../domain/targets';

/**
 * What a ledger line records. `import-start`, `import` and `import-complete` are the lines an import
 * job writes (see `import-jobs.ts`). Neither backend restricts the value (a text column in SQLite, a
 * string property in Table Storage), so a new action needs no migration.
 */
export type LedgerAction = 'start' | 'complete' | 'bulk-start' | 'bulk-complete' | 'import-start' | 'import' | 'import-complete' | 'refused';
export type LedgerOutcome = 'succeeded' | 'failed' | 'refused' | 'unknown';

/** One line of the append-only audit ledger. */
export interface LedgerEntry {
  /** Unique id (uuid), assigned by the caller. */
  id: string;
  /** ISO 8601 UTC time the entry was written. */
  at: string;
  action: LedgerAction;
  actor: Actor;
  tenantId: string | null;
  conversationId: string | null;
  target: TargetRef | null;
  /** `targetKey(target)` or null; stored so queries by target are cheap. */
  targetKey: string | null;
  /** e.g. `{ conversationCreationDateTime }`, or the refused command text. */
  parameters: Record<string, unknown>;
  outcome: LedgerOutcome;
  /** Graph error code / HTTP status / plain message when the outcome is not a success. */
  error: { status?: number; code?: string; message: string } | null;
  /** Graph `request-id` of the decisive call, when there was one. */
  requestId: string | null;
  before: ThreadSnapshot | null;
  after: ThreadSnapshot | null;
  /** Set for bulk items. */
  jobId: string | null;
}

/** Which ledger lines a read wants; every named filter must match. */
export interface LedgerQuery {
  targetKey?: string;
  actorAadObjectId?: string;
  tenantId?: string;
  /** ISO 8601; entries at or after it. */
  since?: string;
  action?: LedgerAction;
  /** Newest first, at most this many (default 50). */
  limit?: number;
}

/** The ledger port: append a line, read lines back newest first. Backends make each call atomic. */
export interface LedgerStore {
  /**
   * Resolves once the entry is committed: it survives a crash of the bot. Reaching the disk may follow
   * a few milliseconds later (SQLite: a background group commit within ~20 ms); a durable write made
   * after it (a bulk item's outcome) carries it to the disk with it.
   */
  appendLedger(entry: LedgerEntry): Promise<void>;
  queryLedger(query: LedgerQuery): Promise<LedgerEntry[]>;
}
