import { channelConversationId, conversationMembers, findMember, personalConversationId, teamsChannelAccount } from './conversations';
import type { Core } from './core';
import { sendJson, type RequestContext } from './http';
import { asObject, jsonText } from './json';
import type { RecordedActivity } from './types';

/** Bot Framework connector errors: `{ error: { code, message } }`. */
function connectorError(ctx: RequestContext, status: number, code: string, message: string): void {
  sendJson(ctx, status, { error: { code, message } });
}

function recordActivity(
  core: Core,
  conversationId: string,
  activity: Record<string, unknown>,
  id: string,
  replyToId: string | null,
  operation: 'send' | 'update',
): RecordedActivity {
  const entry: RecordedActivity = {
    id,
    conversationId,
    replyToId,
    type: typeof activity.type === 'string' ? activity.type : 'message',
    raw: activity,
    operation,
    at: Date.now(),
  };
  if (typeof activity.text === 'string') entry.text = activity.text;
  if (Array.isArray(activity.attachments)) entry.attachments = activity.attachments as RecordedActivity['attachments'];
  core.connector.record(entry);
  return entry;
}

/**
 * The Bot Framework connector under `/connector/v3/...`: records what the bot sends and updates,
 * answers member and team look-ups from the fixture like Teams does, and records the
 * Authorization header of every call (it does not enforce it, so bots running without an app id
 * work too; tests assert on `authorizations()`).
 */
export function handleConnector(core: Core, ctx: RequestContext): boolean {
  const raw = ctx.path.split('/').slice(2);
  let seg: string[];
  try {
    seg = raw.map((s) => decodeURIComponent(s));
  } catch {
    connectorError(ctx, 400, 'BadArgument', 'Malformed percent-encoding in the URL.');
    return true;
  }
  if (seg[0] !== 'v3') return false;
  core.connector.recordAuthorization(typeof ctx.req.headers.authorization === 'string' ? ctx.req.headers.authorization : null);
  const [, area, id, sub, subId, extra] = seg;
  if (ctx.bodyError && (ctx.method === 'POST' || ctx.method === 'PUT')) {
    connectorError(ctx, 400, 'BadSyntax', ctx.bodyError);
    return true;
  }
  const body = asObject(ctx.body);
  if (area === 'conversations' && seg.length === 2 && ctx.method === 'POST') {
    createConversation(core, ctx, body);
    return true;
  }
  if (area === 'conversations' && id && sub === 'activities' && extra === undefined) {
    if (ctx.method === 'POST') {
      if (!body) return badActivity(ctx);
      const activityId = core.connector.nextId();
      recordActivity(core, id, body, activityId, subId ?? (typeof body.replyToId === 'string' ? body.replyToId : null), 'send');
      sendJson(ctx, 200, { id: activityId });
      return true;
    }
    if (ctx.method === 'PUT' && subId) {
      if (!body) return badActivity(ctx);
      const existing = core.connector.current(subId);
      // Teams finds an activity within its conversation: an update addressed to another one is not found.
      if (!existing || existing.conversationId.split(';')[0] !== id.split(';')[0]) {
        connectorError(ctx, 404, 'ActivityNotFound', `Activity ${subId} was not found in conversation ${id}.`);
        return true;
      }
      recordActivity(core, id, body, subId, typeof body.replyToId === 'string' ? body.replyToId : null, 'update');
      sendJson(ctx, 200, { id: subId });
      return true;
    }
    if (ctx.method === 'DELETE' && subId) {
      core.connector.recordDeletion(id, subId);
      sendJson(ctx, 200, {});
      return true;
    }
  }
  if (area === 'conversations' && id && ctx.method === 'GET' && (sub === 'members' || sub === 'pagedmembers') && extra === undefined) {
    const members = conversationMembers(core.state, id);
    if (!members) {
      connectorError(ctx, 404, 'ConversationNotFound', `Conversation ${id} not found.`);
      return true;
    }
    if (sub === 'pagedmembers' && subId === undefined) {
      sendJson(ctx, 200, { members: members.map(teamsChannelAccount) });
      return true;
    }
    if (sub === 'members' && subId === undefined) {
      sendJson(ctx, 200, members.map(teamsChannelAccount));
      return true;
    }
    if (sub === 'members' && subId) {
      const user = findMember(core.state, subId);
      if (!user || !members.includes(user)) {
        connectorError(ctx, 404, 'MemberNotFoundInConversation', 'The specified user was not found in the conversation.');
        return true;
      }
      sendJson(ctx, 200, teamsChannelAccount(user));
      return true;
    }
  }
  if (area === 'teams' && id && ctx.method === 'GET' && (sub === undefined || (sub === 'conversations' && subId === undefined))) {
    const team = core.state.teamByGeneralChannel(id);
    if (!team) {
      connectorError(ctx, 404, 'NotFound', `Team ${id} not found.`);
      return true;
    }
    if (sub === undefined) {
      sendJson(ctx, 200, { id: team.generalChannelId, name: team.displayName, aadGroupId: team.id, tenantId: team.tenantId });
      return true;
    }
    // Teams returns the General channel without a name.
    sendJson(ctx, 200, {
      conversations: team.channelIds.map((cid) => (cid === team.generalChannelId ? { id: cid } : { id: cid, name: core.state.threads.get(cid)?.displayName })),
    });
    return true;
  }
  connectorError(ctx, 404, 'NotFound', `No connector route for ${ctx.method} ${ctx.path}.`);
  return true;
}

function badActivity(ctx: RequestContext): true {
  connectorError(ctx, 400, 'BadArgument', 'The request body must be an activity object.');
  return true;
}

/**
 * POST /v3/conversations: a proactive conversation. A channel (channelData.channel.id) gets a new
 * thread post; one member gets their personal chat; the initial activity, if any, is recorded.
 */
function createConversation(core: Core, ctx: RequestContext, body: Record<string, unknown> | undefined): void {
  if (!body) {
    badActivity(ctx);
    return;
  }
  const channelId = asObject(asObject(body.channelData)?.channel)?.id;
  const members = body.members;
  let conversationId: string | undefined;
  let activityId: string | undefined;
  if (typeof channelId === 'string') {
    if (!core.state.threads.has(channelId)) return connectorError(ctx, 404, 'ConversationNotFound', `Channel ${channelId} not found.`);
    activityId = core.connector.nextId();
    conversationId = channelConversationId(channelId, activityId);
  } else if (Array.isArray(members) && members.length === 1) {
    const created = personalChatOf(core, ctx, body, asObject(members[0]));
    if (!created) return;
    conversationId = created;
  } else {
    return connectorError(ctx, 400, 'BadArgument', 'Creating group conversations is not supported; give one member or a channel.');
  }
  const activity = asObject(body.activity);
  if (activity) {
    activityId = activityId ?? core.connector.nextId();
    recordActivity(core, conversationId, activity, activityId, null, 'send');
  }
  sendJson(
    ctx,
    201,
    activityId
      ? { id: conversationId, activityId, serviceUrl: `${core.baseUrl}/connector/` }
      : { id: conversationId, serviceUrl: `${core.baseUrl}/connector/` },
  );
}

/**
 * The 1:1 chat of the one member, as Teams creates it: the tenant is required (`channelData.tenant.id`
 * or `tenantId`), `isGroup` must not be true, the member is a Teams id (`29:…`) or an Entra object id
 * of that tenant, and the bot must be installed for them. Answers the error itself and returns
 * undefined when Teams would refuse.
 */
function personalChatOf(core: Core, ctx: RequestContext, body: Record<string, unknown>, member: Record<string, unknown> | undefined): string | undefined {
  const tenantId = asObject(asObject(body.channelData)?.tenant)?.id ?? body.tenantId;
  if (typeof tenantId !== 'string' || !tenantId) {
    connectorError(ctx, 400, 'BadSyntax', 'Could not parse tenant id');
    return undefined;
  }
  if (body.isGroup === true) {
    connectorError(ctx, 400, 'BadSyntax', 'Incorrect conversation creation parameters');
    return undefined;
  }
  const user = findMember(core.state, jsonText(member?.id ?? member?.aadObjectId ?? ''));
  if (!user || user.tenantId.toLowerCase() !== tenantId.toLowerCase()) {
    connectorError(ctx, 404, 'MemberNotFound', 'The member of the new conversation is not known.');
    return undefined;
  }
  if (!core.connector.isInstalledFor(user.key)) {
    connectorError(ctx, 403, 'BotNotInConversationRoster', 'The bot is not part of the conversation roster.');
    return undefined;
  }
  return personalConversationId(user.key);
}
