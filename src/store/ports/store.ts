/**
 * The whole storage port: everything the bot must remember across turns, restarts and instances.
 * Two backends implement it (SQLite for one instance, Azure Table Storage for several) and both
 * pass the same contract suite in test/store/. Consumers depend on the aggregate interfaces they
 * use; only the composition root holds the whole `Store`.
 */

import type { BulkJobStore } from './bulk-jobs';
import type { ConversationReferenceStore } from './conversation-references';
import type { ImportJobStore } from './import-jobs';
import type { LedgerStore } from './ledger';
import type { PendingOperationStore } from './pending-operations';
import type { ReminderStore } from './reminders';

/** The store's own lifecycle, apart from any aggregate. */
export interface StoreLifecycle {
  /** Flush and release resources (graceful shutdown). */
  close(): Promise<void>;
}

/** Every aggregate in one object, as a backend implements it. Every method is async; each single call is atomic. */
export type Store = LedgerStore & PendingOperationStore & BulkJobStore & ImportJobStore & ReminderStore & ConversationReferenceStore & StoreLifecycle;
