import { setImmediate as tick } from 'node:timers/promises';
import { findButton, invokeText, pressButton } from './cards';
import type { MigrateTarget } from './scenario';
import { migrateCommand } from './scenario';
import type { BenchStack } from './stack';

export interface MemoryOptions {
  /** turns before the first reading */
  warmupTurns: number;
  /** turns between the two readings */
  turns: number;
  /** administrators typing at once, each with their own channel */
  workers: number;
  /** the emulator's request log and connector records are cleared about this often (they live in this process too) */
  resetEveryTurns: number;
}

/** Process memory at one moment, in MiB. */
export interface MemoryReading {
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
}

export interface MemoryResult {
  warmupTurns: number;
  turns: number;
  workers: number;
  mix: string;
  gcExposed: boolean;
  afterWarmup: MemoryReading;
  afterTurns: MemoryReading;
  rssGrowthPercent: number;
  heapGrowthPercent: number;
  /** readings after every batch of the measured turns (turns done so far, RSS and heap in MiB) */
  trend: { turns: number; rssMiB: number; heapUsedMiB: number }[];
  /** least-squares slope of the trend, MiB per 10,000 turns: a leak shows as a steady positive slope */
  rssSlopeMiBPer10kTurns: number;
  heapSlopeMiBPer10kTurns: number;
  turnsPerSecond: number;
  errors: number;
  errorSamples: string[];
}

const MiB = 1024 * 1024;

/** Collects garbage (when `--expose-gc` made it possible) until the heap stops shrinking, then reads memory. */
export async function settledMemory(): Promise<MemoryReading> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 4; i++) {
    gc?.();
    await tick();
  }
  const m = process.memoryUsage();
  const r = (v: number) => Math.round((v / MiB) * 10) / 10;
  return { rssMiB: r(m.rss), heapUsedMiB: r(m.heapUsed), externalMiB: r(m.external) };
}

const growth = (a: number, b: number) => Math.round(((b - a) / a) * 1000) / 10;

/** Least-squares slope of y over x, scaled to 10,000 x, rounded to 0.1. */
export function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  return sxx === 0 ? Number.NaN : Math.round((sxy / sxx) * 10000 * 10) / 10;
}

/**
 * Figure 4: resident memory after warm-up against after `turns` more turns. Each worker (an admin)
 * repeats a cycle of four cheap turns — `status this` posted as a new message in their channel
 * (a new conversation id, as each new channel post is), `help` and `migrate` in their personal
 * chat, then Cancel on the confirmation card — so pending operations, conversation state and
 * card rendering all churn. Memory is read after forced garbage collection when available.
 */
export async function measureMemory(stack: BenchStack, targets: MigrateTarget[], options: MemoryOptions): Promise<MemoryResult> {
  const workers = targets.slice(0, options.workers);
  const errors: string[] = [];
  let count = 0;
  const cycle = async (t: MigrateTarget) => {
    const user = stack.main.teams.as(t.userKey);
    const inChannel = user.inChannel(t.teamId, t.channelName);
    const personal = user.inPersonalChat();
    const status = await inChannel.says('status this');
    const help = await personal.says('help');
    const asked = await personal.says(migrateCommand(t));
    let cancelled: string;
    try {
      const done = await pressButton(personal, findButton(personal, stack.emulator, 'Cancel'));
      cancelled = done.status === 200 ? invokeText(done) : `HTTP ${done.status}`;
    } catch (err) {
      cancelled = (err as Error).message;
    }
    count += 4;
    for (const [what, r] of [
      ['status', status],
      ['help', help],
      ['migrate', asked],
    ] as const)
      if (r.status !== 200) errors.push(`${what}: HTTP ${r.status}`);
    if (!/Cancelled/.test(cancelled)) errors.push(`cancel: ${cancelled.slice(0, 120)}`);
  };
  // Batches end with every worker idle, so clearing the emulator never cuts a cycle in half.
  const run = async (turns: number, afterBatch: () => Promise<void> = async () => {}) => {
    const target = count + turns;
    while (count < target) {
      const cyclesEach = Math.max(1, Math.floor(Math.min(options.resetEveryTurns, target - count) / (4 * workers.length)));
      await Promise.all(
        workers.map(async (t) => {
          for (let i = 0; i < cyclesEach; i++) await cycle(t);
        }),
      );
      stack.emulator.reset();
      await afterBatch();
    }
  };
  stack.emulator.reset();
  await run(options.warmupTurns);
  const afterWarmup = await settledMemory();
  const before = count;
  const trend: MemoryResult['trend'] = [{ turns: 0, rssMiB: afterWarmup.rssMiB, heapUsedMiB: afterWarmup.heapUsedMiB }];
  let busy = 0;
  let start = performance.now();
  await run(options.turns, async () => {
    busy += performance.now() - start;
    const m = await settledMemory();
    trend.push({ turns: count - before, rssMiB: m.rssMiB, heapUsedMiB: m.heapUsedMiB });
    start = performance.now();
  });
  const elapsed = busy / 1000;
  const measured = count - before;
  const afterTurns = await settledMemory();
  return {
    warmupTurns: options.warmupTurns,
    turns: measured,
    workers: workers.length,
    mix: 'per cycle: "status this" (new channel post), "help", "migrate channel … since 2020-01-01", Cancel',
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
    afterWarmup,
    afterTurns,
    rssGrowthPercent: growth(afterWarmup.rssMiB, afterTurns.rssMiB),
    heapGrowthPercent: growth(afterWarmup.heapUsedMiB, afterTurns.heapUsedMiB),
    trend,
    rssSlopeMiBPer10kTurns: slope(trend.map((p) => [p.turns, p.rssMiB])),
    heapSlopeMiBPer10kTurns: slope(trend.map((p) => [p.turns, p.heapUsedMiB])),
    turnsPerSecond: Math.round((measured / elapsed) * 10) / 10,
    errors: errors.length,
    errorSamples: errors.slice(0, 10),
  };
}
