import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { statSync } from 'node:fs';
import { parseChannelMap } from '../../domain/import/channel-matching';
import { SourceProblem } from '../../domain/import/planned-stream';
import type { TeamsIdentity } from '../../domain/import/teams-message';
import { targetKey } from '../../domain/targets';
import type { Actor } from '../../domain/targets';
import { explainFailure } from '../../domain/explain-failure';
import { toGraphCallError } from '../../graph/graph-errors';
import type { TeamsDirectory } from '../../graph/teams-directory';
import type { UsersDirectory } from '../../graph/users-directory';
import type { ArchiveLimits } from '../../sources/export-reader';
import { openExport, sha256File } from '../../sources/open-export';
import type { ImportJob, ImportJobStore, ImportOptions, ImportTarget } from '../../store/ports/import-jobs';
import { ZERO_COUNTS } from '../../store/ports/import-jobs';
import type { LedgerStore } from '../../store/ports/ledger';
import type { TargetResolver } from '../shared/target-resolver';
import { ImportContext } from './import-context';
import type { ImportRates } from './import-limits';
import type { ImportPlan } from './import-plan';
import { planImport } from './import-planner';
import type { ImportJobRunner, RunEnd, RunHooks } from './import-job-runner';

/** What the admin asks for: which export, into which team, with which choices. */
export interface ImportRequest {
  exportPath: string;
  /** The name to show for the export (an upload's own name); the path's last part by default. */
  fileName?: string;
  /** The export's SHA-256 when already known (an upload hashed as it was stored); read from the file otherwise. */
  sha256?: string;
  /** Team name or id. */
  team: string;
  /** `--map` values, `source=target`. */
  maps: string[];
  /** Sign-in name or object id of the fallback user. */
  fallbackUser: string | null;
  completeWhenDone: boolean;
  uploadFiles: boolean;
}

export interface ImportEngineDeps {
  store: ImportJobStore & LedgerStore;
  directory: TeamsDirectory;
  users: UsersDirectory;
  resolver: TargetResolver;
  rates: ImportRates;
  archive: { limits: ArchiveLimits; workDir: string };
  tenantId: string;
}

/** A request the engine cannot act on, in words for the admin; nothing was written. */
export class ImportRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportRequestError';
  }
}

/** The result of `prepare`: the plan, and the job it resumes when one exists. */
export interface PreparedImport {
  plan: ImportPlan;
  options: ImportOptions;
  /** An unfinished job for the same export and team (a resumed run continues it). */
  existing: ImportJob | null;
  /** A finished job for the same export and team: running again would import everything twice. */
  finished: ImportJob | null;
  /** How many jobs the export and team had when planned: with the key it names the next job (see `jobIdFor`). */
  generation: number;
}

/**
 * The import engine's use cases, shared by the command line and (next) Teams: `prepare` reads the
 * export and the tenant and returns the plan (no Graph write), `start` turns a clean plan into a job
 * (or finds the one to resume) and `run` carries it out with a runner, `jobs` lists jobs.
 */
export class ImportEngine {
  constructor(private readonly deps: ImportEngineDeps) {}

  private async fallbackUser(idOrUpn: string | null): Promise<TeamsIdentity | null> {
    if (!idOrUpn) return null;
    try {
      return await this.deps.users.getUser(idOrUpn);
    } catch (err) {
      const failure = toGraphCallError(err).failure;
      if (failure.status === 404)
        throw new ImportRequestError(`The fallback user "${idOrUpn}" is not a user of this tenant. Name a tenant user by sign-in name or object id.`);
      throw new ImportRequestError(`The fallback user "${idOrUpn}" could not be looked up: ${explainFailure(failure, 'read')}`);
    }
  }

  /** Reads the export and the tenant and builds the plan. Writes nothing anywhere. */
  async prepare(request: ImportRequest): Promise<PreparedImport> {
    const { map, problems } = parseChannelMap(request.maps);
    if (problems.length) throw new ImportRequestError(problems.join('\n'));
    let bytes: number;
    try {
      bytes = statSync(request.exportPath).size;
    } catch {
      throw new ImportRequestError(`No file at ${request.exportPath}. Give the path of a Slack export (.zip) or a Mattermost bulk export (.jsonl or .zip).`);
    }
    const team = await this.deps.resolver.resolveTeam(request.team);
    if (!team.ok) throw new ImportRequestError(team.message);
    const fallback = await this.fallbackUser(request.fallbackUser);
    const sha256 = request.sha256 ?? (await sha256File(request.exportPath));
    const reader = await openExport(request.exportPath, this.deps.archive);
    try {
      const context = await ImportContext.build(reader, this.deps.users);
      const plan = await planOrRefuse(
        { directory: this.deps.directory, ledger: this.deps.store, rates: this.deps.rates },
        {
          reader,
          context,
          team: team.value,
          channelMap: map,
          fallback,
          source: { kind: reader.kind, fileName: request.fileName ?? path.basename(request.exportPath), sha256, bytes },
        },
      );
      const options: ImportOptions = { fallbackUser: fallback, completeWhenDone: request.completeWhenDone, uploadFiles: request.uploadFiles, channelMap: map };
      const jobs = await this.deps.store.findImportJobsByKey(jobKeyOf(sha256, team.value.id));
      return {
        plan,
        options,
        existing: jobs.find((j) => j.state === 'running' || j.state === 'paused') ?? null,
        finished: jobs.find((j) => j.state === 'done') ?? null,
        generation: jobs.length,
      };
    } finally {
      await reader.close();
    }
  }

  /**
   * The job a run carries out: the unfinished job of this export and team (resumed as it was
   * confirmed; the new choices must match), or a new job made from a plan without problems.
   */
  async start(
    prepared: PreparedImport,
    origin: {
      requestedBy: Actor;
      origin: ImportJob['origin'];
      /** Where the job finds the export again: an absolute path, or a stored upload (`export:<id>`). */
      exportLocation: string;
      conversationId?: string | null;
      conversationReference?: Record<string, unknown> | null;
      /** The message that shows the job's progress (Teams), set with the job so no runner sees it without. */
      progressActivityId?: string | null;
    },
    lease?: { ownerId: string; leaseUntil: string },
  ): Promise<{ job: ImportJob; resumed: boolean }> {
    const { plan, options, existing } = prepared;
    if (existing) {
      if (!sameChoices(existing.options, options)) {
        throw new ImportRequestError(
          `Import job ${existing.id} for this export and team is unfinished and was started with other choices (${describeOptions(existing.options)}). Run it again with those choices to resume it.`,
        );
      }
      // Completing at the end may be chosen anew on a resumed run; the other choices shape the rows already written.
      const resumedOptions = { ...existing.options, completeWhenDone: options.completeWhenDone };
      // Resumed from Teams, the job's card is the one just confirmed, in that conversation.
      const where =
        origin.conversationReference && origin.progressActivityId !== undefined
          ? {
              conversationId: origin.conversationId ?? null,
              conversationReference: origin.conversationReference,
              progressActivityId: origin.progressActivityId,
            }
          : {};
      if (!(await this.deps.store.updateImportJob(existing.id, { state: 'running', options: resumedOptions, ...where }, { onlyIn: ['running', 'paused'] }))) {
        throw new ImportRequestError(
          `Import job ${existing.id} for this export and team was cancelled a moment ago; nothing was resumed. Attach the export again to plan a new import.`,
        );
      }
      return { job: { ...existing, state: 'running', options: resumedOptions, ...where }, resumed: true };
    }
    if (prepared.finished) {
      throw new ImportRequestError(
        `This export was already imported into ${plan.team.displayName} by import job ${prepared.finished.id} (${prepared.finished.createdAt}); nothing was sent again. "import status ${prepared.finished.id}" shows what it did.`,
      );
    }
    if (plan.problems.length) throw new ImportRequestError(plan.problems.join('\n'));
    const now = new Date().toISOString();
    const job: ImportJob = {
      id: jobIdFor(jobKeyOf(plan.source.sha256, plan.team.id), prepared.generation),
      jobKey: jobKeyOf(plan.source.sha256, plan.team.id),
      tenantId: this.deps.tenantId,
      teamId: plan.team.id,
      teamName: plan.team.displayName,
      source: { ...plan.source, location: origin.exportLocation },
      requestedBy: origin.requestedBy,
      origin: origin.origin,
      options,
      conversationId: origin.conversationId ?? null,
      conversationReference: origin.conversationReference ?? null,
      progressActivityId: origin.progressActivityId ?? null,
      state: 'running',
      createdAt: now,
      updatedAt: now,
    };
    const targets: ImportTarget[] = plan.targets.map((t, seq) => {
      const ref = {
        kind: 'channel' as const,
        teamId: plan.team.id,
        channelId: t.target.id,
        displayName: t.target.displayName,
        teamName: plan.team.displayName,
      };
      return {
        jobId: job.id,
        targetKey: targetKey(ref),
        seq,
        sourceChannelId: t.source.id,
        sourceChannelName: t.source.name,
        target: ref,
        state: 'queued',
        planned: t.planned,
        conversationCreationDateTime: t.action === 'continue' ? t.migrationDate : null,
        startedByJob: false,
        counts: { ...ZERO_COUNTS },
        detail: null,
        errorCode: null,
        requestId: null,
        updatedAt: now,
      };
    });
    try {
      await this.deps.store.createImportJob(job, targets, lease);
    } catch (err) {
      // Another run of the same export into the same team created this very job a moment ago (same id): resume it.
      const other = await this.deps.store.getImportJob(job.id);
      if (!other) throw err;
      return { job: other, resumed: true };
    }
    return { job, resumed: false };
  }

  /** Carries out a job with `runner` (see ImportJobRunner). */
  run(runner: ImportJobRunner, job: ImportJob, hooks?: RunHooks): Promise<RunEnd> {
    return runner.run(job, hooks);
  }

  /** Jobs, newest first, with their targets. */
  async jobs(jobId?: string): Promise<{ job: ImportJob; targets: ImportTarget[] }[]> {
    const jobs = jobId
      ? [await this.deps.store.getImportJob(jobId)].filter((j): j is ImportJob => j !== null)
      : await this.deps.store.listImportJobs({ limit: 20 });
    if (jobId && jobs.length === 0) throw new ImportRequestError(`No import job ${jobId}. Run "import status" to list jobs.`);
    return Promise.all(jobs.map(async (job) => ({ job, targets: await this.deps.store.listImportTargets(job.id) })));
  }
}

/** The plan, with an export that contradicts itself refused in the admin's words. */
async function planOrRefuse(...args: Parameters<typeof planImport>): Promise<ImportPlan> {
  try {
    return await planImport(...args);
  } catch (err) {
    if (err instanceof SourceProblem) throw new ImportRequestError(err.message);
    throw err;
  }
}

/**
 * A new job's id, derived from its key and how many jobs the key already had: two runs of the same
 * export into the same team started at the same moment name the same job, so the store's unique id
 * lets only one of them create it and the other resumes it.
 */
function jobIdFor(jobKey: string, generation: number): string {
  const h = createHash('sha256').update(`${jobKey}#${generation}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function jobKeyOf(sha256: string, teamId: string): string {
  return `${sha256}:${teamId.toLowerCase()}`;
}

/** The choices that shape a job's rows: a resumed run must keep them. */
function sameChoices(a: ImportOptions, b: ImportOptions): boolean {
  const key = (o: ImportOptions) => JSON.stringify([o.fallbackUser?.id ?? null, o.uploadFiles, Object.entries(o.channelMap).sort()]);
  return key(a) === key(b);
}

function describeOptions(o: ImportOptions): string {
  const maps = Object.entries(o.channelMap).map(([k, v]) => `--map "${k}=${v}"`);
  return [o.fallbackUser ? `--fallback-user ${o.fallbackUser.id}` : 'no fallback user', o.uploadFiles ? '--upload-files' : null, ...maps]
    .filter(Boolean)
    .join(' ');
}
