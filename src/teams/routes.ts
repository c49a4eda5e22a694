import { randomUUID } from 'node:crypto';
import { ActivityTypes, CardFactory, MessageFactory, TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { AdminPolicy } from '../features/shared/admin-policy';
import { AdaptiveCardJson, renderCard } from '../cards/renderer';
import type { Logger } from '../log/logger';
import type { LedgerStore } from '../store/ports/ledger';
import type { PendingOperationStore } from '../store/ports/pending-operations';
import { commandCatalog } from '../features/help/command-catalog';
import type { FlowReply } from '../features/shared/acting';
import type { Conversation } from '../features/shared/conversation';
import type { CommandFlows } from './command-dispatch';
import { dispatchCommand } from './command-dispatch';
import { TenantRefusals } from './tenant-refusals';
import { actingContext, conversationKind, conversationOf } from './turn-context';

/** Card buttons: verb → the flow that handles it. Each receives the button's data. */
export type ButtonHandlers = Record<string, (context: TurnContext, data: Record<string, unknown>) => Promise<FlowReply>>;

export interface RouteDeps {
  admin: AdminPolicy;
  store: LedgerStore & PendingOperationStore;
  logger: Logger;
  allowedTenantIds: string[];
  flows: CommandFlows;
  buttons: ButtonHandlers;
  /** Remembers where to reach the sender later (proactive reminders). */
  remember: (conversation: Conversation) => Promise<void>;
  /** Type-ahead for the form's team picker (`application/search`, dataset `teams`). */
  searchTeams: (context: TurnContext, queryText: string, count: number) => Promise<{ title: string; value: string }[]>;
  /** Welcome shown when the bot is added to a chat, a team or a personal scope. */
  welcome: (context: TurnContext) => Promise<FlowReply>;
}

function attachment(card: AdaptiveCardJson) {
  return CardFactory.adaptiveCard(card);
}

/**
 * In a channel or group chat anyone can see a card, so a confirmation is sent as a read-only
 * summary whose `refresh.userIds` names the requester: their client fetches the full card
 * (`refreshView`) while everyone else keeps the summary.
 */
function shared(context: TurnContext, reply: Extract<FlowReply, { kind: 'card' }>): AdaptiveCardJson {
  const type = conversationKind(context);
  if ((!reply.pendingId && !reply.privateVerb) || (type !== 'channel' && type !== 'groupChat')) return reply.card;
  const requester = context.activity.from?.name ?? 'the administrator who asked';
  if (!reply.pendingId) {
    return renderCard('private-view', {
      opId: '',
      where: type,
      verb: reply.privateVerb!, // set: the guard above returns when neither it nor pendingId is
      buttonTitle: 'Open my own form',
      requesterId: context.activity.from?.id ?? '',
      requester,
      title: 'Migration form',
      summary: `${requester} is filling in the migration form. Administrators can open their own with the button below.`,
    });
  }
  const title = (reply.card.body as { text?: string }[] | undefined)?.[0]?.text ?? 'Confirmation';
  return renderCard('private-view', {
    opId: reply.pendingId,
    where: type,
    verb: 'refreshView',
    buttonTitle: 'Show confirmation',
    requesterId: context.activity.from?.id ?? '',
    requester,
    title,
    summary: `${requester} is reviewing this${reply.shareAs ? ` for ${reply.shareAs}` : ''}. Press "Show confirmation" if that is you.`,
  });
}

/** Sends a flow's reply as a new message; remembers which activity shows a pending operation. */
export async function sendReply(context: TurnContext, reply: FlowReply, store: PendingOperationStore): Promise<string | undefined> {
  if (reply.kind === 'text') return (await context.sendActivity(MessageFactory.text(reply.text)))?.id;
  const sent = await context.sendActivity(MessageFactory.attachment(attachment(shared(context, reply))));
  if (reply.pendingId && sent?.id) await store.setPendingActivity(reply.pendingId, sent.id);
  return sent?.id;
}

/**
 * Registers every route on the teams-ai `Application`: a tenant filter in front of everything,
 * card buttons (`Action.Execute` and `Action.Submit` share handlers), typed commands, the welcome,
 * and the error handler. Routes only translate between Teams and flows.
 */
export function registerRoutes(app: Application<TurnState>, deps: RouteDeps): void {
  const { logger } = deps;
  const tenantRefusals = new TenantRefusals(deps.store, logger);

  // Tenant filter: an activity from a tenant we do not serve reaches no handler.
  app.turn('beforeTurn', async (context) => {
    const a = context.activity;
    // A submit whose value is not an object would trip teams-ai's own route checks.
    if (a.type === ActivityTypes.Message && a.value !== undefined && (a.value === null || typeof a.value !== 'object')) a.value = {};
    if (a.type !== ActivityTypes.Message && a.type !== ActivityTypes.Invoke) return true;
    const who = actingContext(context);
    if (who.tenantId && deps.allowedTenantIds.includes(who.tenantId)) return true;
    const message = 'This bot only serves its own organisation, and your account belongs to another tenant. Nothing was done.';
    // One ledger line per tenant and hour, without the outsider's text: they cannot grow the ledger.
    await tenantRefusals.record(who, a.type);
    if (a.type === ActivityTypes.Invoke) {
      await context.sendActivity({ type: 'invokeResponse', value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: message } } });
    } else {
      await context.sendActivity(message);
    }
    return false;
  });

  for (const [verb, handler] of Object.entries(deps.buttons)) {
    app.adaptiveCards.actionExecute<Record<string, unknown>>(verb, async (context, _state, data) => {
      const reply = await handler(context, data ?? {});
      if (reply.kind === 'card') {
        const forEveryone = shared(context, reply);
        if (reply.interactorOnly || forEveryone !== reply.card) {
          // The presser gets the full card; the shared message shows the summary (or stays as
          // it was). With the response already set, teams-ai does not replace it for everyone.
          const replyToId = context.activity.replyToId;
          // A reply for the presser alone (their own form or view) leaves the shared message as it is:
          // rewriting it would name the presser, and race the presser's own card on the client.
          if (forEveryone !== reply.card && reply.keepsSharedMessage && !reply.interactorOnly) {
            // A form step keeps the summary it was pressed on; a confirmation reached from the form
            // gets a summary message of its own, so each admin's view stays theirs.
            if (reply.pendingId) await sendReply(context, reply, deps.store);
          } else if (forEveryone !== reply.card && replyToId && !reply.interactorOnly) {
            try {
              await context.updateActivity({ type: 'message', id: replyToId, attachments: [attachment(forEveryone)] });
              if (reply.pendingId) await deps.store.setPendingActivity(reply.pendingId, replyToId);
            } catch (err) {
              logger.warn({ err: { message: (err as Error)?.message } }, 'could not update the shared card');
            }
          }
          await context.sendActivity({ type: 'invokeResponse', value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: reply.card } } });
        }
      }
      return reply.kind === 'card' ? (reply.card as never) : reply.text;
    });
    app.adaptiveCards.actionSubmit<Record<string, unknown>>(verb, async (context, _state, data) => {
      const reply = await handler(context, data ?? {});
      const replyToId = context.activity.replyToId;
      if (reply.kind === 'card' && replyToId && !reply.interactorOnly) {
        try {
          await context.updateActivity({ type: 'message', id: replyToId, attachments: [attachment(shared(context, reply))] });
          if (reply.pendingId) await deps.store.setPendingActivity(reply.pendingId, replyToId);
        } catch (err) {
          // The action has happened; if the card cannot be updated, the result still reaches the admin.
          logger.warn({ err: { message: (err as Error)?.message } }, 'could not update the card in place; sending the result as a new message');
          await sendReply(context, reply, deps.store);
        }
      } else {
        await sendReply(context, reply, deps.store);
      }
    });
  }

  app.adaptiveCards.search('teams', async (context, _state, query) => deps.searchTeams(context, query.parameters.queryText, query.count));

  // A card button this bot does not know (an old card, a forged payload): say so instead of a bare 501.
  const unknownButton = 'That card action is not one this bot knows. Run the command again to get a fresh card.';
  app.adaptiveCards.actionExecute(/[\s\S]*/, async () => unknownButton);

  app.conversationUpdate('membersAdded', async (context) => {
    const botId = context.activity.recipient?.id;
    if (!(context.activity.membersAdded ?? []).some((m) => m.id === botId)) return;
    // Installed by another organisation: say nothing (the tenant filter above covers messages and invokes).
    const tenantId = actingContext(context).tenantId;
    if (!tenantId || !deps.allowedTenantIds.includes(tenantId)) {
      logger.warn({ tenantId }, 'bot added in a tenant that is not allowed; no welcome sent');
      return;
    }
    await sendReply(context, await deps.welcome(context), deps.store);
  });

  // Typed commands. A message with a card `value` but no known verb is a stale or forged submit.
  app.message(/[\s\S]*/, async (context) => {
    const text = typeof context.activity.text === 'string' ? context.activity.text : '';
    if (!text.trim()) {
      const hasValue = context.activity.value !== undefined && context.activity.value !== null;
      await context.sendActivity(hasValue ? unknownButton : `Type a command, for example: help, or ${commandCatalog[0].examples[1]}`);
      return;
    }
    await sendReply(context, await dispatchCommand(context, text, deps.flows), deps.store);
    await deps.remember(conversationOf(context));
  });

  // Messages without text (an Action.Submit with an unknown verb, an attachment only) reach no
  // pattern route above.
  app.activity(ActivityTypes.Message, async (context) => {
    const hasValue = context.activity.value !== undefined && context.activity.value !== null;
    await context.sendActivity(hasValue ? unknownButton : `Type a command, for example: help, or ${commandCatalog[0].examples[1]}`);
  });

  app.error(async (context, error) => {
    const correlationId = randomUUID();
    logger.error({ correlationId, err: { name: error?.name, message: error?.message, stack: error?.stack } }, 'unhandled error in a turn');
    const message = `Something went wrong on my side while handling that. Run status on the target to see its current state before trying again. If it happens again, give your administrator this correlation id: ${correlationId}`;
    try {
      if (context.activity.type === ActivityTypes.Invoke) {
        await context.sendActivity({ type: 'invokeResponse', value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: message } } });
      } else {
        await context.sendActivity(message);
      }
    } catch (sendError) {
      logger.error({ correlationId, err: { message: (sendError as Error)?.message } }, 'could not tell the user about the error');
    }
  });
}
