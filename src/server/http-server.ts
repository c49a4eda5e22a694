import * as restify from 'restify';
import type { CloudAdapter } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Logger } from '../log/logger';

/**
 * The HTTP front: `POST /api/messages` → botbuilder's `CloudAdapter` (which authenticates the
 * channel's token and answers 401 itself) → the teams-ai `Application`; `GET /healthz` for probes.
 * `draining` makes it refuse new activities during shutdown while turns in flight finish.
 */
export function createHttpServer(adapter: CloudAdapter, app: Application<TurnState>, logger: Logger) {
  const server = restify.createServer({ name: 'teams-migration-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ mapParams: false, maxBodySize: 1024 * 1024 }));
  let draining = false;
  let inFlight = 0;
  const idleWaiters: (() => void)[] = [];

  server.get('/healthz', async (_req, res) => {
    res.send(draining ? 503 : 200, { status: draining ? 'stopping' : 'ok' });
  });

  server.post('/api/messages', async (req, res) => {
    if (draining) {
      res.send(503, { error: 'The bot is shutting down.' });
      return;
    }
    inFlight++;
    try {
      await adapter.process(req as never, res as never, async (context) => {
        await app.run(context);
      });
    } catch (err) {
      logger.error({ err: { message: (err as Error)?.message } }, 'activity processing failed');
      if (!res.headersSent) res.send(500);
    } finally {
      inFlight--;
      if (inFlight === 0) idleWaiters.splice(0).forEach((resolve) => resolve());
    }
  });

  return {
    server,
    /** Stops taking activities and resolves when every turn in flight has finished. */
    async drain(): Promise<void> {
      draining = true;
      if (inFlight > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    get inFlight(): number {
      return inFlight;
    },
  };
}
