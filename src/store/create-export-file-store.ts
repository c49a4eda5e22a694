import path from 'node:path';
import { BlobExportFileStore, DEFAULT_EXPORT_CONTAINER } from './export-files-blob';
import { DirectoryExportFileStore } from './export-files-directory';
import type { ExportFileStore } from './ports/export-files';

/** Where uploaded exports go: follows the ledger's backend (`config.storage`) and DATA_DIR. */
export interface ExportFileStoreConfig {
  dataDir: string;
  storage: { kind: 'sqlite' } | { kind: 'table'; connectionString: string };
  /** Blob container (STORAGE_BACKEND=table); default `migrationbot-exports`. */
  container?: string;
  now?: () => Date;
}

/** The folder of stored exports (sqlite) and the folder of verified local copies (table). */
export const EXPORTS_FOLDER = 'exports';
export const EXPORT_CACHE_FOLDER = 'export-cache';

/**
 * Opens the store of uploaded exports the configuration implies: with the SQLite ledger (one
 * instance) a folder `DATA_DIR/exports`; with the ledger in Azure Tables (several instances) a blob
 * container in the same storage account, so any instance can run or resume an import, with local
 * copies in `DATA_DIR/export-cache`. Resolves once the folder or container exists.
 */
export async function createExportFileStore(config: ExportFileStoreConfig): Promise<ExportFileStore> {
  if (config.storage.kind === 'table') {
    return BlobExportFileStore.open({
      connectionString: config.storage.connectionString,
      container: config.container ?? DEFAULT_EXPORT_CONTAINER,
      cacheDir: path.join(config.dataDir, EXPORT_CACHE_FOLDER),
      now: config.now,
    });
  }
  return DirectoryExportFileStore.open(path.join(config.dataDir, EXPORTS_FOLDER), config.now);
}
