import { SqliteStore } from './sqlite-store';
import { TableStore } from './table-store';
import type { Store } from './ports/store';

/** Which ledger backend to open: the embedded SQLite file, or Azure Table Storage for several instances. */
export type StoreConfig = { kind: 'sqlite'; dataDir: string } | { kind: 'table'; connectionString: string; tablePrefix?: string };

/**
 * Opens the ledger the configuration names and resolves once it is ready for writes: the SQLite file
 * is created and migrated, or the Azure tables exist. Rejects (without echoing the connection string,
 * which carries the account key) when the backend cannot be reached or the data is from a newer release.
 */
export async function createStore(config: StoreConfig): Promise<Store> {
  switch (config.kind) {
    case 'sqlite':
      return SqliteStore.open(config.dataDir);
    case 'table':
      return TableStore.open({ connectionString: config.connectionString, tablePrefix: config.tablePrefix });
  }
}
