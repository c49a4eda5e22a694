import { measureBulk, type BulkOptions, type BulkResult } from './bulk';
import { concurrencyTargets, measureConcurrency, type ConcurrencyOptions, type ConcurrencyResult } from './concurrency';
import { measureEconomy, type EconomyOptions, type EconomyResult } from './economy';
import { benchFixture, type BenchFixtureShape } from './fixture';
import { measureFlood, type FloodOptions, type FloodResult } from './flood';
import { measureImport, type ImportBenchOptions, type ImportBenchResult } from './import';
import { loadAverage, machineInfo, type MachineInfo } from './machine';
import { measureMemory, type MemoryOptions, type MemoryResult } from './memory';
import { startEmulator } from '../emulator/index';
import { startBenchStack } from './stack';
import { measureTurnOverhead, type TurnOverheadOptions, type TurnOverheadResult } from './turn-overhead';

/** Sizes of every measurement: `full` for `npm run bench`, `smoke` for the test that keeps the harness alive. */
export interface BenchProfile {
  name: string;
  fixture: BenchFixtureShape;
  turns: TurnOverheadOptions;
  concurrency: ConcurrencyOptions;
  economy: EconomyOptions;
  memory: MemoryOptions;
  bulk: BulkOptions;
  flood: FloodOptions;
  historyImport: ImportBenchOptions;
}

/** `npm run bench`: the sizes issue #7 asks for (about three to six minutes on two cores, plus about seven for the import). */
export const FULL_PROFILE: BenchProfile = {
  name: 'full',
  fixture: { bulkTeams: 50, channelsPerTeam: 20, extraAdmins: 208 },
  turns: { warmup: 30, iterations: 2000, maxSeconds: 75, minIterations: 200 },
  concurrency: { admins: 200, rounds: 3 },
  economy: { commands: 1000, admins: 10, adminCacheSeconds: 2 },
  memory: { warmupTurns: 3000, turns: 10000, workers: 8, resetEveryTurns: 1000 },
  bulk: { scale: 1, timeoutSeconds: 240 },
  flood: { roundTrips: 400, phases: 4, floodPerSecond: 300, floodConcurrency: 64 },
  historyImport: {
    ceilingMessages: 308,
    parallel: { channels: 10, messagesPerChannel: 200, tenantPerSecond: 20 },
    memory: { small: 20000, large: 200000, channels: 20 },
    kills: { messages: 2000, channels: 2, kills: 3, seed: 7 },
  },
};

/** The smoke run in `npm test`: every measurement, a few iterations each (a few seconds). */
export const SMOKE_PROFILE: BenchProfile = {
  name: 'smoke',
  fixture: { bulkTeams: 2, channelsPerTeam: 4, extraAdmins: 6 },
  turns: { warmup: 2, iterations: 4 },
  concurrency: { admins: 4, rounds: 1 },
  economy: { commands: 12, admins: 2, adminCacheSeconds: 1 },
  memory: { warmupTurns: 8, turns: 16, workers: 2, resetEveryTurns: 16 },
  bulk: { scale: 10, timeoutSeconds: 30 },
  flood: { roundTrips: 8, phases: 2, floodPerSecond: 200, floodConcurrency: 16 },
  // The kill part waits out one job lease (10–15 s) after its kill: most of the import smoke's time.
  historyImport: {
    ceilingMessages: 30,
    parallel: { channels: 3, messagesPerChannel: 8, tenantPerSecond: 10 },
    memory: { small: 300, large: 1000, channels: 4 },
    kills: { messages: 200, channels: 2, kills: 1, seed: 7 },
  },
};

/** One figure as reported: a ratio (or count) and its target. */
export interface Figure {
  id: string;
  label: string;
  value: number;
  target: string;
  /** null where the issue sets no target (reported for information) or the figure is pending */
  pass: boolean | null;
}

export interface BenchResults {
  profile: string;
  command: string;
  machine: MachineInfo;
  durationSeconds: number;
  figures: Figure[];
  turnOverhead: TurnOverheadResult;
  concurrency: ConcurrencyResult;
  economy: EconomyResult;
  memory: MemoryResult;
  bulk: BulkResult;
  flood: FloodResult;
  historyImport: ImportBenchResult;
}

const MAX_TURN_RATIO = 1.2;

/** The figures of a run, each with its target from issue #7. */
export function figuresOf(r: Omit<BenchResults, 'figures'>): Figure[] {
  const le = (id: string, label: string, value: number, max: number): Figure => ({
    id,
    label,
    value,
    target: `≤ ${max}`,
    pass: Number.isFinite(value) && value <= max,
  });
  const t = r.turnOverhead;
  const c = r.concurrency;
  const out: Figure[] = [
    le('turn.migrate.p50', 'migrate command, median / floor', t.migrate.p50Ratio, MAX_TURN_RATIO),
    le('turn.migrate.p99', 'migrate command, p99 / floor', t.migrate.p99Ratio, MAX_TURN_RATIO),
    le('turn.confirm.p50', 'Confirm, median / floor', t.confirm.p50Ratio, MAX_TURN_RATIO),
    le('turn.confirm.p99', 'Confirm, p99 / floor', t.confirm.p99Ratio, MAX_TURN_RATIO),
    {
      id: 'turn.migrateToCard.p50',
      label: 'migrate command until the card reaches Teams, median / floor',
      value: t.migrateToCard.p50Ratio,
      target: 'information',
      pass: null,
    },
    {
      id: 'turn.migrateToCard.p99',
      label: 'migrate command until the card reaches Teams, p99 / floor',
      value: t.migrateToCard.p99Ratio,
      target: 'information',
      pass: null,
    },
    le('economy.tokens', `token requests per 1,000 commands (${r.economy.commands} commands from a cold start)`, r.economy.tokenRequestsPer1000Commands, 1),
    le(
      'economy.adminLookups',
      `admin lookups per admin per ADMIN_CACHE_SECONDS (${r.economy.adminCacheSeconds} s, ${r.economy.admins} admins, ${r.economy.durationSeconds} s)`,
      r.economy.maxLookupsPerAdminPerCacheWindow,
      1,
    ),
  ];
  if (r.bulk.status === 'measured') {
    const b = r.bulk;
    out.push(
      le(
        'bulk.wallOverIdeal',
        `bulk start, ${b.channels} channels in ${b.teams} teams: wall time / ideal schedule (${b.idealSeconds} s)`,
        b.wallOverIdeal,
        1.05,
      ),
      le('bulk.failed', 'bulk: failed items', b.failedItems, 0),
      le('bulk.duplicates', 'bulk: duplicate startMigration calls', b.duplicateStartMigrationCalls, 0),
      { id: 'bulk.429', label: 'bulk: 429 answers, % of Graph requests', value: b.throttledPercent, target: '< 1', pass: b.throttledPercent < 1 },
    );
  } else {
    out.push({
      id: 'bulk.wallOverIdeal',
      label: `bulk start (${r.bulk.channels} channels in ${r.bulk.teams} teams): pending — ${r.bulk.reason}`,
      value: Number.NaN,
      target: '≤ 1.05',
      pass: null,
    });
  }
  out.push(
    {
      id: 'memory.rssGrowth',
      label: `RSS growth over ${r.memory.turns} turns after ${r.memory.warmupTurns} warm-up turns, %`,
      value: r.memory.rssGrowthPercent,
      target: '< 10',
      pass: r.memory.rssGrowthPercent < 10 && r.memory.errors === 0,
    },
    {
      id: 'concurrency.migrate.p50',
      label: `${c.admins} admins at once: migrate, median / floor`,
      value: c.migrate.p50Ratio,
      target: 'information',
      pass: null,
    },
    { id: 'concurrency.migrate.p99', label: `${c.admins} admins at once: migrate, p99 / floor`, value: c.migrate.p99Ratio, target: 'information', pass: null },
    {
      id: 'concurrency.confirm.p50',
      label: `${c.admins} admins at once: Confirm, median / floor`,
      value: c.confirm.p50Ratio,
      target: 'information',
      pass: null,
    },
    { id: 'concurrency.confirm.p99', label: `${c.admins} admins at once: Confirm, p99 / floor`, value: c.confirm.p99Ratio, target: 'information', pass: null },
    le('concurrency.errors', `${c.admins} admins at once: errors`, c.botErrors, 0),
    ...floodFigures(r.flood),
    ...importFigures(r.historyImport),
  );
  return out;
}

/** Issue #13 item 17: another admin's turn while one user floods, and what the flood cost in Graph. */
export function floodFigures(f: FloodResult): Figure[] {
  const le = (id: string, label: string, value: number, max: number): Figure => ({
    id,
    label,
    value,
    target: `≤ ${max}`,
    pass: Number.isFinite(value) && value <= max && f.errors.length === 0,
  });
  const allowed = f.floodCommandsAdmitted * f.graphCallsPerCommand;
  return [
    le('flood.migrate.p99', `another admin's migrate command while one user floods (${f.floodPerSecondAchieved}/s), p99 / unloaded p99`, f.migrate.p99Ratio, 2),
    le('flood.confirm.p99', `another admin's Confirm while one user floods, p99 / unloaded p99`, f.confirm.p99Ratio, 2),
    {
      id: 'flood.graphCalls',
      label: `Graph calls caused by the flood (${f.floodCommandsSent} commands sent, ${f.floodCommandsAdmitted} admitted × ${f.graphCallsPerCommand} calls each = ${allowed})`,
      value: f.floodGraphCalls,
      target: `≤ ${allowed}`,
      pass: f.floodGraphCalls <= allowed,
    },
  ];
}

/** The history import's figures: pacing at the ceiling and under a tenant budget, 429s, peak RSS, kills. */
export function importFigures(r: ImportBenchResult): Figure[] {
  const { ceiling: c, parallel: p, memory: m, kills: k } = r;
  const n = (v: number) => v.toLocaleString('en-US');
  const points = `${k.kills.length} random point${k.kills.length === 1 ? '' : 's'}`;
  const clean = (...parts: { errors: string[] }[]) => parts.every((x) => x.errors.length === 0);
  const le = (id: string, label: string, value: number, max: number, ok: boolean): Figure => ({
    id,
    label,
    value,
    target: `≤ ${max}`,
    pass: Number.isFinite(value) && value <= max && ok,
  });
  const lt = (id: string, label: string, value: number, max: number, ok: boolean): Figure => ({
    id,
    label,
    value,
    target: `< ${max}`,
    pass: Number.isFinite(value) && value < max && ok,
  });
  return [
    le(
      'import.ceiling.timeOverIdeal',
      `import into one channel at ${c.limits.importPerThread}/s per thread (${n(c.imported)} messages): first → last import request / ideal (${c.idealSeconds} s)`,
      c.importOverIdeal,
      1.05,
      clean(c),
    ),
    lt('import.ceiling.429', 'import into one channel: 429 answers, % of import requests', c.throttledPercent, 1, clean(c)),
    le(
      'import.parallel.timeOverIdeal',
      `import into ${p.channels} channels at once, ${p.limits.perAppPerTenant}/s for the tenant (${n(p.imported)} messages): first → last import request / ideal (${p.idealSeconds} s, import requests only)`,
      p.importOverIdeal,
      1.05,
      clean(p),
    ),
    lt('import.parallel.429', `import into ${p.channels} channels at once: 429 answers, % of import requests`, p.throttledPercent, 1, clean(p)),
    lt('import.rss.small', `import command line, peak RSS planning and running ${n(m.small.messages)} messages, MiB`, m.small.peakMiB, 250, clean(m.small)),
    lt('import.rss.large', `import command line, peak RSS planning and running ${n(m.large.messages)} messages, MiB`, m.large.peakMiB, 250, clean(m.large)),
    le('import.rss.ratio', `import peak RSS, ${n(m.large.messages)} ÷ ${n(m.small.messages)} messages`, m.largeOverSmall, 1.25, clean(m.small, m.large)),
    le('import.kills.duplicates', `import SIGKILLed at ${points}, then resumed: messages imported twice`, k.duplicates, 0, clean(k)),
    le('import.kills.gaps', `import SIGKILLed at ${points}, then resumed: messages missing`, k.gaps, 0, clean(k)),
  ];
}

/**
 * Runs every measurement of issue #7 in one process, against one emulator (throttling off except
 * during the bulk and import runs) and the real bot: turn overhead, memory, concurrency, token and
 * directory economy (on a fresh bot), bulk (on a fresh bot configured for the limits in force),
 * flood, then the history import (in-process and as the command line). `log` receives one line per phase.
 */
export async function runSuite(profile: BenchProfile, command: string, log: (line: string) => void = () => {}): Promise<BenchResults> {
  const machine = machineInfo();
  const started = performance.now();
  const fixture = benchFixture(profile.fixture);
  const stack = await startBenchStack(fixture);
  try {
    log(
      `turn overhead: up to ${profile.turns.iterations} round trips each for bot and floor${profile.turns.maxSeconds ? ` (at most ${profile.turns.maxSeconds} s)` : ''}…`,
    );
    const turnOverhead = await measureTurnOverhead(stack, profile.turns);
    // Memory before the bursts: two hundred turns at once leave freed pages the allocator returns
    // to the system only slowly, which would inflate the first reading.
    log(`memory: ${profile.memory.turns} turns after ${profile.memory.warmupTurns} warm-up turns…`);
    // Its admins are the last generated ones, so the concurrency run still meets two hundred cold admins.
    const memoryTargets = concurrencyTargets(profile.fixture, profile.fixture.extraAdmins).slice(-profile.memory.workers);
    if (profile.fixture.extraAdmins < profile.concurrency.admins + profile.memory.workers)
      throw new Error('the fixture needs an admin per concurrency unit and per memory worker');
    const memory = await measureMemory(stack, memoryTargets, profile.memory);
    log(`concurrency: ${profile.concurrency.admins} admins at once, ${profile.concurrency.rounds} rounds…`);
    const concurrency = await measureConcurrency(stack, profile.fixture, turnOverhead.scripts!, profile.concurrency);
    log(`token and directory economy: ${profile.economy.commands} commands on a fresh bot…`);
    const economy = await measureEconomy(stack.emulator, fixture, profile.economy);
    log(`bulk: ${profile.fixture.bulkTeams} teams × ${profile.fixture.channelsPerTeam} channels at ${profile.bulk.scale}× the published limits…`);
    const bulk = await measureBulk(stack.emulator, fixture, profile.fixture, profile.bulk);
    log(`flood: one user sends ${profile.flood.floodPerSecond} commands/s while another admin works…`);
    const flood = await measureFlood(stack.emulator, fixture, profile.fixture, profile.flood);
    const historyImport = await measureImport(stack.emulator, profile.historyImport, log);
    delete turnOverhead.scripts;
    machine.loadAverageEnd = loadAverage();
    const partial = {
      profile: profile.name,
      command,
      machine,
      durationSeconds: Math.round((performance.now() - started) / 100) / 10,
      turnOverhead,
      concurrency,
      economy,
      memory,
      bulk,
      flood,
      historyImport,
    };
    return { ...partial, figures: figuresOf(partial) };
  } finally {
    await stack.stop();
  }
}

/** `npm run bench -- --only import`: the history import's figures alone. */
export interface ImportOnlyResults {
  profile: string;
  command: string;
  machine: MachineInfo;
  durationSeconds: number;
  figures: Figure[];
  historyImport: ImportBenchResult;
}

/** Runs only the history import's measurements, against an emulator of their own (the default fixture plus the import team). */
export async function runImportOnly(profile: BenchProfile, command: string, log: (line: string) => void = () => {}): Promise<ImportOnlyResults> {
  const machine = machineInfo();
  const started = performance.now();
  const emulator = await startEmulator({ quiet: true, limits: { enabled: false } });
  try {
    const historyImport = await measureImport(emulator, profile.historyImport, log);
    machine.loadAverageEnd = loadAverage();
    const durationSeconds = Math.round((performance.now() - started) / 100) / 10;
    return { profile: profile.name, command, machine, durationSeconds, figures: importFigures(historyImport), historyImport };
  } finally {
    await emulator.stop();
  }
}
