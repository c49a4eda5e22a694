import { randomUUID } from 'node:crypto';
import type { MessageImportApi } from '../../graph/message-import-api';
import type { MigrationApi } from '../../graph/migration-api';
import type { TeamsDirectory } from '../../graph/teams-directory';
import type { UsersDirectory } from '../../graph/users-directory';
import type { Logger } from '../../log/logger';
import { ExportRefused, type ArchiveLimits, type ExportReader } from '../../sources/export-reader';
import { openExport, sha256File } from '../../sources/open-export';
import type { ImportCounts, ImportJob, ImportJobStore, ImportTarget } from '../../store/ports/import-jobs';
import type { LedgerStore } from '../../store/ports/ledger';
import type { Pacer } from '../shared/pacer';
import { ImportContext } from './import-context';
import { importBudgets, type ImportRates } from './import-limits';
import { TargetImport } from './target-import';

export interface ImportRunnerDeps {
  store: ImportJobStore & LedgerStore;
  api: MessageImportApi;
  migration: MigrationApi;
  directory: TeamsDirectory;
  users: UsersDirectory;
  pacer: Pacer;
  logger: Logger;
  rates: ImportRates;
  archive: { limits: ArchiveLimits; workDir: string };
  /** Minutes a start waits after this bot completed the same thread (RESTART_COOLDOWN_MINUTES). */
  restartCooldownMinutes: number;
  /** How long a job's lease lasts and how often it is renewed (as bulk jobs: 15 s, every 5 s). */
  lease?: { durationMs: number; renewEveryMs: number };
  /** The local file of a job's export (an upload kept by the bot is fetched from its store); the location itself by default. */
  exportFile?: (source: ImportJob['source']) => Promise<string>;
}

export interface RunHooks {
  /** A message was settled (progress display). */
  onProgress?: (target: ImportTarget, counts: Partial<ImportCounts>) => void;
  /** Wait this long for a lease another runner holds (a killed run's lease runs out within its duration). */
  waitForLeaseMs?: number;
  /** The lease is this run's: called once before anything is read or sent (a job leased elsewhere never gets here). */
  onLeased?: () => Promise<void>;
}

/** How a run ended. */
export type RunEnd =
  { state: 'done'; targets: ImportTarget[] } | { state: 'stopped'; reason: string; targets: ImportTarget[] } | { state: 'busy'; reason: string };

const FINISHED: ReadonlySet<ImportTarget['state']> = new Set(['skipped', 'completed']);

/**
 * Runs an import job in this process: takes the job's lease (one runner per job, across
 * processes and instances sharing the store), renews it while it works, checks the export is the
 * one the job was planned from, and imports every target in parallel within the pacer's budgets.
 * `stop` ends the run between messages; the job stays `running`, to be resumed.
 */
export class ImportJobRunner {
  readonly ownerId = randomUUID();
  private stopReason: string | null = null;

  constructor(private readonly deps: ImportRunnerDeps) {}

  private get lease(): { durationMs: number; renewEveryMs: number } {
    return this.deps.lease ?? { durationMs: 15000, renewEveryMs: 5000 };
  }

  /** Asks the run under way to stop after the messages in flight. */
  stop(reason: string): void {
    this.stopReason ??= reason;
  }

  private async acquire(jobId: string, waitMs: number): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const until = new Date(Date.now() + this.lease.durationMs).toISOString();
      if (await this.deps.store.acquireImportJobLease(jobId, this.ownerId, until)) return true;
      if (Date.now() >= deadline || this.stopReason) return false;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** Runs (or resumes) the job to its end, or until stopped. */
  async run(job: ImportJob, hooks: RunHooks = {}): Promise<RunEnd> {
    const { store, logger } = this.deps;
    if (!(await this.acquire(job.id, hooks.waitForLeaseMs ?? 0))) {
      return {
        state: 'busy',
        reason: `Import job ${job.id} is being run by another process or bot instance; it resumes there. Try again when that run ends (its lease lasts ${Math.round(this.lease.durationMs / 1000)} s after it stops).`,
      };
    }
    const renew = setInterval(() => {
      const until = new Date(Date.now() + this.lease.durationMs).toISOString();
      store.renewImportJobLease(job.id, this.ownerId, until).then(
        (kept) => {
          if (!kept) this.stop('the job lease was taken over by another runner');
        },
        (err) => logger.warn({ jobId: job.id, err: { message: (err as Error)?.message } }, 'could not renew the import job lease'),
      );
    }, this.lease.renewEveryMs);
    renew.unref();
    // Paused or cancelled from Teams (on any instance): the run stops between messages.
    const watch = setInterval(
      () => {
        store.getImportJob(job.id).then(
          (now) => {
            if (now && now.state !== 'running') this.stop(`the job was ${now.state}`);
          },
          () => undefined,
        );
      },
      Math.min(1000, this.lease.renewEveryMs),
    );
    watch.unref();
    try {
      await hooks.onLeased?.();
      return await this.runLeased(job, hooks);
    } finally {
      clearInterval(renew);
      clearInterval(watch);
      await store.releaseImportJobLease(job.id, this.ownerId).catch(() => undefined);
    }
  }

  private async runLeased(job: ImportJob, hooks: RunHooks): Promise<RunEnd> {
    const targets = await this.deps.store.listImportTargets(job.id);
    // Every message in: what is left is completing, which needs no export (it may be deleted by now).
    if (targets.every((t) => FINISHED.has(t.state) || t.state === 'imported')) return this.runTargets(job, hooks, targets, null);
    const file = await (this.deps.exportFile ?? (async (source: ImportJob['source']) => source.location))(job.source).catch(() => null);
    const sha = file === null ? null : await sha256File(file).catch(() => null);
    if (file === null || sha !== job.source.sha256) {
      throw new ExportRefused(
        sha === null
          ? `The export ${job.source.fileName} of import job ${job.id} is no longer available (${job.source.location}); put the file back there, or attach the same file again in the bot's personal chat, to resume.`
          : `The export at ${job.source.location} is not the file import job ${job.id} was planned from (its SHA-256 differs); use the original file.`,
      );
    }
    const reader = await openExport(file, this.deps.archive);
    try {
      const context = await ImportContext.build(reader, this.deps.users);
      return await this.runTargets(job, hooks, targets, { reader, context });
    } finally {
      await reader.close();
    }
  }

  /** Imports (or completes) each unfinished target in parallel; `source` is null when none has messages left to send. */
  private async runTargets(
    job: ImportJob,
    hooks: RunHooks,
    targets: ImportTarget[],
    source: { reader: ExportReader; context: ImportContext } | null,
  ): Promise<RunEnd> {
    const { store } = this.deps;
    // A channel that failed as a whole (no permission yet, another app's migration) is tried again on every run.
    for (const t of targets.filter((x) => x.state === 'failed')) {
      await store.updateImportTarget(job.id, t.targetKey, { state: 'queued', detail: null, errorCode: null, requestId: null });
      t.state = 'queued';
    }
    const settled = await Promise.allSettled(
      targets.map(async (target) => {
        if (FINISHED.has(target.state) || (target.state === 'imported' && !job.options.completeWhenDone)) return target;
        const budgets = importBudgets(
          this.deps.rates,
          job.tenantId,
          job.teamId,
          target.target.kind === 'channel' ? target.target.channelId : target.target.chatId,
        );
        const run = new TargetImport(
          {
            ...this.deps,
            reader: source?.reader ?? null,
            context: source?.context ?? null,
            importBudgets: budgets.imports,
            writeBudgets: budgets.writes,
            stopped: () => this.stopReason !== null,
            onProgress: hooks.onProgress ?? (() => undefined),
          },
          job,
          target,
        );
        if (target.state === 'imported') {
          await run.complete();
          return (await store.listImportTargets(job.id)).find((t) => t.targetKey === target.targetKey) ?? target;
        }
        // An unexpected error (the store failing) stops the other channels too, between messages.
        return run.run().catch((err: unknown) => {
          this.stop(`an unexpected error: ${(err as Error)?.message ?? String(err)}`);
          throw err;
        });
      }),
    );
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    const final = await store.listImportTargets(job.id);
    if (this.stopReason) return { state: 'stopped', reason: this.stopReason, targets: final };
    // A job with a channel that failed as a whole stays open: running it again retries those channels.
    if (!final.some((t) => t.state === 'failed')) await store.updateImportJob(job.id, { state: 'done' }, { onlyIn: ['running'] });
    return { state: 'done', targets: final };
  }
}
