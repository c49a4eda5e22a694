import type { TurnContext } from 'botbuilder';
import { INVOKE } from './activity-kinds';
import type { AdaptiveCardJson } from '../cards/renderer';

/** What an invoke can answer with: a line of text, or the card that replaces the pressed one. */
export type InvokeAnswer =
  { type: 'application/vnd.microsoft.activity.message'; value: string } | { type: 'application/vnd.microsoft.card.adaptive'; value: AdaptiveCardJson };

/** The HTTP body of an invoke's answer (also sent directly when a flood is refused before the turn). */
export function invokeBody(answer: InvokeAnswer): { statusCode: 200 } & InvokeAnswer {
  return { statusCode: 200, ...answer };
}

/**
 * The `invokeResponse` activity botbuilder turns into the HTTP answer of an invoke. Written once
 * here: Teams shows `value` to the presser only, and an invoke with no response shows an error.
 */
export function invokeResponse(answer: InvokeAnswer): { type: 'invokeResponse'; value: { status: 200; body: unknown } } {
  return { type: 'invokeResponse', value: { status: 200, body: invokeBody(answer) } };
}

/**
 * Tells the sender one line of text in the form their activity expects: the invoke response for a
 * card action (`Action.Execute`), a message otherwise.
 */
export async function tellSender(context: TurnContext, text: string): Promise<void> {
  if (context.activity.type === INVOKE) {
    await context.sendActivity(invokeResponse({ type: 'application/vnd.microsoft.activity.message', value: text }));
  } else {
    await context.sendActivity(text);
  }
}
