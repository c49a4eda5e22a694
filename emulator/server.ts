import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { handleBotFramework } from './botframework';
import { handleConnector } from './connector';
import type { Core } from './core';
import { clientIdOfAuthorization, handleEntra } from './entra';
import type { FaultStore } from './faults';
import { isDriveUpload } from './files';
import { handleGraph } from './graph';
import {
  formatRetryAfter,
  newId,
  parseBody,
  readBody,
  sendAadError,
  sendGraphError,
  sendJson,
  sendRaw,
  serviceOf,
  splitUrl,
  type RequestContext,
} from './http';
import { handleFiles, UPLOAD_FRAGMENT_MAX_BYTES } from './teams-files';
import type { LoggedRequest } from './types';

/** What the request pipeline needs besides the Core. */
export interface Pipeline {
  core: Core;
  faults: FaultStore;
  log: LoggedRequest[];
  /** control-plane handler (`/_emulator/...`) supplied by the Emulator */
  control(ctx: RequestContext): boolean;
  /** requests held by a 'hang' fault, released (destroyed) on stop */
  hanging: Set<Socket>;
}

/**
 * Builds the HTTPS request listener: reads and parses the body, logs the request, applies an
 * injected fault if one matches, then routes by service. Every failure becomes an error answer
 * in the service's shape; nothing a client sends can crash the emulator.
 */
export function createListener(p: Pipeline): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(p, req, res).catch((e: unknown) => {
      try {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'InternalServerError', message: `emulator error: ${(e as Error).message}` } }));
        } else res.destroy();
      } catch {
        res.destroy();
      }
    });
  };
}

async function handle(p: Pipeline, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rawUrl = req.url ?? '/';
  const { path, query } = splitUrl(rawUrl);
  const service = serviceOf(path);
  const clientRequestId = typeof req.headers['client-request-id'] === 'string' ? req.headers['client-request-id'] : null;
  const log: LoggedRequest = {
    at: Date.now(),
    service,
    method: (req.method ?? 'GET').toUpperCase(),
    path,
    rawUrl,
    query,
    body: null,
    clientId: clientIdOfAuthorization(req.headers.authorization),
    status: 0,
    requestId: newId(),
  };
  p.log.push(log);
  const ctx: RequestContext = {
    req,
    res,
    method: log.method,
    path,
    rawUrl,
    query,
    rawBody: Buffer.alloc(0),
    body: undefined,
    bodyError: null,
    requestId: log.requestId as string,
    clientRequestId,
    service,
    log,
    done: false,
  };
  const files = service === 'files';
  const binary = files || (service === 'graph' && isDriveUpload(ctx.method, path));
  try {
    ctx.rawBody = await readBody(req, files ? UPLOAD_FRAGMENT_MAX_BYTES : undefined);
  } catch {
    const message = files
      ? 'The fragment is larger than 60 MiB, the limit of one upload session request.'
      : binary
        ? 'The file is larger than 4 MB, the limit of a simple upload; use an upload session.'
        : 'The request body is too large.';
    sendGraphError(ctx, 413, 'RequestEntityTooLarge', message);
    return;
  }
  const parsed = parseBody(ctx.rawBody, req.headers['content-type'], binary);
  ctx.body = parsed.body;
  ctx.bodyError = parsed.error;
  log.body = parsed.logged;

  const fault = p.faults.take(ctx.method, path);
  if (fault) {
    applyFault(p, ctx, fault);
    return;
  }
  try {
    route(p, ctx);
  } catch (e) {
    sendGraphError(ctx, 500, 'InternalServerError', `The emulator failed to handle the request: ${(e as Error).message}`);
  }
  if (!ctx.done) sendGraphError(ctx, 404, 'NotFound', `No route for ${ctx.method} ${path}.`);
}

function route(p: Pipeline, ctx: RequestContext): void {
  const segments = ctx.path.split('/').slice(1);
  switch (ctx.service) {
    case 'graph':
      handleGraph(p.core, ctx);
      return;
    case 'connector':
      handleConnector(p.core, ctx);
      return;
    case 'botframework':
      handleBotFramework(p.core, ctx, segments);
      return;
    case 'control':
      p.control(ctx);
      return;
    case 'files':
      handleFiles(p.core, ctx);
      return;
    case 'entra': {
      let decoded: string[];
      try {
        decoded = segments.map((s) => decodeURIComponent(s));
      } catch {
        decoded = segments;
      }
      handleEntra(p.core, ctx, decoded);
      return;
    }
  }
}

/** Answers (or refuses to answer) as the fault rule says. */
function applyFault(p: Pipeline, ctx: RequestContext, fault: { kind: string; retryAfter?: number | null; hangMs?: number }): void {
  const retryAfter = fault.retryAfter === undefined ? (fault.kind === '429' ? 1 : null) : fault.retryAfter;
  const headers: Record<string, string> = retryAfter === null ? {} : { 'retry-after': formatRetryAfter(retryAfter) };
  switch (fault.kind) {
    case '429':
      sendGraphError(ctx, 429, 'TooManyRequests', 'Too many requests (injected fault).', headers);
      return;
    case '503':
      sendGraphError(ctx, 503, 'ServiceUnavailable', 'The service is temporarily unavailable (injected fault).', headers);
      return;
    case '504':
      sendGraphError(ctx, 504, 'GatewayTimeout', 'The gateway timed out (injected fault).', headers);
      return;
    case 'malformed':
      sendRaw(ctx, 200, '{"value": [{"id": "19:truncated', { 'content-type': 'application/json; charset=utf-8' });
      return;
    case 'token-5xx':
      sendAadError(ctx, 503, 'temporarily_unavailable', 50196, 'The server is temporarily unavailable (injected fault).', headers);
      return;
    case 'invalid_client':
      sendAadError(ctx, 401, 'invalid_client', 7000215, 'Invalid client secret provided (injected fault).');
      return;
    case 'reset':
      ctx.done = true;
      ctx.req.socket.destroy();
      return;
    case 'hang': {
      ctx.done = true;
      const socket = ctx.req.socket;
      p.hanging.add(socket);
      const timer = setTimeout(() => socket.destroy(), fault.hangMs ?? 120_000);
      timer.unref();
      socket.once('close', () => {
        clearTimeout(timer);
        p.hanging.delete(socket);
      });
      return;
    }
    default:
      sendJson(ctx, 500, { error: { code: 'InternalServerError', message: `unknown fault kind ${fault.kind}` } });
  }
}
