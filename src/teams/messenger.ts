import type { CloudAdapter } from 'botbuilder';
import { CardFactory, MessageFactory } from 'botbuilder';
import type { AdaptiveCardJson } from '../cards/renderer';
import type { Messenger } from '../features/shared/conversation';
import type { Logger } from '../log/logger';
import type { ConversationReferenceStore, StoredConversationReference } from '../store/ports/conversation-references';
import { sendCardToPersonalChat } from './proactive';

/**
 * The Messenger port with botbuilder: `continueConversationAsync` for a conversation the bot knows,
 * `createConversationAsync` for a personal chat it has not had yet (see proactive.ts).
 */
export class BotMessenger implements Messenger {
  constructor(private readonly deps: { adapter: CloudAdapter; botAppId: string; store: ConversationReferenceStore; logger: Logger }) {}

  sendCardToPersonalChat(person: StoredConversationReference, card: AdaptiveCardJson): Promise<void> {
    return sendCardToPersonalChat(this.deps, person, card);
  }

  async showCard(reference: Record<string, unknown>, card: AdaptiveCardJson, activityId: string | null): Promise<string | null> {
    let id: string | null = activityId;
    await this.deps.adapter.continueConversationAsync(this.deps.botAppId, reference, async (context) => {
      const attachment = CardFactory.adaptiveCard(card);
      if (activityId) {
        await context.updateActivity({ type: 'message', id: activityId, attachments: [attachment] });
      } else {
        id = (await context.sendActivity(MessageFactory.attachment(attachment)))?.id ?? null;
      }
    });
    return id;
  }
}
