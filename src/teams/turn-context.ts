import { TeamsInfo, TurnContext } from 'botbuilder';
import type { Conversation } from '../features/shared/conversation';
import type { ActingContext } from '../features/shared/acting';
import type { ConversationPlace } from '../features/shared/target-resolver';
import { isKnownTimeZone } from '../domain/parse/dates';

/**
 * Where the activity happens: `personal`, `channel` or `groupChat`. Some clients omit
 * `conversationType` on invokes (card refreshes); the channel data and `isGroup` still say.
 */
export function conversationKind(context: TurnContext): 'personal' | 'channel' | 'groupChat' {
  const a = context.activity;
  const declared = a.conversation?.conversationType;
  if (declared === 'personal' || declared === 'channel' || declared === 'groupChat') return declared;
  if ((a.channelData as { channel?: { id?: string } } | undefined)?.channel?.id) return 'channel';
  return a.conversation?.isGroup ? 'groupChat' : 'personal';
}

/** The client's IANA time zone, from Teams' `clientInfo` entity or the activity's `localTimezone`. */
export function clientTimeZone(context: TurnContext): string | null {
  const a = context.activity;
  const entity = (a.entities ?? []).find((e) => e.type === 'clientInfo') as { timezone?: unknown } | undefined;
  const zone = typeof entity?.timezone === 'string' ? entity.timezone : typeof a.localTimezone === 'string' ? a.localTimezone : null;
  return zone && zone.length < 64 && isKnownTimeZone(zone) ? zone : null;
}

/**
 * Who is acting, from the activity botbuilder authenticated: `from.aadObjectId` and the tenant in
 * `channelData.tenant.id` (spec §7). Nothing here is trusted beyond what the channel signed.
 */
export function actingContext(context: TurnContext): ActingContext {
  const a = context.activity;
  const channelData = (a.channelData ?? {}) as { tenant?: { id?: unknown } };
  const tenant =
    typeof channelData.tenant?.id === 'string' ? channelData.tenant.id : typeof a.conversation?.tenantId === 'string' ? a.conversation.tenantId : null;
  const oid = typeof a.from?.aadObjectId === 'string' && a.from.aadObjectId.trim() ? a.from.aadObjectId.trim() : null;
  return {
    aadObjectId: oid,
    name: typeof a.from?.name === 'string' ? a.from.name.slice(0, 200) : null,
    tenantId: tenant ? tenant.toLowerCase() : null,
    conversationId: a.conversation?.id ?? '',
    timeZone: clientTimeZone(context),
    conversationKind: conversationKind(context),
  };
}

/**
 * Where the turn happens, for resolving `this`. In a channel the Graph team id is
 * `channelData.team.aadGroupId`, or asked of Teams (`getTeamDetails`); `channelData.team.id` is
 * the General channel's thread id and is never used as a team id.
 */
export function conversationPlace(context: TurnContext): ConversationPlace {
  const a = context.activity;
  const channelData = (a.channelData ?? {}) as { team?: { id?: string; aadGroupId?: string }; channel?: { id?: string }; tenant?: { id?: string } };
  const type = conversationKind(context);
  const channelId = channelData.channel?.id ?? (type === 'channel' ? (a.conversation?.id ?? '').split(';')[0] : null);
  let teamIdPromise: Promise<string | null> | null = null;
  return {
    conversationType: type,
    tenantId: actingContext(context).tenantId,
    channelId: type === 'channel' ? (channelId ?? null) : null,
    chatId: type === 'groupChat' ? (a.conversation?.id ?? null) : null,
    teamId: () => {
      teamIdPromise ??= (async () => {
        if (channelData.team?.aadGroupId) return channelData.team.aadGroupId.toLowerCase();
        if (!channelData.team?.id) return null;
        const details = await TeamsInfo.getTeamDetails(context);
        return details?.aadGroupId ? details.aadGroupId.toLowerCase() : null;
      })();
      return teamIdPromise;
    },
  };
}

/** The conversation handle features receive instead of the TurnContext (src/features/shared/conversation.ts). */
export function conversationOf(context: TurnContext): Conversation {
  return {
    who: actingContext(context),
    place: conversationPlace(context),
    userId: typeof context.activity.from?.id === 'string' ? context.activity.from.id : '',
    replyToId: context.activity.replyToId ?? null,
    // Built only when a feature keeps it (bulk jobs): most turns never need it.
    get reference() {
      return JSON.parse(JSON.stringify(TurnContext.getConversationReference(context.activity))) as Record<string, unknown>;
    },
  };
}
