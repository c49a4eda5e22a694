import { isGuid } from '../../domain/parse/ids';
import { targetKey } from '../../domain/targets';
import { explainFailure } from '../../domain/explain-failure';
import { toGraphCallError } from '../../graph/graph-errors';
import type { Channel } from '../../graph/teams-directory';
import type { PendingOperation } from '../../store/ports/pending-operations';
import type { Store } from '../../store/ports/store';
import type { ActingContext, FlowReply } from '../shared/acting';
import { card, text } from '../shared/acting';
import { isRequester, type OperationGuard } from '../shared/operation-guard';
import type { TargetResolver } from '../shared/target-resolver';
import { bulkBudgets, type BulkLimits } from './bulk-limits';
import type { BulkKind } from './bulk-plan';
import { planComplete, planStart } from './bulk-plan';
import { BULK_KINDS, type BulkAskArgs, type BulkPayload } from './bulk-request';
import type { BulkViews } from './bulk-views';
import type { Pacer } from '../shared/pacer';
import type { TeamChannels } from './team-channels';

/** What the preview use case reads and writes. */
export interface BulkPreviewDeps {
  guard: OperationGuard;
  resolver: TargetResolver;
  store: Store;
  pacer: Pacer;
  channels: TeamChannels;
  views: BulkViews;
  limits: BulkLimits;
}

/**
 * The ask half of `migrate team` / `complete team`: the admin check, the team and its channels,
 * the plan channel by channel, and the preview card with its pending operation (the payload Confirm
 * acts on). Nothing is changed in Teams here; a preview replaced by a new one (private channels
 * toggled) is cancelled.
 */
export class BulkPreview {
  constructor(private readonly deps: BulkPreviewDeps) {}

  /** Answers a preview request with its card, or a message saying why there is none. */
  async ask(who: ActingContext, kind: BulkKind, args: BulkAskArgs): Promise<FlowReply> {
    const { deps } = this;
    const refusal = await deps.guard.refuseNonAdmin(who, kind, { team: args.team.slice(0, 256), since: args.since });
    if (refusal) return refusal;
    // Before any Graph read: only the requester may replace (and so cancel) a preview.
    const replaced = args.replaces ? await this.replaceablePreview(who, args.replaces) : null;
    if (typeof replaced === 'string') return text(replaced);
    const tenantId = who.tenantId!;
    // Reading a team by id also counts against that team's budget; a search by name only the tenant's.
    const byId = isGuid(args.team);
    const b = bulkBudgets(deps.limits, tenantId, byId ? args.team : '');
    const team = await deps.pacer.run(byId ? [b.tenant, b.team] : [b.tenant], () => deps.resolver.resolveTeam(args.team));
    if (!team.ok) return text(team.message);
    let channels: Channel[];
    try {
      channels = await deps.channels.list(tenantId, team.value.id);
    } catch (err) {
      return text(explainFailure(toGraphCallError(err).failure, 'list'));
    }
    if (replaced) await this.cancelReplaced(replaced);
    const options = {
      excludePrivate: args.excludePrivate ?? false,
      channelIds: args.channelIds ?? null,
      cooldowns: kind === 'bulk-start' ? await deps.channels.cooldowns(team.value.id, channels) : undefined,
    };
    const items =
      kind === 'bulk-start'
        ? planStart(channels, args.since, options, who.timeZone)
        : planComplete(channels, await this.startedByBot(team.value.id, channels), options);
    if (items.length === 0)
      return text(`"${team.value.displayName}" has no channels${options.channelIds ? ' among the ones chosen' : ''}. Nothing was changed.`);
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
      typedRequired: runnable > deps.limits.typedConfirmationAbove,
      timeZone: who.timeZone,
    };
    if (runnable === 0) return card(deps.views.previewCard(payload, null, '', who));
    return deps.guard.create(who, kind, payload, deps.views.previewView(payload, null, '', who).title, (id, expiresAt) =>
      deps.views.previewCard(payload, { id, expiresAt }, '', who),
    );
  }

  /** Channels the ledger shows this bot started, so the preview can say whose migration it is. */
  private async startedByBot(teamId: string, channels: Channel[]): Promise<Set<string>> {
    const mine = new Set<string>();
    for (const c of channels) {
      if (c.migrationMode !== 'inProgress') continue;
      const entries = await this.deps.store.queryLedger({ targetKey: targetKey({ kind: 'channel', teamId, channelId: c.id }), limit: 50 });
      if (entries.some((e) => (e.action === 'start' || e.action === 'bulk-start') && e.outcome === 'succeeded')) mine.add(c.id);
    }
    return mine;
  }

  /**
   * The preview a `replaces=<id>` asks to replace: the operation when the presser asked for it, a
   * refusal when someone else did (in a channel every member sees the card and its id), null when
   * there is nothing here to replace (unknown, another conversation), so the new preview stands alone.
   */
  private async replaceablePreview(who: ActingContext, opId: string): Promise<PendingOperation | string | null> {
    const op = await this.deps.guard.load(who, opId, BULK_KINDS);
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
}
