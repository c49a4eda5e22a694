import * as restify from 'restify';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Logger } from '../log/logger';
import { MAX_ACTIVITY_BYTES, readJsonBody, refuseBeforeReading } from './json-body';
import { invokeBody } from './invoke-response';
import { refuseInLocalMode } from './local-mode-guard';
import type { TurnAdmission } from './turn-admission';

/**
 * `CloudAdapterBase.processActivity(authHeader, activity, logic)`: authenticates, runs the turn and
 * returns the invoke response. It is the documented core of `process`, typed protected in 4.23.
 */
interface ActivityProcessor {
  processActivity(
    authHeader: string,
    activity: unknown,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<{ status: number; body?: unknown } | undefined>;
}

/**
 * The one Bot Framework channel served. Every Azure Bot resource also has Web Chat and Direct Line,
 * whose activities botbuilder authenticates just as well when the signing key endorses them, but
 * only Teams fills in `from.aadObjectId` and `channelData.tenant.id` that the admin check trusts.
 */
export const SERVED_CHANNEL = 'msteams';

function isServedChannel(channelId: unknown): boolean {
  return channelId === SERVED_CHANNEL;
}

/** A caller-chosen value as it may appear in a log line: a short string or nothing. */
function loggable(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, 40) : undefined;
}

/** True for the errors botbuilder and the JWT library raise for a token that does not validate. */
function isAuthenticationFailure(err: unknown): boolean {
  const e = err as { name?: string; statusCode?: number } | undefined;
  return e?.statusCode === 401 || ['AuthenticationError', 'JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError'].includes(e?.name ?? '');
}

export interface HttpServerOptions {
  /** No channel authentication: also refuse what a web page could send (see local-mode-guard). */
  localMode: boolean;
  /** The bound on turns in flight (turn-admission), checked before anything is read. */
  admission?: TurnAdmission;
  /** After authentication and the channel filter, before the app: false ends the turn (the per-user command limit). */
  admitTurn?: (context: TurnContext) => Promise<boolean>;
  /**
   * Before authentication: an answer for an activity whose sender is already over the per-user limit
   * and has been told so, so a flood costs no token validation. It only reads the limiter (a forged
   * sender can neither use up nor reset anyone's allowance), and answers what the limiter would.
   */
  refuseFloodEarly?: (activity: Record<string, unknown>) => { invokeText?: string } | null;
}

/**
 * The HTTP front: `POST /api/messages` → botbuilder's `CloudAdapter` (authenticates the channel's
 * token: 401 when it does not validate, and no handler runs) → a channel filter (anything but
 * `msteams` gets 403 before any handler) → the teams-ai `Application`;
 * `GET /healthz` for probes. `drain` makes it refuse new activities during shutdown while turns in
 * flight finish. There is no general body parser: /api/messages reads only a size-capped JSON
 * body itself, so no other content type is read into memory or written to the disk.
 */
export function createHttpServer(adapter: CloudAdapter, app: Application<TurnState>, logger: Logger, options: HttpServerOptions) {
  const server = restify.createServer({ name: 'teams-migration-bot', handleUncaughtExceptions: false });
  if (options.admission) server.pre(options.admission.pre);
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
      if (typeof activity.channelId !== 'string') {
        // botbuilder fails on it with a 500 otherwise; which channel is served is decided after authentication.
        res.send(400, { error: 'The activity must name its channel (channelId).' });
        return;
      }
      const flooded = options.refuseFloodEarly?.(activity);
      if (flooded) {
        if (flooded.invokeText !== undefined) res.send(200, invokeBody({ type: 'application/vnd.microsoft.activity.message', value: flooded.invokeText }));
        else res.send(200);
        return;
      }
      // processActivity instead of process: botbuilder's process answers 500 when the JWT
      // library rejects a signature, and a forged token must get 401.
      let otherChannel = false;
      const invokeResponse = await (adapter as unknown as ActivityProcessor).processActivity(req.header('authorization') ?? '', activity, async (context) => {
        // Authenticated, and nothing has run yet: only Teams vouches for `aadObjectId` and the tenant.
        if (!isServedChannel(context.activity.channelId)) {
          otherChannel = true;
          logger.warn(
            { channelId: loggable(context.activity.channelId), activityType: loggable(context.activity.type) },
            'activity refused: only the msteams channel is served',
          );
          return;
        }
        if (!options.admitTurn || (await options.admitTurn(context))) await app.run(context);
      });
      if (otherChannel) res.send(403, { error: `This bot serves Microsoft Teams (channel ${SERVED_CHANNEL}) only.` });
      else if (invokeResponse) res.send(invokeResponse.status, invokeResponse.body ?? undefined);
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
