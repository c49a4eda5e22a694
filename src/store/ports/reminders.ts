/** The reminder aggregate: when each locked thread was last reminded about, so it reminds once per period. */

/** The reminder port: a read and a compare-and-set, so several instances send one reminder. */
export interface ReminderStore {
  getReminderSentAt(targetKey: string): Promise<string | null>;
  /**
   * Compare-and-set of when a thread was last reminded about: sets it to `next` (null removes it)
   * only if it is still `expected` (null: never reminded). With several bot instances on one
   * ledger, the one that wins sends the reminder; false means another instance got there first.
   */
  swapReminderSentAt(targetKey: string, expected: string | null, next: string | null): Promise<boolean>;
}
