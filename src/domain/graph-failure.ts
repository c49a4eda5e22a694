/**
 * A failed Graph call as the rules see it, and the rules read from one: how its error code is
 * written, and whether Graph's refusal may be the answer to our own retried write. Pure: the Graph
 * adapter (`graph/graph-errors`) builds these, the features decide with them.
 */
import type { CloudName } from './national-clouds';

/** A Graph failure reduced to what the bot reports and records. */
export interface GraphFailure {
  /** HTTP status; 0 when no answer came back (timeout, reset, token failure). */
  status: number;
  /** Graph error code (`BadRequest`, `Forbidden`…), or our own for transport and token failures. */
  code: string;
  message: string;
  requestId: string | null;
  /** `innerError.date` or the time we noticed. */
  date: string;
  /** True when the request may or may not have taken effect (timeout, reset, 5xx after retries). */
  outcomeUnknown: boolean;
  /** `Retry-After` of a final 429/503, in seconds, when Graph sent one. */
  retryAfterSeconds?: number;
  /** Set when a migration call failed in a national cloud, where Microsoft does not list the migration APIs. */
  nationalCloud?: CloudName;
}

/** The two migration writes whose outcome the bot settles. */
/**
 * A failure the bot decides itself (a re-check refused the write, an id was malformed, no decisive
 * answer came): a definite outcome, dated now, with Graph's request-id when one answer had it.
 */
export function decidedFailure(status: number, code: string, message: string, requestId: string | null = null): GraphFailure {
  return { status, code, message, requestId, date: new Date().toISOString(), outcomeUnknown: false };
}

export type MigrationWrite = 'start' | 'complete';

/**
 * How an error code is shown on cards, bulk rows and messages: `400 BadRequest`, or the code alone
 * when no HTTP answer came back (`Timeout`, `TokenUnavailable`, `MalformedId`).
 */
export function formatErrorCode(failure: Pick<GraphFailure, 'status' | 'code'>): string {
  return failure.status ? `${failure.status} ${failure.code}` : failure.code;
}

/**
 * What Graph says when the effect of a write is already there: a start on a thread in migration
 * mode gets "already in migration"; a completion of one that is not gets "finalized" / "not in (a)
 * migration". graph-client's own retry of a write that had worked gets exactly these answers.
 * Matched on the message, case-insensitively.
 */
const ALREADY_DONE_ANSWER: Record<MigrationWrite, RegExp> = {
  start: /already/i,
  complete: /finali[sz]ed|not in (a )?migration/i,
};

/**
 * True when a refusal of `write` reads like the answer to our own retried call (a `400` with the
 * message above), so it may hide a write that did happen and the thread must be read to know.
 */
export function mayBeOwnRetry(failure: Pick<GraphFailure, 'status' | 'message'>, write: MigrationWrite): boolean {
  return failure.status === 400 && saysAlreadyDone(failure.message, write);
}

/** True when Graph's message for `write` says its effect is already there (see above). */
export function saysAlreadyDone(message: string, write: MigrationWrite): boolean {
  return ALREADY_DONE_ANSWER[write].test(message);
}

/**
 * True when a failed write may still have taken effect — no answer came back, or the answer may
 * be to our own retry — so it is settled by reading the thread, never by guessing.
 */
export function mayHaveTakenEffect(failure: GraphFailure, write: MigrationWrite): boolean {
  return failure.outcomeUnknown || mayBeOwnRetry(failure, write);
}
