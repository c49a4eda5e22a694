import { randomUUID } from 'node:crypto';
import { CloudAdapter, TurnContext } from 'botbuilder';
import { ActingContext, card, FlowReply, text } from '../shared/acting';
import { isRequester, type OperationGuard } from '../shared/operation-guard';
import { errorFacts } from '../start/start-migration';
import { formatBoth, parseCreationDate } from '../../domain/parse/dates';
import { isChannelId, isGuid } from '../../domain/parse/ids';
import type { TargetResolver } from '../shared/target-resolver';
import { actingContext } from '../../teams/turn-context';
import type { AdaptiveCardJson, OutcomeView } from '../../cards/renderer';
import { explainFailure } from '../../graph/explain-failure';
import { toGraphCallError } from '../../graph/graph-errors';
import { longestCallMs } from '../../graph/request-timeout';
import type { MigrationApi } from '../../graph/migration-api';
import type { Channel, TeamsDirectory } from '../../graph/teams-directory';
import type { Logger } from '../../log/logger';
import { RestartCooldown, restartCooldown } from '../../domain/restart-cooldown';
import { lastCompletion } from '../../store/ledger-queries';
import type { BulkItem, BulkJob, PendingOperation, Store } from '../../store/types';
import type { ThreadSnapshot } from '../../domain/targets';
import { targetKey } from '../../domain/targets';
import { BulkCardAction, BulkPreviewView, BulkProgressView, renderBulkPreview, renderBulkProgress } from './bulk-cards';
import { BulkJobRun } from './bulk-job';
import { BulkKind, planComplete, PlannedItem, planStart, refreshPlan, typedConfirmationMatches } from './bulk-plan';
import { BudgetSpec, Pacer } from './pacer';
import { ProgressReporter } from './progress-reporter';
import { requesterCheck } from './requester-check';
import { BulkScheduler } from './scheduler';

// TODO(lead): the Conversation-based ButtonHandlers (features/shared/conversation) replaces this at the merge.
type ButtonHandlers = Record<string, (context: TurnContext, data: Record<string, unknown>) => Promise<FlowReply>>;

/** Graph limits the jobs are paced to (configuration: BULK_TEAM_RPS, BULK_TENANT_RPS, BULK_CONFIRM_THRESHOLD). */
export interface BulkLimits {
  /** Requests per second on one team (Graph: 4). */
  perTeamPerSecond: number;
  /** Requests per second for the whole tenant (Graph: 30). */
  perTenantPerSecond: number;
  /** More items than this need the team's name typed to confirm. */
  typedConfirmationAbove: number;
  /** Minutes a start waits after this bot completed the same channel (0 or absent: no wait). */
  restartCooldownMinutes?: number;
  /** How old an intent found in the store must be before it is read and acted on (BULK_INTENT_SETTLE_SECONDS). */
  intentSettleMs?: number;
}

/** Everything BulkFlows needs, wired in the composition root. */
export interface BulkFlowsDeps {
  guard: OperationGuard;
  resolver: TargetResolver;
  directory: TeamsDirectory;
  migration: MigrationApi;
  store: Store;
  logger: Logger;
  /** The teams-ai `TeamsAdapter` (a botbuilder `CloudAdapter`), for proactive progress updates. */
  adapter: CloudAdapter;
  botAppId: string;
  limits: BulkLimits;
  /** Least time between two updates of a progress card (default 3000 ms). */
  progressIntervalMs?: number;
  /** How long a job's lease lasts and how often it is renewed (default 15 s, renewed every 5 s). */
  lease?: Partial<BulkLeaseTiming>;
}

/**
 * A running job is leased to one bot instance at a time. The holder renews the lease every
 * `renewEveryMs`; a lease not renewed for `durationMs` (its holder crashed or hangs) is taken over
 * by another instance, which is how a dead instance's job resumes. Short, so a crashed job waits
 * little; the renewal interval must leave room for a slow store call before the lease runs out.
 */
export interface BulkLeaseTiming {
  durationMs: number;
  renewEveryMs: number;
}

const DEFAULT_LEASE: BulkLeaseTiming = { durationMs: 15000, renewEveryMs: 5000 };

/** What a bulk preview asks for; all of it came from a typed command or untrusted card data. */
export interface BulkAskArgs {
  team: string;
  since: string | null;
  excludePrivate?: boolean;
  /** Only these channels (the form's multi-select). */
  channelIds?: string[] | null;
  /** The pending operation of the preview this one replaces (toggling private channels). */
  replaces?: string | null;
}

/** What the preview promised, kept on the server under the opaque operation id. */
interface BulkPayload {
  kind: BulkKind;
  teamId: string;
  teamName: string;
  /** Shown by `cancel`. */
  targetName: string;
  since: string | null;
  excludePrivate: boolean;
  channelIds: string[] | null;
  items: PlannedItem[];
  typedRequired: boolean;
  timeZone: string | null;
  [key: string]: unknown;
}

interface RunningJob {
  run: BulkJobRun;
  reporter: ProgressReporter;
  done: Promise<void>;
}

const KINDS: BulkKind[] = ['bulk-start', 'bulk-complete'];
const PREVIEW_ROWS = 100;
const SUMMARY_ROWS = 40;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function channelLabel(name: string, membershipType: string): string {
  return membershipType && membershipType !== 'standard' ? `${name} (${membershipType})` : name;
}

/**
 * Each channel once, in the order listed: Graph's paging can return a channel on two pages when
 * the list changes between them, and a job holds one item per channel.
 */
export function uniqueChannels(channels: Channel[]): Channel[] {
  const seen = new Set<string>();
  return channels.filter((c) => !seen.has(c.id) && (seen.add(c.id), true));
}

/** Reads the preview request from a typed command or a card's data; a message when it is unusable. */
export function parseAskArgs(data: Record<string, unknown>): BulkAskArgs | string {
  const team = typeof data.team === 'string' ? data.team.trim() : '';
  if (!team || team.length > 256) return 'Name the team (1 to 256 characters), e.g. migrate team "Contoso Engineering" since 2020-01-01.';
  let since: string | null = null;
  if (typeof data.since === 'string' && data.since.trim()) {
    const parsed = parseCreationDate(data.since);
    if (!parsed.ok) return parsed.message;
    since = parsed.iso;
  } else if (data.since !== undefined && data.since !== null && data.since !== '') {
    return 'The date must be text such as 2020-01-01.';
  }
  let channelIds: string[] | null = null;
  const raw = data.channelIds;
  if (raw !== undefined && raw !== null && raw !== '') {
    const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : null;
    if (!list || list.length > 5000 || !list.every((id) => typeof id === 'string' && isChannelId(id.trim()))) return 'The chosen channels are not valid channel ids. Open the form again.';
    channelIds = list.map((id) => (id as string).trim());
  }
  const replaces = typeof data.replaces === 'string' && data.replaces ? data.replaces : null;
  return { team, since, excludePrivate: data.excludePrivate === true || data.excludePrivate === 'true', channelIds, replaces };
}

/**
 * Bulk operations over a whole team — `migrate team <team> [since <date>]` and
 * `complete team <team>`: a preview card saying what will happen to every channel (typed
 * confirmation above a threshold), then a background job paced to the Graph limits, with one
 * progress card updated in place and a final summary. Jobs survive restarts and several instances
 * can share one store: each instance (`ownerId`) works only on jobs it holds a lease on, renews
 * those while they run and takes over jobs whose lease expired. `resume` (at boot) takes every
 * job left running that no live instance holds and keeps looking for such jobs; `stop`
 * (shutdown) lets the requests in flight finish and hands unfinished jobs back.
 */
export class BulkFlows {
  /** This instance's identity as a lease holder; unique per process start. */
  readonly ownerId = randomUUID();
  private readonly pacer = new Pacer();
  private readonly scheduler: BulkScheduler;
  private readonly running = new Map<string, RunningJob>();
  /** Jobs this instance works on or is about to (reserved before the lease is asked for). */
  private readonly owned = new Set<string>();
  private readonly intervalMs: number;
  private readonly lease: BulkLeaseTiming;
  private keeper: NodeJS.Timeout | null = null;
  /** The renewal and take-over round under way, if any (`stop` waits for it). */
  private keeping: Promise<void> | null = null;
  /** Take-over passes, one after the other, so no job is launched twice by this instance. */
  private sweeps: Promise<void> = Promise.resolve();
  private stopping = false;
  private releaseStopped!: () => void;
  private readonly stopped = new Promise<void>((resolve) => (this.releaseStopped = resolve));

  constructor(private readonly deps: BulkFlowsDeps) {
    this.scheduler = new BulkScheduler(this.pacer, deps.logger);
    this.intervalMs = deps.progressIntervalMs ?? 3000;
    this.lease = { ...DEFAULT_LEASE, ...deps.lease };
    if (!(this.lease.renewEveryMs > 0 && this.lease.renewEveryMs < this.lease.durationMs)) {
      throw new Error('the bulk job lease must be renewed (renewEveryMs > 0) more often than it lasts (durationMs)');
    }
  }

  private leaseUntil(): string {
    return new Date(Date.now() + this.lease.durationMs).toISOString();
  }

  /** Card verbs (and the typed `migrate team` / `complete team` commands routed to the ask verbs). */
  buttons(): ButtonHandlers {
    const ask = (kind: BulkKind) => async (context: TurnContext, data: Record<string, unknown>) => {
      const args = parseAskArgs(data);
      return typeof args === 'string' ? text(args) : this.ask(context, kind, args);
    };
    return {
      bulkAskStart: ask('bulk-start'),
      bulkAskComplete: ask('bulk-complete'),
      bulkConfirm: (context, data) => this.confirm(context, data),
    };
  }

  /** `migrate team <team> [since <date>]`: admin check, the team's channels, the preview card. */
  askStart(context: TurnContext, args: BulkAskArgs): Promise<FlowReply> {
    return this.ask(context, 'bulk-start', args);
  }

  private budgets(tenantId: string, teamId: string) {
    const { perTeamPerSecond, perTenantPerSecond } = this.deps.limits;
    return {
      tenant: { key: `tenant:${tenantId.toLowerCase()}`, perSecond: perTenantPerSecond },
      team: { key: `team:${teamId.toLowerCase()}`, perSecond: perTeamPerSecond },
      thread: (channelId: string): BudgetSpec => ({ key: `thread:${channelId}`, perSecond: 1 }),
      // Graph allows channel listings twice the general rate (60/s vs 30/s, spec §5), in their own budget.
      channelsList: { key: `channels:${tenantId.toLowerCase()}`, perSecond: perTenantPerSecond * 2 },
    };
  }

  private async listChannels(tenantId: string, teamId: string): Promise<Channel[]> {
    const b = this.budgets(tenantId, teamId);
    return uniqueChannels(await this.pacer.run([b.channelsList, b.team], () => this.deps.directory.listChannels(teamId)));
  }

  /** Channels this bot completed too recently to start again (spec §4), from the ledger. */
  private async cooldowns(teamId: string, channels: Channel[]): Promise<Map<string, RestartCooldown>> {
    const waits = new Map<string, RestartCooldown>();
    const minutes = this.deps.limits.restartCooldownMinutes ?? 0;
    if (minutes <= 0) return waits;
    const now = Date.now();
    for (const c of channels) {
      // Only a completed thread can be in its cool-down; the others need no ledger read.
      if (c.migrationMode !== 'completed') continue;
      const wait = restartCooldown(await lastCompletion(this.deps.store, targetKey({ kind: 'channel', teamId, channelId: c.id })), now, minutes);
      if (wait) waits.set(c.id, wait);
    }
    return waits;
  }

  /** Channels the ledger shows this bot started, so the preview can say whose migration it is. */
  private async startedByBot(teamId: string, channels: Channel[]): Promise<Set<string>> {
    const mine = new Set<string>();
    for (const c of channels) {
      if (c.migrationMode !== 'inProgress') continue;
      const entries = await this.deps.store.queryAudit({ targetKey: targetKey({ kind: 'channel', teamId, channelId: c.id }), limit: 50 });
      if (entries.some((e) => (e.action === 'start' || e.action === 'bulk-start') && e.outcome === 'succeeded')) mine.add(c.id);
    }
    return mine;
  }

  private async ask(context: TurnContext, kind: BulkKind, args: BulkAskArgs): Promise<FlowReply> {
    const who = actingContext(context);
    const refusal = await this.deps.guard.refuseNonAdmin(who, kind, { team: args.team.slice(0, 256), since: args.since });
    if (refusal) return refusal;
    // Before any Graph read: only the requester may replace (and so cancel) a preview.
    const replaced = args.replaces ? await this.replaceablePreview(who, args.replaces) : null;
    if (typeof replaced === 'string') return text(replaced);
    const tenantId = who.tenantId!;
    // Reading a team by id also counts against that team's budget; a search by name only the tenant's.
    const byId = isGuid(args.team);
    const b = this.budgets(tenantId, byId ? args.team : '');
    const team = await this.pacer.run(byId ? [b.tenant, b.team] : [b.tenant], () => this.deps.resolver.resolveTeam(args.team));
    if (!team.ok) return text(team.message);
    let channels: Channel[];
    try {
      channels = await this.listChannels(tenantId, team.value.id);
    } catch (err) {
      return text(explainFailure(toGraphCallError(err).failure, 'list'));
    }
    if (replaced) await this.cancelReplaced(replaced);
    const options = { excludePrivate: args.excludePrivate ?? false, channelIds: args.channelIds ?? null, cooldowns: kind === 'bulk-start' ? await this.cooldowns(team.value.id, channels) : undefined };
    const items =
      kind === 'bulk-start' ? planStart(channels, args.since, options, who.timeZone) : planComplete(channels, await this.startedByBot(team.value.id, channels), options);
    if (items.length === 0) return text(`"${team.value.displayName}" has no channels${options.channelIds ? ' among the ones chosen' : ''}. Nothing was changed.`);
    const runnable = items.filter((i) => i.run).length;
    const payload: BulkPayload = {
      kind,
      teamId: team.value.id,
      teamName: team.value.displayName,
      targetName: `every channel of ${team.value.displayName}`,
      since: kind === 'bulk-start' ? args.since : null,
      excludePrivate: options.excludePrivate,
      channelIds: options.channelIds,
      items,
      typedRequired: runnable > this.deps.limits.typedConfirmationAbove,
      timeZone: who.timeZone,
    };
    if (runnable === 0) return card(renderBulkPreview(this.previewView(payload, null, '', who)));
    return this.deps.guard.create(who, kind, payload, this.previewView(payload, null, '', who).title, (id, expiresAt) => renderBulkPreview(this.previewView(payload, { id, expiresAt }, '', who)));
  }

  /**
   * The preview a `replaces=<id>` asks to replace: the operation when the presser asked for it, a
   * refusal when someone else did (in a channel every member sees the card and its id), null when
   * there is nothing here to replace (unknown, another conversation), so the new preview stands alone.
   */
  private async replaceablePreview(who: ActingContext, opId: string): Promise<PendingOperation | string | null> {
    const op = await this.deps.guard.load(who, opId, KINDS);
    if (!('state' in op)) return null;
    if (!isRequester(op, who)) {
      return `Only ${op.requestedBy.name ?? 'the administrator who asked'} can change this preview; it was not changed. Run the command yourself to get your own preview.`;
    }
    return op;
  }

  /** A preview replaced by a new one (private channels toggled) can no longer be confirmed. */
  private async cancelReplaced(op: PendingOperation): Promise<void> {
    if (op.state === 'pending' && (await this.deps.store.cancelPending(op.id))) {
      await this.deps.store.finishPending(op.id, 'cancelled', null);
    }
  }

  private previewView(p: BulkPayload, op: Pick<PendingOperation, 'id' | 'expiresAt'> | null, typedError: string, who: ActingContext): BulkPreviewView {
    const start = p.kind === 'bulk-start';
    const runnable = p.items.filter((i) => i.run).length;
    const skipped = p.items.length - runnable;
    const tz = who.timeZone;
    const facts = [
      { title: 'Team', value: `${p.teamName} (${p.teamId})` },
      { title: 'Channels', value: String(p.items.length) },
      { title: start ? 'Will start' : 'Will complete', value: String(runnable) },
      { title: 'Skipped', value: String(skipped) },
    ];
    if (start) facts.push({ title: 'New creation date', value: p.since ? formatBoth(p.since, tz) : 'unchanged (no date given)' });
    facts.push({ title: 'Pace', value: `at most ${this.deps.limits.perTeamPerSecond} requests/s on this team, ${this.deps.limits.perTenantPerSecond}/s for the tenant` });
    facts.push({ title: 'Requested by', value: who.name ?? who.aadObjectId ?? 'an administrator' });
    const bullets = start
      ? [
          'Each channel shows an import banner and is locked until its migration is completed.',
          'Only the migration app this bot uses can import into these channels or complete them.',
          'Backdating cannot be undone: a creation date only ever moves back in time.',
          'The job runs in the background at the Graph limits; this card then shows its progress.',
        ]
      : [
          'The import banner goes away and members can post again.',
          'No more history can be imported with its original timestamps unless a new migration is started.',
          'Only the app that started a migration can complete it; channels started by another app are reported as failed.',
          'The job runs in the background at the Graph limits; this card then shows its progress.',
        ];
    const actions: BulkCardAction[] = [];
    if (op) actions.push({ title: 'Confirm', verb: 'bulkConfirm', style: 'destructive', data: { verb: 'bulkConfirm', opId: op.id } });
    const hasPrivate = p.items.some((i) => i.membershipType === 'private' && (i.run || p.excludePrivate));
    if (hasPrivate) {
      const askVerb = start ? 'bulkAskStart' : 'bulkAskComplete';
      actions.push({
        title: p.excludePrivate ? 'Include private channels' : 'Exclude private channels',
        verb: askVerb,
        style: 'default',
        data: { verb: askVerb, team: p.teamId, since: p.since, excludePrivate: !p.excludePrivate, channelIds: p.channelIds, replaces: op?.id ?? null },
      });
    }
    if (op) actions.push({ title: 'Cancel', verb: 'cancelOp', style: 'default', data: { verb: 'cancelOp', opId: op.id } });
    const verb = start ? 'will start' : 'will complete';
    return {
      title: start ? `Start migration for ${plural(runnable, 'channel')} of ${p.teamName}?` : `Complete migration for ${plural(runnable, 'channel')} of ${p.teamName}?`,
      summary: runnable === 0 ? 'Nothing to do: every channel is skipped, for the reasons below. Nothing was changed.' : `${runnable} ${verb}, ${skipped} skipped.`,
      facts,
      warning:
        start && !p.since && runnable > 0
          ? 'No date was given: each channel keeps its current creation date, so nothing older than it can be imported. To import older history, cancel and add "since <date>".'
          : '',
      bullets: runnable > 0 ? bullets : [],
      rows: p.items.slice(0, PREVIEW_ROWS).map((i) => ({
        line: `${channelLabel(i.displayName, i.membershipType)} — ${i.run ? `${verb}${i.note ? ` (${i.note})` : ''}` : i.note}`,
        color: i.run ? 'Default' : 'Warning',
      })),
      more: p.items.length > PREVIEW_ROWS ? `…and ${p.items.length - PREVIEW_ROWS} more channels (counted above).` : '',
      typedConfirmation: op && p.typedRequired ? p.teamName : '',
      typedError,
      expires: op ? formatBoth(op.expiresAt, who.timeZone) : '',
      actions,
    };
  }

  /**
   * Confirm on a preview: the typed name when required (a wrong one re-renders the same card and
   * runs nothing), the operation claimed once (with the admin check), the channels listed again so
   * a change since the preview is skipped rather than acted on, the job recorded and leased to
   * this instance, then started in the background. Answers with the progress card, which the job
   * keeps updating in place. Each path checks the admin role exactly once.
   */
  private async confirm(context: TurnContext, data: Record<string, unknown>): Promise<FlowReply> {
    const who = actingContext(context);
    const loaded = await this.deps.guard.load(who, data.opId, KINDS);
    if (!('state' in loaded)) return loaded;
    const preview = loaded.payload as BulkPayload;
    if (loaded.state === 'pending' && preview.typedRequired && !typedConfirmationMatches(preview.teamName, data.typedConfirmation)) {
      // The one answer given without claimForButton, which is where the other paths are checked.
      const refusal = await this.deps.guard.refuseNonAdmin(who, 'bulk', { button: 'bulkConfirm' });
      if (refusal) return refusal;
      const typed = typeof data.typedConfirmation === 'string' ? data.typedConfirmation.trim().slice(0, 100) : '';
      const error = `${typed ? `"${typed}" is not the team's name. ` : ''}Type ${preview.teamName} exactly to confirm. Nothing was started.`;
      const view = this.previewView(preview, loaded, error, who);
      return { kind: 'card', card: renderBulkPreview(view), pendingId: loaded.id, title: view.title, shareAs: preview.targetName };
    }
    const claimed = await this.deps.guard.claimForButton(who, data.opId, KINDS, loaded.kind);
    if (!('state' in claimed)) return claimed;
    try {
      return await this.startClaimed(context, who, claimed);
    } catch (err) {
      return this.failAfterClaim(claimed, err);
    }
  }

  /**
   * The claimed half of Confirm: the channels listed again, the job recorded and leased to this
   * instance, then started in the background. Answers with the progress card.
   */
  private async startClaimed(context: TurnContext, who: ActingContext, claimed: PendingOperation): Promise<FlowReply> {
    const p = claimed.payload as BulkPayload;
    let live: Channel[];
    try {
      live = await this.listChannels(claimed.tenantId, p.teamId);
    } catch (err) {
      const failure = toGraphCallError(err).failure;
      return this.deps.guard.finish(claimed.id, {
        title: `Nothing was changed: ${p.teamName}`,
        color: 'Attention',
        summary: `The channels could not be listed again just before acting. ${explainFailure(failure, 'list')} Run the command again.`,
        errorFacts: errorFacts(failure),
      });
    }
    // A channel another job of this bot (on any instance) is still working on is not sent twice.
    const busy = await this.channelsInFlight(p.teamId);
    const plan = refreshPlan(p.kind, p.items, live, p.since, who.timeZone, p.kind === 'bulk-start' ? await this.cooldowns(p.teamId, live) : undefined).map((i) =>
      i.run && busy.has(i.channelId) ? { ...i, run: false, note: 'skipped: another bulk job of this bot is working on it' } : i,
    );
    const now = new Date().toISOString();
    const job: BulkJob = {
      id: claimed.id,
      kind: p.kind,
      tenantId: claimed.tenantId,
      teamId: p.teamId,
      teamName: p.teamName,
      requestedBy: { aadObjectId: who.aadObjectId, name: who.name },
      conversationId: who.conversationId,
      conversationReference: TurnContext.getConversationReference(context.activity) as Record<string, unknown>,
      progressActivityId: context.activity.replyToId ?? claimed.activityId ?? null,
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
    this.owned.add(job.id);
    try {
      await this.deps.store.createBulkJob(job, items, { ownerId: this.ownerId, leaseUntil: this.leaseUntil() });
    } catch (err) {
      this.owned.delete(job.id);
      throw err;
    }
    const befores = new Map(plan.map((i) => [i.channelId, i.before] as const));
    const run = this.launch(job, items, { ...who, timeZone: who.timeZone ?? p.timeZone }, befores, 'start');
    this.deps.logger.info({ jobId: job.id, kind: job.kind, teamId: job.teamId, items: items.length, queued: plan.filter((i) => i.run).length }, 'bulk job started');
    return card(this.progressCard(run, false, who.timeZone));
  }

  /**
   * Something failed between the claim and the job being saved (the store refused a write, …): the
   * claimed operation must not stay "being carried out" with no job behind it. Unless the job was
   * saved after all (then the take-over pass runs it), the operation is finished with a failure
   * view, which a later press of Confirm shows again. If even that cannot be recorded, the
   * interrupted-confirmation pass finishes it once the store answers again.
   */
  private async failAfterClaim(claimed: PendingOperation, err: unknown): Promise<FlowReply> {
    const p = claimed.payload as BulkPayload;
    this.deps.logger.error({ opId: claimed.id, kind: claimed.kind, err: { message: (err as Error)?.message } }, 'bulk confirmation failed before its job was saved');
    if (await this.jobSaved(claimed.id)) {
      // Left to the take-over pass, which skips the jobs this instance still counts as its own.
      if (!this.running.has(claimed.id)) this.owned.delete(claimed.id);
      return text('The bulk job was saved but could not start in this turn. The bot takes it up within a minute and this card then shows its progress.');
    }
    const view = {
      title: `Nothing was started: ${p.teamName}`,
      color: 'Attention' as const,
      summary: "The bulk job could not be saved in the bot's store just before acting, so no channel was changed. Run the command again; if this keeps happening, check the bot's storage.",
    };
    try {
      return await this.deps.guard.finish(claimed.id, view);
    } catch (finishErr) {
      this.deps.logger.error({ opId: claimed.id, err: { message: (finishErr as Error)?.message } }, 'could not record the failed bulk confirmation; the interrupted-confirmation pass finishes it');
      return text(`Nothing was started for ${p.teamName}: the bot's store is not answering. This confirmation is closed by the bot once the store works again; then run the command again.`);
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

  /** Starts (or resumes) a job in the background, after the current turn has returned. */
  private launch(job: BulkJob, items: BulkItem[], who: ActingContext, befores: ReadonlyMap<string, ThreadSnapshot>, mode: 'start' | 'resume'): BulkJobRun {
    const b = this.budgets(job.tenantId, job.teamId);
    const reporter = new ProgressReporter({
      adapter: this.deps.adapter,
      botAppId: this.deps.botAppId,
      reference: job.conversationReference,
      activityId: job.progressActivityId,
      intervalMs: this.intervalMs,
      logger: this.deps.logger,
      jobId: job.id,
      onActivityId: (id) => this.deps.store.updateBulkJob(job.id, { progressActivityId: id }),
    });
    const run: BulkJobRun = new BulkJobRun(job, items, who, befores, {
      migration: this.deps.migration,
      directory: this.deps.directory,
      store: this.deps.store,
      logger: this.deps.logger,
      pacer: this.pacer,
      budgets: { tenant: b.tenant, team: b.team, thread: b.thread },
      onChange: () => reporter.changed(() => this.progressCard(run, false, who.timeZone)),
      checkRequester: requesterCheck(this.deps.guard, job, who),
      intentSettleMs: this.deps.limits.intentSettleMs ?? longestCallMs(30_000),
      stillOwner: () => this.deps.store.renewBulkJobLease(job.id, this.ownerId, this.leaseUntil()),
    });
    const done = (async () => {
      // Never inside the turn: the confirming turn must return its card before the first update.
      await new Promise((resolve) => setImmediate(resolve));
      // The requester's admin role is checked before each item's write (BulkJobRun), not only here.
      if (run.active && !this.stopping) this.scheduler.add(run);
      await Promise.race([run.finished, this.stopped]);
      this.scheduler.remove(run);
      if (run.abandonedBecause) {
        // Another instance holds the job now and updates the same progress card; nothing to hand back.
        reporter.flush();
        return;
      }
      if (run.active) {
        // Stopped before the end: the job stays 'running' and is handed back, so the next instance
        // (or this one after a restart) takes it over at once instead of waiting for the lease to end.
        await this.releaseLease(job.id);
        return;
      }
      await reporter.final(() => this.progressCard(run, true, who.timeZone));
      await this.deps.store.updateBulkJob(job.id, { state: run.stoppedBecause ? 'cancelled' : 'done' });
      await this.releaseLease(job.id);
      try {
        await this.deps.store.finishPending(job.id, 'done', { view: this.summaryOutcome(run, who.timeZone) });
      } catch (err) {
        this.deps.logger.warn({ jobId: job.id, err: { message: (err as Error)?.message } }, 'could not record the bulk summary on its confirmation');
      }
      const counts = this.counts(run.snapshot());
      this.deps.logger.info({ jobId: job.id, kind: job.kind, ...counts }, 'bulk job finished');
    })()
      .catch((err) => this.deps.logger.error({ jobId: job.id, err: { message: (err as Error)?.message } }, 'bulk job stopped by an error; the next take-over pass picks it up again'))
      .finally(() => {
        this.running.delete(job.id);
        this.owned.delete(job.id);
      });
    this.running.set(job.id, { run, reporter, done });
    this.deps.logger.info({ jobId: job.id, mode, owner: this.ownerId }, 'bulk job leased to this instance');
    this.startKeeper();
    return run;
  }

  private async releaseLease(jobId: string): Promise<void> {
    try {
      await this.deps.store.releaseBulkJobLease(jobId, this.ownerId);
    } catch (err) {
      // Not fatal: an unreleased lease simply expires.
      this.deps.logger.warn({ jobId, err: { message: (err as Error)?.message } }, 'could not release the bulk job lease');
    }
  }

  /** Renews this instance's leases and takes over abandoned jobs, every `renewEveryMs`. */
  private startKeeper(): void {
    if (this.keeper || this.stopping) return;
    this.keeper = setInterval(() => {
      if (this.keeping || this.stopping) return;
      this.keeping = this.keep().finally(() => (this.keeping = null));
    }, this.lease.renewEveryMs);
    this.keeper.unref();
  }

  private async keep(): Promise<void> {
    try {
      for (const [jobId, { run }] of this.running) {
        if (this.stopping) return;
        if (run.abandonedBecause || !run.active) continue;
        let kept: boolean;
        try {
          kept = await this.deps.store.renewBulkJobLease(jobId, this.ownerId, this.leaseUntil());
        } catch (err) {
          // The store may be briefly unreachable; the next renewal comes well before the lease ends.
          this.deps.logger.warn({ jobId, err: { message: (err as Error)?.message } }, 'could not renew the bulk job lease');
          continue;
        }
        // Lost (this process stalled past the lease and another instance took over): stop here.
        if (!kept) run.abandon('the job lease was taken over by another bot instance');
      }
      await this.takeOverInTurn();
    } catch (err) {
      this.deps.logger.warn({ err: { message: (err as Error)?.message } }, 'could not look for bulk jobs to take over');
    }
  }

  private counts(items: BulkItem[]) {
    const c = { succeeded: 0, failed: 0, skipped: 0, remaining: 0 };
    for (const i of items) {
      if (i.state === 'succeeded') c.succeeded++;
      else if (i.state === 'failed') c.failed++;
      else if (i.state === 'skipped') c.skipped++;
      else c.remaining++;
    }
    return c;
  }

  private progressView(run: BulkJobRun, final: boolean, timeZone: string | null): BulkProgressView {
    const { job } = run;
    const items = run.snapshot();
    const c = this.counts(items);
    const start = job.kind === 'bulk-start';
    const doneWord = start ? 'started' : 'completed';
    const stopped = run.stoppedBecause;
    const name = (i: BulkItem) => (i.target.kind === 'channel' ? i.target.displayName ?? i.target.channelId : i.target.displayName ?? i.target.chatId);
    const failed = items.filter((i) => i.state === 'failed');
    const skipped = final ? items.filter((i) => i.state === 'skipped') : [];
    const hidden = Math.max(0, failed.length - SUMMARY_ROWS) + Math.max(0, skipped.length - SUMMARY_ROWS);
    const facts = [
      { title: start ? 'Started' : 'Completed', value: String(c.succeeded) },
      { title: 'Failed', value: String(c.failed) },
      { title: 'Skipped', value: String(c.skipped) },
      { title: 'Remaining', value: String(c.remaining) },
      { title: 'Team', value: job.teamName },
    ];
    if (start) facts.push({ title: 'New creation date', value: job.conversationCreationDateTime ? formatBoth(job.conversationCreationDateTime, timeZone) : 'unchanged (no date given)' });
    facts.push({ title: 'Requested by', value: job.requestedBy.name ?? job.requestedBy.aadObjectId ?? 'unknown' }, { title: 'Job', value: job.id });
    const nextSteps: string[] = [];
    if (final && start && c.succeeded > 0) {
      nextSteps.push(`Next: import the history with the same migration app, then type complete team "${job.teamName}" to unlock the channels.`);
    }
    if (final && c.failed > 0) nextSteps.push('Every item, with its Graph request-id, is in the audit ledger (type audit).');
    const total = items.length;
    return {
      title: final
        ? `${start ? 'Bulk start' : 'Bulk complete'} ${stopped ? 'stopped' : 'finished'}: ${job.teamName}`
        : `${start ? 'Starting' : 'Completing'} migration: ${job.teamName}`,
      color: final ? (c.failed > 0 || stopped ? 'Warning' : 'Good') : 'Accent',
      summary: final
        ? `${c.succeeded} ${doneWord}, ${c.failed} failed, ${c.skipped} skipped.${stopped ? ` Stopped early: ${stopped}.` : ''}${run.adminCheckNote ? ` ${run.adminCheckNote}` : ''}`
        : `${c.succeeded + c.failed + c.skipped} of ${total} done. Paced to the Graph limits (at most ${this.deps.limits.perTeamPerSecond} requests/s on this team); this card updates every few seconds.`,
      facts,
      failures: failed.slice(0, SUMMARY_ROWS).map((i) => ({
        line: `${name(i)}: ${i.detail ?? 'failed'}${i.errorCode ? ` (${i.errorCode}${i.requestId ? `, request-id ${i.requestId}` : ''})` : ''}`,
      })),
      skipped: skipped.slice(0, SUMMARY_ROWS).map((i) => ({ line: `${name(i)}: ${i.detail ?? 'skipped'}` })),
      more: hidden > 0 ? `…and ${hidden} more; the audit ledger has every item.` : '',
      nextSteps,
      footer: `${final ? 'Finished' : 'Updated'} ${formatBoth(new Date().toISOString(), timeZone)}.`,
    };
  }

  private progressCard(run: BulkJobRun, final: boolean, timeZone: string | null): AdaptiveCardJson {
    return renderBulkProgress(this.progressView(run, final, timeZone));
  }

  /** The summary a later press of the same Confirm shows (the outcome card's shape). */
  private summaryOutcome(run: BulkJobRun, timeZone: string | null): Pick<OutcomeView, 'title'> & Partial<OutcomeView> {
    const v = this.progressView(run, true, timeZone);
    return { title: v.title, color: v.color, summary: v.summary, facts: v.facts, nextSteps: [...v.failures.map((f) => f.line), ...v.nextSteps] };
  }

  /**
   * At boot: continues every job the store says is running that no live instance holds (its lease
   * is free or expired), then keeps looking for such jobs every `renewEveryMs`, which is how the
   * job of an instance that crashed is taken over. An item left with an intent but no outcome is
   * settled from the ledger when its entry was written, otherwise by reading the thread's
   * `migrationMode` before anything is sent again. Resolves once the jobs found are scheduled.
   */
  async resume(): Promise<void> {
    await this.takeOverInTurn();
    this.startKeeper();
  }

  private takeOverInTurn(): Promise<void> {
    const pass = this.sweeps.then(() => this.takeOver());
    this.sweeps = pass.catch(() => undefined);
    return pass;
  }

  private async takeOver(): Promise<void> {
    if (this.stopping) return;
    const jobs = await this.deps.store.listBulkJobs('running');
    for (const job of jobs) {
      if (this.owned.has(job.id) || this.stopping) continue;
      this.owned.add(job.id);
      let leased = false;
      try {
        leased = await this.deps.store.acquireBulkJobLease(job.id, this.ownerId, this.leaseUntil());
      } finally {
        if (!leased) this.owned.delete(job.id);
      }
      if (!leased) continue;
      if (this.stopping) {
        // Shutting down while the lease was being taken: hand it straight back.
        this.owned.delete(job.id);
        await this.releaseLease(job.id);
        continue;
      }
      try {
        await this.launchResumed(job);
      } catch (err) {
        this.owned.delete(job.id);
        await this.releaseLease(job.id);
        throw err;
      }
    }
  }

  /** Loads a job this instance has just leased, as the store has it now, and runs what is left. */
  private async launchResumed(listed: BulkJob): Promise<void> {
    // Read again under the lease: the previous holder may have sent the progress card meanwhile.
    const job = (await this.deps.store.getBulkJob(listed.id)) ?? listed;
    const items = await this.deps.store.listBulkItems(job.id);
    for (let i = 0; i < items.length; i++) {
      if (items[i].state === 'intent') items[i] = await this.settleFromLedger(job, items[i]);
    }
    const op = await this.deps.store.getPending(job.id);
    const payload = op?.payload as BulkPayload | undefined;
    const befores = new Map((payload?.items ?? []).map((i) => [i.channelId, i.before] as const));
    const who: ActingContext = {
      aadObjectId: job.requestedBy.aadObjectId,
      name: job.requestedBy.name,
      tenantId: job.tenantId,
      conversationId: job.conversationId,
      timeZone: payload?.timeZone ?? null,
    };
    const c = this.counts(items);
    this.deps.logger.info({ jobId: job.id, kind: job.kind, remaining: c.remaining, intent: items.filter((i) => i.state === 'intent').length }, 'resuming bulk job');
    this.launch(job, items, who, befores, 'resume');
  }

  /** An intent whose ledger entry exists: the crash came after the call and the entry, so no call again. */
  private async settleFromLedger(job: BulkJob, item: BulkItem): Promise<BulkItem> {
    const entries = await this.deps.store.queryAudit({ targetKey: targetKey(item.target), action: job.kind, limit: 50 });
    const entry = entries.find((e) => e.jobId === job.id);
    if (!entry) return item;
    const state = entry.outcome === 'succeeded' ? 'succeeded' : 'failed';
    const failure = entry.error
      ? { status: entry.error.status ?? 0, code: entry.error.code ?? 'Unknown', message: entry.error.message, requestId: entry.requestId, date: entry.at, outcomeUnknown: entry.outcome === 'unknown' }
      : null;
    const detail = failure ? explainFailure(failure, job.kind === 'bulk-start' ? 'start' : 'complete') : null;
    const errorCode = failure ? (failure.status ? `${failure.status} ${failure.code}` : failure.code) : null;
    await this.deps.store.updateBulkItem(job.id, item.itemKey, { state, detail, errorCode, requestId: entry.requestId });
    return { ...item, state, detail, errorCode, requestId: entry.requestId };
  }

  /**
   * Graceful stop: no new request is sent, requests in flight finish and record their outcome,
   * finished jobs send their final card now; unfinished jobs stay running and their leases are
   * released, so another instance (or this one after a restart) takes them over at once.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.keeper) clearInterval(this.keeper);
    this.keeper = null;
    // A renewal round or take-over pass under way finishes first (whatever it launches now is
    // handed straight back), so nothing touches the store after it is closed.
    await this.keeping;
    await this.sweeps;
    await this.scheduler.stop();
    for (const job of this.running.values()) job.reporter.flush();
    this.releaseStopped();
    await Promise.allSettled([...this.running.values()].map((j) => j.done));
  }

  /** Resolves when no job is running in this process (tests and benchmarks wait on it). */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()].map((j) => j.done));
  }
}
