import { CredentialError } from './graph-credential';
import type { GraphFailure } from '../domain/graph-failure';

/** A failed Graph call carrying its reduced `GraphFailure`: what every Graph port method throws. */
export class GraphCallError extends Error {
  constructor(readonly failure: GraphFailure) {
    super(`${failure.status} ${failure.code}: ${failure.message}`);
    this.name = 'GraphCallError';
  }
}

interface GraphErrorLike {
  statusCode?: number;
  code?: string | null;
  message?: string;
  requestId?: string | null;
  date?: Date;
  body?: unknown;
  name?: string;
}

/** Normalises anything graph-client, fetch or MSAL can throw into a `GraphCallError`. */
export function toGraphCallError(err: unknown): GraphCallError {
  if (err instanceof GraphCallError) return err;
  const now = new Date().toISOString();
  if (err instanceof CredentialError) {
    return new GraphCallError({ status: 0, code: 'TokenUnavailable', message: err.message, requestId: null, date: now, outcomeUnknown: false });
  }
  const e = (err ?? {}) as GraphErrorLike;
  // graph-client wraps what the auth provider or fetch threw: the original's name becomes `code`
  // and its text the `body`.
  if (e.code === 'CredentialError') {
    const message = typeof e.body === 'string' ? e.body.replace(/^CredentialError:\s*/, '') : 'The migration app could not sign in to Microsoft Entra ID.';
    return new GraphCallError({ status: 0, code: 'TokenUnavailable', message, requestId: null, date: now, outcomeUnknown: false });
  }
  const status = typeof e.statusCode === 'number' && e.statusCode > 0 ? e.statusCode : 0;
  if (status === 0) {
    const names = `${e.name ?? ''} ${e.code ?? ''}`;
    const aborted = /AbortError|TimeoutError/.test(names) || /abort|timed? ?out/i.test(`${e.message ?? ''} ${typeof e.body === 'string' ? e.body : ''}`);
    return new GraphCallError({
      status: 0,
      code: aborted ? 'Timeout' : 'NetworkError',
      message: aborted ? 'Microsoft Graph did not answer in time.' : 'The connection to Microsoft Graph failed.',
      requestId: null,
      date: now,
      outcomeUnknown: true,
    });
  }
  let message = e.message ?? '';
  if (!message || message.startsWith('{') || message.startsWith('<')) message = `Graph answered HTTP ${status}.`;
  return new GraphCallError({
    status,
    code: e.code ?? `Http${status}`,
    message: message.slice(0, 500),
    requestId: e.requestId ?? null,
    date: e.date instanceof Date && !isNaN(e.date.getTime()) ? e.date.toISOString() : now,
    outcomeUnknown: status >= 500,
  });
}

/** Parses a non-2xx raw response's Graph error JSON (spec §4) into a `GraphCallError`. */
export async function errorFromResponse(response: Response): Promise<GraphCallError> {
  let code = `Http${response.status}`;
  let message = `Graph answered HTTP ${response.status}.`;
  let date = new Date().toISOString();
  let requestId = response.headers.get('request-id');
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string; innerError?: Record<string, string> } };
    if (body?.error) {
      code = body.error.code ?? code;
      message = (body.error.message ?? message).slice(0, 500);
      requestId = body.error.innerError?.['request-id'] ?? requestId;
      const d = body.error.innerError?.date;
      if (d && !isNaN(Date.parse(d.endsWith('Z') ? d : `${d}Z`))) date = new Date(d.endsWith('Z') ? d : `${d}Z`).toISOString();
    }
  } catch {
    // A malformed error body still leaves status and headers to report.
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  return new GraphCallError({
    status: response.status,
    code,
    message,
    requestId,
    date,
    outcomeUnknown: response.status >= 500,
    ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterSeconds: retryAfter } : {}),
  });
}
