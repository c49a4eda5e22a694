import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { BlobServiceClient, type BlobGetPropertiesResponse, type BlockBlobClient, type ContainerClient } from '@azure/storage-blob';
import { bytesOf, MeteredUpload } from './export-body';
import {
  EXPORT_ID,
  ExportDamaged,
  ExportNotStored,
  ExportTooLarge,
  type ExportBody,
  type ExportFileStore,
  type ExportUploadMeta,
  type StoredExport,
} from './ports/export-files';

/** The default container, next to the ledger's tables in the same storage account. */
export const DEFAULT_EXPORT_CONTAINER = 'migrationbot-exports';

/** Azure's container naming rule: 3-63 lowercase letters, digits and single hyphens, no edge hyphens. */
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

/** Bytes per staged block (at least), and blocks staged at once: 16 MiB in flight per upload. */
const BLOCK_BYTES = 4 * 1024 * 1024;
const BLOCKS_IN_FLIGHT = 4;
/** Azure's limit of blocks in one block blob. */
const MAX_BLOCKS = 50_000;

const CACHE_PARTIAL = /^([0-9a-f]{32})\.[0-9a-f]{8}\.part$/;

export interface BlobExportFileStoreOptions {
  connectionString: string;
  /** Default `migrationbot-exports`. */
  container?: string;
  /** Where `localPath` keeps verified copies (a folder under DATA_DIR). */
  cacheDir: string;
  now?: () => Date;
}

const statusOf = (err: unknown) => (err as { statusCode?: number } | undefined)?.statusCode;
const isMissing = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'ENOENT';

/** Blob metadata values must be ASCII: every value is stored percent-encoded. */
function metadataOf(e: StoredExport): Record<string, string> {
  return {
    filename: encodeURIComponent(e.fileName),
    bytes: String(e.bytes),
    sha256: e.sha256,
    storedat: e.storedAt,
    tenantid: encodeURIComponent(e.tenantId),
    uploadedby: encodeURIComponent(e.uploadedBy),
  };
}

function storedExportOf(id: string, metadata: Record<string, string> | undefined): StoredExport | null {
  const m = metadata ?? {};
  if (!/^[0-9a-f]{64}$/.test(m.sha256 ?? '') || !/^\d+$/.test(m.bytes ?? '') || m.storedat === undefined) return null;
  try {
    return {
      id,
      fileName: decodeURIComponent(m.filename ?? ''),
      bytes: Number(m.bytes),
      sha256: m.sha256,
      storedAt: m.storedat,
      tenantId: decodeURIComponent(m.tenantid ?? ''),
      uploadedBy: decodeURIComponent(m.uploadedby ?? ''),
    };
  } catch {
    return null;
  }
}

/** Block ids of one blob must all have the same length. */
const blockId = (n: number) => Buffer.from(`block-${String(n).padStart(6, '0')}`).toString('base64');

/**
 * Exports in an Azure Blob Storage container (the storage account of the ledger's tables), for
 * several bot instances: any instance can read what another stored. Each export is one block blob
 * named by its id; what is known about it is the blob's metadata, committed with the block list in
 * one call, so a blob exists only once its bytes are complete. An upload that fails never commits
 * (and its staged blocks are discarded). `localPath` downloads a blob once into `cacheDir` and checks
 * its SHA-256 before handing the file out.
 */
export class BlobExportFileStore implements ExportFileStore {
  private readonly copies = new Map<string, Promise<string>>();

  private constructor(
    private readonly container: ContainerClient,
    private readonly cacheDir: string,
    private readonly now: () => Date,
  ) {}

  /** Checks the container name, creates the container when missing and the cache folder. */
  static async open(options: BlobExportFileStoreOptions): Promise<BlobExportFileStore> {
    const name = options.container ?? DEFAULT_EXPORT_CONTAINER;
    if (!CONTAINER_NAME.test(name)) throw new Error('the export blob container name must be 3-63 lowercase letters, digits and single hyphens');
    const container = BlobServiceClient.fromConnectionString(options.connectionString).getContainerClient(name);
    await container.createIfNotExists();
    await mkdir(options.cacheDir, { recursive: true, mode: 0o700 });
    return new BlobExportFileStore(container, options.cacheDir, options.now ?? (() => new Date()));
  }

  private blob(id: string): BlockBlobClient {
    if (!EXPORT_ID.test(id)) throw new Error('not an export id');
    return this.container.getBlockBlobClient(id);
  }

  private cached(id: string, suffix = ''): string {
    if (!EXPORT_ID.test(id)) throw new Error('not an export id');
    return path.join(this.cacheDir, `${id}${suffix}`);
  }

  async save(meta: ExportUploadMeta, body: ExportBody, maxBytes: number): Promise<StoredExport> {
    const id = randomBytes(16).toString('hex');
    const blob = this.blob(id);
    const upload = new MeteredUpload(body, maxBytes);
    const ids: string[] = [];
    const inFlight = new Set<Promise<void>>();
    /** The first failed block (set by its promise, so held in an object the compiler does not narrow). */
    const staging: { failed: Error | null } = { failed: null };
    // Large enough blocks that the cap fits Azure's 50 000 blocks.
    const blockBytes = Math.max(BLOCK_BYTES, Math.ceil(maxBytes / MAX_BLOCKS));
    let pending: Buffer[] = [];
    let pendingBytes = 0;

    const stage = async (data: Buffer) => {
      if (ids.length >= MAX_BLOCKS) throw new ExportTooLarge(maxBytes);
      const idOfBlock = blockId(ids.length);
      ids.push(idOfBlock);
      const p = blob
        .stageBlock(idOfBlock, data, data.length)
        .then(() => undefined)
        .catch((err: unknown) => {
          staging.failed ??= err instanceof Error ? err : new Error(String(err));
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      while (inFlight.size >= BLOCKS_IN_FLIGHT) await Promise.race(inFlight);
      if (staging.failed !== null) throw staging.failed;
    };

    try {
      for await (const chunk of upload.chunks()) {
        pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        pendingBytes += chunk.byteLength;
        while (pendingBytes >= blockBytes) {
          const all = Buffer.concat(pending, pendingBytes);
          await stage(all.subarray(0, blockBytes));
          pending = [all.subarray(blockBytes)];
          pendingBytes -= blockBytes;
        }
      }
      if (pendingBytes > 0) await stage(Buffer.concat(pending, pendingBytes));
      await Promise.all(inFlight);
      if (staging.failed !== null) throw staging.failed;
      const stored = upload.stored(id, meta, this.now());
      await blob.commitBlockList(ids, { metadata: metadataOf(stored), blobHTTPHeaders: { blobContentType: 'application/octet-stream' } });
      return stored;
    } catch (err) {
      await Promise.allSettled(inFlight);
      // Committing an empty list discards the staged blocks at once (Azure would after a week).
      if (ids.length > 0)
        await blob
          .commitBlockList([])
          .then(
            () => blob.deleteIfExists(),
            () => undefined,
          )
          .catch(() => undefined);
      throw err;
    }
  }

  private async properties(id: string): Promise<BlobGetPropertiesResponse | null> {
    try {
      return await this.blob(id).getProperties();
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async get(id: string): Promise<StoredExport | null> {
    if (!EXPORT_ID.test(id)) return null;
    const props = await this.properties(id);
    return props === null ? null : storedExportOf(id, props.metadata);
  }

  async localPath(id: string): Promise<string> {
    const stored = await this.get(id);
    if (stored === null) throw new ExportNotStored(id);
    const file = this.cached(id);
    try {
      // A copy is renamed into place only after its SHA-256 matched; the size is a cheap recheck.
      if ((await stat(file)).size === stored.bytes) return file;
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    const running = this.copies.get(id);
    if (running) return running;
    const copy = this.copy(stored).finally(() => this.copies.delete(id));
    this.copies.set(id, copy);
    return copy;
  }

  private async copy(stored: StoredExport): Promise<string> {
    await mkdir(this.cacheDir, { recursive: true, mode: 0o700 });
    const part = this.cached(stored.id, `.${randomBytes(4).toString('hex')}.part`);
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      const handle = await open(part, 'wx', 0o600);
      try {
        const answer = await this.blob(stored.id).download(0, undefined, { maxRetryRequests: 5 });
        if (!answer.readableStreamBody) throw new Error('the export blob answered without a body');
        for await (const chunk of bytesOf(answer.readableStreamBody)) {
          bytes += chunk.byteLength;
          if (bytes > stored.bytes) break;
          hash.update(chunk);
          let written = 0;
          while (written < chunk.byteLength) written += (await handle.write(chunk, written)).bytesWritten;
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (bytes !== stored.bytes || hash.digest('hex') !== stored.sha256) throw new ExportDamaged(stored.id);
      const file = this.cached(stored.id);
      await rename(part, file);
      return file;
    } catch (err) {
      await rm(part, { force: true });
      if (statusOf(err) === 404) throw new ExportNotStored(stored.id);
      throw err;
    }
  }

  async releaseLocalCopy(id: string): Promise<void> {
    if (!EXPORT_ID.test(id) || this.copies.has(id)) return;
    await rm(this.cached(id), { force: true });
  }

  async delete(id: string): Promise<void> {
    if (!EXPORT_ID.test(id)) return;
    await this.blob(id).deleteIfExists();
    await rm(this.cached(id), { force: true });
  }

  async list(): Promise<StoredExport[]> {
    const found: StoredExport[] = [];
    for await (const item of this.container.listBlobsFlat({ includeMetadata: true })) {
      if (!EXPORT_ID.test(item.name)) continue;
      const stored = storedExportOf(item.name, item.metadata);
      if (stored) found.push(stored);
    }
    return found.sort((a, b) => a.storedAt.localeCompare(b.storedAt) || a.id.localeCompare(b.id));
  }

  /**
   * Removes this machine's partial copies older than `olderThan` and copies of exports that no
   * longer exist (deleted by another instance). Staged blocks of an interrupted upload need nothing:
   * Azure discards uncommitted blocks after a week.
   */
  async cleanUp(olderThan: Date): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.cacheDir);
    } catch (err) {
      if (isMissing(err)) return 0;
      throw err;
    }
    const live = new Set((await this.list()).map((e) => e.id));
    let removed = 0;
    for (const name of names) {
      const full = path.join(this.cacheDir, name);
      try {
        if (CACHE_PARTIAL.test(name)) {
          if ((await stat(full)).mtime >= olderThan) continue;
        } else if (!EXPORT_ID.test(name) || live.has(name) || this.copies.has(name)) continue;
        await rm(full, { force: true });
        removed++;
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    }
    return removed;
  }
}
