import * as restify from 'restify';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Logger } from '../log/logger';
import { MAX_ACTIVITY_BYTES, readJsonBody, refuseBeforeReading } from './json-body';
import { refuseInLocalMode } from './local-mode-guard';

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

export interface HttpServerOptions {
  /** No channel authentication: also refuse what a web page could send (see local-mode-guard). */
  localMode: boolean;
}

/**
 * The HTTP front: `POST /api/messages` → botbuilder's `CloudAdapter` (authenticates the channel's
 * token: 401 when it does not validate, and no handler runs) → the teams-ai `Application`;
 * `GET /healthz` for probes. `drain` makes it refuse new activities during shutdown while turns in
 * flight finish. There is no general body parser: /api/messages reads only a size-capped JSON
 * body itself, so no other content type is read into memory or written to the disk.
 */
export function createHttpServer(adapter: CloudAdapter, app: Application<TurnState>, logger: Logger, options: HttpServerOptions) {
  const server = restify.createServer({ name: 'teams-migration-bot', handleUncaughtExceptions: false });
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
    if (options.localMode) {
      const refusal = refuseInLocalMode(req.headers);
      if (refusal) {
        logger.warn({ origin: req.headers.origin !== undefined, host: String(req.headers.host ?? '').slice(0, 100) }, 'local mode: request refused');
        res.send(403, { error: refusal });
        return;
      }
    }
    const early = refuseBeforeReading(req.headers, MAX_ACTIVITY_BYTES);
    if (early) {
      res.send(early.status, { error: early.error });
      return;
    }
    inFlight++;
    try {
      const body = await readJsonBody(req, MAX_ACTIVITY_BYTES);
      if (!body.ok) {
        res.send(body.refusal.status, { error: body.refusal.error });
        return;
      }
      const activity = body.value as Record<string, unknown> | null;
      if (!activity || typeof activity !== 'object' || Array.isArray(activity) || typeof activity.type !== 'string') {
        res.send(400, { error: 'The body must be a Bot Framework activity.' });
        return;
      }
      // processActivity instead of process: botbuilder's process answers 500 when the JWT
      // library rejects a signature, and a forged token must get 401.
      const invokeResponse = await (adapter as unknown as ActivityProcessor).processActivity(req.header('authorization') ?? '', activity, async (context) => {
        await app.run(context);
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
