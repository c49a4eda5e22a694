import { createHash } from 'node:crypto';
import { ExportTooLarge, type ExportBody, type ExportUploadMeta, type StoredExport } from './ports/export-files';

/**
 * The chunks of an upload's body as bytes, whatever it is (a Node stream, which may yield strings,
 * or an async iterable of Uint8Array). Ending the loop early (a cap, an error) closes the source.
 */
export async function* bytesOf(body: ExportBody): AsyncGenerator<Uint8Array> {
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
  }
}

/**
 * An upload's body read once, as both backends store it: the chunks, counted against the cap
 * (`ExportTooLarge` past it) and hashed on the way; `stored` then describes what was read.
 */
export class MeteredUpload {
  private readonly hash = createHash('sha256');
  private count = 0;

  constructor(
    private readonly body: ExportBody,
    private readonly maxBytes: number,
  ) {}

  async *chunks(): AsyncGenerator<Uint8Array> {
    for await (const chunk of bytesOf(this.body)) {
      this.count += chunk.byteLength;
      if (this.count > this.maxBytes) throw new ExportTooLarge(this.maxBytes);
      this.hash.update(chunk);
      yield chunk;
    }
  }

  /** The stored export's record, once every chunk was read. */
  stored(id: string, meta: ExportUploadMeta, storedAt: Date): StoredExport {
    return {
      id,
      fileName: meta.fileName,
      bytes: this.count,
      sha256: this.hash.digest('hex'),
      storedAt: storedAt.toISOString(),
      tenantId: meta.tenantId,
      uploadedBy: meta.uploadedBy,
    };
  }
}
