import { GraphCallError } from './graph-errors';
import { decidedFailure } from '../domain/graph-failure';
import { isGraphId, malformedIdMessage, type GraphIdKind } from '../domain/parse/ids';

/**
 * The Graph failure a malformed id becomes: code `MalformedId`, no HTTP status (Graph was never
 * called), outcome known. Flows already turn `GraphCallError`s into cards, so this needs no new path.
 */
export function malformedIdError(kind: GraphIdKind, value: unknown): GraphCallError {
  return new GraphCallError(decidedFailure(0, 'MalformedId', malformedIdMessage(kind, value)));
}

/**
 * One Graph path segment for an id: validated against its kind, then percent-encoded. Throws a
 * `MalformedId` `GraphCallError` for anything of the wrong shape, before any request is made.
 */
export function graphSegment(kind: GraphIdKind, value: unknown): string {
  if (!isGraphId(kind, value)) throw malformedIdError(kind, value);
  return encodeURIComponent(value);
}
