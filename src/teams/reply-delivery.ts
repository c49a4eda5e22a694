import type { TurnContext } from 'botbuilder';
import { CardFactory, MessageFactory } from 'botbuilder';
import type { AdaptiveCardJson } from '../cards/renderer';
import { renderCard } from '../cards/renderer';
import type { FlowReply } from '../features/shared/acting';
import type { Logger } from '../log/logger';
import type { Store } from '../store/ports/store';
import { consentCardAttachment } from './file-cards';
import { invokeResponse } from './invoke-response';
import { conversationKind } from './turn-context';

type CardReply = Extract<FlowReply, { kind: 'card' }>;
type FileReply = Extract<FlowReply, { kind: 'file' }>;

/** Teams takes files from a bot in the personal chat only; anywhere else an offer becomes this pointer. */
export const FILES_IN_PERSONAL_CHAT_ONLY = 'I can send files only in our personal chat. Open a chat with me and ask there.';

/**
 * In a channel or group chat anyone can see a card, so a confirmation is sent as a read-only
 * summary whose `refresh.userIds` names the requester: their client fetches the full card
 * (`refreshView`) while everyone else keeps the summary. Any other card is shown as it is (the
 * same object, which is how callers tell the two apart).
 */
export function cardForEveryone(context: TurnContext, reply: CardReply): AdaptiveCardJson {
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
  return renderCard('private-view', {
    opId: reply.pendingId,
    where: type,
    verb: 'refreshView',
    buttonTitle: 'Show confirmation',
    requesterId: context.activity.from?.id ?? '',
    requester,
    title: reply.title ?? 'Confirmation',
    summary: `${requester} is reviewing this${reply.shareAs ? ` for ${reply.shareAs}` : ''}. Press "Show confirmation" if that is you.`,
  });
}

/**
 * Turns a flow's reply into the Teams action that fits how it was asked for: a new message for a
 * typed command or the welcome, an in-place card update for an `Action.Submit`, the invoke
 * response for an `Action.Execute` — with the shared summary in channels and group chats — and
 * remembers which message shows a pending operation.
 */
export class ReplyDelivery {
  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  /** Sends the reply as a new message; returns its id. */
  async send(context: TurnContext, reply: FlowReply): Promise<string | undefined> {
    if (reply.kind === 'text') return (await context.sendActivity(MessageFactory.text(reply.text)))?.id;
    if (reply.kind === 'file') return this.offerFile(context, reply);
    const sent = await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(cardForEveryone(context, reply))));
    if (reply.pendingId && sent?.id) await this.store.setPendingActivity(reply.pendingId, sent.id);
    return sent?.id;
  }

  /**
   * The answer to an `Action.Execute` (universal action). Returns what teams-ai sends as the invoke
   * response for everyone; when the presser's card differs from what everyone else should see, that
   * response is sent here first (teams-ai then leaves it), and the shared message is handled apart.
   */
  async answerExecute(context: TurnContext, reply: FlowReply): Promise<AdaptiveCardJson | string> {
    if (reply.kind === 'text') return reply.text;
    if (reply.kind === 'file') {
      // A consent card cannot be an invoke's answer: it is posted as a message of its own.
      const sent = await this.offerFile(context, reply);
      return sent ? 'The file is offered in a message below: press Accept there to receive it.' : FILES_IN_PERSONAL_CHAT_ONLY;
    }
    const forEveryone = cardForEveryone(context, reply);
    const elsewhere = reply.messageId && context.activity.replyToId && reply.messageId !== context.activity.replyToId ? reply.messageId : null;
    if (elsewhere) {
      // Pressed on a card shown over another message (a form opened from someone else's summary):
      // the result goes to the operation's own message, and the pressed message stays as it was.
      try {
        await context.updateActivity({ type: 'message', id: elsewhere, attachments: [CardFactory.adaptiveCard(forEveryone)] });
      } catch (err) {
        this.logger.warn({ err: { message: (err as Error)?.message } }, "could not update the operation's own message");
      }
      await context.sendActivity(invokeResponse({ type: 'application/vnd.microsoft.card.adaptive', value: reply.card }));
      return reply.card;
    }
    if (reply.interactorOnly || forEveryone !== reply.card) {
      // The presser gets the full card; the shared message shows the summary (or stays as it was).
      // With the response already set, teams-ai does not replace it for everyone.
      const replyToId = context.activity.replyToId;
      // A reply for the presser alone (their own form or view) leaves the shared message as it is:
      // rewriting it would name the presser, and race the presser's own card on the client.
      if (forEveryone !== reply.card && reply.keepsSharedMessage && !reply.interactorOnly) {
        // A form step keeps the summary it was pressed on; a confirmation reached from the form
        // gets a summary message of its own, so each admin's view stays theirs.
        if (reply.pendingId) await this.send(context, reply);
      } else if (forEveryone !== reply.card && replyToId && !reply.interactorOnly) {
        try {
          await context.updateActivity({ type: 'message', id: replyToId, attachments: [CardFactory.adaptiveCard(forEveryone)] });
          if (reply.pendingId) await this.store.setPendingActivity(reply.pendingId, replyToId);
        } catch (err) {
          this.logger.warn({ err: { message: (err as Error)?.message } }, 'could not update the shared card');
        }
      }
      await context.sendActivity(invokeResponse({ type: 'application/vnd.microsoft.card.adaptive', value: reply.card }));
    }
    return reply.card;
  }

  /**
   * Offers a file with a file consent card, in the personal chat only (Teams has no consent cards in
   * channels or group chats; the feature says so first, this is the edge's own guard). Remembers
   * which message shows the offer. Returns the card's id, or undefined when only the pointer was sent.
   */
  private async offerFile(context: TurnContext, reply: FileReply): Promise<string | undefined> {
    if (conversationKind(context) !== 'personal') {
      await context.sendActivity(MessageFactory.text(FILES_IN_PERSONAL_CHAT_ONLY));
      return undefined;
    }
    const sent = await context.sendActivity(MessageFactory.attachment(consentCardAttachment(reply)));
    if (sent?.id) await this.store.setPendingActivity(reply.offerId, sent.id);
    return sent?.id;
  }

  /** The answer to an `Action.Submit`: the pressed card is replaced in place, or the reply sent as a new message. */
  async answerSubmit(context: TurnContext, reply: FlowReply): Promise<void> {
    // A result belongs on the operation's own message, wherever its button was pressed.
    const replyToId = (reply.kind === 'card' && reply.messageId) || context.activity.replyToId;
    if (reply.kind === 'card' && replyToId && !reply.interactorOnly) {
      try {
        await context.updateActivity({ type: 'message', id: replyToId, attachments: [CardFactory.adaptiveCard(cardForEveryone(context, reply))] });
        if (reply.pendingId) await this.store.setPendingActivity(reply.pendingId, replyToId);
      } catch (err) {
        // The action has happened; if the card cannot be updated, the result still reaches the admin.
        this.logger.warn({ err: { message: (err as Error)?.message } }, 'could not update the card in place; sending the result as a new message');
        await this.send(context, reply);
      }
    } else {
      await this.send(context, reply);
    }
  }
}
