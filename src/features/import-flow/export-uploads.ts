import type { AttachedFile } from './import-commands';

/** An export the bot downloaded from the chat and keeps until its import is done. */
export interface UploadedExport {
  id: string;
  fileName: string;
  bytes: number;
}

/** Why an attached file was not taken, in words for the admin (never the download URL). */
export class UploadRefused extends Error {
  override name = 'UploadRefused';
}

/**
 * Where uploaded exports go (a folder under DATA_DIR, or a Blob container when several instances
 * share the work): downloaded only from the hosts Teams serves files from, within the size cap.
 */
export interface ExportUploads {
  /** Downloads `file` into storage; throws UploadRefused (nothing kept) when it is not allowed or too large. */
  fetch(file: AttachedFile, owner: { tenantId: string; uploadedBy: string }): Promise<UploadedExport>;
  /** A local file to read the export from. */
  localPath(id: string): Promise<string>;
  delete(id: string): Promise<void>;
}

/** A job's `source.location` for a stored upload, and back. */
export const uploadLocation = (id: string): string => `export:${id}`;
export const uploadIdOf = (location: string): string | null => (location.startsWith('export:') ? location.slice('export:'.length) : null);
