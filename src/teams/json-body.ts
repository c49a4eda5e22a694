import type { IncomingMessage } from 'node:http';

/** Largest activity body accepted on /api/messages (Teams activities are a few kilobytes). */
export const MAX_ACTIVITY_BYTES = 1024 * 1024;

/** Why a body was not read: the HTTP status to answer and a message naming the problem. */
export interface BodyRefusal {
  status: 400 | 413 | 415;
  error: string;
}

export type BodyResult = { ok: true; value: unknown } | { ok: false; refusal: BodyRefusal };

/**
 * Decides from the headers alone whether a body may be read at all: only `application/json`
 * (charset utf-8 if one is named), not compressed, and not announced as larger than the cap.
 * Returns the refusal, or null when the body may be read. Nothing is read before this passes, so
 * a multipart upload never reaches memory or the disk.
 */
export function refuseBeforeReading(headers: IncomingMessage['headers'], maxBytes: number): BodyRefusal | null {
  const contentType = String(headers['content-type'] ?? '');
  const [mediaType, ...params] = contentType.split(';').map((s) => s.trim().toLowerCase());
  if (mediaType !== 'application/json') {
    return {
      status: 415,
      error: `The body must be a JSON Bot Framework activity (Content-Type: application/json); got ${mediaType ? describe(mediaType) : 'no Content-Type'}.`,
    };
  }
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return { status: 415, error: 'The body must be UTF-8 JSON (charset=utf-8).' };
  }
  const encoding = String(headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding !== 'identity' && encoding !== '') {
    return { status: 415, error: 'Compressed bodies (Content-Encoding) are not accepted.' };
  }
  const announced = Number(headers['content-length']);
  if (Number.isFinite(announced) && announced > maxBytes) return tooLarge(maxBytes);
  return null;
}

/**
 * Reads a JSON request body of at most `maxBytes` (stops reading at the cap, whatever the
 * Content-Length said) and parses it. Call only after `refuseBeforeReading` returned null.
 */
export function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      // Over the cap: keep nothing more. The stream stays flowing without a listener, so the rest of
      // the upload is discarded as it arrives, and the socket stays usable for the 413 answer.
      req.off('data', onData).off('end', onEnd).off('error', onError);
      chunks.length = 0;
      resolve({ ok: false, refusal: tooLarge(maxBytes) });
    };
    const onEnd = () => {
      req.off('data', onData).off('error', onError);
      resolve(parseActivityJson(Buffer.concat(chunks).toString('utf8')));
    };
    const onError = () => {
      req.off('data', onData).off('end', onEnd);
      resolve({ ok: false, refusal: { status: 400, error: 'The body could not be read.' } });
    };
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

function parseActivityJson(text: string): BodyResult {
  if (text.trim() === '') return { ok: false, refusal: { status: 400, error: 'The body is empty; it must be a JSON Bot Framework activity.' } };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, refusal: { status: 400, error: 'The body is not valid JSON; it must be a JSON Bot Framework activity.' } };
  }
}

function tooLarge(maxBytes: number): BodyRefusal {
  return { status: 413, error: `The body is larger than ${Math.round(maxBytes / 1024)} KB, the most an activity may be.` };
}

/** A media type as shown in an error: the caller's own value, shortened and reduced to safe characters. */
function describe(mediaType: string): string {
  return mediaType.slice(0, 60).replace(/[^a-z0-9.+/-]/g, '?');
}
