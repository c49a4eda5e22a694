import { DownloadRefused, type DownloadOptions } from '../../sources/teams-file-download';
import { ExportTooLarge, exportIdOfLocation, type ExportFileStore } from '../../store/ports/export-files';
import type { AttachedFile } from './import-commands';

/** An export the bot downloaded from the chat and keeps until its import is done. */
export interface UploadedExport {
  id: string;
  fileName: string;
  bytes: number;
  /** SHA-256 of the bytes, taken as they were stored. */
  sha256: string;
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
  fetch(file: AttachedFile, owner: { tenantId: string; uploadedBy: string }, signal?: AbortSignal): Promise<UploadedExport>;
  /** A local file to read the export from. */
  localPath(id: string): Promise<string>;
  delete(id: string): Promise<void>;
}

/** Downloads go through this (the Teams file host, checked; src/sources/teams-file-download.ts). */
type Download = <T>(url: string, options: DownloadOptions, sink: (body: AsyncIterable<Uint8Array>) => Promise<T>) => Promise<T>;

/**
 * The uploads of the bot: each attached file downloaded (host allow-list, size cap, no
 * Authorization header) straight into the export store, never whole in memory.
 */
export class StoredUploads implements ExportUploads {
  constructor(
    private readonly files: ExportFileStore,
    private readonly download: Download,
    private readonly options: { allowedHosts: readonly string[]; maxBytes: number },
  ) {}

  async fetch(file: AttachedFile, owner: { tenantId: string; uploadedBy: string }, signal?: AbortSignal): Promise<UploadedExport> {
    const { maxBytes, allowedHosts } = this.options;
    try {
      const stored = await this.download(file.downloadUrl, { allowedHosts, maxBytes, signal }, (body) =>
        this.files.save({ fileName: file.name.slice(0, 255), tenantId: owner.tenantId, uploadedBy: owner.uploadedBy }, body, maxBytes),
      );
      return { id: stored.id, fileName: stored.fileName, bytes: stored.bytes, sha256: stored.sha256 };
    } catch (err) {
      if (err instanceof DownloadRefused || err instanceof ExportTooLarge) throw new UploadRefused(`${err.message} Nothing was kept.`);
      throw err;
    }
  }

  localPath(id: string): Promise<string> {
    return this.files.localPath(id);
  }

  /**
   * The local file of a job's export: its stored upload, or another stored upload of the same bytes
   * (the file attached again after the first copy was deleted), or the command line's path as it is.
   */
  async fileOf(source: { location: string; sha256: string }): Promise<string> {
    const id = exportIdOfLocation(source.location);
    if (!id) return source.location;
    if (await this.files.get(id)) return this.files.localPath(id);
    const again = (await this.files.list()).find((e) => e.sha256 === source.sha256);
    return this.files.localPath(again?.id ?? id);
  }

  delete(id: string): Promise<void> {
    return this.files.delete(id);
  }
}
