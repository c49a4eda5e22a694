import type { Conversation, Emulator, PostResult } from '../emulator/index';
import { jsonText } from '../emulator/json';
import { cardText } from '../test/support/harness';

export { cardText };

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** A button on a card the bot sent: what pressing it posts. */
export interface CardButton {
  activityId: string;
  /** when the connector received the card (epoch ms): the moment Teams could show it */
  sentAt: number;
  verb: string;
  data: Record<string, unknown>;
}

/** Every `Action.Execute` / `Action.Submit` on a card, wherever it sits, by title. */
function actions(card: unknown): Map<string, { verb: string; data: Record<string, unknown> }> {
  const found = new Map<string, { verb: string; data: Record<string, unknown> }>();
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if ((n.type === 'Action.Execute' || n.type === 'Action.Submit') && typeof n.title === 'string' && !found.has(n.title)) {
      const data = (n.data ?? {}) as Record<string, unknown>;
      found.set(n.title, { verb: jsonText(n.verb ?? data.verb ?? ''), data });
    }
    for (const v of Object.values(n)) if (typeof v === 'object') walk(v);
  };
  walk(card);
  return found;
}

/**
 * The button titled `title` on the newest card the bot sent to `conversation` (as it looks after
 * updates), looked up before the clock starts so that timing a press times the bot only. Throws
 * with the card's buttons when there is none: the run cannot go on without it.
 */
export function findButton(conversation: Conversation, emulator: Emulator, title: string): CardButton {
  const sent = conversation.replies();
  for (let i = sent.length - 1; i >= 0; i--) {
    // Only activities sent as cards count: the floor bot shares personal conversations and
    // replaces its text echoes with a card, which must not be mistaken for the bot's card.
    if (!sent[i].attachments?.some((a) => a.contentType === ADAPTIVE_CARD)) continue;
    const current = emulator.connector.current(sent[i].id) ?? sent[i];
    const card = current.attachments?.find((a) => a.contentType === ADAPTIVE_CARD)?.content;
    if (!card) continue;
    const all = actions(card);
    const action = all.get(title);
    if (!action) throw new Error(`no button "${title}" on the newest card; buttons: ${[...all.keys()].join(', ') || 'none'}`);
    return { activityId: sent[i].id, sentAt: sent[i].at, ...action };
  }
  throw new Error('the bot sent no card in this conversation');
}

/** Presses a button found with `findButton` (an `adaptiveCard/action` invoke, as Teams sends it). */
export function pressButton(conversation: Conversation, button: CardButton, inputs: Record<string, unknown> = {}): Promise<PostResult> {
  return conversation.executes(button.activityId, button.verb, { ...button.data, ...inputs });
}

/** The text of an invoke's answer: the card's text, or the message. */
export function invokeText(result: PostResult): string {
  const body = result.body as { type?: string; value?: unknown } | null;
  if (body?.type === ADAPTIVE_CARD) return cardText(body.value);
  return jsonText(body?.value ?? '');
}
