import type { Core } from './core';
import type { Principal } from './entra';
import type { FixtureUser } from './fixture';
import type { RequestContext } from './http';
import { decodeSkipToken, nextLink, parseTop } from './odata';
import type { TeamRecord, ThreadRecord } from './state';

/** Decoded path parameters of a matched route, by name (`team`, `channel`, `chat`, `message`, ...). */
export type Params = Record<string, string>;

/** What a matched route needs: who calls, its decoded path parameters, the version prefix. */
export interface Call {
  core: Core;
  ctx: RequestContext;
  principal: Principal;
  params: Params;
  version: string;
}

/** An endpoint's refusal: handleGraph turns it into a Graph error with this status and code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A 404 `NotFound` (unknown or another tenant's resource). */
export class NotFound extends HttpError {
  constructor(message: string) {
    super(404, 'NotFound', message);
  }
}

/** A 400 `BadRequest`. */
export class BadRequest extends HttpError {
  constructor(message: string) {
    super(400, 'BadRequest', message);
  }
}

/** A team of the caller's tenant, or 404 (another tenant's ids do not exist for the caller). */
export function teamOf(call: Call): TeamRecord {
  const team = call.core.state.team(call.params.team);
  if (!team || team.tenantId !== call.principal.tenantId) throw new NotFound(`No team found with Group Id ${call.params.team}`);
  return team;
}

/** A channel of that team, or 404. */
export function channelOf(call: Call): ThreadRecord {
  const team = teamOf(call);
  const thread = call.core.state.threads.get(call.params.channel);
  if (!thread || thread.kind !== 'channel' || thread.teamId?.toLowerCase() !== team.id.toLowerCase()) {
    throw new NotFound(`Channel ${call.params.channel} not found in team ${team.id}.`);
  }
  return thread;
}

/** A chat of the caller's tenant, or 404. */
export function chatOf(call: Call): ThreadRecord {
  const thread = call.core.state.threads.get(call.params.chat);
  if (!thread || thread.kind !== 'chat' || thread.tenantId !== call.principal.tenantId) throw new NotFound(`Chat ${call.params.chat} not found.`);
  return thread;
}

/** A user of the caller's tenant by object id or user principal name, or 404. */
export function userOf(call: Call): FixtureUser {
  const user = call.core.state.findUser(call.params.user);
  if (!user || user.tenantId !== call.principal.tenantId) {
    throw new NotFound(`Resource '${call.params.user}' does not exist or one of its queried reference-property objects are not present.`);
  }
  return user;
}

/** The `@odata.context` URL of an answer. */
export function context(call: Call, fragment: string): string {
  return `${call.core.baseUrl}/${call.version}/$metadata#${fragment}`;
}

/** Pages a list: `$top` (≤ max) is the page size, capped at pageCap; `$skiptoken` is the offset. */
export function page<T>(call: Call, items: T[], defaultSize: number, maxTop: number, pageCap: number): { items: T[]; next?: string } {
  const top = parseTop(call.ctx.query.$top, maxTop);
  const size = Math.min(top ?? defaultSize, pageCap);
  const offset = decodeSkipToken(call.ctx.query.$skiptoken);
  const slice = items.slice(offset, offset + size);
  const more = offset + size < items.length;
  return { items: slice, next: more ? nextLink(`${call.core.baseUrl}${call.ctx.path}`, call.ctx.query, offset + size) : undefined };
}

/** A list answer: `@odata.context`, `value` and, when there is more, `@odata.nextLink`. */
export function listBody(call: Call, fragment: string, p: { items: unknown[]; next?: string }): Record<string, unknown> {
  const body: Record<string, unknown> = { '@odata.context': context(call, fragment), value: p.items };
  if (p.next) body['@odata.nextLink'] = p.next;
  return body;
}

/** ISO 8601 date and time with an explicit offset (`Z` or `±hh:mm`), as Graph's DateTimeOffset wants it. */
export const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** Epoch milliseconds of an ISO 8601 DateTimeOffset (fractions beyond milliseconds are dropped); NaN when not one. */
export function parseDateTimeOffset(value: unknown): number {
  return typeof value === 'string' && ISO_WITH_OFFSET.test(value) ? Date.parse(value) : NaN;
}
