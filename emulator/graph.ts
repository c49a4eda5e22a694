import type { Core } from './core';
import { checkMemberObjects } from './directory';
import { checkGraphToken, type Principal } from './entra';
import { getFilesFolder, uploadFile } from './files';
import type { FixtureUser } from './fixture';
import { type Call, channelOf, chatOf, context, HttpError, ISO_WITH_OFFSET, listBody, page, type Params, teamOf, userOf } from './graph-call';
import { importChannelMessage, importChatMessage, importReply, listChannelMessages, listChatMessages, listReplies } from './graph-messages';
import { formatRetryAfter, sendEmpty, sendGraphError, sendJson, type RequestContext } from './http';
import { jsonText } from './json';
import { applySelect, matchesAnyFilter, matchesFilter, parseFilter, parseFilterAlternatives, parseSelect, QueryError } from './odata';
import type { TeamRecord, ThreadRecord } from './state';
import type { Budget } from './throttle';

/** Application permissions that satisfy each kind of call (the first is the least privileged). */
const ROLES = {
  teamRead: [
    'Team.ReadBasic.All',
    'TeamSettings.Read.All',
    'TeamSettings.ReadWrite.All',
    'Group.Read.All',
    'Group.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  channelRead: [
    'Channel.ReadBasic.All',
    'ChannelSettings.Read.All',
    'ChannelSettings.ReadWrite.All',
    'Group.Read.All',
    'Group.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  chatRead: ['Chat.ReadBasic.All', 'Chat.Read.All', 'Chat.ReadWrite.All'],
  userRead: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  migrate: ['Teamwork.Migrate.All'],
  channelMessageRead: ['ChannelMessage.Read.All', 'ChannelMessage.ReadWrite.All'],
  chatMessageRead: ['Chat.Read.All', 'Chat.ReadWrite.All'],
  filesRead: ['Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All'],
  filesWrite: ['Files.ReadWrite.All', 'Sites.ReadWrite.All'],
};

interface Route {
  method: string;
  pattern: string[];
  roles: string[];
  /**
   * Budgets it draws from (spec §5, §9): `tenant` only the per-app-per-tenant one; `channelsList`
   * its own tenant-wide one plus the team's; `team` + the team's; `channel` + the team's and the
   * thread's; `chat` + the thread's; `import` + the thread's import budget (not the team's nor the
   * generic per-thread one).
   */
  scope: 'tenant' | 'channelsList' | 'team' | 'channel' | 'chat' | 'import';
  handle(call: Call): void;
}

const ROUTES: Route[] = [
  { method: 'GET', pattern: ['teams'], roles: ROLES.teamRead, scope: 'tenant', handle: listTeams },
  { method: 'GET', pattern: ['teams', ':team'], roles: ROLES.teamRead, scope: 'team', handle: getTeam },
  { method: 'GET', pattern: ['teams', ':team', 'channels'], roles: ROLES.channelRead, scope: 'channelsList', handle: listChannels },
  { method: 'GET', pattern: ['teams', ':team', 'channels', ':channel'], roles: ROLES.channelRead, scope: 'channel', handle: getChannel },
  {
    method: 'POST',
    pattern: ['teams', ':team', 'channels', ':channel', 'startMigration'],
    roles: ROLES.migrate,
    scope: 'channel',
    handle: (c) => startMigration(c, channelOf(c)),
  },
  {
    method: 'POST',
    pattern: ['teams', ':team', 'channels', ':channel', 'completeMigration'],
    roles: ROLES.migrate,
    scope: 'channel',
    handle: (c) => completeMigration(c, channelOf(c)),
  },
  { method: 'GET', pattern: ['chats', ':chat'], roles: ROLES.chatRead, scope: 'chat', handle: getChat },
  { method: 'POST', pattern: ['chats', ':chat', 'startMigration'], roles: ROLES.migrate, scope: 'chat', handle: (c) => startMigration(c, chatOf(c)) },
  { method: 'POST', pattern: ['chats', ':chat', 'completeMigration'], roles: ROLES.migrate, scope: 'chat', handle: (c) => completeMigration(c, chatOf(c)) },
  { method: 'GET', pattern: ['users', ':user'], roles: ROLES.userRead, scope: 'tenant', handle: getUser },
  { method: 'GET', pattern: ['users', ':user', 'chats'], roles: ROLES.chatRead, scope: 'tenant', handle: listUserChats },
  { method: 'POST', pattern: ['users', ':user', 'checkMemberObjects'], roles: ROLES.userRead, scope: 'tenant', handle: postCheckMemberObjects },
  { method: 'GET', pattern: ['users'], roles: ROLES.userRead, scope: 'tenant', handle: listUsers },
  // Message import (spec §9) and reading messages back.
  { method: 'POST', pattern: ['teams', ':team', 'channels', ':channel', 'messages'], roles: ROLES.migrate, scope: 'import', handle: importChannelMessage },
  {
    method: 'POST',
    pattern: ['teams', ':team', 'channels', ':channel', 'messages', ':message', 'replies'],
    roles: ROLES.migrate,
    scope: 'import',
    handle: importReply,
  },
  { method: 'POST', pattern: ['chats', ':chat', 'messages'], roles: ROLES.migrate, scope: 'import', handle: importChatMessage },
  {
    method: 'GET',
    pattern: ['teams', ':team', 'channels', ':channel', 'messages'],
    roles: ROLES.channelMessageRead,
    scope: 'tenant',
    handle: listChannelMessages,
  },
  {
    method: 'GET',
    pattern: ['teams', ':team', 'channels', ':channel', 'messages', ':message', 'replies'],
    roles: ROLES.channelMessageRead,
    scope: 'tenant',
    handle: listReplies,
  },
  { method: 'GET', pattern: ['chats', ':chat', 'messages'], roles: ROLES.chatMessageRead, scope: 'tenant', handle: listChatMessages },
  // Files, for reference attachments: a channel's folder and the simple upload.
  { method: 'GET', pattern: ['teams', ':team', 'channels', ':channel', 'filesFolder'], roles: ROLES.filesRead, scope: 'tenant', handle: getFilesFolder },
  { method: 'PUT', pattern: ['drives', ':drive', 'items', ':parent:', ':name:', 'content'], roles: ROLES.filesWrite, scope: 'tenant', handle: uploadFile },
];

/**
 * Matches decoded segments against a pattern; route names compare case-insensitively like Graph.
 * `:name` takes a whole non-empty segment; `:name:` takes a segment ending in `:` (drive paths
 * such as `items/{parent}:/{file}:/content`), without that colon.
 */
function match(pattern: string[], segments: string[]): Params | null {
  if (pattern.length !== segments.length) return null;
  const params: Params = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    const seg = segments[i];
    if (p.startsWith(':') && p.endsWith(':') && p.length > 2) {
      if (!seg.endsWith(':') || seg.length < 2) return null;
      params[p.slice(1, -1)] = seg.slice(0, -1);
    } else if (p.startsWith(':')) {
      if (seg === '') return null;
      params[p.slice(1)] = seg;
    } else if (p.toLowerCase() !== seg.toLowerCase()) return null;
  }
  return params;
}

/**
 * Serves Graph under `/v1.0` and `/beta` (identical surfaces). Order of checks: route (404 for
 * any path that is not exactly a known route, 405 for a wrong method), token (401), permission
 * (403), throttling (429), then the endpoint's own validation and state change.
 */
export function handleGraph(core: Core, ctx: RequestContext): void {
  const raw = ctx.path.split('/').slice(1);
  const version = raw[0];
  let segments: string[];
  try {
    // Ids arrive URL-encoded (`19%3A...%40thread.tacv2`): decode each segment exactly once.
    segments = raw.slice(1).map((s) => decodeURIComponent(s));
  } catch {
    sendGraphError(ctx, 400, 'BadRequest', 'The request URI is not valid: malformed percent-encoding.');
    return;
  }
  const candidates = ROUTES.map((r) => ({ r, params: match(r.pattern, segments) })).filter((x) => x.params);
  if (candidates.length === 0) {
    sendGraphError(ctx, 404, 'NotFound', `Resource not found for the segment '${segments.join('/') || version}'. No such route: ${ctx.method} ${ctx.path}`);
    return;
  }
  const hit = candidates.find((x) => x.r.method === ctx.method);
  if (!hit || !hit.params) {
    sendGraphError(
      ctx,
      405,
      'MethodNotAllowed',
      `The HTTP method '${ctx.method}' is not allowed on this resource; allowed: ${candidates.map((x) => x.r.method).join(', ')}.`,
      { allow: candidates.map((x) => x.r.method).join(', ') },
    );
    return;
  }
  const token = checkGraphToken(core, ctx.req.headers.authorization);
  if (!token.ok) {
    sendGraphError(ctx, 401, 'InvalidAuthenticationToken', token.message, {
      'www-authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
    });
    return;
  }
  const { principal } = token;
  ctx.log.clientId = principal.clientId;
  const route = hit.r;
  if (!route.roles.some((r) => principal.roles.includes(r))) {
    sendGraphError(
      ctx,
      403,
      'Forbidden',
      `Missing role permissions on the request. API requires one of '${route.roles.join(', ')}'. Roles on the request '${principal.roles.join(', ')}'.`,
    );
    return;
  }
  const decision = core.limiter.take(budgets(core, principal, route, hit.params));
  if (!decision.ok) {
    sendGraphError(ctx, 429, 'TooManyRequests', 'Too many requests. Please retry after the time given in the Retry-After header.', {
      'retry-after': formatRetryAfter(decision.retryAfterSeconds),
    });
    return;
  }
  try {
    route.handle({ core, ctx, principal, params: hit.params, version });
  } catch (e) {
    if (e instanceof QueryError) sendGraphError(ctx, 400, 'BadRequest', e.message);
    else if (e instanceof HttpError) sendGraphError(ctx, e.status, e.code, e.message);
    else throw e;
  }
}

/** The budgets a call draws from (spec §5, §9), by the route's scope; see Route.scope. */
function budgets(core: Core, p: Principal, route: Route, params: Params): Budget[] {
  const l = core.limiter.limits;
  const app = p.clientId.toLowerCase();
  const out: Budget[] =
    route.scope === 'channelsList'
      ? [{ key: `channels:${app}:${p.tenantId}`, perSecond: l.channelsListPerAppPerTenant }]
      : [{ key: `tenant:${app}:${p.tenantId}`, perSecond: l.perAppPerTenant }];
  const thread = params.channel ?? params.chat;
  if (['channelsList', 'team', 'channel'].includes(route.scope) && params.team) {
    out.push({ key: `team:${app}:${params.team.toLowerCase()}`, perSecond: l.perAppPerTeam });
  }
  if ((route.scope === 'channel' || route.scope === 'chat') && thread) out.push({ key: `thread:${app}:${thread}`, perSecond: l.perAppPerThread });
  if (route.scope === 'import' && thread) out.push({ key: `import:${app}:${thread}`, perSecond: l.importPerThread });
  return out;
}

const TEAM_PROPS = [
  'id',
  'createdDateTime',
  'displayName',
  'description',
  'internalId',
  'classification',
  'specialization',
  'visibility',
  'webUrl',
  'isArchived',
  'tenantId',
];
const CHANNEL_PROPS = [
  'id',
  'createdDateTime',
  'displayName',
  'description',
  'isFavoriteByDefault',
  'email',
  'tenantId',
  'webUrl',
  'membershipType',
  'isArchived',
  'migrationMode',
  'originalCreatedDateTime',
];
const CHAT_PROPS = [
  'id',
  'topic',
  'createdDateTime',
  'lastUpdatedDateTime',
  'chatType',
  'webUrl',
  'tenantId',
  'isHiddenForAllMembers',
  'migrationMode',
  'originalCreatedDateTime',
];
const USER_PROPS = [
  'id',
  'displayName',
  'givenName',
  'surname',
  'userPrincipalName',
  'mail',
  'userType',
  'accountEnabled',
  'businessPhones',
  'jobTitle',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
];
const USER_DEFAULT = [
  'id',
  'displayName',
  'givenName',
  'surname',
  'userPrincipalName',
  'mail',
  'businessPhones',
  'jobTitle',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
];

function teamJson(team: TeamRecord): Record<string, unknown> {
  return {
    id: team.id,
    createdDateTime: team.createdDateTime,
    displayName: team.displayName,
    description: team.description,
    internalId: team.generalChannelId,
    classification: null,
    specialization: 'none',
    visibility: 'private',
    webUrl: `https://teams.microsoft.com/l/team/${encodeURIComponent(team.generalChannelId)}/conversations?groupId=${team.id}&tenantId=${team.tenantId}`,
    isArchived: false,
    tenantId: team.tenantId,
  };
}

function channelJson(t: ThreadRecord): Record<string, unknown> {
  return {
    id: t.id,
    createdDateTime: t.createdDateTime,
    displayName: t.displayName,
    description: t.description,
    isFavoriteByDefault: null,
    email: '',
    tenantId: t.tenantId,
    webUrl: `https://teams.microsoft.com/l/channel/${encodeURIComponent(t.id)}/${encodeURIComponent(t.displayName)}?groupId=${t.teamId}&tenantId=${t.tenantId}`,
    membershipType: t.membershipType,
    isArchived: false,
    migrationMode: t.migrationMode,
    originalCreatedDateTime: t.originalCreatedDateTime,
  };
}

function chatJson(t: ThreadRecord): Record<string, unknown> {
  return {
    id: t.id,
    topic: t.topic,
    createdDateTime: t.createdDateTime,
    lastUpdatedDateTime: t.createdDateTime,
    chatType: t.chatType,
    webUrl: `https://teams.microsoft.com/l/chat/${encodeURIComponent(t.id)}/0?tenantId=${t.tenantId}`,
    tenantId: t.tenantId,
    isHiddenForAllMembers: false,
    migrationMode: t.migrationMode,
    originalCreatedDateTime: t.originalCreatedDateTime,
  };
}

function memberJson(call: Call, key: string): Record<string, unknown> {
  const u = call.core.state.usersByKey.get(key);
  return {
    '@odata.type': '#microsoft.graph.aadUserConversationMember',
    id: `member-${key}`,
    displayName: u?.displayName ?? key,
    userId: u?.id ?? null,
    roles: [],
  };
}

function userJson(u: FixtureUser): Record<string, unknown> {
  return {
    id: u.id,
    displayName: u.displayName,
    givenName: u.givenName,
    surname: u.surname,
    userPrincipalName: u.userPrincipalName,
    mail: u.mail,
    userType: u.userType,
    accountEnabled: true,
    businessPhones: [],
    jobTitle: null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: 'en-US',
  };
}

function listTeams(call: Call): void {
  const select = parseSelect(call.ctx.query.$select, TEAM_PROPS, 'team');
  const filter = call.ctx.query.$filter !== undefined ? parseFilter(call.ctx.query.$filter, { eq: ['displayName'], startswith: ['displayName'] }) : [];
  const teams = call.core.state.teamOrder
    .map((id) => call.core.state.teams.get(id) as TeamRecord)
    .filter((t) => t.tenantId === call.principal.tenantId)
    .map(teamJson)
    .filter((t) => matchesFilter(t, filter));
  const p = page(call, teams, 20, 999, 100);
  const body: Record<string, unknown> = { '@odata.context': context(call, 'teams'), value: p.items.map((t) => applySelect(t, select)) };
  if (p.next) body['@odata.nextLink'] = p.next;
  sendJson(call.ctx, 200, body);
}

function getTeam(call: Call): void {
  const select = parseSelect(call.ctx.query.$select, TEAM_PROPS, 'team');
  sendJson(call.ctx, 200, { '@odata.context': context(call, 'teams/$entity'), ...applySelect(teamJson(teamOf(call)), select) });
}

function listChannels(call: Call): void {
  const team = teamOf(call);
  const select = parseSelect(call.ctx.query.$select, CHANNEL_PROPS, 'channel');
  const filter = call.ctx.query.$filter !== undefined ? parseFilter(call.ctx.query.$filter, { eq: ['displayName', 'membershipType'], startswith: [] }) : [];
  const channels = team.channelIds
    .map((id) => channelJson(call.core.state.threads.get(id) as ThreadRecord))
    .filter((c) => matchesFilter(c, filter))
    .map((c) => applySelect(c, select));
  sendJson(call.ctx, 200, { '@odata.context': context(call, `teams('${team.id}')/channels`), '@odata.count': channels.length, value: channels });
}

function getChannel(call: Call): void {
  const select = parseSelect(call.ctx.query.$select, CHANNEL_PROPS, 'channel');
  const thread = channelOf(call);
  sendJson(call.ctx, 200, { '@odata.context': context(call, `teams('${thread.teamId}')/channels/$entity`), ...applySelect(channelJson(thread), select) });
}

function getChat(call: Call): void {
  const select = parseSelect(call.ctx.query.$select, CHAT_PROPS, 'chat');
  sendJson(call.ctx, 200, { '@odata.context': context(call, 'chats/$entity'), ...applySelect(chatJson(chatOf(call)), select) });
}

function getUser(call: Call): void {
  const select = parseSelect(call.ctx.query.$select, USER_PROPS, 'user') ?? USER_DEFAULT;
  sendJson(call.ctx, 200, { '@odata.context': context(call, 'users/$entity'), ...applySelect(userJson(userOf(call)), select) });
}

/** What `GET /users` may filter on: `eq`, `startswith` and `in` (at most 15 values each), alternatives joined by `or`. */
const USER_FILTER = {
  eq: ['id', 'mail', 'userPrincipalName', 'displayName'],
  startswith: ['mail', 'userPrincipalName', 'displayName'],
  in: ['id', 'mail', 'userPrincipalName'],
};

/**
 * `GET /users`: the users of the caller's tenant in fixture order, `$filter` per USER_FILTER
 * (case-insensitive; e.g. `mail in ('a','b') or userPrincipalName in ('a','b')`), `$select`,
 * `$top` 1–999 (default 100) and `@odata.nextLink` paging.
 */
function listUsers(call: Call): void {
  const select = parseSelect(call.ctx.query.$select, USER_PROPS, 'user') ?? USER_DEFAULT;
  const filter = call.ctx.query.$filter !== undefined ? parseFilterAlternatives(call.ctx.query.$filter, USER_FILTER) : [[]];
  const users = call.core.state.fixture.users
    .filter((u) => u.tenantId === call.principal.tenantId)
    .map(userJson)
    .filter((u) => matchesAnyFilter(u, filter))
    .map((u) => applySelect(u, select));
  sendJson(call.ctx, 200, listBody(call, 'users', page(call, users, 100, 999, 999)));
}

function listUserChats(call: Call): void {
  const user = userOf(call);
  const select = parseSelect(call.ctx.query.$select, CHAT_PROPS, 'chat');
  const chats = call.core.state.chatOrder
    .map((id) => call.core.state.threads.get(id) as ThreadRecord)
    .filter((t) => t.tenantId === call.principal.tenantId && t.members.includes(user.key))
    .map((t) => {
      const chat = applySelect(chatJson(t), select);
      // `$expand=members` (Graph's conversationMember list), as the bot's chat picker asks for it.
      if (call.ctx.query.$expand === 'members') chat.members = t.members.map((key) => memberJson(call, key));
      return chat;
    });
  const p = page(call, chats, 20, 50, 50);
  const body: Record<string, unknown> = { '@odata.context': context(call, `users('${user.id}')/chats`), value: p.items };
  if (p.next) body['@odata.nextLink'] = p.next;
  sendJson(call.ctx, 200, body);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function postCheckMemberObjects(call: Call): void {
  const { ctx } = call;
  const user = userOf(call);
  if (ctx.bodyError) return sendGraphError(ctx, 400, 'BadRequest', ctx.bodyError);
  const body = ctx.body as { ids?: unknown } | undefined;
  if (!body || typeof body !== 'object' || !Array.isArray(body.ids)) {
    return sendGraphError(ctx, 400, 'BadRequest', "The request body must be an object with an 'ids' array.");
  }
  const ids = body.ids as unknown[];
  if (ids.length > 20) return sendGraphError(ctx, 400, 'BadRequest', `Too many ids: ${ids.length}. checkMemberObjects accepts at most 20 ids.`);
  const bad = ids.find((id) => typeof id !== 'string' || !GUID.test(id));
  if (bad !== undefined) return sendGraphError(ctx, 400, 'BadRequest', `Invalid object identifier '${jsonText(bad)}'.`);
  sendJson(ctx, 200, { '@odata.context': context(call, 'Collection(Edm.String)'), value: checkMemberObjects(call.core.state, user, ids as string[]) });
}

/** Graph prints whole-second times without a fraction. */
function graphTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

const MIN_DATE_TIME_OFFSET = Date.parse('0001-01-01T00:00:00Z');

function noun(t: ThreadRecord): string {
  return t.kind === 'channel' ? 'Channel' : 'Chat';
}

/**
 * startMigration (spec §2): meeting chats 400, the fixture's 412 flag, already in progress 400,
 * conversationCreationDateTime unparsable or not earlier than createdDateTime 400; on success the
 * thread goes `inProgress`, owned by the caller, `createdDateTime` moves back to the given time and
 * the first migration keeps the old value in `originalCreatedDateTime`.
 */
function startMigration(call: Call, thread: ThreadRecord): void {
  const { ctx } = call;
  thread.startMigrationCalls += 1;
  if (thread.chatType === 'meeting') return sendGraphError(ctx, 400, 'BadRequest', 'Migration mode is not supported for meeting chats.');
  if (thread.startMigrationPreconditionFailed) return sendGraphError(ctx, 412, 'PreconditionFailed', 'Version mismatch for thread resource');
  if (thread.migrationMode === 'inProgress') return sendGraphError(ctx, 400, 'BadRequest', `${noun(thread)} is already in migration mode.`);
  if (ctx.bodyError) return sendGraphError(ctx, 400, 'BadRequest', ctx.bodyError);
  let since: number | null = null;
  if (ctx.body !== undefined) {
    if (typeof ctx.body !== 'object' || ctx.body === null || Array.isArray(ctx.body)) {
      return sendGraphError(ctx, 400, 'BadRequest', 'The request body must be a JSON object.');
    }
    const value = (ctx.body as Record<string, unknown>).conversationCreationDateTime;
    if (value !== undefined && value !== null) {
      const parsed = typeof value === 'string' && ISO_WITH_OFFSET.test(value) ? Date.parse(value) : NaN;
      if (typeof value !== 'string' || Number.isNaN(parsed)) {
        return sendGraphError(
          ctx,
          400,
          'BadRequest',
          `Invalid conversationCreationDateTime '${jsonText(value)}': expected an ISO 8601 date and time with an offset.`,
        );
      }
      if (parsed <= MIN_DATE_TIME_OFFSET)
        return sendGraphError(ctx, 400, 'BadRequest', 'conversationCreationDateTime must be later than the minimum DateTimeOffset.');
      if (parsed >= Date.parse(thread.createdDateTime)) {
        return sendGraphError(
          ctx,
          400,
          'BadRequest',
          `conversationCreationDateTime (${value}) must be earlier than the ${noun(thread).toLowerCase()}'s current createdDateTime (${thread.createdDateTime}).`,
        );
      }
      since = parsed;
    }
  }
  if (thread.originalCreatedDateTime === null) thread.originalCreatedDateTime = thread.createdDateTime;
  if (since !== null) thread.createdDateTime = graphTime(since);
  thread.migrationMode = 'inProgress';
  thread.migrationOwnerAppId = call.principal.clientId;
  thread.migrationStartedDateTime = graphTime(Date.now());
  sendEmpty(ctx, 204);
}

/** completeMigration (spec §3): only from inProgress, only by the owning app. */
function completeMigration(call: Call, thread: ThreadRecord): void {
  const { ctx } = call;
  thread.completeMigrationCalls += 1;
  if (thread.migrationMode === 'completed') return sendGraphError(ctx, 400, 'BadRequest', `${noun(thread)} has already been finalized.`);
  if (thread.migrationMode !== 'inProgress') return sendGraphError(ctx, 400, 'BadRequest', `${noun(thread)} is not in migration mode.`);
  if (thread.migrationOwnerAppId?.toLowerCase() !== call.principal.clientId.toLowerCase()) {
    return sendGraphError(
      ctx,
      403,
      'Forbidden',
      `The migration of this ${noun(thread).toLowerCase()} was started by another application; only that application can complete it.`,
    );
  }
  thread.migrationMode = 'completed';
  sendEmpty(ctx, 204);
}
