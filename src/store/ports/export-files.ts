/**
 * Exports an admin attached in Teams, kept until their import is done. Two backends implement the
 * port (a folder under DATA_DIR for one instance; an Azure Blob Storage container for several, so
 * any instance can run or resume the job) and both pass the same contract suite in test/store/.
 * An export is named by a random id the store makes up; no name an admin or a file chose ever
 * becomes part of a path or a blob name.
 */

/** One stored export. */
export interface StoredExport {
  /** The store's id: 32 lower-case hex characters (`EXPORT_ID`). */
  id: string;
  /** The file's name as the admin attached it (shown, never used as a path). */
  fileName: string;
  bytes: number;
  /** Hex SHA-256 of the bytes, computed while they were stored. */
  sha256: string;
  /** ISO time the upload finished. */
  storedAt: string;
  tenantId: string;
  /** Entra object id of the admin who attached it. */
  uploadedBy: string;
}

/** Who attached the file and what it was called. */
export interface ExportUploadMeta {
  fileName: string;
  tenantId: string;
  uploadedBy: string;
}

/** The bytes of an upload: a Node stream or any async iterable of chunks (e.g. a download's body). */
export type ExportBody = AsyncIterable<Uint8Array> | NodeJS.ReadableStream;

export interface ExportFileStore {
  /**
   * Streams `body` into storage under a new id, computing its SHA-256 on the way. Past `maxBytes`
   * it stops reading, deletes what it wrote and throws `ExportTooLarge`; an error from `body` (e.g.
   * a refused download) is rethrown unchanged after the same clean-up. The export is listed only
   * once it is complete.
   */
  save(meta: ExportUploadMeta, body: ExportBody, maxBytes: number): Promise<StoredExport>;
  /** The export, or null when there is none with this id (or the id is not one this store makes). */
  get(id: string): Promise<StoredExport | null>;
  /**
   * A local file to read the export from: the stored file itself (folder backend), or a copy
   * downloaded once into a cache folder under DATA_DIR and checked against its SHA-256 (Blob).
   * Throws `ExportNotStored` when there is no such export.
   */
  localPath(id: string): Promise<string>;
  /**
   * Removes the local copy `localPath` made (Blob; the next `localPath` downloads it again). No-op for
   * the folder store, whose file is the export itself. For an export whose imports have finished.
   */
  releaseLocalCopy(id: string): Promise<void>;
  /** Deletes the export (and any local copy of it); no-op when it does not exist. */
  delete(id: string): Promise<void>;
  /** Every complete export, oldest first. */
  list(): Promise<StoredExport[]>;
  /**
   * Removes what an interrupted upload or a deleted export left behind: partial files older than
   * `olderThan` and local copies of exports that no longer exist. Returns how many were removed.
   */
  cleanUp(olderThan: Date): Promise<number>;
}

/** What the stores make an id from: 16 random bytes, as hex. Checked before any path or blob name is built. */
export const EXPORT_ID = /^[0-9a-f]{32}$/;

/** `ImportJob.source.location` of a job whose export is in the ExportFileStore. */
export const EXPORT_LOCATION_PREFIX = 'export:';

/** The job location that names a stored export. */
export function exportLocation(id: string): string {
  return `${EXPORT_LOCATION_PREFIX}${id}`;
}

/** The stored export a job's `source.location` names, or null (a local path from the command line). */
export function exportIdOfLocation(location: string): string | null {
  if (!location.startsWith(EXPORT_LOCATION_PREFIX)) return null;
  const id = location.slice(EXPORT_LOCATION_PREFIX.length);
  return EXPORT_ID.test(id) ? id : null;
}

/** An upload larger than the cap; nothing of it is kept. The message is for the admin. */
export class ExportTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`The export is larger than the ${Math.round((maxBytes / 1024 ** 2) * 10) / 10} MB the bot accepts (IMPORT_MAX_UPLOAD_MB).`);
    this.name = 'ExportTooLarge';
  }
}

/** There is no stored export with this id (never uploaded, or already deleted). The message is for the admin. */
export class ExportNotStored extends Error {
  constructor(readonly id: string) {
    super('The uploaded export is no longer stored (it was deleted, or kept past its retention). Attach it again.');
    this.name = 'ExportNotStored';
  }
}

/** A stored export's bytes do not match its SHA-256 (a damaged copy); nothing is read from it. */
export class ExportDamaged extends Error {
  constructor(readonly id: string) {
    super('The stored export is damaged (its contents do not match what was uploaded). Attach it again.');
    this.name = 'ExportDamaged';
  }
}
