/**
 * A streaming zip writer over `yazl` for the generated test exports: entries are written one after
 * another with back-pressure, so an export of any size is produced with flat memory, and every entry
 * carries the same fixed timestamp, so the same input always gives the same bytes.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { ZipFile, type Options as YazlOptions } from 'yazl';

/**
 * Entry options shared by every generated zip. The date is built from local fields and only the DOS
 * timestamp is written (no Unix-time extra field), so the bytes are the same in every time zone.
 */
export function entryOptions(compressionLevel = 6): Partial<YazlOptions> {
  return { mtime: new Date(2021, 0, 1, 0, 0, 0), forceDosTimestamp: true, mode: 0o100644, compressionLevel };
}

/** One zip entry being written: `write` waits whenever the zip has not caught up yet. */
export interface ZipEntryWriter {
  /** Appends a chunk; resolves once the entry can take more (back-pressure). */
  write(chunk: string | Buffer): Promise<void>;
  /** Ends the entry; resolves once the zip has consumed all of it. */
  end(): Promise<void>;
}

/** A zip file under construction on disk. Call `close()` exactly once, after the last entry. */
export class ZipSink {
  private readonly zip = new ZipFile();
  private readonly written: Promise<void>;
  /** Rejects when the output fails, so a writer waiting for `drain` does not hang. */
  private readonly failure: Promise<never>;
  private open: PassThrough | null = null;

  /** Starts writing the zip to `file` (created or truncated). */
  constructor(file: string) {
    this.written = pipeline(this.zip.outputStream, createWriteStream(file));
    this.failure = this.written.then(
      () => new Promise<never>(() => undefined),
      (err: unknown) => Promise.reject(err instanceof Error ? err : new Error(String(err))),
    );
    this.failure.catch(() => undefined);
  }

  /** Adds a small entry whole (roots files, fixtures); `content` strings are written as UTF-8. */
  addBuffer(name: string, content: string | Buffer, compressionLevel?: number): void {
    this.assertNoOpenEntry(name);
    this.zip.addBuffer(typeof content === 'string' ? Buffer.from(content, 'utf8') : content, name, entryOptions(compressionLevel));
  }

  /**
   * Opens a streamed entry. Only one entry may be open at a time: end it before adding the next.
   * `compressionLevel` 0 stores the bytes, 9 compresses hardest (6 by default).
   */
  openEntry(name: string, compressionLevel?: number): ZipEntryWriter {
    this.assertNoOpenEntry(name);
    const pass = new PassThrough({ highWaterMark: 64 * 1024 });
    this.open = pass;
    this.zip.addReadStream(pass, name, entryOptions(compressionLevel));
    return {
      write: async (chunk) => {
        if (!pass.write(chunk)) await Promise.race([once(pass, 'drain'), this.failure]);
      },
      end: async () => {
        pass.end();
        await Promise.race([finished(pass), this.failure]);
        this.open = null;
      },
    };
  }

  /** Writes the central directory and resolves once the file is complete on disk. */
  async close(): Promise<void> {
    if (this.open) throw new Error('ZipSink.close: an entry is still open');
    this.zip.end();
    await this.written;
  }

  private assertNoOpenEntry(name: string): void {
    if (this.open) throw new Error(`ZipSink: cannot add ${name} while another entry is open`);
  }
}

/**
 * A plain file written with the same back-pressure contract as a zip entry (for a bare JSONL export).
 */
export function openPlainFile(file: string): ZipEntryWriter {
  const out = createWriteStream(file);
  const failure = once(out, 'error').then(([err]: unknown[]) => Promise.reject(err instanceof Error ? err : new Error(String(err))));
  failure.catch(() => undefined);
  return {
    write: async (chunk) => {
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failure]);
    },
    end: async () => {
      out.end();
      await Promise.race([finished(out), failure]);
    },
  };
}
