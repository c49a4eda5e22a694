import * as crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggedRequest, Service } from './types';

/** Largest request body the emulator reads (also the simple-upload limit of a file); larger ones get 413. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Everything a handler needs about one request, plus its log entry (updated when answered). */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** raw path, no query */
  path: string;
  rawUrl: string;
  query: Record<string, string>;
  rawBody: Buffer;
  /** parsed JSON or form body; undefined when empty; see bodyError */
  body: unknown;
  /** set when the body could not be parsed as its content type says */
  bodyError: string | null;
  requestId: string;
  clientRequestId: string | null;
  service: Service;
  log: LoggedRequest;
  /** true once a response was sent (or the socket destroyed) */
  done: boolean;
}

/** Decides which emulated service a raw path belongs to. */
export function serviceOf(path: string): Service {
  if (path === '/v1.0' || path === '/beta' || path.startsWith('/v1.0/') || path.startsWith('/beta/')) return 'graph';
  if (path.startsWith('/botframework/') || path === '/botframework') return 'botframework';
  if (path.startsWith('/connector/') || path === '/connector') return 'connector';
  if (path.startsWith('/_emulator')) return 'control';
  if (path.startsWith('/_files/')) return 'files';
  return 'entra';
}

/** Past this much, an oversized body is no longer drained but its connection dropped. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/** The body was larger than the emulator reads; answered with 413. */
export class BodyTooLarge extends Error {}

/**
 * Reads the whole body (bounded by `maxBytes`, default 4 MB) before routing. An oversized body is
 * still read to its end (and thrown away) so that the 413 answer reaches a client that is still
 * sending; only past DRAIN_LIMIT_BYTES is the connection dropped.
 */
export function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > DRAIN_LIMIT_BYTES) {
        reject(new BodyTooLarge('request body too large'));
        req.destroy();
        return;
      }
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => (size > maxBytes ? reject(new BodyTooLarge('request body too large')) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/** Secrets never reach the request log, even in memory (tests may print it). */
const REDACTED_FIELDS = new Set(['client_secret', 'client_assertion', 'password']);

/**
 * Parses the body per its content type; form bodies become plain objects. A `binary` body (a file
 * upload) is not parsed at all: handlers read `rawBody`, the log shows its size and type.
 */
export function parseBody(raw: Buffer, contentType: string | undefined, binary = false): { body: unknown; error: string | null; logged: unknown } {
  if (binary) return { body: undefined, error: null, logged: { bytes: raw.length, contentType: contentType ?? null } };
  if (raw.length === 0) return { body: undefined, error: null, logged: null };
  const text = raw.toString('utf8');
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) {
    const form: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(text)) form[k] = v;
    const logged: Record<string, string> = {};
    for (const [k, v] of Object.entries(form)) logged[k] = REDACTED_FIELDS.has(k) ? '[redacted]' : v;
    return { body: form, error: null, logged };
  }
  if (type.includes('json') || type === '' || text.trimStart().startsWith('{') || text.trimStart().startsWith('[')) {
    try {
      const body: unknown = JSON.parse(text);
      return { body, error: null, logged: body };
    } catch (e) {
      return { body: undefined, error: `Unable to read JSON request payload: ${(e as Error).message}`, logged: text.slice(0, 2000) };
    }
  }
  return { body: text, error: null, logged: text.slice(0, 2000) };
}

/** Splits a raw URL into the raw path and a flat query map (first value wins). */
export function splitUrl(rawUrl: string): { path: string; query: Record<string, string> } {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query: Record<string, string> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(rawUrl.slice(q + 1))) if (!(k in query)) query[k] = v;
  }
  return { path, query };
}

/** Sends a JSON answer with the Graph correlation headers. */
export function sendJson(ctx: RequestContext, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendRaw(ctx, status, JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8', ...headers });
}

/** Sends an empty answer (e.g. 204). */
export function sendEmpty(ctx: RequestContext, status: number, headers: Record<string, string> = {}): void {
  sendRaw(ctx, status, '', headers);
}

/** Sends a body verbatim; every answer carries request-id and client-request-id like Graph. */
export function sendRaw(ctx: RequestContext, status: number, body: string, headers: Record<string, string>): void {
  if (ctx.done) return;
  ctx.done = true;
  ctx.log.status = status;
  const all: Record<string, string> = {
    'request-id': ctx.requestId,
    'client-request-id': ctx.clientRequestId ?? ctx.requestId,
    'x-ms-ags-diagnostic': JSON.stringify({ ServerInfo: { DataCenter: 'Loopback', Slice: 'E', Ring: '0', ScaleUnit: '000', RoleInstance: 'emulator' } }),
    'cache-control': 'no-store',
    ...headers,
  };
  if (body.length > 0) all['content-length'] = String(Buffer.byteLength(body));
  else if (status !== 204 && status !== 304) all['content-length'] = '0';
  try {
    ctx.res.writeHead(status, all);
    ctx.res.end(body);
  } catch {
    ctx.res.destroy();
  }
}

/** Graph's date format in innerError: ISO without milliseconds or zone. */
function graphDate(): string {
  return new Date().toISOString().slice(0, 19);
}

/** Sends a Graph-shaped error (spec §4): `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`. */
export function sendGraphError(ctx: RequestContext, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(
    ctx,
    status,
    {
      error: {
        code,
        message,
        innerError: { date: graphDate(), 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId ?? ctx.requestId },
      },
    },
    headers,
  );
}

/** Sends an Entra (AADSTS) error: `{ error, error_description, error_codes, timestamp, trace_id, correlation_id }`. */
export function sendAadError(
  ctx: RequestContext,
  status: number,
  error: string,
  aadsts: number,
  description: string,
  headers: Record<string, string> = {},
): void {
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  sendJson(
    ctx,
    status,
    {
      error,
      error_description: `AADSTS${aadsts}: ${description} Trace ID: ${ctx.requestId} Correlation ID: ${ctx.clientRequestId ?? ctx.requestId} Timestamp: ${timestamp}`,
      error_codes: [aadsts],
      timestamp,
      trace_id: ctx.requestId,
      correlation_id: ctx.clientRequestId ?? ctx.requestId,
      error_uri: `${ctx.req.headers.host ? `https://${ctx.req.headers.host}` : ''}/error?code=${aadsts}`,
    },
    headers,
  );
}

/** A fresh GUID for request ids. */
export function newId(): string {
  return crypto.randomUUID();
}

/** Formats seconds for a Retry-After header: fractional, at most three decimals, never 0. */
export function formatRetryAfter(seconds: number): string {
  const s = Math.max(0.001, Math.ceil(seconds * 1000) / 1000);
  return String(Number(s.toFixed(3)));
}
