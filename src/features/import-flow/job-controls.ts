import { renderCard } from '../../cards/renderer';
import { isImportJobId } from '../../domain/parse/ids';
import type { ImportJob, ImportJobStore } from '../../store/ports/import-jobs';
import type { ActingContext, FlowReply } from '../shared/acting';
import { card, text } from '../shared/acting';
import type { Conversation } from '../shared/conversation';
import type { OperationGuard } from '../shared/operation-guard';
import type { ImportRuns } from './import-runs';
import { renderProgressCard } from './progress-views';
import { endedDetails } from './ended-details';
import { settledOf } from './live-progress';

export interface JobControlsDeps {
  guard: OperationGuard;
  store: ImportJobStore;
  runs: ImportRuns;
  /** The tenant jobs belong to (the migration app's). */
  tenantId: string;
}

/** A job of the command line runs where its export is. */
const CLI_JOB =
  'This import was started from the command line, where its export is: run npm run import -- run … there again (with --complete to complete its channels), or complete channels one by one with their buttons.';

/**
 * What an admin can do to an import job from its cards or by typing: show it, pause, resume,
 * cancel, complete every channel once it is done. Each press is checked again: the presser is an
 * administrator now (in a channel anyone can press), and the job is one of their tenant's.
 */
export class JobControls {
  constructor(private readonly deps: JobControlsDeps) {}

  private async job(who: ActingContext, jobId: unknown, attempted: string): Promise<ImportJob | FlowReply> {
    const refusal = await this.deps.guard.refuseNonAdmin(who, attempted, { button: attempted, jobId: typeof jobId === 'string' ? jobId.slice(0, 64) : null });
    if (refusal) return refusal;
    if (!isImportJobId(jobId)) return text('This card names no import job. Type import status to see the import jobs.');
    const job = await this.deps.store.getImportJob(jobId);
    if (!job || job.tenantId.toLowerCase() !== (who.tenantId ?? '').toLowerCase()) {
      return text(`There is no import job ${jobId} in your organisation. Type import status to see the import jobs.`);
    }
    return job;
  }

  /** The job's card as it stands (live counts when it runs here). */
  async card(job: ImportJob, who: ActingContext, notice?: string): Promise<FlowReply> {
    const live = this.deps.runs.live(job.id);
    const targets = live?.list() ?? (await this.deps.store.listImportTargets(job.id));
    const details = job.state === 'done' || job.state === 'cancelled' ? await endedDetails(this.deps.store, job, targets) : undefined;
    return card(renderProgressCard({ job, targets, rate: (k) => live?.rate(k) ?? 0, timeZone: who.timeZone, notice, details }));
  }

  /** `import status <job id>` and a list's Show button. */
  async show(conversation: Conversation, jobId: unknown): Promise<FlowReply> {
    const job = await this.job(conversation.who, jobId, 'import status');
    return 'id' in job ? this.card(job, conversation.who) : job;
  }

  /** `import status`: the tenant's import jobs, newest first. */
  async list(conversation: Conversation): Promise<FlowReply> {
    const { who } = conversation;
    const refusal = await this.deps.guard.refuseNonAdmin(who, 'import status', {});
    if (refusal) return refusal;
    const jobs = await this.deps.store.listImportJobs({ tenantId: this.deps.tenantId, limit: 20 });
    if (jobs.length === 0) return text('No import jobs yet. Attach a Slack or Mattermost export to a message in this chat to plan one.');
    const rows = [];
    for (const job of jobs) {
      const targets = await this.deps.store.listImportTargets(job.id);
      const settled = targets.reduce((a, t) => a + settledOf(t.counts), 0);
      const planned = targets.reduce((a, t) => a + t.planned, 0);
      const open = targets.filter((t) => t.state === 'imported').length;
      rows.push({
        heading: `${job.source.fileName} → ${job.teamName}`,
        detail: `${job.state}; ${settled} of ${planned} messages; ${targets.length} channel(s)${open ? `, ${open} imported but not completed` : ''}; by ${job.requestedBy.name ?? 'unknown'} (${job.origin === 'cli' ? 'command line' : 'Teams'}), ${job.createdAt.slice(0, 16).replace('T', ' ')} UTC; job ${job.id}`,
        buttons: [{ title: 'Show', verb: 'importShow', target: job.id }],
      });
    }
    return card(
      renderCard('list', {
        title: 'Import jobs',
        summary: `${jobs.length} most recent`,
        rows,
        footer: 'import status <job id> shows one job; import report <job id> sends its report as a CSV file.',
      }),
    );
  }

  /** Someone else changed the job at the same moment: its card as it is now, nothing done. */
  private async changedMeanwhile(job: ImportJob, conversation: Conversation): Promise<FlowReply> {
    const now = (await this.deps.store.getImportJob(job.id)) ?? job;
    return this.card(
      now,
      conversation.who,
      `This import was ${now.state === 'running' ? 'resumed' : now.state} by someone else a moment ago; nothing more was changed.`,
    );
  }

  async pause(conversation: Conversation, data: Record<string, unknown>): Promise<FlowReply> {
    const job = await this.job(conversation.who, data.jobId, 'importPause');
    if (!('id' in job)) return job;
    if (job.state !== 'running') return this.card(job, conversation.who, `This import is ${job.state}; there is nothing to pause.`);
    if (!(await this.deps.store.updateImportJob(job.id, { state: 'paused' }, { onlyIn: ['running'] }))) return this.changedMeanwhile(job, conversation);
    this.deps.runs.stopHere(job.id, 'paused');
    return this.card(
      { ...job, state: 'paused' },
      conversation.who,
      `Paused by ${conversation.who.name ?? 'an administrator'}: the messages in flight finish, then nothing more is sent.`,
    );
  }

  async resume(conversation: Conversation, data: Record<string, unknown>): Promise<FlowReply> {
    const job = await this.job(conversation.who, data.jobId, 'importResume');
    if (!('id' in job)) return job;
    if (job.state !== 'paused') return this.card(job, conversation.who, `This import is ${job.state}; only a paused import can be resumed.`);
    if (job.origin === 'cli') return this.card(job, conversation.who, CLI_JOB);
    if (!(await this.deps.store.updateImportJob(job.id, { state: 'running' }, { onlyIn: ['paused'] }))) return this.changedMeanwhile(job, conversation);
    const running = { ...job, state: 'running' as const };
    await this.deps.runs.launch(running);
    return this.card(running, conversation.who, `Resumed by ${conversation.who.name ?? 'an administrator'}.`);
  }

  async cancel(conversation: Conversation, data: Record<string, unknown>): Promise<FlowReply> {
    const job = await this.job(conversation.who, data.jobId, 'importCancel');
    if (!('id' in job)) return job;
    if (job.state !== 'running' && job.state !== 'paused') return this.card(job, conversation.who, `This import is ${job.state} already.`);
    if (!(await this.deps.store.updateImportJob(job.id, { state: 'cancelled' }, { onlyIn: ['running', 'paused'] })))
      return this.changedMeanwhile(job, conversation);
    this.deps.runs.stopHere(job.id, 'cancelled');
    return this.card(
      { ...job, state: 'cancelled' },
      conversation.who,
      `Cancelled by ${conversation.who.name ?? 'an administrator'}. Messages already imported stay; the channels stay in migration mode until completed.`,
    );
  }

  /** Complete all: the job runs once more to complete each imported channel (the runner's own complete step). */
  async completeAll(conversation: Conversation, data: Record<string, unknown>): Promise<FlowReply> {
    const job = await this.job(conversation.who, data.jobId, 'importCompleteAll');
    if (!('id' in job)) return job;
    if (job.state !== 'done')
      return this.card(job, conversation.who, 'Only a finished import can be completed as a whole; complete channels one by one with their buttons.');
    if (job.origin === 'cli') return this.card(job, conversation.who, CLI_JOB);
    const options = { ...job.options, completeWhenDone: true };
    if (!(await this.deps.store.updateImportJob(job.id, { state: 'running', options }, { onlyIn: ['done'] }))) return this.changedMeanwhile(job, conversation);
    const running = { ...job, state: 'running' as const, options };
    await this.deps.runs.launch(running);
    return this.card(running, conversation.who, `Completing every imported channel, as asked by ${conversation.who.name ?? 'an administrator'}…`);
  }
}
