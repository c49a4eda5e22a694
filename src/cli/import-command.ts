import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { hostname, userInfo } from 'node:os';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { ImportRequestError, type ImportEngine, type ImportRequest } from '../features/import/import-engine';
import type { ImportJobRunner } from '../features/import/import-job-runner';
import { ExportRefused } from '../sources/export-reader';
import type { ImportCounts, ImportTarget } from '../store/ports/import-jobs';
import { GraphCallError } from '../graph/graph-errors';
import { formatErrorCode } from '../domain/graph-failure';
import { formatJob, formatPlan, formatTargets } from './import-report';

/** What the command line works with, wired by the composition root. */
export interface ImportCommandDeps {
  engine: ImportEngine;
  runner: ImportJobRunner;
  out: NodeJS.WriteStream | { write(s: string): boolean; isTTY?: boolean };
  err: { write(s: string): boolean };
}

export const USAGE = `Usage:
  npm run import -- plan <export> --team "<team name or id>" [--map "<source channel>=<target channel name or id>"]... [--fallback-user <upn or object id>]
  npm run import -- run  <export> --team "<team name or id>" [--map ...]... [--fallback-user ...] [--complete] [--upload-files]
  npm run import -- status [<job id>]
`;

/** Exit codes: 0 done, 1 finished with failures or stopped, 2 bad input (nothing written). */
export type ExitCode = 0 | 1 | 2;

/** The command's options, parsed by node:util (which throws naming an unknown or malformed option). */
function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      team: { type: 'string' },
      map: { type: 'string', multiple: true },
      'fallback-user': { type: 'string' },
      complete: { type: 'boolean' },
      'upload-files': { type: 'boolean' },
    },
  });
}

function requestFrom(argv: string[]): ImportRequest {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (err) {
    throw new ImportRequestError(`${(err as Error).message}.\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new ImportRequestError(`Give exactly one export file (got ${positionals.length}).\n${USAGE}`);
  if (!values.team) throw new ImportRequestError(`--team "<team name or id>" is required: the team whose channels receive the history.\n${USAGE}`);
  return {
    exportPath: positionals[0],
    team: values.team,
    maps: values.map ?? [],
    fallbackUser: values['fallback-user'] ?? null,
    completeWhenDone: values.complete ?? false,
    uploadFiles: values['upload-files'] ?? false,
  };
}

/** Who runs the command, as the ledger names them (the host's operator: no Teams identity). */
function operator(): { aadObjectId: null; name: string } {
  let user = 'operator';
  try {
    user = userInfo().username;
  } catch {
    // Some containers have no passwd entry; the host name still says where it ran.
  }
  return { aadObjectId: null, name: `command line: ${user}@${hostname()}` };
}

/** Progress: a bar per target on a terminal, a line every few seconds otherwise. */
class Progress {
  private readonly bars = new Map<string, SingleBar>();
  private readonly done = new Map<string, number>();
  private multi: MultiBar | null = null;
  private lastLine = 0;

  constructor(
    private readonly out: ImportCommandDeps['out'],
    private readonly targets: readonly ImportTarget[],
  ) {
    const settled = (t: ImportTarget) => t.counts.messages + t.counts.replies + t.counts.skipped + t.counts.failed;
    for (const t of targets) this.done.set(t.targetKey, settled(t));
    if (out.isTTY) {
      this.multi = new MultiBar(
        { format: ' {bar} {percentage}% | {value}/{total} | ETA {eta_formatted} | {name}', hideCursor: true, clearOnComplete: false },
        Presets.shades_classic,
      );
      for (const t of targets)
        this.bars.set(t.targetKey, this.multi.create(Math.max(1, t.planned), settled(t), { name: `${t.sourceChannelName} → ${t.target.displayName ?? ''}` }));
    }
  }

  update(target: ImportTarget, counts: Partial<ImportCounts>): void {
    const n = (counts.messages ?? 0) + (counts.replies ?? 0) + (counts.skipped ?? 0) + (counts.failed ?? 0);
    if (!n) return;
    const value = (this.done.get(target.targetKey) ?? 0) + n;
    this.done.set(target.targetKey, value);
    const bar = this.bars.get(target.targetKey);
    if (bar) {
      bar.update(value);
      return;
    }
    if (Date.now() - this.lastLine < 5000) return;
    this.lastLine = Date.now();
    const total = this.targets.reduce((a, t) => a + t.planned, 0);
    const sum = [...this.done.values()].reduce((a, b) => a + b, 0);
    this.out.write(`progress: ${sum}/${total} messages settled\n`);
  }

  stop(): void {
    this.multi?.stop();
    this.multi = null;
  }
}

/**
 * Runs `npm run import -- <plan|run|status> …`: parses the arguments, plans, runs with progress and
 * prints a summary. Every refusal is one clear message and exit code 2, with nothing written.
 */
export async function runImportCommand(argv: string[], deps: ImportCommandDeps): Promise<ExitCode> {
  const [verb, ...rest] = argv;
  const { out, err } = deps;
  try {
    if (verb === 'status') {
      const jobs = await deps.engine.jobs(rest[0]);
      if (jobs.length === 0) out.write('No import jobs yet.\n');
      for (const { job, targets } of jobs) out.write(`${formatJob(job)}\n${formatTargets(targets)}\n`);
      return 0;
    }
    if (verb !== 'plan' && verb !== 'run') {
      err.write(`${verb ? `Unknown import command "${verb}".` : 'No import command given.'}\n${USAGE}`);
      return 2;
    }
    const request = requestFrom(rest);
    const prepared = await deps.engine.prepare(request);
    out.write(`${formatPlan(prepared.plan)}\n`);
    if (verb === 'plan') {
      if (prepared.existing) out.write(`\nImport job ${prepared.existing.id} for this export and team is unfinished; "run" resumes it.\n`);
      if (prepared.finished && !prepared.existing)
        out.write(`\nThis export was already imported into this team by import job ${prepared.finished.id}; "run" would send nothing.\n`);
      return prepared.plan.problems.length && !prepared.existing ? 2 : 0;
    }
    const { job, resumed } = await deps.engine.start(prepared, { requestedBy: operator(), origin: 'cli', exportLocation: path.resolve(request.exportPath) });
    out.write(`\n${resumed ? 'Resuming' : 'Started'} import job ${job.id}.\n`);
    const targets = (await deps.engine.jobs(job.id))[0].targets;
    const progress = new Progress(out, targets);
    const stop = () => deps.runner.stop('interrupted by the operator');
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let end;
    try {
      end = await deps.engine.run(deps.runner, job, { onProgress: (t, c) => progress.update(t, c), waitForLeaseMs: 20000 });
    } catch (e) {
      if (e instanceof ExportRefused) throw e;
      // Something failed mid-run (the store, an unexpected answer): what was sent is recorded, so a re-run resumes.
      progress.stop();
      err.write(`The import stopped: ${(e as Error)?.message ?? String(e)}. Every message sent so far is recorded; run the same command again to resume.\n`);
      return 1;
    } finally {
      progress.stop();
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    }
    if (end.state === 'busy') {
      err.write(`${end.reason}\n`);
      return 1;
    }
    out.write(`\n${formatJob({ ...job, state: end.state === 'done' ? 'done' : 'running' })}\n${formatTargets(end.targets)}\n`);
    if (end.state === 'stopped') {
      out.write(`Stopped (${end.reason}). Run the same command again to resume; nothing is sent twice.\n`);
      return 1;
    }
    const failed = end.targets.filter((t) => t.state === 'failed' || t.counts.failed > 0);
    if (failed.length) {
      out.write(
        `Finished with failures in ${failed.length} channel(s); "npm run import -- status ${job.id}" shows them, and the audit ledger has each failure's request-id.\n`,
      );
      return 1;
    }
    out.write('Finished.\n');
    return 0;
  } catch (e) {
    if (e instanceof ImportRequestError || e instanceof ExportRefused) {
      err.write(`${e.message}\n`);
      return 2;
    }
    if (e instanceof GraphCallError) {
      err.write(`Microsoft Graph refused a read (${formatErrorCode(e.failure)}): ${e.failure.message}\n`);
      return 2;
    }
    throw e;
  }
}
