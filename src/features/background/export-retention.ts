import type { Logger } from '../../log/logger';
import { exportIdOfLocation, type ExportFileStore, type StoredExport } from '../../store/ports/export-files';
import type { ImportJob, ImportJobStore } from '../../store/ports/import-jobs';
import type { BackgroundTask } from './background-task';
import { PeriodicPass } from './periodic-pass';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * How long an upload no import job uses is kept: a day, so an admin who attached an export can still
 * confirm the import the next morning. Never less than a confirmation card lives (PENDING_TTL_MINUTES)
 * plus an hour, so a card still on screen never confirms an export that is gone.
 */
export const UNCONFIRMED_EXPORT_KEEP_MS = DAY_MS;

export interface ExportRetentionDeps {
  exports: ExportFileStore;
  jobs: Pick<ImportJobStore, 'listImportJobs'>;
  logger: Logger;
  /** IMPORT_EXPORT_RETENTION_DAYS: days an export is kept after its last job finished; 0 or less keeps every export. */
  retentionDays: number;
  /** PENDING_TTL_MINUTES: an unconfirmed upload is kept at least this long plus an hour. */
  confirmationTtlMinutes: number;
}

/** Why an export was deleted, for the log. */
export type ExportDeletionReason = 'job finished' | 'never used';

/** What one pass deleted. */
export interface ExportRetentionResult {
  deleted: Array<{ id: string; bytes: number; reason: ExportDeletionReason }>;
}

/**
 * The jobs of each stored export, by export id: the jobs that name it, and the unfinished jobs of the
 * same bytes (the same file attached again resumes its unfinished job from the new copy).
 */
function jobsByExport(stored: readonly StoredExport[], jobs: readonly ImportJob[]): Map<string, ImportJob[]> {
  const byExport = new Map<string, ImportJob[]>();
  const bySha = new Map<string, ImportJob[]>();
  for (const job of jobs) {
    bySha.set(job.source.sha256, [...(bySha.get(job.source.sha256) ?? []), job]);
    const id = exportIdOfLocation(job.source.location);
    if (id === null) continue;
    byExport.set(id, [...(byExport.get(id) ?? []), job]);
  }
  for (const e of stored) {
    // Only an unfinished job is resumed from a copy of its bytes; a finished one never reads them again.
    const same = (bySha.get(e.sha256) ?? []).filter((j) => (j.state === 'running' || j.state === 'paused') && !(byExport.get(e.id) ?? []).includes(j));
    if (same.length) byExport.set(e.id, [...(byExport.get(e.id) ?? []), ...same]);
  }
  return byExport;
}

/**
 * Keeps uploaded exports from filling the disk or the storage account: once a day (and at start-up)
 * it deletes an export whose import jobs are all done or cancelled, `retentionDays` after the last of
 * them finished, and an upload no job uses once it is older than a day (see
 * UNCONFIRMED_EXPORT_KEEP_MS). An export of a running or paused job is never deleted, whatever its
 * age. Until then a finished import's local copy (Blob backend) is released, and what interrupted
 * uploads left behind is removed. Every instance may run it; deleting twice is harmless.
 */
export class ExportRetention implements BackgroundTask {
  readonly name = 'export retention';
  private readonly timers: PeriodicPass;

  constructor(private readonly deps: ExportRetentionDeps) {
    this.timers = new PeriodicPass({
      pass: () => this.prune(),
      periodMs: DAY_MS,
      atStart: true,
      logger: deps.logger,
      failure: 'deleting old uploaded exports failed',
    });
  }

  start(): void {
    if (this.deps.retentionDays <= 0) return;
    this.timers.start();
  }

  /** A pass under way is not waited for: deleting less is harmless, and the next pass finishes it. */
  async stop(): Promise<void> {
    this.timers.stop();
  }

  /** How long an upload no job uses is kept. */
  get unconfirmedKeepMs(): number {
    return Math.max(UNCONFIRMED_EXPORT_KEEP_MS, this.deps.confirmationTtlMinutes * 60_000 + HOUR_MS);
  }

  /** Why `stored` should go now, or null to keep it. */
  private reasonToDelete(stored: StoredExport, jobs: readonly ImportJob[], now: number): ExportDeletionReason | null {
    if (jobs.length === 0) return now - Date.parse(stored.storedAt) > this.unconfirmedKeepMs ? 'never used' : null;
    if (jobs.some((j) => j.state === 'running' || j.state === 'paused')) return null;
    const finished = Math.max(...jobs.map((j) => Date.parse(j.updatedAt)));
    return now - finished > this.deps.retentionDays * DAY_MS ? 'job finished' : null;
  }

  /** Deletes what is due at `now`; returns what it deleted. */
  async prune(now: Date = new Date()): Promise<ExportRetentionResult> {
    const result: ExportRetentionResult = { deleted: [] };
    if (this.deps.retentionDays <= 0) return result;
    const stored = await this.deps.exports.list();
    if (stored.length > 0) {
      // Every job, every state: an export is kept while any job that uses it may still run.
      const byExport = jobsByExport(stored, await this.deps.jobs.listImportJobs({ limit: Number.POSITIVE_INFINITY }));
      for (const e of stored) {
        const jobs = byExport.get(e.id) ?? [];
        const reason = this.reasonToDelete(e, jobs, now.getTime());
        if (reason === null) {
          // A finished import needs no local copy until it is deleted (Blob: frees DATA_DIR).
          if (jobs.length > 0 && jobs.every((j) => j.state === 'done' || j.state === 'cancelled')) await this.deps.exports.releaseLocalCopy(e.id);
          continue;
        }
        await this.deps.exports.delete(e.id);
        result.deleted.push({ id: e.id, bytes: e.bytes, reason });
        this.deps.logger.info({ exportId: e.id, bytes: e.bytes, reason, retentionDays: this.deps.retentionDays }, 'deleted an uploaded export');
      }
    }
    const leftovers = await this.deps.exports.cleanUp(new Date(now.getTime() - DAY_MS));
    if (leftovers > 0) this.deps.logger.info({ removed: leftovers }, 'removed leftovers of interrupted uploads');
    return result;
  }
}
