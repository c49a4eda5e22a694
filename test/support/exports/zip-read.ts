/**
 * Reading small zips back in tests (the generated story and hostile archives), with `yauzl`:
 * entry names as stored and, optionally, their bytes. Not for the bulk exports' contents: those are
 * meant to be streamed by the real readers.
 */
import { buffer } from 'node:stream/consumers';
import { openPromise } from 'yauzl';

/** One entry read back. */
export interface ReadEntry {
  /** The name as stored (raw bytes decoded as UTF-8, never validated or normalised). */
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  /** The inflated bytes, when asked for. */
  content: Buffer | null;
}

/**
 * Lists a zip's entries in stored order and, with `contents: true`, inflates each. Names are read
 * raw (`decodeStrings: false`), so hostile names (`../x`, `/etc/passwd`) come back as written instead
 * of making yauzl fail.
 */
export async function readZip(file: string, options: { contents?: boolean } = {}): Promise<ReadEntry[]> {
  const zip = await openPromise(file, { lazyEntries: true, decodeStrings: false });
  const out: ReadEntry[] = [];
  for await (const e of zip.eachEntry()) {
    const raw = e.fileName as unknown;
    const name = Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
    const content = options.contents ? await buffer(await zip.openReadStreamPromise(e)) : null;
    out.push({ name, compressedSize: e.compressedSize, uncompressedSize: e.uncompressedSize, content });
  }
  return out;
}

/** The entry named `name`'s bytes, read from `entries` (from `readZip(…, { contents: true })`); throws when absent. */
export function entryContent(entries: readonly ReadEntry[], name: string): Buffer {
  const found = entries.find((e) => e.name === name);
  if (!found?.content) throw new Error(`zip has no entry ${name} (or it was read without contents)`);
  return found.content;
}
