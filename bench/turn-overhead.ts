import type { LatencySummary } from './stats';
import { ratio, summarize } from './stats';
import type { RecordedScripts, RoundTrip } from './scenario';
import { botRoundTrip, floorRoundTrip, graphSignaturesSince, migrateCommand, recordBotScripts, REFERENCE_TARGET, resetThread } from './scenario';
import type { BenchStack } from './stack';
import { signatures } from './graph-replay';

/** Sizes of the turn-overhead run. */
export interface TurnOverheadOptions {
  /** round trips before measuring, for each of bot and floor (JIT, connection pools, caches) */
  warmup: number;
  /** measured round trips, for each of bot and floor (at most) */
  iterations: number;
  /** stop early after this long (p99 wants many samples; a slow machine gets fewer), but not before `minIterations` */
  maxSeconds?: number;
  minIterations?: number;
  /** the emulator's logs and connector records are cleared this often, so they do not slow both sides down */
  resetEvery?: number;
}

/** One turn kind's figures: bot and floor latency summaries, and their ratios. */
export interface TurnFigures {
  bot: LatencySummary;
  floor: LatencySummary;
  p50Ratio: number;
  p99Ratio: number;
}

export interface TurnOverheadResult {
  warmup: number;
  iterations: number;
  command: string;
  /** migrate command: the whole HTTP turn (the bot has sent the card and finished its bookkeeping) */
  migrate: TurnFigures;
  /** migrate command until the card reached the connector (what the admin sees; 1 ms resolution) */
  migrateToCard: TurnFigures;
  /** Confirm: the invoke, whose answer is the result card */
  confirm: TurnFigures;
  /** the Graph requests each bot turn made, which the floor replays */
  graphCalls: { migrate: string[]; confirm: string[] };
  /** the floor's requests were checked against the bot's, request for request */
  floorMatchesBot: boolean;
  errors: string[];
  /** the recorded calls themselves (the concurrency run retargets them); not written to the report */
  scripts?: RecordedScripts;
}

/** Bot and floor figures for one kind of turn. */
export function figures(bot: number[], floor: number[]): TurnFigures {
  const b = summarize(bot);
  const f = summarize(floor);
  return { bot: b, floor: f, p50Ratio: ratio(b.p50, f.p50), p99Ratio: ratio(b.p99, f.p99) };
}

/**
 * Figure 1: latency of the migrate command (→ confirmation card) and of Confirm (→ result card)
 * through HTTP, against the floor bot making the same Graph calls. The bot's calls are recorded
 * once after warm-up and handed to the floor; the floor's own requests are then checked against
 * them. Bot and floor alternate round by round (and which goes first alternates too), so drift on
 * a shared machine lands on both; the thread is reset before every round so each Confirm really
 * starts a migration.
 */
export async function measureTurnOverhead(stack: BenchStack, options: TurnOverheadOptions): Promise<TurnOverheadResult> {
  const t = REFERENCE_TARGET;
  const botConv = stack.main.teams.as(t.userKey).inPersonalChat();
  const floorConv = stack.floorTeams.as(t.userKey).inPersonalChat();
  const errors: string[] = [];
  const resetEvery = options.resetEvery ?? 50;

  // Warm the bot first (its first turn signs in to Entra and caches the admin answer), then record.
  for (let i = 0; i < Math.max(1, options.warmup); i++) {
    resetThread(stack.emulator, t);
    const r = await botRoundTrip(stack, botConv, t);
    if (r.error) throw new Error(`turn overhead warm-up: ${r.error}`);
  }
  const scripts = await recordBotScripts(stack, botConv, t);
  const tags = { migrate: stack.floor.script('turn-migrate', scripts.migrate), confirm: stack.floor.script('turn-confirm', scripts.confirm) };
  for (let i = 0; i < Math.max(1, options.warmup); i++) {
    resetThread(stack.emulator, t);
    const r = await floorRoundTrip(floorConv, tags);
    if (r.error) throw new Error(`turn overhead floor warm-up: ${r.error}`);
  }
  resetThread(stack.emulator, t);
  const before = stack.emulator.requests().length;
  await floorRoundTrip(floorConv, tags);
  const floorCalls = graphSignaturesSince(stack.emulator, before);
  const botCalls = [...signatures(scripts.migrate), ...signatures(scripts.confirm)];
  const floorMatchesBot = floorCalls.join('\n') === botCalls.join('\n');

  const bot: RoundTrip[] = [];
  const floor: RoundTrip[] = [];
  const started = performance.now();
  const outOfTime = (i: number) =>
    options.maxSeconds !== undefined && i >= (options.minIterations ?? 0) && performance.now() - started > options.maxSeconds * 1000;
  let done = 0;
  for (let i = 0; i < options.iterations && !outOfTime(i); i++, done++) {
    if (i > 0 && i % resetEvery === 0) stack.emulator.reset();
    const runBot = async () => {
      resetThread(stack.emulator, t);
      const r = await botRoundTrip(stack, botConv, t);
      if (r.error) errors.push(`bot: ${r.error}`);
      else bot.push(r);
    };
    const runFloor = async () => {
      resetThread(stack.emulator, t);
      const r = await floorRoundTrip(floorConv, tags);
      if (r.error) errors.push(`floor: ${r.error}`);
      else floor.push(r);
    };
    if (i % 2 === 0) {
      await runBot();
      await runFloor();
    } else {
      await runFloor();
      await runBot();
    }
  }
  return {
    warmup: options.warmup,
    iterations: done,
    command: `${t.userKey}: ${migrateCommand(t)} → Confirm`,
    migrate: figures(
      bot.map((r) => r.migrateMs),
      floor.map((r) => r.migrateMs),
    ),
    migrateToCard: figures(
      bot.map((r) => r.cardMs),
      floor.map((r) => r.cardMs),
    ),
    confirm: figures(
      bot.map((r) => r.confirmMs),
      floor.map((r) => r.confirmMs),
    ),
    graphCalls: { migrate: signatures(scripts.migrate), confirm: signatures(scripts.confirm) },
    floorMatchesBot,
    errors: errors.slice(0, 20),
    scripts,
  };
}
