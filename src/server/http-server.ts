import * as restify from 'restify';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Logger } from '../log/logger';
import type { TurnAdmission } from './turn-admission';

/**
 * `CloudAdapterBase.processActivity(authHeader, activity, logic)`: authenticates, runs the turn and
 * returns the invoke response. It is the documented core of `process`, typed protected in 4.23.
 */
interface ActivityProcessor {
  processActivity(authHeader: string, activity: unknown, logic: (context: TurnContext) => Promise<void>): Promise<{ status: number; body?: unknown } | undefined>;
}

/** True for the errors botbuilder and the JWT library raise for a token that does not validate. */
function isAuthenticationFailure(err: unknown): boolean {
  const e = err as { name?: string; statusCode?: number } | undefined;
  return e?.statusCode === 401 || ['AuthenticationError', 'JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError'].includes(e?.name ?? '');
}

/** Flood guards (src/server/turn-admission.ts, src/bot/user-command-limiter.ts); tests may leave them out. */
export interface TurnGuards {
  /** the bound on turns in flight, checked before anything is read */
  admission?: TurnAdmission;
  /** after authentication, before the app: false ends the turn (the per-user command limit) */
  admitTurn?: (context: TurnContext) => Promise<boolean>;
}

/**
 * The HTTP front: `POST /api/messages` → botbuilder's `CloudAdapter` (authenticates the channel's
 * token: 401 when it does not validate, and no handler runs) → the teams-ai `Application`;
 * `GET /healthz` for probes. `drain` makes it refuse new activities during shutdown while turns in
 * flight finish.
 */
export function createHttpServer(adapter: CloudAdapter, app: Application<TurnState>, logger: Logger, guards: TurnGuards = {}) {
  const server = restify.createServer({ name: 'teams-migration-bot', handleUncaughtExceptions: false });
  if (guards.admission) server.pre(guards.admission.pre);
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
      const activity = req.body as Record<string, unknown> | undefined;
      if (!activity || typeof activity !== 'object' || typeof activity.type !== 'string') {
        res.send(400, { error: 'The body must be a Bot Framework activity.' });
        return;
      }
      // processActivity instead of process: botbuilder's process answers 500 when the JWT
      // library rejects a signature, and a forged token must get 401.
      const invokeResponse = await (adapter as unknown as ActivityProcessor).processActivity(req.header('authorization') ?? '', activity, async (context) => {
        if (!guards.admitTurn || (await guards.admitTurn(context))) await app.run(context);
      });
      if (invokeResponse) res.send(invokeResponse.status, invokeResponse.body ?? undefined);
      else res.send(200);
    } catch (err) {
      if (isAuthenticationFailure(err)) {
        logger.warn({ reason: (err as Error).name }, 'activity refused: channel authentication failed');
        if (!res.headersSent) res.send(401);
      } else {
        logger.error({ err: { message: (err as Error)?.message } }, 'activity processing failed');
        if (!res.headersSent) res.send(500);
      }
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
