/**
 * The pending-operation aggregate: an operation pre-flighted and shown on a confirmation card,
 * from the card to its outcome (claimed by Confirm, finished, cancelled, settled after a crash).
 */

import type { Actor } from '../../domain/targets';
import type { LedgerEntry } from './ledger';

/**
 * `import`: an uploaded export's plan card (its choices and the stored export), confirmed into an import job.
 * `report`: a CSV file offered on a file consent card (what to regenerate on Accept); never claimed, so
 * it never runs and is never settled as interrupted: finished when uploaded, cancelled when declined.
 */
export type PendingKind = 'start' | 'complete' | 'bulk-start' | 'bulk-complete' | 'import' | 'report';
export type PendingState = 'pending' | 'running' | 'done' | 'cancelled';

/**
 * An operation that was pre-flighted and shown on a confirmation card. The card carries only `id`
 * (opaque, unguessable), so a rewritten card payload cannot change what is done.
 */
export interface PendingOperation {
  id: string;
  kind: PendingKind;
  tenantId: string;
  requestedBy: Actor;
  conversationId: string;
  /** What to do: target(s), dates, team; shape owned by the flow that created it. */
  payload: Record<string, unknown>;
  createdAt: string;
  expiresAt: string;
  state: PendingState;
  /** The outcome shown on the card once done (shape owned by the flow). */
  result: Record<string, unknown> | null;
  /** Activity id of the card that shows this operation, when known. */
  activityId: string | null;
  /** When Confirm claimed it (`running`); null before. Set by the store. */
  claimedAt: string | null;
}

/**
 * The pending-operation port. Every call is atomic; the ones that finish an operation write its
 * ledger line with it, which is why they take an `LedgerEntry`.
 */
export interface PendingOperationStore {
  createPending(op: PendingOperation): Promise<void>;
  getPending(id: string): Promise<PendingOperation | null>;
  /**
   * Atomically moves `id` from `pending` to `running` and returns true, or returns false when it
   * was not `pending` (already running, done, cancelled, or unknown). This is what makes a double
   * press of Confirm do the work once.
   */
  claimPending(id: string): Promise<boolean>;
  /**
   * Operations still `running` that were claimed before `claimedBefore`: a bot stopped between the
   * press of Confirm and the outcome (the Graph call may or may not have been made).
   */
  listInterruptedPending(claimedBefore: string): Promise<PendingOperation[]>;
  /**
   * Atomically moves an interrupted operation `running` → `done` with its result, if it is still
   * running since `claimedAt`, and appends its ledger line; false when someone else settled it.
   * Never done without its line: a call cut short by a crash or a storage error leaves the
   * operation running, and the next call finishes it with exactly one line (Table storage: the
   * settlement of the first call, kept on the operation as a marker).
   */
  settleInterruptedPending(id: string, claimedAt: string | null, result: Record<string, unknown>, ledgerEntry: LedgerEntry): Promise<boolean>;
  /**
   * Deletes operations nobody can act on any more: finished, cancelled, or never confirmed, whose
   * card expired before `expiredBefore`. Running ones are kept. Returns how many were deleted. The
   * audit ledger is never pruned.
   */
  prunePending(expiredBefore: string): Promise<number>;
  /**
   * Sets the final state (`done` or `cancelled`) and result. With `ledgerEntry`, appends that audit
   * entry in the same step (one transaction where the backend has them; the entry first where it
   * does not), so an operation is never finished without its line in the ledger.
   */
  finishPending(id: string, state: 'done' | 'cancelled', result: Record<string, unknown> | null, ledgerEntry?: LedgerEntry): Promise<void>;
  /** Atomically moves `pending` → `cancelled`; false when it was not pending. */
  cancelPending(id: string): Promise<boolean>;
  setPendingActivity(id: string, activityId: string): Promise<void>;
}
