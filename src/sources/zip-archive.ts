import { basename } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { ExportRefused, type ArchiveLimits } from './export-reader';

/**
 * A zip archive opened for reading, refused before anything is extracted when it could hurt the
 * machine or escape its folder.
 *
 * Why yauzl and not adm-zip (also a dependency): adm-zip reads the whole archive into memory, and an
 * export is gigabytes. yauzl reads the central directory, then streams one entry at a time straight
 * from the file (random access by entry), so memory stays at one entry's buffers however large the
 * export is. It also checks each entry's real size against the size its header claims.
 */
export class ZipArchive {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: ReadonlyMap<string, yauzl.Entry>,
    /** How messages name the archive (its file name). */
    readonly label: string,
    private readonly limits: ArchiveLimits,
  ) {}

  /**
   * Opens `path` and reads its central directory (only that), refusing with `ExportRefused` when the
   * archive is unreadable, holds more than `maxEntries` entries, an entry path that could escape the
   * archive, an encrypted entry or one in a compression it cannot read, an entry over `maxEntryBytes`,
   * entries adding up to more than `maxTotalBytes`, or an entry that expands more than
   * `maxCompressionRatio` times (a zip bomb; only checked above 1 MiB, where it matters).
   */
  static async open(path: string, limits: ArchiveLimits, label = basename(path)): Promise<ZipArchive> {
    const zip = await openZip(path, label);
    try {
      if (zip.entryCount > limits.maxEntries) {
        throw new ExportRefused(
          `${label} holds ${zip.entryCount} entries, more than the ${limits.maxEntries} an import accepts: export a smaller part of the workspace (fewer channels or a shorter period), or raise the import's entry limit if the export is genuine.`,
        );
      }
      const entries = await readCentralDirectory(zip, label, limits);
      return new ZipArchive(zip, entries, label, limits);
    } catch (error) {
      zip.close();
      throw error;
    }
  }

  /** The archive's files (directories left out), `/`-separated and normalised, in archive order. */
  get names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The file's uncompressed size as the archive declares it (yauzl enforces it when reading), or null when absent. */
  size(name: string): number | null {
    return this.entries.get(name)?.uncompressedSize ?? null;
  }

  /**
   * A stream of the file's bytes, in any order relative to other entries. It fails with
   * `ExportRefused` when the file is bigger than `maxBytes` (default: the entry limit), whatever its
   * header claims, or when its data is damaged.
   */
  async openEntry(name: string, maxBytes = this.limits.maxEntryBytes): Promise<Readable> {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`no entry ${JSON.stringify(name)} in ${this.label}`);
    const cap = Math.min(maxBytes, this.limits.maxEntryBytes);
    if (entry.uncompressedSize > cap) throw tooBig(this.label, name, cap);
    let source: Readable;
    try {
      source = await this.zip.openReadStreamPromise(entry);
    } catch (error) {
      throw damaged(this.label, name, error);
    }
    const capped = byteCap(cap, () => tooBig(this.label, name, cap));
    source.on('error', (error) => capped.destroy(error instanceof ExportRefused ? error : damaged(this.label, name, error)));
    // When the reader stops early (an error, or it had enough), stop inflating too.
    capped.on('close', () => source.destroy());
    return source.pipe(capped);
  }

  /** The file's bytes, whole (for files known to be small: a day file, users.json, an attachment under `maxBytes`). */
  async readEntry(name: string, maxBytes = this.limits.maxEntryBytes): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.openEntry(name, maxBytes)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** Releases the file. Streams still open finish first (yauzl closes the descriptor after them). */
  async close(): Promise<void> {
    if (this.zip.isOpen) this.zip.close();
  }
}

function openZip(path: string, label: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      path,
      {
        lazyEntries: true,
        autoClose: false,
        validateEntrySizes: true,
        // Names are decoded below with yauzl's own decoder (strict: a backslash stays a backslash) and
        // checked by us, so that a bad name is refused with a message naming it rather than yauzl's
        // bare "invalid relative path".
        decodeStrings: false,
        strictFileNames: true,
      },
      (error, zip) => {
        if (error) {
          reject(
            new ExportRefused(`${label} is not a readable zip archive (${error.message}): download the export again and send the file exactly as downloaded.`),
          );
        } else {
          resolve(zip);
        }
      },
    );
  });
}

const ONE_MIB = 1024 * 1024;

function readCentralDirectory(zip: yauzl.ZipFile, label: string, limits: ArchiveLimits): Promise<Map<string, yauzl.Entry>> {
  const entries = new Map<string, yauzl.Entry>();
  let total = 0;
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      try {
        const name = checkedEntry(entry, label, limits);
        total += entry.uncompressedSize;
        if (total > limits.maxTotalBytes) {
          throw new ExportRefused(
            `${label} expands to more than ${bytes(limits.maxTotalBytes)} (the import's limit) by the time of "${name}": export a smaller part of the workspace (fewer channels or a shorter period), or raise the import's size limit if the export is genuine.`,
          );
        }
        if (name !== null) {
          if (entries.has(name)) {
            throw new ExportRefused(`${label} holds "${name}" twice, which an export never does: download the export again and send it unchanged.`);
          }
          entries.set(name, entry);
        }
        zip.readEntry();
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', (error: Error) => reject(new ExportRefused(`${label} is a damaged zip archive (${error.message}): download the export again.`)));
    zip.readEntry();
  });
}

/** Refuses an entry that must not be read; returns its normalised name, or null for a directory. */
function checkedEntry(entry: yauzl.Entry, label: string, limits: ArchiveLimits): string | null {
  const raw = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
  const unsafe = unsafeNameProblem(raw);
  if (unsafe) {
    throw new ExportRefused(
      `${label} holds an entry named ${JSON.stringify(raw)}, which ${unsafe} and so could write outside the folder it is unpacked into: Slack and Mattermost never produce such names; do not import this file, and export the workspace again from the source.`,
    );
  }
  const name = raw
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
  if (entry.isEncrypted()) {
    throw new ExportRefused(`"${name}" in ${label} is encrypted: export the workspace again without a password and send that zip.`);
  }
  if (!entry.canDecodeFileData()) {
    throw new ExportRefused(
      `"${name}" in ${label} uses compression method ${entry.compressionMethod}, which this importer cannot read: re-create the zip with ordinary (deflate) compression, or send the export as downloaded.`,
    );
  }
  if (entry.uncompressedSize > limits.maxEntryBytes) throw tooBig(label, name, limits.maxEntryBytes);
  if (entry.uncompressedSize > ONE_MIB && entry.uncompressedSize > entry.compressedSize * limits.maxCompressionRatio) {
    const ratio = entry.compressedSize === 0 ? '∞' : Math.round(entry.uncompressedSize / entry.compressedSize).toString();
    throw new ExportRefused(
      `"${name}" in ${label} expands ${ratio} times (${bytes(entry.compressedSize)} to ${bytes(entry.uncompressedSize)}), more than the ${limits.maxCompressionRatio} times real exports do, so the archive looks like a zip bomb: do not import it; export the workspace again from the source.`,
    );
  }
  return raw.endsWith('/') || name === '' ? null : name;
}

/** Why an entry path could escape the folder it is extracted to, or null when it cannot. */
export function unsafeNameProblem(name: string): string | null {
  if (name === '') return 'is empty';
  if (name.includes('\0')) return 'contains a NUL character';
  if (name.includes('\\')) return 'contains a backslash';
  if (name.startsWith('/')) return 'is an absolute path';
  if (/^[a-zA-Z]:/.test(name)) return 'starts with a drive letter';
  if (name.split('/').includes('..')) return "climbs out of the archive with '..'";
  return null;
}

/** A pass-through that fails with `refusal()` once more than `cap` bytes went through. */
function byteCap(cap: number, refusal: () => ExportRefused): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > cap) callback(refusal());
      else callback(null, chunk);
    },
  });
}

function tooBig(label: string, name: string, cap: number): ExportRefused {
  return new ExportRefused(
    `"${name}" in ${label} is larger than ${bytes(cap)}, the most one file of an export may be: export a smaller part of the workspace (fewer channels or a shorter period), or raise the import's per-file limit if the export is genuine.`,
  );
}

function damaged(label: string, name: string, error: unknown): ExportRefused {
  const reason = error instanceof Error ? error.message : String(error);
  return new ExportRefused(`"${name}" in ${label} cannot be read (${reason}): the zip is damaged; download the export again and send it unchanged.`);
}

/** A byte count for people: 1.5 GiB, 20 MiB, 512 bytes. */
function bytes(count: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${count} bytes` : `${Number(value.toFixed(1))} ${units[unit]}`;
}
