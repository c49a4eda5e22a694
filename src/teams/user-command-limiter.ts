import type { Activity, TurnContext } from 'botbuilder';
import { INVOKE, MESSAGE } from './activity-kinds';
import { invokeResponse } from './invoke-response';
import type { Logger } from '../log/logger';

/** A user's allowance: `burst` commands at once, refilled at `perMinute`. */
export interface CommandLimits {
  perMinute: number;
  burst: number;
}

/** One sender's token bucket, and the window in which they have already been told to slow down. */
export interface CommandBucket {
  tokens: number;
  /** when `tokens` was last brought up to date (ms) */
  at: number;
  /** until when further refusals stay silent (ms) */
  noticeUntil: number;
  /** refusals since the last log line about this sender */
  dropped: number;
}

/** A fresh sender's bucket: full. */
export function fullBucket(limits: CommandLimits, now: number): CommandBucket {
  return { tokens: limits.burst, at: now, noticeUntil: Number.NEGATIVE_INFINITY, dropped: 0 };
}

/**
 * Token bucket, pure: refills `bucket` up to `now` and takes one token. Returns 0 when a token was
 * taken, otherwise how many milliseconds until the next one (the bucket is left refilled, untaken).
 */
export function takeToken(bucket: CommandBucket, limits: CommandLimits, now: number): number {
  const perMs = limits.perMinute / 60_000;
  bucket.tokens = Math.min(limits.burst, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
  bucket.at = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return 0;
  }
  return Math.ceil((1 - bucket.tokens) / perMs);
}

/** What a flooding user reads, once per window. */
export function slowDownText(waitSeconds: number): string {
  return `You are sending commands faster than I can act on them. Wait ${waitSeconds} second${waitSeconds === 1 ? '' : 's'} and try again; nothing was done for the last one.`;
}

/**
 * Who is sending, as the channel authenticated it: tenant plus Entra object id (spec §7). An
 * activity without an object id is keyed on its channel user id, so it cannot escape the limit.
 */
export function senderKey(activity: Partial<Activity>): string {
  const channelData = (activity.channelData ?? {}) as { tenant?: { id?: unknown } };
  const tenant = typeof channelData.tenant?.id === 'string' ? channelData.tenant.id : String(activity.conversation?.tenantId ?? '');
  const oid = typeof activity.from?.aadObjectId === 'string' ? activity.from.aadObjectId.trim() : '';
  return `${tenant.toLowerCase()}|${oid ? oid.toLowerCase() : `channel:${String(activity.from?.id ?? '')}`}`;
}

/**
 * What a turn is, for the limit: a command or button press the person chose, or something their
 * client sends on its own — a card refreshing itself (`refresh.userIds`: opening a busy channel
 * refreshes every summary that names them) or a type-ahead query per keystroke. The client's own
 * traffic has its own, larger allowance, so reading a channel never uses up the person's commands.
 */
export type TurnTraffic = 'command' | 'client';

/** Which allowance an activity draws on (see TurnTraffic). */
export function trafficOf(activity: Partial<Activity>): TurnTraffic {
  if (activity.type !== INVOKE) return 'command';
  if (activity.name === 'application/search') return 'client';
  const value = activity.value as { trigger?: unknown } | undefined;
  return activity.name === 'adaptiveCard/action' && value?.trigger === 'automatic' ? 'client' : 'command';
}

/** How much larger the client's own allowance is than the person's commands. */
const CLIENT_TRAFFIC_FACTOR = 5;

/** One bucket per sender and kind of traffic. */
function bucketKey(activity: Partial<Activity>, traffic: TurnTraffic): string {
  return traffic === 'command' ? senderKey(activity) : `${senderKey(activity)}|client`;
}

export interface UserCommandLimiterOptions {
  limits: CommandLimits;
  logger: Logger;
  now?: () => number;
  /** how long after a "slow down" reply further refusals stay silent (default one minute) */
  noticeWindowMs?: number;
  /** senders tracked before idle ones are forgotten (default 10,000) */
  maxTracked?: number;
}

/**
 * The per-user limit on commands and card presses, in front of every handler. Each sender (tenant
 * + object id) has a token bucket; a command without a token does nothing at all: no Graph call,
 * no store access. The first refusal in a window gets a "slow down" reply; the rest of the window
 * is silent (a reply per flooded message would flood the connector in turn), with one log line per
 * window. A refused card press is still answered in its own invoke response, which costs no
 * connector call and spares the presser Teams' generic error.
 *
 * In memory, per instance: with several instances a user's allowance is per instance, which still
 * bounds what one user can make the bot do. No library: `limiter` and `rate-limiter-flexible` both
 * fit the counting, but neither forgets idle senders on its own terms nor knows "told once per
 * window", which is most of this module; the bucket itself is the ten lines of `takeToken`.
 */
export class UserCommandLimiter {
  private readonly buckets = new Map<string, CommandBucket>();
  private readonly now: () => number;
  private readonly noticeWindowMs: number;
  private readonly maxTracked: number;
  private lastSweepAt = Number.NEGATIVE_INFINITY;
  /** commands refused since start (tests and benchmarks read it) */
  refused = 0;

  constructor(private readonly options: UserCommandLimiterOptions) {
    this.now = options.now ?? Date.now;
    this.noticeWindowMs = options.noticeWindowMs ?? 60_000;
    this.maxTracked = options.maxTracked ?? 10_000;
  }

  /**
   * Before a turn: true when the sender may go on. False when the turn must end here; the limiter
   * has then answered as described above, or deliberately said nothing.
   */
  async admit(context: TurnContext): Promise<boolean> {
    const a = context.activity;
    // Commands and card presses; installation and other conversation events are not the user's to repeat.
    if (a.type !== MESSAGE && a.type !== INVOKE) return true;
    const now = this.now();
    const traffic = trafficOf(a);
    const limits = this.limitsFor(traffic);
    const key = bucketKey(a, traffic);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      this.forgetIdle(now);
      bucket = fullBucket(limits, now);
      this.buckets.set(key, bucket);
    }
    const waitMs = takeToken(bucket, limits, now);
    if (waitMs === 0) return true;
    this.refused++;
    const text = slowDownText(Math.max(1, Math.ceil(waitMs / 1000)));
    const firstInWindow = now >= bucket.noticeUntil;
    if (firstInWindow) {
      bucket.noticeUntil = now + this.noticeWindowMs;
      this.options.logger.warn(
        { sender: key, refusedInPreviousWindow: bucket.dropped, windowSeconds: this.noticeWindowMs / 1000 },
        'user is sending commands faster than USER_COMMANDS_PER_MINUTE allows; told to slow down, further commands in this window are dropped',
      );
      bucket.dropped = 0;
    } else {
      bucket.dropped++;
    }
    if (a.type === INVOKE) {
      await context.sendActivity(invokeResponse({ type: 'application/vnd.microsoft.activity.message', value: text }));
    } else if (firstInWindow) {
      await context.sendActivity(text);
    }
    return false;
  }

  /**
   * Before authentication, so a flood costs no token validation: when this sender's bucket is empty
   * and they were already told to slow down in this window, the turn would end silently anyway.
   * Reads only: an unknown sender is not tracked, and no token is taken or window started, so a
   * forged activity cannot use up or reset anyone's allowance. Returns the answer to give (an
   * invoke gets the text in its response), or null to go on to authentication and `admit`.
   */
  refuseEarly(activity: Partial<Activity>): { invokeText?: string } | null {
    if (activity.type !== MESSAGE && activity.type !== INVOKE) return null;
    const traffic = trafficOf(activity);
    const limits = this.limitsFor(traffic);
    const bucket = this.buckets.get(bucketKey(activity, traffic));
    const now = this.now();
    if (!bucket || now >= bucket.noticeUntil) return null;
    const perMs = limits.perMinute / 60_000;
    const tokens = Math.min(limits.burst, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
    if (tokens >= 1) return null;
    this.refused++;
    bucket.dropped++;
    if (activity.type !== INVOKE) return {};
    return { invokeText: slowDownText(Math.max(1, Math.ceil((1 - tokens) / perMs / 1000))) };
  }

  private limitsFor(traffic: TurnTraffic): CommandLimits {
    const { limits } = this.options;
    return traffic === 'command' ? limits : { perMinute: limits.perMinute * CLIENT_TRAFFIC_FACTOR, burst: limits.burst * CLIENT_TRAFFIC_FACTOR };
  }

  /** Senders tracked now (for tests). */
  get tracked(): number {
    return this.buckets.size;
  }

  /**
   * Drops senders whose bucket has refilled and whose window is over: they are the same as new
   * ones. Runs only when the map is over its cap, at most once a minute, so it stays off the hot path.
   */
  private forgetIdle(now: number): void {
    if (this.buckets.size < this.maxTracked || now - this.lastSweepAt < 60_000) return;
    this.lastSweepAt = now;
    const { limits } = this.options;
    const refillMs = (limits.burst / limits.perMinute) * 60_000;
    for (const [key, b] of this.buckets) {
      if (now - b.at >= refillMs && now >= b.noticeUntil) this.buckets.delete(key);
    }
  }
}
