import { hostAllowed, isIpLiteral, parseHostPattern, type HostPattern } from '../domain/download-hosts';

/**
 * Downloading a file an admin attached in the bot's personal chat. Teams puts a short-lived,
 * pre-authenticated `downloadUrl` on a SharePoint host into the activity; the bot fetches it with no
 * Authorization header. Because the URL arrives inside an activity, it is checked before any request
 * (https only, a host on IMPORT_DOWNLOAD_HOSTS, no user name or password in it), every redirect is
 * checked the same way, and the size cap applies to the announced length (before any body is read)
 * and to the bytes actually streamed. Nothing here ever repeats the URL: its query string is the
 * credential.
 */

/** Why a download was refused or failed; `DownloadRefused.reason`. */
export type DownloadRefusalReason =
  /** Not a valid https URL, or one with a user name or password in it. */
  | 'url'
  /** The URL's host (or a redirect's) is not on IMPORT_DOWNLOAD_HOSTS. */
  | 'host'
  /** Larger than the cap, by its announced length or by the bytes that arrived. */
  | 'too-large'
  /** An answer other than 200 (and not a redirect). */
  | 'status'
  /** More redirects than allowed. */
  | 'redirects'
  /** No answer, or no data, for `timeoutMs`. */
  | 'timeout'
  /** The connection failed or broke, or the caller cancelled the download. */
  | 'network';

/** The download was refused or failed. `message` is meant for the admin; it never holds the URL. */
export class DownloadRefused extends Error {
  constructor(
    readonly reason: DownloadRefusalReason,
    message: string,
    /** True when attaching the file again (a fresh link) may help. */
    readonly tryAgain: boolean,
    /** The HTTP status, for `status`. */
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'DownloadRefused';
  }
}

export interface DownloadOptions {
  /** IMPORT_DOWNLOAD_HOSTS entries (`config.import.downloadHosts`). */
  allowedHosts: readonly string[];
  /** The most bytes the file may have (`config.import.maxUploadBytes`). */
  maxBytes: number;
  /** The longest wait for an answer, and for the next bytes of the body (default 60 s). */
  timeoutMs?: number;
  /** Redirects followed, each checked like the first URL (default 3). */
  maxRedirects?: number;
  /** Cancels the download (e.g. the bot shuts down). */
  signal?: AbortSignal;
}

/** What the sink learns besides the bytes. */
export interface DownloadInfo {
  /** The announced length, when the server sent one (already checked against the cap). */
  contentLength: number | null;
}

export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** "1.5 GB", "20 MB", "512 bytes": a size in words for the admin. */
export function sizeInWords(bytes: number): string {
  const units: Array<[number, string]> = [
    [1024 ** 3, 'GB'],
    [1024 ** 2, 'MB'],
    [1024, 'KB'],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) {
      const n = bytes / size;
      return `${n >= 100 ? Math.round(n) : Number(n.toFixed(1))} ${unit}`;
    }
  }
  return `${bytes} bytes`;
}

function parsePatterns(allowedHosts: readonly string[]): HostPattern[] {
  return allowedHosts.map((h) => {
    const p = parseHostPattern(h);
    if (!p) throw new Error(`not a download host entry: ${h}`);
    return p;
  });
}

/** How a URL's host is named in a message: the host, and the port when it is not the default. */
const hostOf = (url: URL) => url.host;

/**
 * Checks a download URL (or a redirect's target) without any request: a valid https URL, no user
 * name or password, a host on `allowedHosts` (an IP literal only when listed exactly, a port other
 * than 443 only when its entry names it). Returns the parsed URL; throws `DownloadRefused`.
 */
export function checkDownloadUrl(url: string | URL, allowedHosts: readonly string[], via: 'link' | 'redirect' = 'link'): URL {
  const patterns = parsePatterns(allowedHosts);
  return checkUrl(url, patterns, via);
}

function checkUrl(url: string | URL, patterns: readonly HostPattern[], via: 'link' | 'redirect'): URL {
  const what = via === 'link' ? "The file's download link" : 'The download was redirected to a link that';
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    throw new DownloadRefused('url', `${what} is not a valid web address, so the bot did not download the file.`, false);
  }
  if (parsed.protocol !== 'https:') {
    throw new DownloadRefused(
      'url',
      `${via === 'link' ? "The file's download link is not" : 'The download was redirected to a link that is not'} a secure (https) link, so the bot did not download the file.`,
      false,
    );
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new DownloadRefused('url', `${what} carries a user name or password, which Teams links never do, so the bot did not download the file.`, false);
  }
  if (!hostAllowed(parsed.hostname, parsed.port, patterns)) {
    const kind = isIpLiteral(parsed.hostname) ? 'an IP address' : 'a host';
    throw new DownloadRefused(
      'host',
      `${via === 'link' ? 'The file is offered from' : 'The download was redirected to'} ${hostOf(parsed)}, ${kind} the bot does not download files from ` +
        '(it downloads only from the places Teams keeps files, IMPORT_DOWNLOAD_HOSTS), so it did not download the file.',
      false,
    );
  }
  return parsed;
}

function statusRefusal(status: number): DownloadRefused {
  if (status === 401 || status === 403 || status === 404 || status === 410) {
    return new DownloadRefused(
      'status',
      `The download link has expired or the file is no longer there (HTTP ${status}). Teams links last only a few minutes: attach the file again.`,
      true,
      status,
    );
  }
  if (status >= 300 && status < 400) {
    return new DownloadRefused('status', `The download answered with a redirect the bot cannot follow (HTTP ${status}).`, false, status);
  }
  return new DownloadRefused('status', `The file could not be downloaded (HTTP ${status}). Attach the file again in a few minutes.`, true, status);
}

function tooLarge(maxBytes: number, bytes: number | null): DownloadRefused {
  const size = bytes === null ? 'larger than' : `${sizeInWords(bytes)}, more than`;
  return new DownloadRefused(
    'too-large',
    `The file is ${size} the ${sizeInWords(maxBytes)} the bot accepts (IMPORT_MAX_UPLOAD_MB). Split the export, or raise IMPORT_MAX_UPLOAD_MB.`,
    false,
  );
}

/** The code of a network error (undici puts it on `cause`), never its message (which may name the URL). */
function errorCode(err: unknown): string | null {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = cause?.code ?? (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? code : null;
}

/**
 * Downloads the file at `url` and hands its bytes to `sink` as they arrive, resolving to what `sink`
 * resolves to. Refused before any request: a URL that is not https, has a user name or password, or
 * names a host that is not on `allowedHosts`. Refused during: an announced length over `maxBytes`
 * (before the body is read), more bytes than that (the download stops), an answer other than 200, a
 * redirect to a URL that fails the same checks, more than `maxRedirects` redirects, `timeoutMs` of
 * silence. Every refusal is a `DownloadRefused`; an error the sink throws (or throws on the body's
 * `DownloadRefused`) reaches the caller unchanged. No Authorization header is sent, and the body is
 * asked for unencoded (`accept-encoding: identity`) so its announced length is its real size.
 */
export async function downloadAttachedFile<T>(
  url: string,
  options: DownloadOptions,
  sink: (body: AsyncIterable<Uint8Array>, info: DownloadInfo) => Promise<T>,
): Promise<T> {
  const patterns = parsePatterns(options.allowedHosts);
  const timeoutMs = options.timeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const { maxBytes } = options;
  let current = checkUrl(url, patterns, 'link');

  const controller = new AbortController();
  const onCallerAbort = () => controller.abort();
  if (options.signal?.aborted) throw new DownloadRefused('network', 'The download was cancelled.', true);
  options.signal?.addEventListener('abort', onCallerAbort);
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
  };
  const disarm = () => clearTimeout(timer);
  const failure = (err: unknown, host: string): Error => {
    if (err instanceof DownloadRefused) return err;
    if (timedOut) {
      return new DownloadRefused(
        'timeout',
        `The download stopped: ${host} sent nothing for ${Math.round(timeoutMs / 1000)} seconds. Attach the file again.`,
        true,
      );
    }
    if (options.signal?.aborted) return new DownloadRefused('network', 'The download was cancelled.', true);
    const code = errorCode(err);
    return new DownloadRefused('network', `The download from ${host} failed${code ? ` (${code})` : ''}. Attach the file again.`, true);
  };

  try {
    for (let hop = 0; ; hop++) {
      let res: Response;
      arm();
      try {
        res = await fetch(current, {
          method: 'GET',
          redirect: 'manual',
          signal: controller.signal,
          headers: { accept: '*/*', 'accept-encoding': 'identity' },
        });
      } catch (err) {
        throw failure(err, hostOf(current));
      } finally {
        disarm();
      }

      if (REDIRECTS.has(res.status)) {
        await res.body?.cancel().catch(() => undefined);
        const location = res.headers.get('location');
        if (location === null) throw statusRefusal(res.status);
        if (hop >= maxRedirects) {
          throw new DownloadRefused('redirects', `The download was redirected more than ${maxRedirects} times, so the bot stopped following it.`, false);
        }
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          throw new DownloadRefused(
            'url',
            'The download was redirected to a link that is not a valid web address, so the bot did not download the file.',
            false,
          );
        }
        current = checkUrl(next, patterns, 'redirect');
        continue;
      }
      if (res.status !== 200 || res.body === null) {
        await res.body?.cancel().catch(() => undefined);
        throw statusRefusal(res.status);
      }
      const announced = res.headers.get('content-length');
      const contentLength = announced !== null && /^\d{1,16}$/.test(announced.trim()) ? Number(announced.trim()) : null;
      if (contentLength !== null && contentLength > maxBytes) {
        await res.body.cancel().catch(() => undefined);
        throw tooLarge(maxBytes, contentLength);
      }

      const host = hostOf(current);
      const stream = res.body as unknown as AsyncIterable<Uint8Array>;
      const body = (async function* capped(): AsyncGenerator<Uint8Array> {
        const chunks = stream[Symbol.asyncIterator]();
        let total = 0;
        for (;;) {
          let step: IteratorResult<Uint8Array>;
          arm();
          try {
            step = await chunks.next();
          } catch (err) {
            throw failure(err, host);
          } finally {
            disarm();
          }
          if (step.done) return;
          total += step.value.byteLength;
          if (total > maxBytes) {
            controller.abort();
            throw tooLarge(maxBytes, null);
          }
          yield step.value;
        }
      })();
      return await sink(body, { contentLength });
    }
  } finally {
    disarm();
    options.signal?.removeEventListener('abort', onCallerAbort);
    // Whatever the sink did not read is not wanted: close the connection.
    controller.abort();
  }
}
