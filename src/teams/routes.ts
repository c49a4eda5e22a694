import { randomUUID } from 'node:crypto';
import { ActivityTypes } from 'botbuilder';
import { INVOKE, MESSAGE } from './activity-kinds';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Logger } from '../log/logger';
import type { Store } from '../store/ports/store';
import { TYPE_A_COMMAND } from '../features/help/help';
import type { Conversation } from '../features/shared/conversation';
import { parseCommand } from '../domain/parse/command-parser';
import { fileAttachments, hasFileAttachment } from './file-attachments';
import { registerFileConsent } from './file-consent';
import { tellSender } from './invoke-response';
import { ReplyDelivery } from './reply-delivery';
import { TenantRefusals } from './tenant-refusals';
import { actingContext, conversationOf } from './turn-context';
import type { VerbTable } from './verb-table';
import { answerCommand } from './verb-table';

/** What the routes hand turns to: the verb table, the reminder memory, the form's type-ahead, and the ledger for tenant refusals. */
export interface RouteDeps {
  store: Store;
  logger: Logger;
  allowedTenantIds: string[];
  /** Typed commands, card verbs and the welcome → features. */
  table: VerbTable;
  /** Remembers where to reach the sender later (proactive reminders). */
  remember: (conversation: Conversation) => Promise<void>;
  /** Type-ahead for the form's team picker (`application/search`, dataset `teams`). */
  searchTeams: (conversation: Conversation, queryText: string, count: number) => Promise<{ title: string; value: string }[]>;
  /** Hosts where Teams keeps files: reports are uploaded only there. */
  fileHosts: readonly string[];
}

/** A message whose file attachments carry no download link (a broken client, a forged activity). */
const NO_USABLE_FILE = 'Teams sent the attachment without a way to download it. Attach the file again in this chat.';

/** The team named with the files: `import into "<team>"` typed with them, else null. */
function teamTypedWith(text: unknown): string | null {
  if (typeof text !== 'string' || !text.trim()) return null;
  const command = parseCommand(text);
  return command.verb === 'import' ? command.team : null;
}

/** A card button this bot does not know (an old card, a forged payload): said instead of a bare 501. */
const UNKNOWN_BUTTON = 'That card action is not one this bot knows. Run the command again to get a fresh card.';

/**
 * Registers every route on the teams-ai `Application`: a tenant filter in front of everything,
 * card buttons (`Action.Execute` and `Action.Submit` share handlers), type-ahead, typed commands,
 * the welcome, and the error handler. Each route builds the turn's Conversation once, asks the verb
 * table for the reply and hands it to ReplyDelivery; nothing else happens here.
 */
export function registerRoutes(app: Application<TurnState>, deps: RouteDeps): void {
  const { logger, table } = deps;
  const tenantRefusals = new TenantRefusals(deps.store, logger);
  const delivery = new ReplyDelivery(deps.store, logger);

  // Tenant filter: an activity from a tenant we do not serve reaches no handler.
  app.turn('beforeTurn', async (context) => {
    const a = context.activity;
    // A submit whose value is not an object would trip teams-ai's own route checks.
    if (a.type === MESSAGE && a.value !== undefined && (a.value === null || typeof a.value !== 'object')) a.value = {};
    if (a.type !== MESSAGE && a.type !== INVOKE) return true;
    const who = actingContext(context);
    if (who.tenantId && deps.allowedTenantIds.includes(who.tenantId)) return true;
    // One ledger line per tenant and hour, without the outsider's text: they cannot grow the ledger.
    await tenantRefusals.record(who, a.type);
    await tellSender(context, 'This bot only serves its own organisation, and your account belongs to another tenant. Nothing was done.');
    return false;
  });

  for (const [verb, handler] of Object.entries(table.buttons)) {
    app.adaptiveCards.actionExecute<Record<string, unknown>>(
      verb,
      async (context, _state, data) =>
        // teams-ai types the answer as a card or a string; our card JSON is the card it sends.
        await delivery.answerExecute(context, await handler(conversationOf(context), data ?? {})),
    );
    app.adaptiveCards.actionSubmit<Record<string, unknown>>(verb, async (context, _state, data) => {
      await delivery.answerSubmit(context, await handler(conversationOf(context), data ?? {}));
    });
  }

  app.adaptiveCards.search('teams', async (context, _state, query) => deps.searchTeams(conversationOf(context), query.parameters.queryText, query.count));
  for (const [dataset, search] of Object.entries(table.search)) {
    app.adaptiveCards.search(dataset, async (context, _state, query) => search(conversationOf(context), query.parameters.queryText, query.count));
  }

  registerFileConsent(app, { consent: table.fileConsent, delivery, logger, fileHosts: deps.fileHosts });

  app.adaptiveCards.actionExecute(/[\s\S]*/, async () => UNKNOWN_BUTTON);

  app.conversationUpdate('membersAdded', async (context) => {
    const botId = context.activity.recipient?.id;
    if (!(context.activity.membersAdded ?? []).some((m) => m.id === botId)) return;
    // Installed by another organisation: say nothing (the tenant filter above covers messages and invokes).
    const tenantId = actingContext(context).tenantId;
    if (!tenantId || !deps.allowedTenantIds.includes(tenantId)) {
      logger.warn({ tenantId }, 'bot added in a tenant that is not allowed; no welcome sent');
      return;
    }
    await delivery.send(context, await table.welcome(conversationOf(context)));
  });

  // Files attached to a message (with or without text) go to the import feature, when it is wired;
  // without it such a message is answered like any other (its text as a command).
  const received = table.files;
  if (received) {
    app.activity(
      async (context) => context.activity.type === MESSAGE && hasFileAttachment(context.activity.attachments),
      async (context) => {
        const files = fileAttachments(context.activity.attachments);
        if (files.length === 0) {
          await context.sendActivity(NO_USABLE_FILE);
          return;
        }
        const conversation = conversationOf(context);
        await delivery.send(context, await received(conversation, files, teamTypedWith(context.activity.text)));
        await deps.remember(conversation);
      },
    );
  }

  // Typed commands. A message with a card `value` but no known verb is a stale or forged submit.
  app.message(/[\s\S]*/, async (context) => {
    const text = typeof context.activity.text === 'string' ? context.activity.text : '';
    if (!text.trim()) {
      const hasValue = context.activity.value !== undefined && context.activity.value !== null;
      await context.sendActivity(hasValue ? UNKNOWN_BUTTON : TYPE_A_COMMAND);
      return;
    }
    const conversation = conversationOf(context);
    await delivery.send(context, await answerCommand(table.commands, conversation, text));
    await deps.remember(conversation);
  });

  // Messages without text (an Action.Submit with an unknown verb, an attachment only) reach no
  // pattern route above.
  app.activity(ActivityTypes.Message, async (context) => {
    const hasValue = context.activity.value !== undefined && context.activity.value !== null;
    await context.sendActivity(hasValue ? UNKNOWN_BUTTON : TYPE_A_COMMAND);
  });

  app.error(async (context, error) => {
    const correlationId = randomUUID();
    logger.error({ correlationId, err: { name: error?.name, message: error?.message, stack: error?.stack } }, 'unhandled error in a turn');
    try {
      await tellSender(
        context,
        `Something went wrong on my side while handling that. Run status on the target to see its current state before trying again. If it happens again, give your administrator this correlation id: ${correlationId}`,
      );
    } catch (sendError) {
      logger.error({ correlationId, err: { message: (sendError as Error)?.message } }, 'could not tell the user about the error');
    }
  });
}
