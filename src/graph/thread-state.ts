import type { ThreadSnapshot } from '../store/types';

export type MigrationMode = 'inProgress' | 'completed' | null;

/** The part of a channel or chat that migration changes, as recorded in the ledger. */
export function snapshotOf(thread: { createdDateTime?: string | null; originalCreatedDateTime?: string | null; migrationMode?: MigrationMode | string }): ThreadSnapshot {
  const mode = thread.migrationMode === 'inProgress' || thread.migrationMode === 'completed' ? thread.migrationMode : null;
  return {
    createdDateTime: thread.createdDateTime ?? null,
    originalCreatedDateTime: thread.originalCreatedDateTime ?? null,
    migrationMode: mode,
  };
}
