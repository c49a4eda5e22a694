import type { CloudAdapter, ConversationParameters } from 'botbuilder';
import { CardFactory, Channels, MessageFactory } from 'botbuilder';
import type { AdaptiveCardJson } from '../cards/renderer';
import { PersonalChatUnavailable } from '../features/shared/conversation';
import type { Logger } from '../log/logger';
import type { ConversationReferenceStore, StoredConversationReference } from '../store/ports/conversation-references';

/** What a proactive send needs: the reminders' and the recovery pass's own dependencies fit. */
export interface ProactiveDeps {
  adapter: CloudAdapter;
  botAppId: string;
  store: ConversationReferenceStore;
  logger: Logger;
}

/** botbuilder then uses the configured ToChannelFromBotOAuthScope, as `continueConversationAsync` does. */
const CONFIGURED_AUDIENCE = undefined as unknown as string;

/**
 * Sends a card, outside any turn, to the admin's personal (1:1) chat with the bot, and nowhere else:
 * reminders and recovery notices name private channels and chats, and in a channel or group chat
 * every member and guest would read them. When the stored reference is not a personal chat (the admin
 * only ever spoke in a channel), the personal chat is created from what that activity told (Teams user
 * id, tenant, service URL), remembered for next time, and the card is sent there. Throws
 * PersonalChatUnavailable when the chat cannot be opened (bot not installed for the user, connector
 * refusal); then nothing has been posted anywhere.
 */
export async function sendCardToPersonalChat(deps: ProactiveDeps, ref: StoredConversationReference, card: AdaptiveCardJson): Promise<void> {
  const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
  if (isPersonalChat(ref.reference)) {
    await deps.adapter.continueConversationAsync(deps.botAppId, ref.reference, async (ctx) => {
      await ctx.sendActivity(activity);
    });
    return;
  }
  const open = personalChatRequest(ref, deps.botAppId);
  let opened = false;
  try {
    await deps.adapter.createConversationAsync(deps.botAppId, Channels.Msteams, open.serviceUrl, CONFIGURED_AUDIENCE, open.parameters, async (ctx) => {
      opened = true;
      await rememberPersonalChat(deps, ref, open, String(ctx.activity.conversation?.id ?? ''));
      await ctx.sendActivity(activity);
    });
  } catch (err) {
    if (opened) throw err;
    throw new PersonalChatUnavailable(`could not open a personal chat with the admin (nothing was posted elsewhere): ${connectorReason(err)}`);
  }
}

/** A reference is a personal chat only when Teams said so; anything else (channel, group chat, unknown) is not. */
export function isPersonalChat(reference: Record<string, unknown>): boolean {
  const conversation = reference.conversation as { conversationType?: unknown; isGroup?: unknown; id?: unknown } | undefined;
  return conversation?.conversationType === 'personal' && conversation.isGroup !== true && typeof conversation.id === 'string' && conversation.id !== '';
}

interface PersonalChatRequest {
  serviceUrl: string;
  parameters: ConversationParameters;
  user: { id: string; aadObjectId: string; name?: string };
  bot: { id: string; name?: string };
}

/**
 * The createConversation body Teams expects for a 1:1 chat: the bot, one member (the Teams user id
 * `29:…`, or else the Entra object id, which Teams accepts in personal scope), the tenant both as
 * `channelData.tenant.id` and `tenantId`, `isGroup: false`.
 */
function personalChatRequest(ref: StoredConversationReference, botAppId: string): PersonalChatRequest {
  const r = ref.reference as { serviceUrl?: unknown; user?: { id?: unknown; name?: unknown }; bot?: { id?: unknown; name?: unknown } };
  if (typeof r.serviceUrl !== 'string' || !r.serviceUrl)
    throw new PersonalChatUnavailable('could not open a personal chat with the admin: no service URL is known for them (nothing was posted elsewhere)');
  if (!ref.tenantId)
    throw new PersonalChatUnavailable('could not open a personal chat with the admin: their tenant is not known (nothing was posted elsewhere)');
  const teamsId = typeof r.user?.id === 'string' && r.user.id.startsWith('29:') ? r.user.id : null;
  const user = { id: teamsId ?? ref.aadObjectId, aadObjectId: ref.aadObjectId, ...(typeof r.user?.name === 'string' ? { name: r.user.name } : {}) };
  const bot = { id: typeof r.bot?.id === 'string' && r.bot.id ? r.bot.id : `28:${botAppId}`, ...(typeof r.bot?.name === 'string' ? { name: r.bot.name } : {}) };
  const parameters = {
    isGroup: false,
    bot,
    members: [{ id: user.id }],
    tenantId: ref.tenantId,
    channelData: { tenant: { id: ref.tenantId } },
  } as ConversationParameters;
  return { serviceUrl: r.serviceUrl, parameters, user, bot };
}

/** Stores the new personal chat so later messages continue it; a store failure does not stop this one. */
async function rememberPersonalChat(deps: ProactiveDeps, ref: StoredConversationReference, open: PersonalChatRequest, conversationId: string): Promise<void> {
  if (!conversationId) return;
  const reference = {
    channelId: Channels.Msteams,
    serviceUrl: open.serviceUrl,
    bot: open.bot,
    user: open.user,
    conversation: { id: conversationId, conversationType: 'personal', isGroup: false, tenantId: ref.tenantId },
  };
  try {
    await deps.store.saveConversationReference({ aadObjectId: ref.aadObjectId, tenantId: ref.tenantId, reference, updatedAt: new Date().toISOString() });
  } catch (err) {
    deps.logger.warn({ err: { message: (err as Error).message } }, 'proactive: the new personal chat could not be remembered; it is opened again next time');
  }
}

/** Status and the connector's own words (`RestError` from botframework-connector); never headers or tokens. */
function connectorReason(err: unknown): string {
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown };
  const status = typeof e.statusCode === 'number' ? `${e.statusCode} ` : '';
  const code = typeof e.code === 'string' && e.code ? `${e.code}: ` : '';
  const message = typeof e.message === 'string' ? e.message.slice(0, 300) : 'unknown error';
  return `${status}${code}${message}`;
}
