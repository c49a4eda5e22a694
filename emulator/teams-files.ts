import * as crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Core } from './core';
import { sendEmpty, sendGraphError, sendJson, type RequestContext } from './http';
import type { TenantState } from './state';
import type { FileDownload, FileUpload, FileUploadSlot, HostedFile, HostFileOptions, TeamsFiles } from './types';

/** How long a hosted file's download URL works unless told otherwise ("a few minutes"). */
export const DEFAULT_DOWNLOAD_LIFETIME_SECONDS = 300;
/** How long an upload URL works unless told otherwise. */
export const DEFAULT_UPLOAD_LIFETIME_SECONDS = 3600;
/** OneDrive upload sessions: every fragment but the last must be a multiple of 320 KiB. */
export const UPLOAD_FRAGMENT_MULTIPLE = 320 * 1024;
/** OneDrive upload sessions: at most 60 MiB per fragment (larger ones get 413). */
export const UPLOAD_FRAGMENT_MAX_BYTES = 60 * 1024 * 1024;

/** Route prefix of everything this module serves. */
const PREFIX = '/_files/';
/** Bytes written per step of a download. */
const CHUNK_BYTES = 64 * 1024;
/** Filler lines: 63 × `x` and a newline. */
const FILLER_LINE = 64;
/** A block of filler long enough to slice any chunk out of, whatever the offset within a line. */
const FILLER_BLOCK = Buffer.from(('x'.repeat(FILLER_LINE - 1) + '\n').repeat(CHUNK_BYTES / FILLER_LINE + 1), 'latin1');

/** A hosted file as stored (content plus how to serve it). */
interface HostedEntry extends HostedFile {
  content: Buffer;
  fillerBytes: number;
  bytesPerSecond: number | null;
  stallAfterBytes: number | null;
  contentLength: boolean;
  /** raw path of `contentUrl` (for recognising requests to it) */
  contentPath: string;
}

/** An upload URL and the fragments received so far. */
interface UploadSession extends FileUploadSlot {
  fragments: Buffer[];
  received: number;
  /** total size announced by the first fragment's Content-Range */
  total: number | null;
  contentType: string | null;
  headers: Record<string, string>;
  itemId: string;
  /** set once the last fragment arrived; the URL then answers 404 */
  completed: boolean;
}

/** A random URL-safe token, as unguessable as SharePoint's tempauth. */
function newToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

/** The extension without its dot, lower case; '' when there is none. */
export function fileTypeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 || dot === name.length - 1 ? '' : name.slice(dot + 1).toLowerCase();
}

/** Request headers as one string each, names lower case (Node already lower-cases them). */
function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** A non-negative finite number option, or throws with the option's name. */
function nonNegative(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0) throw new Error(`TeamsFiles.host: ${name} must be a non-negative number`);
  return value;
}

/**
 * The files of the bot's personal chats. A user's attachment is hosted at
 * `/_files/download/{token}`: pre-authenticated (no Authorization needed, one sent is ignored),
 * short-lived (410 once expired), every request recorded. A file the bot sends after a consent card
 * goes to `/_files/upload/{token}`, a OneDrive upload session (PUT fragments with Content-Range).
 * Both live in the owner's emulated OneDrive under `/_files/personal/…` (the `contentUrl`), which
 * answers 401 like SharePoint does without a token.
 */
export class TeamsFileStore implements TeamsFiles {
  private hosted = new Map<string, HostedEntry>();
  private sessions = new Map<string, UploadSession>();
  private downloadLog: FileDownload[] = [];
  private uploadLog: FileUpload[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly state: TenantState,
  ) {}

  /** Forgets every hosted file, upload URL and record. */
  clear(): void {
    this.hosted.clear();
    this.sessions.clear();
    this.downloadLog = [];
    this.uploadLog = [];
  }

  host(name: string, content: Buffer | string, opts: HostFileOptions = {}): HostedFile {
    if (name.trim() === '') throw new Error('TeamsFiles.host: the file needs a name');
    const fillerBytes = nonNegative(opts.fillerBytes, 'fillerBytes') ?? 0;
    const bytesPerSecond = nonNegative(opts.bytesPerSecond, 'bytesPerSecond') ?? null;
    if (bytesPerSecond === 0) throw new Error('TeamsFiles.host: bytesPerSecond must be positive');
    const lifetime = nonNegative(opts.expiresInSeconds, 'expiresInSeconds') ?? DEFAULT_DOWNLOAD_LIFETIME_SECONDS;
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
    const token = newToken();
    const uniqueId = (opts.uniqueId ?? crypto.randomUUID()).toUpperCase();
    const { url: contentUrl, path: contentPath } = this.oneDriveUrl(opts.owner, 'Microsoft Teams Chat Files', name);
    const entry: HostedEntry = {
      token,
      name,
      size: bytes.length + Math.floor(fillerBytes),
      downloadUrl: `${this.baseUrl}${PREFIX}download/${token}`,
      uniqueId,
      contentUrl,
      fileType: fileTypeOf(name),
      etag: `"{${uniqueId}},1"`,
      expiresAt: Date.now() + lifetime * 1000,
      content: bytes,
      fillerBytes: Math.floor(fillerBytes),
      bytesPerSecond,
      stallAfterBytes: nonNegative(opts.stallAfterBytes, 'stallAfterBytes') ?? null,
      contentLength: opts.contentLength ?? true,
      contentPath,
    };
    this.hosted.set(token, entry);
    return publicHosted(entry);
  }

  expire(tokenOrUrl: string): void {
    const token = tokenOrUrl.includes('/') ? (tokenOrUrl.split('/').pop() ?? '') : tokenOrUrl;
    const entry = this.hosted.get(token);
    if (!entry) throw new Error(`TeamsFiles.expire: no hosted file with token '${token}'`);
    entry.expiresAt = Date.now() - 1;
  }

  downloads(): FileDownload[] {
    return this.downloadLog.map((d) => ({ ...d, headers: { ...d.headers } }));
  }

  createUpload(name: string, opts: { owner?: string; expiresInSeconds?: number } = {}): FileUploadSlot {
    if (name.trim() === '') throw new Error('TeamsFiles.createUpload: the file needs a name');
    const lifetime = opts.expiresInSeconds ?? DEFAULT_UPLOAD_LIFETIME_SECONDS;
    const token = newToken();
    const { url: contentUrl } = this.oneDriveUrl(opts.owner, 'Applications', name);
    const session: UploadSession = {
      token,
      name,
      uploadUrl: `${this.baseUrl}${PREFIX}upload/${token}`,
      contentUrl,
      uniqueId: crypto.randomUUID().toUpperCase(),
      fileType: fileTypeOf(name),
      expiresAt: Date.now() + lifetime * 1000,
      fragments: [],
      received: 0,
      total: null,
      contentType: null,
      headers: {},
      itemId: `01${crypto.randomBytes(16).toString('hex').toUpperCase()}`,
      completed: false,
    };
    this.sessions.set(token, session);
    return publicSlot(session);
  }

  uploads(): FileUpload[] {
    return this.uploadLog.map((u) => ({ ...u, bytes: Buffer.from(u.bytes), headers: { ...u.headers } }));
  }

  /** Answers a request under `/_files/`. */
  handle(ctx: RequestContext): void {
    const rest = ctx.path.slice(PREFIX.length);
    const [area, token, extra] = rest.split('/');
    if (area === 'download' && token && extra === undefined) return this.download(ctx, token);
    if (area === 'upload' && token && extra === undefined) return this.upload(ctx, token);
    if (area === 'personal') return this.contentUrlRequest(ctx);
    sendGraphError(ctx, 404, 'itemNotFound', `No file route for ${ctx.method} ${ctx.path}.`);
  }

  /** `https://…/_files/personal/<upn with _>/Documents/<folder>/<name>`: where a file lives in the owner's OneDrive (default 'alex', else the fixture's first user). */
  private oneDriveUrl(owner: string | undefined, folder: string, name: string): { url: string; path: string } {
    const user = owner === undefined ? (this.state.usersByKey.get('alex') ?? this.state.usersByKey.values().next().value) : this.state.usersByKey.get(owner);
    if (!user) throw new Error(`TeamsFiles: no fixture user '${owner ?? 'alex'}'`);
    const slug = user.userPrincipalName.toLowerCase().replace(/[^a-z0-9]/g, '_');
    const path = `${PREFIX}personal/${slug}/Documents/${encodeURIComponent(folder)}/${encodeURIComponent(name)}`;
    return { url: `${this.baseUrl}${path}`, path };
  }

  private record(ctx: RequestContext, via: FileDownload['via'], token: string, name: string | null, status: number): FileDownload {
    const entry: FileDownload = {
      token,
      name,
      at: Date.now(),
      method: ctx.method,
      via,
      status,
      bytes: 0,
      completed: false,
      headers: flatHeaders(ctx.req.headers),
    };
    this.downloadLog.push(entry);
    return entry;
  }

  /** GET/HEAD of a download URL: the bytes without any authentication, or 404/410. */
  private download(ctx: RequestContext, token: string): void {
    const entry = this.hosted.get(token);
    const allowed = ctx.method === 'GET' || ctx.method === 'HEAD';
    const status = !allowed ? 405 : !entry ? 404 : Date.now() >= entry.expiresAt ? 410 : 200;
    const record = this.record(ctx, 'downloadUrl', token, entry?.name ?? null, status);
    if (status === 405)
      return sendGraphError(ctx, 405, 'methodNotAllowed', `${ctx.method} is not supported on a download URL; use GET.`, { allow: 'GET, HEAD' });
    if (status === 404 || !entry) return sendGraphError(ctx, 404, 'itemNotFound', 'The download link is not valid.');
    if (status === 410) return sendGraphError(ctx, 410, 'resourceExpired', 'The download link has expired; ask Teams for the file again.');
    stream(ctx, entry, record);
  }

  /** A request to a `contentUrl`: SharePoint wants a token there, so 401 (the bot must use `downloadUrl`). */
  private contentUrlRequest(ctx: RequestContext): void {
    const entry = [...this.hosted.values()].find((h) => h.contentPath === ctx.path);
    this.record(ctx, 'contentUrl', entry?.token ?? '', entry?.name ?? null, 401);
    sendJson(
      ctx,
      401,
      { error_description: 'Invalid JWT token. No token was found in the request; the contentUrl is not pre-authenticated, use downloadUrl.' },
      { 'www-authenticate': 'Bearer realm="emulator", client_id="00000003-0000-0ff1-ce00-000000000000"' },
    );
  }

  /** An upload session: GET (status), DELETE (cancel), PUT (a fragment with Content-Range). */
  private upload(ctx: RequestContext, token: string): void {
    const session = this.sessions.get(token);
    if (!session || session.completed || Date.now() >= session.expiresAt) {
      sendGraphError(ctx, 404, 'itemNotFound', 'The upload session was not found; it expired, was cancelled or already completed.');
      return;
    }
    const expirationDateTime = new Date(session.expiresAt).toISOString();
    if (ctx.method === 'GET') {
      sendJson(ctx, 200, { expirationDateTime, nextExpectedRanges: [`${session.received}-`] });
      return;
    }
    if (ctx.method === 'DELETE') {
      this.sessions.delete(token);
      sendEmpty(ctx, 204);
      return;
    }
    if (ctx.method !== 'PUT') {
      sendGraphError(ctx, 405, 'methodNotAllowed', `${ctx.method} is not supported on an upload URL; use PUT.`, { allow: 'PUT, GET, DELETE' });
      return;
    }
    const header = ctx.req.headers['content-range'];
    const range = typeof header === 'string' ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim()) : null;
    if (!range) {
      sendGraphError(ctx, 400, 'invalidRequest', 'A Content-Range header `bytes {first}-{last}/{total}` is required on every fragment.');
      return;
    }
    const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
    const body = ctx.rawBody;
    if (end < start || end >= total) {
      sendGraphError(ctx, 400, 'invalidRange', `Content-Range '${range[0]}' is not a valid range of a ${total}-byte file.`);
      return;
    }
    if (body.length !== end - start + 1) {
      sendGraphError(ctx, 400, 'invalidRequest', `The Content-Range header names ${end - start + 1} bytes but the body has ${body.length}.`);
      return;
    }
    if (session.total !== null && session.total !== total) {
      sendGraphError(ctx, 400, 'invalidRange', `The file size changed: the first fragment announced ${session.total} bytes, this one ${total}.`);
      return;
    }
    if (start !== session.received) {
      sendJson(ctx, 416, {
        error: { code: 'invalidRange', message: `Fragments must arrive in order: expected bytes ${session.received}-, got ${start}-${end}.` },
        nextExpectedRanges: [`${session.received}-`],
      });
      return;
    }
    const last = end === total - 1;
    if (!last && body.length % UPLOAD_FRAGMENT_MULTIPLE !== 0) {
      sendGraphError(
        ctx,
        400,
        'invalidRange',
        `Every fragment but the last must be a multiple of 320 KiB (${UPLOAD_FRAGMENT_MULTIPLE} bytes); this one has ${body.length}.`,
      );
      return;
    }
    if (session.fragments.length === 0) {
      session.total = total;
      session.headers = flatHeaders(ctx.req.headers);
      const type = ctx.req.headers['content-type'];
      session.contentType = typeof type === 'string' ? type : null;
    }
    session.fragments.push(Buffer.from(body));
    session.received = end + 1;
    if (!last) {
      sendJson(ctx, 202, { expirationDateTime, nextExpectedRanges: [`${session.received}-`] });
      return;
    }
    session.completed = true;
    const bytes = Buffer.concat(session.fragments);
    this.uploadLog.push({
      token,
      name: session.name,
      bytes,
      contentType: session.contentType,
      uniqueId: session.uniqueId,
      contentUrl: session.contentUrl,
      fileType: session.fileType,
      itemId: session.itemId,
      fragments: session.fragments.length,
      headers: session.headers,
      at: Date.now(),
    });
    const now = new Date().toISOString();
    sendJson(ctx, 201, {
      id: session.itemId,
      name: session.name,
      size: bytes.length,
      webUrl: session.contentUrl,
      eTag: `"{${session.uniqueId}},1"`,
      cTag: `"c:{${session.uniqueId}},1"`,
      createdDateTime: now,
      lastModifiedDateTime: now,
      file: { mimeType: session.contentType ?? 'application/octet-stream' },
    });
  }
}

/** The public fields of a hosted file (no content, no serving options). */
function publicHosted(e: HostedEntry): HostedFile {
  const { token, name, size, downloadUrl, uniqueId, contentUrl, fileType, etag, expiresAt } = e;
  return { token, name, size, downloadUrl, uniqueId, contentUrl, fileType, etag, expiresAt };
}

/** The public fields of an upload session. */
function publicSlot(s: UploadSession): FileUploadSlot {
  const { token, name, uploadUrl, contentUrl, uniqueId, fileType, expiresAt } = s;
  return { token, name, uploadUrl, contentUrl, uniqueId, fileType, expiresAt };
}

/** `n` bytes of the served body starting at `offset`: the content, then filler. */
function bytesAt(entry: HostedEntry, offset: number, n: number): Buffer {
  const parts: Buffer[] = [];
  if (offset < entry.content.length) {
    const piece = entry.content.subarray(offset, Math.min(entry.content.length, offset + n));
    parts.push(piece);
    offset += piece.length;
    n -= piece.length;
  }
  if (n > 0) {
    const at = (offset - entry.content.length) % FILLER_LINE;
    parts.push(FILLER_BLOCK.subarray(at, at + n));
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/**
 * Streams a hosted file with backpressure: at most `bytesPerSecond` (in tenth-of-a-second steps)
 * when set, stopping without finishing after `stallAfterBytes` when set. The record's byte count
 * follows the stream; `completed` is set when the last byte was handed to the socket.
 */
function stream(ctx: RequestContext, entry: HostedEntry, record: FileDownload): void {
  ctx.done = true;
  ctx.log.status = 200;
  const { res } = ctx;
  const headers: Record<string, string> = {
    'content-type': 'application/octet-stream',
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(entry.name)}`,
    'cache-control': 'private, no-store',
    etag: entry.etag,
    'request-id': ctx.requestId,
  };
  if (entry.contentLength) headers['content-length'] = String(entry.size);
  res.writeHead(200, headers);
  if (ctx.method === 'HEAD') {
    res.end();
    record.completed = true;
    return;
  }
  const stopAt = Math.min(entry.size, entry.stallAfterBytes ?? Infinity);
  const step = entry.bytesPerSecond === null ? CHUNK_BYTES : Math.max(1, Math.min(CHUNK_BYTES, Math.floor(entry.bytesPerSecond / 10)));
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  res.once('close', () => clearTimeout(timer));
  const pump = (): void => {
    while (!res.destroyed) {
      if (sent >= entry.size) {
        res.end();
        record.completed = true;
        return;
      }
      if (sent >= stopAt) return; // stalled: the connection stays open, nothing more is sent
      const n = Math.min(step, stopAt - sent);
      const ok = res.write(bytesAt(entry, sent, n));
      sent += n;
      record.bytes = sent;
      if (entry.bytesPerSecond !== null) {
        timer = setTimeout(pump, (n / entry.bytesPerSecond) * 1000);
        return;
      }
      if (!ok) {
        res.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

/** Routes `/_files/…` to the emulator's file store. */
export function handleFiles(core: Core, ctx: RequestContext): void {
  core.teamsFiles.handle(ctx);
}
