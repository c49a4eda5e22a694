import type { TurnState } from '@microsoft/teams-ai';
import { AdaptiveCardActionExecuteResponseType, Application, TeamsAdapter } from '@microsoft/teams-ai';
import type { Config } from '../config/config';
import { createBotCredentialsFactory } from './bot-credentials-factory';
import { createConversationStateStorage } from './conversation-state-storage';

/** The teams-ai application the routes are registered on. */
export type BotApplication = Application<TurnState>;

/** The Bot Framework adapter: authenticates activities and sends replies and proactive messages. */
export type BotAdapter = TeamsAdapter;

/**
 * Builds the Bot Framework adapter (with the bot's credential, see bot-credentials-factory) and the
 * teams-ai `Application` on it: conversation state in memory or Azure Blob Storage, the bot's
 * @mention removed from typed text, no typing indicator, and `Action.Execute` answers replacing the
 * card for everyone unless a route answers the presser alone.
 */
export function createBotApplication(config: Config): { app: BotApplication; adapter: BotAdapter } {
  const adapter = new TeamsAdapter(
    {
      MicrosoftAppId: config.bot.appId,
      MicrosoftAppPassword: config.bot.password,
      MicrosoftAppTenantId: config.bot.tenantId,
      MicrosoftAppType: config.bot.appType,
      ...config.botFrameworkOverrides,
    },
    createBotCredentialsFactory(config),
  );
  const app = new Application<TurnState>({
    adapter,
    botAppId: config.bot.appId,
    storage: createConversationStateStorage(
      config.stateBlobContainer && config.storage.kind === 'table'
        ? { kind: 'blob', connectionString: config.storage.connectionString, container: config.stateBlobContainer }
        : { kind: 'memory' },
    ),
    removeRecipientMention: true,
    startTypingTimer: false,
    adaptiveCards: { actionExecuteResponseType: AdaptiveCardActionExecuteResponseType.REPLACE_FOR_ALL },
  });
  return { app, adapter };
}
