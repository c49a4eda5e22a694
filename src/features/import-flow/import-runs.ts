import type { Logger } from '../../log/logger';
import { ExportRefused } from '../../sources/export-reader';
import type { ImportJob, ImportJobStore } from '../../store/ports/import-jobs';
import type { ImportJobRunner, RunEnd } from '../import/import-job-runner';
import type { Messenger } from '../shared/conversation';
import { ProgressReporter } from '../shared/progress-reporter';
import { endedDetails } from './ended-details';
import { LiveProgress } from './live-progress';
import { renderProgressCard } from './progress-views';

/** Runs in a row that may end in an unexpected error before the job is paused with the reason. */
const MAX_FAILED_RUNS = 3;

export interface ImportRunsDeps {
  store: ImportJobStore;
  logger: Logger;
  messenger: Messenger;
  /** A runner for one run (each holds its own lease identity and stop switch). */
  newRunner: () => ImportJobRunner;
  /** Least time between two updates of a progress card. */
  progressIntervalMs: number;
  /** How often running jobs nobody runs are looked for (a crashed instance's jobs are taken over). */
  takeOverEveryMs: number;
}

interface Running {
  runner: ImportJobRunner;
  reporter: ProgressReporter;
  live: LiveProgress;
  done: Promise<void>;
}

/**
 * The import jobs started from Teams that run in this bot process: each runs under its lease with
 * a progress card updated in place (the card the admin confirmed on), ends with its summary on
 * that card, and is stopped between messages when paused or cancelled (on this instance or any
 * other: the runner watches the job's state). At start-up and every `takeOverEveryMs` the bot
 * takes over jobs left running that no live runner holds, so an import survives restarts and
 * crashes and keeps updating the same card.
 */
export class ImportRuns {
  private readonly running = new Map<string, Running>();
  /** Runs in a row that ended in an unexpected error, per job. */
  private readonly failures = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;

  constructor(private readonly deps: ImportRunsDeps) {}

  /** True while this process runs the job. */
  runsHere(jobId: string): boolean {
    return this.running.has(jobId);
  }

  /** Live counts of a job running here (for a card shown in a turn), or null. */
  live(jobId: string): LiveProgress | null {
    return this.running.get(jobId)?.live ?? null;
  }

  /** Asks the run of `jobId` here (if any) to stop after the messages in flight. */
  stopHere(jobId: string, reason: string): void {
    this.running.get(jobId)?.runner.stop(reason);
  }

  /**
   * Starts (or resumes) a job in the background, after the current turn has returned its card. A job
   * already running here keeps its run; its card moves to the one given (a confirmation pressed again
   * from another card). Registered before anything is awaited, so two launches never both run it.
   */
  async launch(job: ImportJob): Promise<void> {
    const already = this.running.get(job.id);
    if (already) {
      if (job.conversationReference) already.reporter.moveTo(job.conversationReference, job.progressActivityId);
      return;
    }
    if (this.stopping) return;
    const { deps } = this;
    const runner = deps.newRunner();
    const live = new LiveProgress([]);
    const reporter = new ProgressReporter({
      messenger: deps.messenger,
      reference: job.conversationReference ?? {},
      activityId: job.progressActivityId,
      intervalMs: deps.progressIntervalMs,
      logger: deps.logger,
      jobId: job.id,
      onActivityId: async (id) => {
        await deps.store.updateImportJob(job.id, { progressActivityId: id });
      },
    });
    const entry: Running = { runner, reporter, live, done: Promise.resolve() };
    this.running.set(job.id, entry);
    entry.done = this.supervise(job, entry)
      .then(
        () => void this.failures.delete(job.id),
        (err) => this.failed(job, entry, err),
      )
      .finally(() => {
        if (this.running.get(job.id) === entry) this.running.delete(job.id);
      });
  }

  /**
   * A run that ended in an unexpected error (the tenant refusing a read, the store failing) is tried
   * again by the next take-over pass; after MAX_FAILED_RUNS in a row the job is paused with the
   * reason on its card, rather than re-reading the export every few seconds for ever.
   */
  private async failed(job: ImportJob, entry: Running, err: unknown): Promise<void> {
    const message = (err as Error)?.message ?? String(err);
    const count = (this.failures.get(job.id) ?? 0) + 1;
    this.failures.set(job.id, count);
    this.deps.logger.error({ jobId: job.id, attempt: count, err: { message } }, 'import job stopped by an error');
    if (count < MAX_FAILED_RUNS || this.stopping) return;
    this.failures.delete(job.id);
    try {
      if (!(await this.deps.store.updateImportJob(job.id, { state: 'paused' }, { onlyIn: ['running'] }))) return;
      const paused = { ...job, state: 'paused' as const };
      const notice = `Paused after ${count} attempts that each stopped on an error: ${message.slice(0, 300)} Fix the cause and press Resume.`;
      if (job.conversationReference)
        await entry.reporter.final(() => renderProgressCard({ job: paused, targets: entry.live.list(), rate: () => 0, timeZone: null, notice }));
    } catch (again) {
      this.deps.logger.error({ jobId: job.id, err: { message: (again as Error)?.message } }, 'could not pause an import job that keeps failing');
    }
  }

  private async supervise(job: ImportJob, entry: Running): Promise<void> {
    const { deps } = this;
    const { runner, reporter, live } = entry;
    // Never inside the turn: the confirming turn returns its card before the first update.
    await new Promise((resolve) => setImmediate(resolve));
    const card = (current: ImportJob, notice?: string) => () =>
      renderProgressCard({ job: current, targets: live.list(), rate: (k) => live.rate(k), timeZone: null, notice });
    let end: RunEnd;
    try {
      end = await runner.run(job, {
        // Read once the job is this process's: a take-over pass reads nothing of a job another instance runs.
        onLeased: async () => live.load(await deps.store.listImportTargets(job.id)),
        onProgress: (target, counts) => {
          live.add(target, counts);
          if (job.conversationReference) reporter.changed(card(job));
        },
      });
    } catch (err) {
      if (!(err instanceof ExportRefused)) throw err;
      // The export is gone or changed: nothing can be sent until it is back, so the job is paused and says why
      // (unless it was cancelled meanwhile).
      if (!(await deps.store.updateImportJob(job.id, { state: 'paused' }, { onlyIn: ['running'] }))) return;
      const paused = { ...job, state: 'paused' as const };
      if (job.conversationReference) await reporter.final(card(paused, `Paused: ${err.message}`));
      deps.logger.warn({ jobId: job.id, err: { message: err.message } }, 'import job paused: its export cannot be read');
      return;
    }
    if (end.state === 'busy') {
      reporter.flush();
      return;
    }
    let now = (await deps.store.getImportJob(job.id)) ?? job;
    const targets = await deps.store.listImportTargets(job.id);
    let notice: string | undefined;
    if (now.state === 'running' && end.state === 'done') {
      // A channel stopped by an error keeps the job open; paused, it waits for the admin instead of being retried in a loop.
      if (await deps.store.updateImportJob(job.id, { state: 'paused' }, { onlyIn: ['running'] })) now = { ...now, state: 'paused' };
      else now = (await deps.store.getImportJob(job.id)) ?? now;
      const failed = targets.filter((t) => t.state === 'failed').length;
      notice = `${failed} channel(s) stopped by an error (see Failures). Fix the cause and press Resume to try them again; nothing already imported is sent twice.`;
    }
    const details = now.state === 'done' || now.state === 'cancelled' ? await endedDetails(deps.store, now, targets) : undefined;
    const ended = now;
    const finalCard = () => renderProgressCard({ job: ended, targets, rate: () => 0, timeZone: null, details, notice });
    if (now.state === 'running' && end.state === 'stopped') {
      // Shutdown or a lost lease: the job stays running and the next runner (here or elsewhere) updates the same card.
      reporter.flush();
      return;
    }
    if (job.conversationReference) await reporter.final(finalCard);
    deps.logger.info({ jobId: job.id, state: now.state }, 'import job run ended');
  }

  /** Takes over every Teams import left running that no runner holds; resolves once they are launched. */
  async takeOver(): Promise<void> {
    if (this.stopping) return;
    let jobs: ImportJob[];
    try {
      jobs = await this.deps.store.listImportJobs({ state: 'running', limit: 200 });
    } catch (err) {
      this.deps.logger.warn({ err: { message: (err as Error)?.message } }, 'could not list running import jobs');
      return;
    }
    // Jobs of the command line are resumed by running the command again, where the export is.
    for (const job of jobs) {
      if (job.origin !== 'teams' || this.running.has(job.id)) continue;
      try {
        await this.launch(job);
      } catch (err) {
        this.deps.logger.warn({ jobId: job.id, err: { message: (err as Error)?.message } }, 'could not take over an import job');
      }
    }
  }

  /** Start-up: take over what is left, then keep looking. */
  async start(): Promise<void> {
    await this.takeOver();
    this.timer = setInterval(() => void this.takeOver(), this.deps.takeOverEveryMs);
    this.timer.unref();
  }

  /** Shutdown: runs stop after the messages in flight and hand their leases back; jobs stay running. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    for (const r of this.running.values()) {
      r.runner.stop('the bot is stopping');
      r.reporter.flush();
    }
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  /** Resolves when no import runs in this process (tests wait on it). */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }
}
