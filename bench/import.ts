import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_LIMITS, type Emulator, type LoggedRequest } from '../emulator/index';
import { loadConfig } from '../src/config/config';
import { DELETED_ROOT_TEXT } from '../src/domain/import/import-rules';
import { composeImport } from '../src/index';
import { SeededRandom } from '../test/support/exports/deterministic';
import { writeSlackBulkExport } from '../test/support/exports/slack-export';
import { launchImport, type CliEnd } from './import-cli';
import { benchEnv, discard } from './stack';

/** Sizes of the import figures. Message counts are message objects of a generated Slack export (about 2.5 % are join events, not sent). */
export interface ImportBenchOptions {
  /** Figure 1: the one-channel export. */
  ceilingMessages: number;
  /** Figure 2: channels imported at once, message objects per channel, the tenant budget (requests/s). */
  parallel: { channels: number; messagesPerChannel: number; tenantPerSecond: number };
  /** Figure 4: the two export sizes and their channels. */
  memory: { small: number; large: number; channels: number };
  /** Figure 5: the export, how many times the command line is killed before the run that finishes, the seed of the kill points. */
  kills: { messages: number; channels: number; kills: number; seed: number };
}

/** Figures 1–3: one import paced by the engine against the limits the emulator enforces, read from the emulator's request log. */
export interface PacedImportResult {
  channels: number;
  limits: { importPerThread: number; perAppPerTenant: number; perAppPerTeam: number; perAppPerThread: number };
  /** messages the plan sends / import requests answered 201 / messages the job recorded as failed */
  planned: number;
  imported: number;
  failed: number;
  /** first import request → last one answered 201 (planning and the starts before it are outside) */
  importSeconds: number;
  /** max(imports ÷ tenant rate, most imports into one thread ÷ thread rate) */
  idealSeconds: number;
  importOverIdeal: number;
  /** first import request → every thread has sent its first (the starts' ramp); the ratio from then on */
  rampSeconds: number;
  afterRampOverIdeal: number;
  /** other Graph requests in that window (starts, thread reads), which draw on the tenant budget too */
  otherRequestsInWindow: number;
  idealSecondsWithOthers: number;
  importRequests: number;
  throttled429: number;
  throttledPercent: number;
  /** prepare → the run resolved */
  runSeconds: number;
  errors: string[];
}

/** Figure 4: one run of the command line with throttling off, its peak RSS. */
export interface MemoryRun {
  messages: number;
  channels: number;
  planned: number;
  imported: number;
  exitCode: number | null;
  seconds: number;
  /** peak RSS when planning ended (read from /proc when the job started) and over the whole run */
  planningPeakMiB: number | null;
  peakMiB: number;
  messagesPerSecond: number;
  errors: string[];
}

export interface MemoryImportResult {
  small: MemoryRun;
  large: MemoryRun;
  largeOverSmall: number;
}

/** Figure 5: the command line SIGKILLed at seeded random points, then run to its end. */
export interface KillImportResult {
  messages: number;
  channels: number;
  planned: number;
  imported: number;
  /** messages imported when each kill was sent */
  kills: number[];
  /** launches, the finishing one included, and how long they took together (lease waits included) */
  runs: number;
  seconds: number;
  finalExitCode: number | null;
  resumed: boolean;
  /** per thread: bodies seen twice (placeholders aside), createdDateTimes seen twice; imported − planned */
  sameBody: number;
  sameTime: number;
  overCount: number;
  duplicates: number;
  gaps: number;
  repliesWithoutParent: number;
  errors: string[];
}

export interface ImportBenchResult {
  seconds: number;
  ceiling: PacedImportResult;
  parallel: PacedImportResult;
  memory: MemoryImportResult;
  kills: KillImportResult;
}

/** `bench-01`, … as `writeSlackBulkExport` names its channels (fewer than 100). */
const sourceChannels = (n: number) => Array.from({ length: n }, (_, i) => `bench-${String(i + 1).padStart(2, '0')}`);

/** `--map bench-01=bench-01 …`: each source channel into the team's channel of the same name. */
const maps = (n: number) => sourceChannels(n).map((c) => `${c}=${c}`);

const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;
const MiB = (kib: number | null) => (kib === null ? null : round(kib / 1024, 1));

/** The team every import writes into, per emulator: General plus `bench-01`… (added once; `reset()` keeps it). */
const benchTeams = new WeakMap<Emulator, { name: string; channelIds: string[] }>();

function benchTeam(emulator: Emulator, channels: number): { name: string; channelIds: string[] } {
  const known = benchTeams.get(emulator);
  if (known && known.channelIds.length >= channels) return known;
  const name = `Import Bench ${channels}`;
  const team = { name, channelIds: emulator.addTeam({ displayName: name, channels: sourceChannels(channels) }).channelIds };
  benchTeams.set(emulator, team);
  return team;
}

/** An import request: `POST …/messages` (a root) or `POST …/messages/{id}/replies`. */
const isImport = (r: LoggedRequest) => r.service === 'graph' && r.method === 'POST' && /\/(messages|replies)$/.test(r.path);

/** Import requests the emulator received, in order. */
function importRequests(emulator: Emulator): LoggedRequest[] {
  return emulator.requests({ service: 'graph', method: 'POST' }).filter(isImport);
}

/** The thread of a `/v1.0/teams/{team}/channels/{channel}/messages…` request. */
const threadOf = (r: LoggedRequest) => r.path.split('/')[5] ?? '';

/** "N messages to send" from the plan the command line printed. */
const plannedIn = (stdout: string) => Number(/(\d+) messages to send/.exec(stdout)?.[1] ?? Number.NaN);

const BENCH_ACTOR = { aadObjectId: null, name: 'benchmark' };

/**
 * Figures 1–3: generates an export of `messages` over `channels` and imports it in this process
 * with `composeImport` (the command line's wiring), the engine configured for the limits the
 * emulator enforces: `perThread` imports per second per thread, `perTenant` for the tenant, and
 * Graph's published per-team and per-thread limits for the starts. The window runs from the first
 * import request to the last one answered; the ideal is the import requests alone at the binding
 * rate (the starts and thread reads inside the window are counted apart).
 */
async function pacedImport(
  emulator: Emulator,
  work: string,
  spec: { channels: number; messages: number; seed: number; perThread: number; perTenant: number },
): Promise<PacedImportResult> {
  const dir = mkdtempSync(path.join(work, 'paced-'));
  const exportPath = path.join(dir, 'export.zip');
  await writeSlackBulkExport(exportPath, { messages: spec.messages, channels: spec.channels, seed: spec.seed });
  const team = benchTeam(emulator, spec.channels);
  const limits = {
    importPerThread: spec.perThread,
    perAppPerTenant: spec.perTenant,
    perAppPerTeam: DEFAULT_LIMITS.perAppPerTeam,
    perAppPerThread: DEFAULT_LIMITS.perAppPerThread,
  };
  emulator.reset();
  emulator.setLimits({ ...DEFAULT_LIMITS, enabled: true, ...limits });
  const env = { IMPORT_THREAD_RPS: String(spec.perThread), BULK_TENANT_RPS: String(spec.perTenant), BULK_TEAM_RPS: String(limits.perAppPerTeam) };
  const wiring = await composeImport(loadConfig(benchEnv(emulator, dir, env)), { logDestination: discard() });
  const errors: string[] = [];
  const started = performance.now();
  let planned = Number.NaN;
  let failed = 0;
  try {
    const request = { exportPath, team: team.name, maps: maps(spec.channels), fallbackUser: null, completeWhenDone: false, uploadFiles: false };
    const prepared = await wiring.engine.prepare(request);
    planned = prepared.plan.sends;
    const { job } = await wiring.engine.start(prepared, { requestedBy: BENCH_ACTOR, origin: 'cli', exportLocation: exportPath });
    const end = await wiring.engine.run(wiring.runner, job);
    if (end.state !== 'done') errors.push(`the run ended ${end.state}: ${end.reason}`);
    else for (const t of end.targets) failed += t.counts.failed;
  } catch (err) {
    errors.push((err as Error).message);
  } finally {
    await wiring.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const runSeconds = (performance.now() - started) / 1000;

  const sent = importRequests(emulator);
  const ok = sent.filter((r) => r.status === 201);
  const first = sent.reduce((m, r) => Math.min(m, r.at), Number.POSITIVE_INFINITY);
  const last = ok.reduce((m, r) => Math.max(m, r.at), first);
  const perThread = new Map<string, number>();
  for (const r of ok) perThread.set(threadOf(r), (perThread.get(threadOf(r)) ?? 0) + 1);
  const busiestThread = Math.max(0, ...perThread.values());
  const others = emulator.requests({ service: 'graph' }).filter((r) => r.at >= first && r.at <= last && r.status !== 429 && !isImport(r)).length;
  const idealSeconds = Math.max(ok.length / spec.perTenant, busiestThread / spec.perThread);
  // After the ramp every thread imports; the binding rate is then min(tenant, threads × thread rate).
  const firstOfThread = new Map<string, number>();
  for (const r of ok) if (!firstOfThread.has(threadOf(r))) firstOfThread.set(threadOf(r), r.at);
  const rampEnd = Math.max(first, ...firstOfThread.values());
  const afterRamp = ok.filter((r) => r.at >= rampEnd).length;
  const afterRampIdeal = afterRamp / Math.min(spec.perTenant, perThread.size * spec.perThread);
  const throttled = sent.filter((r) => r.status === 429).length;
  if (ok.length !== planned) errors.push(`${ok.length} messages imported, the plan said ${planned}`);
  return {
    channels: spec.channels,
    limits,
    planned,
    imported: ok.length,
    failed,
    importSeconds: round((last - first) / 1000),
    idealSeconds: round(idealSeconds),
    importOverIdeal: round((last - first) / 1000 / idealSeconds),
    rampSeconds: round((rampEnd - first) / 1000),
    afterRampOverIdeal: round((last - rampEnd) / 1000 / afterRampIdeal),
    otherRequestsInWindow: others,
    idealSecondsWithOthers: round(Math.max((ok.length + others) / spec.perTenant, busiestThread / spec.perThread)),
    importRequests: sent.length,
    throttled429: throttled,
    throttledPercent: round((100 * throttled) / Math.max(1, sent.length), 2),
    runSeconds: round(runSeconds, 1),
    errors,
  };
}

/** The command line's rates when Graph is not the limit: the highest IMPORT_THREAD_RPS, BULK_TENANT_RPS and BULK_TEAM_RPS the configuration accepts. */
const UNPACED = { IMPORT_THREAD_RPS: '1000', BULK_TENANT_RPS: '10000', BULK_TEAM_RPS: '1000' };

const runArgs = (exportPath: string, team: string, channels: number) => ['run', exportPath, '--team', team, ...maps(channels).flatMap((m) => ['--map', m])];

/**
 * Figure 4, one size: the command line (`node dist/src/index.js import run …`, its own process)
 * imports a generated export of `messages` over `channels` with throttling off and unpaced rates, so
 * the run is CPU-bound; its peak RSS comes from the probe (see rss-probe.ts), the emulator is reset
 * afterwards so this process does not keep every request.
 */
async function memoryRun(emulator: Emulator, work: string, messages: number, channels: number): Promise<MemoryRun> {
  const dir = mkdtempSync(path.join(work, 'memory-'));
  const exportPath = path.join(dir, 'export.zip');
  await writeSlackBulkExport(exportPath, { messages, channels, seed: 21 });
  const team = benchTeam(emulator, channels);
  emulator.reset();
  emulator.setLimits({ enabled: false });
  const end = await launchImport(emulator, dir, runArgs(exportPath, team.name, channels), UNPACED).done;
  const imported = importRequests(emulator).filter((r) => r.status === 201).length;
  emulator.reset();
  rmSync(dir, { recursive: true, force: true });
  const planned = plannedIn(end.stdout);
  const errors = end.code === 0 ? [] : [`exit ${end.code ?? end.signal}: ${(end.stderr || end.stdout).slice(-300)}`];
  if (imported !== planned) errors.push(`${imported} messages imported, the plan said ${planned}`);
  return {
    messages,
    channels,
    planned,
    imported,
    exitCode: end.code,
    seconds: round(end.seconds, 1),
    planningPeakMiB: MiB(end.planningPeakKiB),
    peakMiB: MiB(end.peakKiB) ?? Number.NaN,
    messagesPerSecond: Math.round(imported / end.seconds),
    errors,
  };
}

/** Duplicates and holes in the threads an import wrote. Placeholder roots share one body by design and are left out of the body check. */
function inspectThreads(emulator: Emulator, threadIds: string[]): { imported: number; sameBody: number; sameTime: number; repliesWithoutParent: number } {
  const out = { imported: 0, sameBody: 0, sameTime: 0, repliesWithoutParent: 0 };
  for (const id of threadIds) {
    const messages = emulator.messages(id);
    const bodies = messages.map((m) => m.body.content).filter((b) => !b.includes(DELETED_ROOT_TEXT));
    const ids = new Set(messages.map((m) => m.id));
    out.imported += messages.length;
    out.sameBody += bodies.length - new Set(bodies).size;
    out.sameTime += messages.length - new Set(messages.map((m) => m.createdDateTime)).size;
    out.repliesWithoutParent += messages.filter((m) => m.replyToId !== null && !ids.has(m.replyToId)).length;
  }
  return out;
}

/**
 * Figure 5: the command line imports a generated export (throttling on, limits raised to the
 * rates it is configured for, `ChannelMessage.Read.All` granted as the admin guide asks) and is
 * SIGKILLed `kills` times, each when the emulator has answered a seeded random share (5–95 %) of
 * the messages; then it runs to its end. Each relaunch first waits out the killed run's job lease
 * (15 s). Counted at the emulator: messages twice (same body, same createdDateTime, more than
 * planned) and messages missing.
 */
async function killRun(emulator: Emulator, work: string, spec: ImportBenchOptions['kills']): Promise<KillImportResult> {
  const dir = mkdtempSync(path.join(work, 'kills-'));
  const exportPath = path.join(dir, 'export.zip');
  const summary = await writeSlackBulkExport(exportPath, { messages: spec.messages, channels: spec.channels, seed: spec.seed });
  const team = benchTeam(emulator, spec.channels);
  const rates = { perThread: 200, perTenant: 400 };
  emulator.reset();
  emulator.setLimits({ ...DEFAULT_LIMITS, enabled: true, importPerThread: rates.perThread, perAppPerTenant: rates.perTenant });
  emulator.grantRoles(emulator.info.migrationApp.clientId, ['ChannelMessage.Read.All']);
  const env = { IMPORT_THREAD_RPS: String(rates.perThread), BULK_TENANT_RPS: String(rates.perTenant) };
  const args = runArgs(exportPath, team.name, spec.channels);
  const landed = () => importRequests(emulator).filter((r) => r.status === 201).length;
  const rng = new SeededRandom(spec.seed);
  const points = Array.from({ length: spec.kills }, () => 0.05 + 0.9 * rng.next()).sort((a, b) => a - b);
  const errors: string[] = [];
  const kills: number[] = [];
  const started = performance.now();
  let planned = Number.NaN;
  for (const share of points) {
    const at = Math.ceil(share * (summary.roots + summary.replies));
    const run = launchImport(emulator, dir, args, env);
    let exited = false;
    void run.done.then(() => (exited = true));
    const deadline = Date.now() + 300_000;
    while (!exited && landed() < at && Date.now() < deadline) await sleep(5);
    run.child.kill('SIGKILL');
    const killed = await run.done;
    planned = Number.isNaN(planned) ? plannedIn(killed.stdout) : planned;
    if (killed.signal !== 'SIGKILL') errors.push(`a run meant to be killed at ${at} messages ended by itself (exit ${killed.code})`);
    kills.push(landed());
  }
  const end: CliEnd = await launchImport(emulator, dir, args, env).done;
  planned = Number.isNaN(planned) ? plannedIn(end.stdout) : planned;
  if (end.code !== 0) errors.push(`the last run ended with exit ${end.code ?? end.signal}: ${(end.stderr || end.stdout).slice(-300)}`);
  const seen = inspectThreads(emulator, team.channelIds.slice(0, spec.channels));
  emulator.reset();
  rmSync(dir, { recursive: true, force: true });
  const overCount = seen.imported - planned;
  const duplicates = Math.max(seen.sameBody, seen.sameTime, overCount, 0);
  return {
    messages: spec.messages,
    channels: spec.channels,
    planned,
    imported: seen.imported,
    kills,
    runs: kills.length + 1,
    seconds: round((performance.now() - started) / 1000, 1),
    finalExitCode: end.code,
    resumed: /Resuming import job/.test(end.stdout),
    sameBody: seen.sameBody,
    sameTime: seen.sameTime,
    overCount,
    duplicates,
    gaps: Math.max(0, planned - (seen.imported - duplicates)),
    repliesWithoutParent: seen.repliesWithoutParent,
    errors,
  };
}

/**
 * The history import's figures against `emulator` (its state is reset between parts; throttling
 * is off at the end): one channel at the published per-thread ceiling, channels in parallel under
 * a tenant budget, the command line's peak RSS at two export sizes, and kills at random points.
 * Adds its team (General + `bench-NN`) to the emulator once. `log` receives one line per part.
 */
export async function measureImport(emulator: Emulator, options: ImportBenchOptions, log: (line: string) => void = () => {}): Promise<ImportBenchResult> {
  const started = performance.now();
  const work = mkdtempSync(path.join(tmpdir(), 'tmb-bench-import-'));
  benchTeam(emulator, Math.max(options.parallel.channels, options.memory.channels, options.kills.channels));
  const perThread = DEFAULT_LIMITS.importPerThread;
  try {
    log(`import, one channel at ${perThread}/s: ${options.ceilingMessages} message objects…`);
    const ceiling = await pacedImport(emulator, work, {
      channels: 1,
      messages: options.ceilingMessages,
      seed: 11,
      perThread,
      perTenant: DEFAULT_LIMITS.perAppPerTenant,
    });
    const p = options.parallel;
    log(`import, ${p.channels} channels at once under ${p.tenantPerSecond}/s for the tenant: ${p.channels * p.messagesPerChannel} message objects…`);
    const parallel = await pacedImport(emulator, work, {
      channels: p.channels,
      messages: p.channels * p.messagesPerChannel,
      seed: 12,
      perThread,
      perTenant: p.tenantPerSecond,
    });
    const m = options.memory;
    log(`import memory: the command line on ${m.small} and ${m.large} message objects (${m.channels} channels, unthrottled)…`);
    const small = await memoryRun(emulator, work, m.small, m.channels);
    const large = await memoryRun(emulator, work, m.large, m.channels);
    const k = options.kills;
    log(`import kills: ${k.kills} × SIGKILL during ${k.messages} message objects (${k.channels} channels), then to the end…`);
    const kills = await killRun(emulator, work, k);
    return {
      seconds: round((performance.now() - started) / 1000, 1),
      ceiling,
      parallel,
      memory: { small, large, largeOverSmall: round(large.peakMiB / small.peakMiB) },
      kills,
    };
  } finally {
    emulator.reset();
    emulator.setLimits({ ...DEFAULT_LIMITS, enabled: false });
    rmSync(work, { recursive: true, force: true });
  }
}
