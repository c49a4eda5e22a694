import type { AdaptiveCardJson } from '../../cards/renderer';
import type { StoredConversationReference } from '../../store/ports/conversation-references';
import type { ActingContext, FlowReply } from './acting';
import type { ConversationPlace } from './target-resolver';

/**
 * What a feature knows of the conversation a turn happens in. The Teams edge builds it from the
 * authenticated activity (src/teams/turn-context.ts); features never see botbuilder's TurnContext.
 */
export interface Conversation {
  /** Who is acting, where, and in which time zone. */
  who: ActingContext;
  /** Where the turn happens, for resolving `this`. */
  place: ConversationPlace;
  /** The sender's channel user id (`29:…`), the id card refreshes name. */
  userId: string;
  /** The message a card button was pressed on, when the turn is a button press. */
  replyToId: string | null;
  /**
   * An opaque reference to this conversation, kept with a bulk job so its progress card can be
   * updated after the turn has ended (see Messenger). Features store it, never read it.
   */
  reference: Record<string, unknown>;
}

/** A card verb's handler: the conversation and the button's (untrusted) data. */
export type ButtonHandler = (conversation: Conversation, data: Record<string, unknown>) => Promise<FlowReply>;

/** Card verbs → handlers. */
export type ButtonHandlers = Record<string, ButtonHandler>;

/** A proactive card could not reach the admin's personal chat; the message says why and holds no secret. */
export class PersonalChatUnavailable extends Error {
  override name = 'PersonalChatUnavailable';
}

/**
 * Messages sent outside a turn (the port the Teams edge implements with botbuilder's
 * continueConversation and createConversation).
 */
export interface Messenger {
  /**
   * Sends a card to the admin's personal (1:1) chat with the bot and nowhere else, opening that chat
   * when only a channel is known and remembering it. Throws PersonalChatUnavailable when it cannot be
   * opened; then nothing has been posted anywhere.
   */
  sendCardToPersonalChat(person: StoredConversationReference, card: AdaptiveCardJson): Promise<void>;
  /**
   * Shows a card in a conversation (from `Conversation.reference`): replaces the card of message
   * `activityId` when given, otherwise posts it as a new message. Returns the message's id.
   */
  showCard(reference: Record<string, unknown>, card: AdaptiveCardJson, activityId: string | null): Promise<string | null>;
}
