import type { ExportBody } from './ports/export-files';

/**
 * The chunks of an upload's body as bytes, whatever it is (a Node stream, which may yield strings,
 * or an async iterable of Uint8Array). Ending the loop early (a cap, an error) closes the source.
 */
export async function* bytesOf(body: ExportBody): AsyncGenerator<Uint8Array> {
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
  }
}
