import type { Request, RequestHandler, Response, Next } from 'restify';
import type { Logger } from '../log/logger';

/** Seconds a refused sender is asked to wait: long enough for a turn or two to finish, short for a retry. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

/** At most one "busy" log line this often, however many requests are refused meanwhile. */
const BUSY_LOG_EVERY_MS = 10_000;

export interface TurnAdmissionOptions {
  /** POSTs being handled at once; the next one gets 503 until one finishes. */
  maxInFlight: number;
  logger: Logger;
  now?: () => number;
}

/** The bound on turns in flight: a restify `pre` handler and what it counts. */
export interface TurnAdmission {
  /** Register with `server.pre`: it runs before routing and before the body is read. */
  readonly pre: RequestHandler;
  readonly inFlight: number;
  /** Requests answered 503 since start. */
  readonly refused: number;
}

/**
 * Bounds the activities the bot works on at once. Beyond `maxInFlight`, a POST is answered `503`
 * with `Retry-After` before its body is read, authenticated or parsed (the Bot Framework service
 * retries such deliveries), so a flood costs a counter check per request and nothing else.
 * Only POSTs count: `/api/messages` is the only route that takes one, and health probes (GET)
 * must keep answering while the bot is busy.
 */
export function createTurnAdmission(options: TurnAdmissionOptions): TurnAdmission {
  const now = options.now ?? Date.now;
  let inFlight = 0;
  let refused = 0;
  let refusedSinceLog = 0;
  let lastLogAt = Number.NEGATIVE_INFINITY;

  const logRefusal = () => {
    refusedSinceLog++;
    if (now() - lastLogAt < BUSY_LOG_EVERY_MS) return;
    options.logger.warn(
      { maxTurnsInFlight: options.maxInFlight, refusedSinceLastLine: refusedSinceLog },
      'too many activities in flight: answering 503 with Retry-After (MAX_TURNS_IN_FLIGHT)',
    );
    lastLogAt = now();
    refusedSinceLog = 0;
  };

  const pre: RequestHandler = (req: Request, res: Response, next: Next) => {
    if (req.method !== 'POST') return next();
    if (inFlight >= options.maxInFlight) {
      refused++;
      logRefusal();
      res.setHeader('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
      // Nothing of the request is kept: Node discards the unread body once the answer is sent.
      res.send(503, {
        error: `The bot is busy with as many activities as it takes at once. Try again in ${BUSY_RETRY_AFTER_SECONDS} second${BUSY_RETRY_AFTER_SECONDS === 1 ? '' : 's'}.`,
      });
      return next(false);
    }
    inFlight++;
    // 'close' follows the answer being sent, or the client going away first: either ends the turn's slot.
    res.once('close', () => inFlight--);
    return next();
  };

  return {
    pre,
    get inFlight() {
      return inFlight;
    },
    get refused() {
      return refused;
    },
  };
}
