import { explainFailure } from '../../domain/explain-failure';
import { toGraphCallError } from '../../graph/graph-errors';
import type { Channel } from '../../graph/teams-directory';
import type { Logger } from '../../log/logger';
import type { BulkItem, BulkJob } from '../../store/ports/bulk-jobs';
import type { PendingOperation } from '../../store/ports/pending-operations';
import type { Store } from '../../store/ports/store';
import type { FlowReply } from '../shared/acting';
import { card, text } from '../shared/acting';
import type { Conversation } from '../shared/conversation';
import { onItsMessage, type OperationGuard } from '../shared/operation-guard';
import { errorFacts } from '../shared/error-facts';
import type { BulkLease } from './bulk-lease';
import { refreshPlan, typedConfirmationMatches } from './bulk-plan';
import { BULK_KINDS, readBulkPayload, UNREADABLE_BULK_PREVIEW } from './bulk-request';
import type { BulkViews } from './bulk-views';
import type { JobSupervisor } from './job-supervisor';
import type { TeamChannels } from './team-channels';

/** What the confirm use case reads, writes and hands the job to. */
export interface BulkConfirmDeps {
  guard: OperationGuard;
  store: Store;
  logger: Logger;
  channels: TeamChannels;
  views: BulkViews;
  lease: BulkLease;
  supervisor: JobSupervisor;
}

/**
 * Confirm on a bulk preview: the typed name when required (a wrong one re-renders the same card and
 * runs nothing), the operation claimed once (with the admin check), the channels listed again so a
 * change since the preview is skipped rather than acted on, the job recorded and leased to this
 * instance, then launched in the background. Answers with the progress card, which the job keeps
 * updating in place. Each path checks the admin role exactly once; a failure after the claim
 * finishes the operation rather than leaving it "being carried out".
 */
export class BulkConfirm {
  constructor(private readonly deps: BulkConfirmDeps) {}

  /** Handles a press of Confirm (`data` is the untrusted card data: the operation id, the typed name). */
  async confirm(conversation: Conversation, data: Record<string, unknown>): Promise<FlowReply> {
    const { who } = conversation;
    const loaded = await this.deps.guard.load(who, data.opId, BULK_KINDS);
    if (!('state' in loaded)) return loaded;
    const preview = readBulkPayload(loaded.payload);
    if (!preview) return text(UNREADABLE_BULK_PREVIEW);
    if (loaded.state === 'pending' && preview.typedRequired && !typedConfirmationMatches(preview.teamName, data.typedConfirmation)) {
      // The one answer given without claimForButton, which is where the other paths are checked.
      const refusal = (await this.deps.guard.refuseNonAdmin(who, 'bulk', { button: 'bulkConfirm' })) ?? this.deps.guard.refuseNonRequester(loaded, who);
      if (refusal) return refusal;
      const typed = typeof data.typedConfirmation === 'string' ? data.typedConfirmation.trim().slice(0, 100) : '';
      const error = `${typed ? `"${typed}" is not the team's name. ` : ''}Type ${preview.teamName} exactly to confirm. Nothing was started.`;
      return {
        kind: 'card',
        card: this.deps.views.previewCard(preview, loaded, error, who),
        pendingId: loaded.id,
        title: this.deps.views.previewView(preview, loaded, error, who).title,
        shareAs: preview.targetName,
      };
    }
    const claimed = await this.deps.guard.claimForButton(who, data.opId, BULK_KINDS, loaded.kind);
    if (!('state' in claimed)) return claimed;
    try {
      return await this.startClaimed(conversation, claimed);
    } catch (err) {
      return this.failAfterClaim(claimed, err);
    }
  }

  /**
   * The claimed half of Confirm: the channels listed again, the job recorded and leased to this
   * instance, then started in the background. Answers with the progress card.
   */
  private async startClaimed(conversation: Conversation, claimed: PendingOperation): Promise<FlowReply> {
    const { deps } = this;
    const { who } = conversation;
    const p = readBulkPayload(claimed.payload);
    if (!p) return deps.guard.finish(claimed, { title: 'Nothing was started', color: 'Attention', summary: UNREADABLE_BULK_PREVIEW });
    let live: Channel[];
    try {
      live = await deps.channels.list(claimed.tenantId, p.teamId);
    } catch (err) {
      const failure = toGraphCallError(err).failure;
      return deps.guard.finish(claimed, {
        title: `Nothing was changed: ${p.teamName}`,
        color: 'Attention',
        summary: `The channels could not be listed again just before acting. ${explainFailure(failure, 'list')} Run the command again.`,
        errorFacts: errorFacts(failure),
      });
    }
    // A channel another job of this bot (on any instance) is still working on is not sent twice.
    const busy = await this.channelsInFlight(p.teamId);
    const plan = refreshPlan(
      p.kind,
      p.items,
      live,
      p.since,
      who.timeZone,
      p.kind === 'bulk-start' ? await deps.channels.cooldowns(p.teamId, live) : undefined,
    ).map((i) => (i.run && busy.has(i.channelId) ? { ...i, run: false, note: 'skipped: another bulk job of this bot is working on it' } : i));
    const now = new Date().toISOString();
    const job: BulkJob = {
      id: claimed.id,
      kind: p.kind,
      tenantId: claimed.tenantId,
      teamId: p.teamId,
      teamName: p.teamName,
      requestedBy: { aadObjectId: who.aadObjectId, name: who.name },
      conversationId: who.conversationId,
      conversationReference: conversation.reference,
      // The operation's own message first: a Confirm pressed on a card shown over someone else's
      // message (a form opened from their summary) must not turn that message into this job's progress.
      progressActivityId: claimed.activityId ?? conversation.replyToId ?? null,
      conversationCreationDateTime: p.since,
      state: 'running',
      createdAt: now,
      updatedAt: now,
    };
    const items: BulkItem[] = plan.map((i, seq) => ({
      jobId: job.id,
      itemKey: i.channelId,
      seq,
      target: { kind: 'channel', teamId: p.teamId, channelId: i.channelId, displayName: i.displayName, teamName: p.teamName },
      state: i.run ? 'queued' : 'skipped',
      detail: i.run ? null : i.note,
      errorCode: null,
      requestId: null,
      updatedAt: now,
    }));
    // Reserved here and leased from birth: neither this instance's take-over pass nor another
    // instance can start the same job.
    deps.supervisor.reserve(job.id);
    try {
      await deps.store.createBulkJob(job, items, { ownerId: deps.lease.ownerId, leaseUntil: deps.lease.until() });
    } catch (err) {
      deps.supervisor.unreserve(job.id);
      throw err;
    }
    const befores = new Map(plan.map((i) => [i.channelId, i.before] as const));
    const run = deps.supervisor.launch(job, items, { ...who, timeZone: who.timeZone ?? p.timeZone }, befores, 'start');
    deps.logger.info({ jobId: job.id, kind: job.kind, teamId: job.teamId, items: items.length, queued: plan.filter((i) => i.run).length }, 'bulk job started');
    return onItsMessage(card(deps.views.progressCard(run, false, who.timeZone)), claimed);
  }

  /**
   * Something failed between the claim and the job being saved (the store refused a write, …): the
   * claimed operation must not stay "being carried out" with no job behind it. Unless the job was
   * saved after all (then the take-over pass runs it), the operation is finished with a failure
   * view, which a later press of Confirm shows again. If even that cannot be recorded, the
   * interrupted-confirmation pass finishes it once the store answers again.
   */
  private async failAfterClaim(claimed: PendingOperation, err: unknown): Promise<FlowReply> {
    const teamName = readBulkPayload(claimed.payload)?.teamName ?? 'the team';
    this.deps.logger.error(
      { opId: claimed.id, kind: claimed.kind, err: { message: (err as Error)?.message } },
      'bulk confirmation failed before its job was saved',
    );
    if (await this.jobSaved(claimed.id)) {
      // Left to the take-over pass, which skips the jobs this instance still counts as its own.
      this.deps.supervisor.unreserve(claimed.id);
      return text('The bulk job was saved but could not start in this turn. The bot takes it up within a minute and this card then shows its progress.');
    }
    const view = {
      title: `Nothing was started: ${teamName}`,
      color: 'Attention' as const,
      summary:
        "The bulk job could not be saved in the bot's store just before acting, so no channel was changed. Run the command again; if this keeps happening, check the bot's storage.",
    };
    try {
      return await this.deps.guard.finish(claimed, view);
    } catch (finishErr) {
      this.deps.logger.error(
        { opId: claimed.id, err: { message: (finishErr as Error)?.message } },
        'could not record the failed bulk confirmation; the interrupted-confirmation pass finishes it',
      );
      return text(
        `Nothing was started for ${teamName}: the bot's store is not answering. This confirmation is closed by the bot once the store works again; then run the command again.`,
      );
    }
  }

  /** Whether a job exists for `jobId`; false when the store cannot say either. */
  private async jobSaved(jobId: string): Promise<boolean> {
    try {
      return (await this.deps.store.getBulkJob(jobId)) !== null;
    } catch {
      return false;
    }
  }

  /** Channels of a team that running jobs (of this or another instance) have yet to settle. */
  private async channelsInFlight(teamId: string): Promise<Set<string>> {
    const busy = new Set<string>();
    for (const job of await this.deps.store.listBulkJobs('running')) {
      if (job.teamId !== teamId) continue;
      for (const item of await this.deps.store.listBulkItems(job.id)) {
        if (item.state === 'queued' || item.state === 'intent') busy.add(item.itemKey);
      }
    }
    return busy;
  }
}
