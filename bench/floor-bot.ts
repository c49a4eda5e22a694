import { MemoryStorage } from 'botbuilder';
import type { TurnState } from '@microsoft/teams-ai';
import { AdaptiveCardActionExecuteResponseType, Application, TeamsAdapter } from '@microsoft/teams-ai';
import type { Client } from '@microsoft/microsoft-graph-client';
import * as restify from 'restify';
import type { GraphCall } from './graph-replay';
import { replay } from './graph-replay';

/** A running floor bot. */
export interface FloorBot {
  /** `http://127.0.0.1:<port>/api/messages` */
  messagesUrl: string;
  /** Registers the Graph calls a turn tagged `name` makes; returns the tag to send. */
  script(name: string, calls: GraphCall[]): string;
  stop(): Promise<void>;
}

/** The verb the floor's card button carries; its data names the script to run. */
export const FLOOR_VERB = 'floor';

/**
 * The floor every turn figure is divided by: the smallest teams-ai bot that does what the
 * migration bot does on the wire. It is the teams-ai echo sample — `Application` with
 * `MemoryStorage`, `TeamsAdapter` with no app id (local mode), restify with the body parser —
 * plus, inside the turn, a given list of Graph calls made one after another with graph-client.
 * A message `<tag>` runs the script registered under that tag and echoes the text; an
 * `Action.Execute` with verb `floor` and `data.script = <tag>` runs the script and answers with a
 * one-line card that replaces the old one for everyone, exactly the response type the real bot
 * uses (so teams-ai makes the same connector update).
 */
export async function startFloorBot(graph: Client): Promise<FloorBot> {
  const scripts = new Map<string, GraphCall[]>();
  const adapter = new TeamsAdapter({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant' });
  const app = new Application<TurnState>({
    adapter,
    storage: new MemoryStorage(),
    removeRecipientMention: true,
    startTypingTimer: false,
    adaptiveCards: { actionExecuteResponseType: AdaptiveCardActionExecuteResponseType.REPLACE_FOR_ALL },
  });
  const run = async (tag: unknown) => {
    const calls = typeof tag === 'string' ? scripts.get(tag) : undefined;
    if (!calls) throw new Error(`floor bot: no script '${String(tag)}'`);
    await replay(graph, calls);
  };
  app.message(/[\s\S]*/, async (context) => {
    const text = (context.activity.text ?? '').trim();
    await run(text);
    await context.sendActivity(`echo: ${text}`);
  });
  app.adaptiveCards.actionExecute<{ script?: string }>(FLOOR_VERB, async (_context, _state, data) => {
    await run(data?.script);
    return {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.5',
      body: [{ type: 'TextBlock', text: 'done' }],
    } as never;
  });

  const server = restify.createServer({ name: 'floor-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ mapParams: false, maxBodySize: 1024 * 1024 }));
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res as never, async (context) => {
      await app.run(context);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = server.address().port;
  return {
    messagesUrl: `http://127.0.0.1:${port}/api/messages`,
    script(name, calls) {
      scripts.set(name, calls);
      return name;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
