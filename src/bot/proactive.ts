import type { CloudAdapter, ConversationReference } from 'botbuilder';
import { CardFactory, MessageFactory } from 'botbuilder';
import type { AdaptiveCardJson } from '../cards/renderer';
import type { StoredConversationReference } from '../store/types';

/** Sends a card, outside any turn, to where an admin was last reached (reminders, interrupted confirmations). */
export async function sendCardTo(adapter: CloudAdapter, botAppId: string, ref: StoredConversationReference, card: AdaptiveCardJson): Promise<void> {
  await adapter.continueConversationAsync(botAppId, ref.reference as Partial<ConversationReference>, async (ctx) => {
    await ctx.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
  });
}
