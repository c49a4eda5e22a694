import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MeteredUpload } from './export-body';
import { EXPORT_ID, ExportNotStored, type ExportBody, type ExportFileStore, type ExportUploadMeta, type StoredExport } from './ports/export-files';

const SIDECAR = /^([0-9a-f]{32})\.json$/;
/** Files an interrupted save leaves: the bytes being written, the sidecar being written. */
const PARTIAL = /^[0-9a-f]{32}\.(part|json\.tmp)$/;

/** Reads a sidecar's JSON back into a StoredExport, or null when it is not one. */
export function storedExportOf(value: unknown, id: string): StoredExport | null {
  const v = value as Partial<StoredExport> | null;
  if (
    v === null ||
    typeof v !== 'object' ||
    v.id !== id ||
    typeof v.fileName !== 'string' ||
    typeof v.bytes !== 'number' ||
    typeof v.sha256 !== 'string' ||
    typeof v.storedAt !== 'string' ||
    typeof v.tenantId !== 'string' ||
    typeof v.uploadedBy !== 'string'
  )
    return null;
  return { id, fileName: v.fileName, bytes: v.bytes, sha256: v.sha256, storedAt: v.storedAt, tenantId: v.tenantId, uploadedBy: v.uploadedBy };
}

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'ENOENT';

/**
 * Exports in a folder on this machine (`DATA_DIR/exports`), for one bot instance: `<id>` holds the
 * bytes and `<id>.json` what is known about them. The sidecar is written last, so an export exists
 * (is listed, can be read) only once its bytes are complete. Folder and files are private to the
 * bot's user.
 */
export class DirectoryExportFileStore implements ExportFileStore {
  constructor(
    private readonly dir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates the folder (private to the bot's user) when it is missing. */
  static async open(dir: string, now?: () => Date): Promise<DirectoryExportFileStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return new DirectoryExportFileStore(dir, now);
  }

  private file(id: string, suffix = ''): string {
    // The id is checked by every caller; this is the net under that rule.
    if (!EXPORT_ID.test(id)) throw new Error('not an export id');
    return path.join(this.dir, `${id}${suffix}`);
  }

  async save(meta: ExportUploadMeta, body: ExportBody, maxBytes: number): Promise<StoredExport> {
    const id = randomBytes(16).toString('hex');
    const part = this.file(id, '.part');
    const upload = new MeteredUpload(body, maxBytes);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const handle = await open(part, 'wx', 0o600);
    try {
      try {
        for await (const chunk of upload.chunks()) {
          let written = 0;
          while (written < chunk.byteLength) written += (await handle.write(chunk, written)).bytesWritten;
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      const stored = upload.stored(id, meta, this.now());
      await rename(part, this.file(id));
      await writeFile(this.file(id, '.json.tmp'), JSON.stringify(stored), { mode: 0o600, flag: 'w' });
      await rename(this.file(id, '.json.tmp'), this.file(id, '.json'));
      return stored;
    } catch (err) {
      await Promise.all(['.part', '', '.json.tmp'].map((suffix) => rm(this.file(id, suffix), { force: true })));
      throw err;
    }
  }

  async get(id: string): Promise<StoredExport | null> {
    if (!EXPORT_ID.test(id)) return null;
    let text: string;
    try {
      text = await readFile(this.file(id, '.json'), 'utf8');
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    try {
      return storedExportOf(JSON.parse(text), id);
    } catch {
      return null;
    }
  }

  async localPath(id: string): Promise<string> {
    if ((await this.get(id)) === null) throw new ExportNotStored(id);
    return this.file(id);
  }

  /** The file is the export itself: nothing to release. */
  async releaseLocalCopy(): Promise<void> {}

  async delete(id: string): Promise<void> {
    if (!EXPORT_ID.test(id)) return;
    // The sidecar first: from then on the export does not exist, even if removing the bytes fails.
    await rm(this.file(id, '.json'), { force: true });
    await rm(this.file(id), { force: true });
  }

  async list(): Promise<StoredExport[]> {
    const ids = (await this.names()).map((n) => SIDECAR.exec(n)?.[1]).filter((id): id is string => id !== undefined);
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return found.filter((e): e is StoredExport => e !== null).sort((a, b) => a.storedAt.localeCompare(b.storedAt) || a.id.localeCompare(b.id));
  }

  async cleanUp(olderThan: Date): Promise<number> {
    const names = await this.names();
    const complete = new Set(names.map((n) => SIDECAR.exec(n)?.[1]).filter((id) => id !== undefined));
    let removed = 0;
    for (const name of names) {
      // A partial write, or bytes whose sidecar was never written (the process stopped in between).
      const leftover = PARTIAL.test(name) || (EXPORT_ID.test(name) && !complete.has(name));
      if (!leftover) continue;
      const full = path.join(this.dir, name);
      try {
        if ((await stat(full)).mtime >= olderThan) continue;
        await rm(full, { force: true });
        removed++;
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    }
    return removed;
  }

  private async names(): Promise<string[]> {
    try {
      return await readdir(this.dir);
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
  }
}
