import type { FileDestination } from '../features/reports/report-commands';
import { UploadFailed } from '../features/reports/report-commands';

/**
 * OneDrive upload sessions take a file in fragments of a multiple of 320 KiB (the last may be
 * shorter). 10 × 320 KiB per request: a report of a few MB goes in one or two requests.
 */
export const FRAGMENT_UNIT = 320 * 1024;
export const DEFAULT_FRAGMENT_BYTES = 10 * FRAGMENT_UNIT;

export interface UploadOptions {
  /** A multiple of 320 KiB (checked). */
  fragmentBytes?: number;
  /** Per request. */
  timeoutMs?: number;
}

/** The host of a URL, the only part of an upload URL ever put in a message (its path and query are the secret). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid address';
  }
}

/** A network failure's code (ECONNREFUSED, UND_ERR_…), never its message (which may quote the address). */
function networkCode(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return (err as Error | null)?.name === 'TimeoutError' ? 'timed out' : 'network error';
}

/**
 * PUTs `bytes` to a OneDrive upload session (`uploadInfo.uploadUrl` of a file consent accept) with
 * `Content-Range`, fragment by fragment, in order, without an Authorization header (the URL is
 * pre-authenticated). Resolves when the session answered 200/201 to the last fragment; otherwise
 * rejects with `UploadFailed`, whose message names the host and status but never the URL.
 *
 * This lives in the Teams edge, not in the reports feature: the upload URL is part of Teams' file
 * consent protocol and a bearer secret, so it stays here with the invoke it came in; the feature
 * decides what the bytes are and sees only the `FileDestination` this returns.
 */
export async function uploadInFragments(url: string, bytes: Uint8Array, contentType: string, options: UploadOptions = {}): Promise<void> {
  const fragment = options.fragmentBytes ?? DEFAULT_FRAGMENT_BYTES;
  if (fragment <= 0 || fragment % FRAGMENT_UNIT !== 0) throw new Error(`fragmentBytes must be a multiple of ${FRAGMENT_UNIT}`);
  const total = bytes.length;
  if (total === 0) throw new UploadFailed('an empty file cannot be uploaded');
  const host = hostOf(url);
  for (let start = 0; start < total; start += fragment) {
    const end = Math.min(start + fragment, total) - 1;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'PUT',
        headers: { 'content-type': contentType, 'content-range': `bytes ${start}-${end}/${total}` },
        // A copy typed over an ArrayBuffer, as fetch's body type wants.
        body: new Uint8Array(bytes.subarray(start, end + 1)),
        signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
      });
    } catch (err) {
      throw new UploadFailed(`the upload to ${host} failed at bytes ${start}-${end} of ${total} (${networkCode(err)})`);
    }
    // The body is not needed (a driveItem, or the next expected range): read it so the socket is freed.
    await res.arrayBuffer().catch(() => undefined);
    const last = end === total - 1;
    const ok = last ? res.status === 200 || res.status === 201 : res.status === 202;
    if (!ok) throw new UploadFailed(`${host} answered ${res.status} to bytes ${start}-${end} of ${total}`, res.status);
  }
}

/** The `FileDestination` a feature writes an accepted file to. */
export function uploadSession(url: string, options: UploadOptions = {}): FileDestination {
  return { put: (bytes, contentType) => uploadInFragments(url, bytes, contentType, options) };
}
