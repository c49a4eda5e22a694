import { decideAuthor } from '../../domain/import/authors';
import { matchChannels } from '../../domain/import/channel-matching';
import { migrationDateFor } from '../../domain/import/import-rules';
import { plannedStream } from '../../domain/import/planned-stream';
import type { SourceChannel } from '../../domain/import/source-model';
import type { TeamsIdentity } from '../../domain/import/teams-message';
import { ThreadTimeline } from '../../domain/import/timeline';
import { targetKey } from '../../domain/targets';
import type { Channel, Team, TeamsDirectory } from '../../graph/teams-directory';
import type { ExportReader } from '../../sources/export-reader';
import { lastStart } from '../../store/ledger-queries';
import type { LedgerStore } from '../../store/ports/ledger';
import type { ImportContext } from './import-context';
import type { AuthorPlan, ImportPlan, TargetPlan } from './import-plan';
import { estimateSeconds } from './import-plan';

export interface PlannerDeps {
  directory: TeamsDirectory;
  ledger: LedgerStore;
  /** Requests per second per thread and for the tenant (IMPORT_THREAD_RPS, BULK_TENANT_RPS). */
  rates: { perThread: number; perTenant: number };
  now?: () => number;
}

export interface PlanRequest {
  reader: ExportReader;
  context: ImportContext;
  source: ImportPlan['source'];
  team: Team;
  channelMap: Record<string, string>;
  fallback: TeamsIdentity | null;
}

/** Only channels are imported today; DMs and group DMs are listed as not imported. */
function importable(channel: SourceChannel): boolean {
  return channel.kind === 'public' || channel.kind === 'private';
}

/** Where a target thread stands before the import: started by the engine, or continued. */
function targetAction(channel: Channel, startedByThisBot: boolean): Pick<TargetPlan, 'action' | 'warning'> {
  if (channel.migrationMode === 'inProgress') {
    return {
      action: 'continue',
      warning: startedByThisBot
        ? null
        : 'In migration mode, but the ledger has no start by this bot: if another app started it, Graph refuses the import (only the app that started a migration may import).',
    };
  }
  return { action: 'start', warning: null };
}

/**
 * Builds the import plan: the team's channels matched to the source channels, every imported
 * channel read once (streamed) to count what will be sent, skipped and credited to the fallback
 * user, and the problems that would stop a run. Reads Graph; writes nothing anywhere.
 */
export async function planImport(deps: PlannerDeps, request: PlanRequest): Promise<ImportPlan> {
  const { reader, context, team } = request;
  const now = (deps.now ?? Date.now)();
  const problems: string[] = [];
  const channels = await deps.directory.listChannels(team.id);
  const sources = context.channels.filter(importable);
  const mapping = matchChannels(
    sources,
    channels.map((c) => ({ id: c.id, displayName: c.displayName })),
    request.channelMap,
  );
  problems.push(...mapping.problems);
  const skippedChannels = context.channels
    .filter((c) => !importable(c))
    .map((c): ImportPlan['skippedChannels'][number] => ({
      name: c.name,
      sourceId: null,
      reason: `${c.kind === 'direct' ? 'direct messages' : 'group direct messages'} are not imported`,
    }));
  const authorCounts = new Map<string, number>();
  const targets: TargetPlan[] = [];
  for (const match of mapping.matches) {
    if (!match.target) {
      skippedChannels.push({ name: match.source.name, sourceId: match.source.id, reason: match.reason ?? 'not mapped' });
      continue;
    }
    const channel = channels.find((c) => c.id === match.target!.id)!;
    const source = sources.find((s) => s.id === match.source.id)!;
    const started = (await lastStart(deps.ledger, targetKey({ kind: 'channel', teamId: team.id, channelId: channel.id }))) !== null;
    const action = targetAction(channel, started);
    const createdMs = action.action === 'continue' && channel.createdDateTime ? Date.parse(channel.createdDateTime) : Number.NEGATIVE_INFINITY;
    const timeline = new ThreadTimeline(createdMs, now);
    const plan: TargetPlan = {
      source,
      target: channel,
      how: match.how === 'explicit' ? 'explicit' : 'same name',
      ...action,
      migrationDate: action.action === 'continue' ? channel.createdDateTime : null,
      planned: 0,
      roots: 0,
      replies: 0,
      placeholders: 0,
      reactions: 0,
      fallbackAuthored: 0,
      skipped: {},
      firstMessageAt: null,
      lastMessageAt: null,
    };
    let firstMs: number | null = null;
    let lastMs: number | null = null;
    for await (const item of plannedStream(reader.messages(source.id))) {
      plan.planned++;
      const decision = timeline.decide(item);
      if (!decision.send) {
        plan.skipped[decision.reason] = (plan.skipped[decision.reason] ?? 0) + 1;
        continue;
      }
      timeline.sent(decision.timeMs);
      firstMs ??= decision.timeMs;
      lastMs = decision.timeMs;
      if (item.kind === 'reply') plan.replies++;
      else if (item.kind === 'placeholder') plan.placeholders++;
      else plan.roots++;
      const author = decideAuthor(item.message, context.users, request.fallback);
      if (!('from' in author) || author.credit) plan.fallbackAuthored++;
      const key = item.message.userId ?? `name:${item.message.authorName ?? 'unknown'}`;
      authorCounts.set(key, (authorCounts.get(key) ?? 0) + 1);
      for (const r of item.message.reactions) for (const u of r.userIds) if (context.teamsUser(u) && context.emoji(r.emoji)) plan.reactions++;
    }
    plan.firstMessageAt = firstMs === null ? null : new Date(firstMs).toISOString();
    plan.lastMessageAt = lastMs === null ? null : new Date(lastMs).toISOString();
    if (plan.action === 'start' && firstMs !== null) plan.migrationDate = migrationDateFor(firstMs, channel.createdDateTime);
    targets.push(plan);
  }
  const authors = authorPlans(context, authorCounts);
  const needFallback = authors.filter((a) => a.status !== 'matched' && a.messages > 0);
  if (needFallback.length > 0 && !request.fallback) {
    problems.push(
      `${needFallback.length} author${needFallback.length === 1 ? ' has' : 's have'} no tenant user: ${needFallback
        .map((a) => `${a.name} (${a.status})`)
        .join(
          ', ',
        )}. Name a fallback user (--fallback-user <sign-in name or object id> on the command line; "Post messages of unmatched people as" on the plan card in Teams) to post their messages with their name shown, or add them to the tenant.`,
    );
  }
  if (targets.length === 0)
    problems.push(
      'No source channel matches a channel of the team; choose a target for them (--map "<source channel>=<target channel>" on the command line; the channel choices on the plan card in Teams).',
    );
  const sendsPerTarget = targets.map((t) => t.roots + t.replies + t.placeholders);
  return {
    source: request.source,
    team: { id: team.id, displayName: team.displayName },
    targets,
    skippedChannels,
    teamChannels: channels.map((c) => ({ id: c.id, displayName: c.displayName })),
    authors,
    fallback: request.fallback,
    problems,
    sends: sendsPerTarget.reduce((a, b) => a + b, 0),
    estimateSeconds: estimateSeconds(sendsPerTarget, deps.rates.perThread, deps.rates.perTenant),
  };
}

function authorPlans(context: ImportContext, counts: ReadonlyMap<string, number>): AuthorPlan[] {
  const plans: AuthorPlan[] = [];
  for (const [key, messages] of counts) {
    const mapping = context.users.get(key);
    plans.push({
      sourceUserId: key,
      name: mapping?.user?.displayName || mapping?.user?.name || key.replace(/^name:/, ''),
      email: mapping?.user?.email ?? null,
      status: mapping?.status ?? (key.startsWith('name:') ? 'bot' : 'unknown to the export'),
      teams: mapping?.status === 'matched' ? mapping.teams : null,
      messages,
    });
  }
  return plans.sort((a, b) => b.messages - a.messages || a.name.localeCompare(b.name));
}
