import { formatBoth } from '../../domain/parse/dates';
import type { RestartCooldown } from '../../domain/restart-cooldown';
import { startProblem } from '../../domain/start-problem';
import type { Channel } from '../../graph/teams-directory';
import { snapshotOf } from '../../domain/targets';
import type { ThreadSnapshot } from '../../domain/targets';

/** The two bulk operations: start migration on many channels, or complete it. */
export type BulkKind = 'bulk-start' | 'bulk-complete';

/** One channel of a bulk preview: what will happen to it, and why not when it is skipped. */
export interface PlannedItem {
  channelId: string;
  displayName: string;
  membershipType: string;
  /** The channel as listed when the plan was made (the ledger's "before"). */
  before: ThreadSnapshot;
  run: boolean;
  /** Plain words: why it is skipped, or a caveat about running it. */
  note: string | null;
}

/** What the admin narrowed the bulk operation to (all optional; untrusted input already checked). */
export interface PlanOptions {
  /** Leave private channels out (they are listed as skipped, with this as the reason). */
  excludePrivate: boolean;
  /** Only these channel ids, when the form's multi-select chose some; null = every channel. */
  channelIds: string[] | null;
  /** Channels this bot completed too recently to start again (see restartCooldown), by channel id. */
  cooldowns?: ReadonlyMap<string, RestartCooldown>;
}

function base(c: Channel): Omit<PlannedItem, 'run' | 'note'> {
  return { channelId: c.id, displayName: c.displayName, membershipType: c.membershipType ?? 'standard', before: snapshotOf(c) };
}

function selected(channels: Channel[], options: PlanOptions): Channel[] {
  if (!options.channelIds) return channels;
  const wanted = new Set(options.channelIds);
  return channels.filter((c) => wanted.has(c.id));
}

/**
 * Decides, per channel, whether a bulk start will call `startMigration`: skipped when already in
 * migration mode, when the date is not earlier than its creation date (spec §2), or when private
 * channels were excluded. Pure; the preview card and the job both use it.
 */
export function planStart(channels: Channel[], since: string | null, options: PlanOptions, timeZone: string | null): PlannedItem[] {
  return selected(channels, options).map((c) => {
    const item = base(c);
    const problem = startProblem({ thread: c, since, recentCompletion: options.cooldowns?.get(c.id) ?? null });
    if (problem?.rule === 'already-in-migration') return { ...item, run: false, note: 'skipped: already in migration mode' };
    if (options.excludePrivate && c.membershipType === 'private') return { ...item, run: false, note: 'skipped: private channels excluded' };
    if (problem?.rule === 'date-not-earlier') {
      return { ...item, run: false, note: `skipped: the date is not earlier than its creation date ${formatBoth(problem.createdDateTime, timeZone)}` };
    }
    if (problem?.rule === 'recently-completed') {
      const { wait } = problem;
      return {
        ...item,
        run: false,
        note: `skipped: completed by this bot ${formatBoth(wait.completedAt, timeZone)}; a thread restarted straight after completing can get stuck, so start it again after ${formatBoth(wait.retryAt, timeZone)}`,
      };
    }
    return { ...item, run: true, note: c.migrationMode === 'completed' ? 'migrated before; a new migration starts' : null };
  });
}

/**
 * Decides, per channel, whether a bulk complete will call `completeMigration`: only channels in
 * migration mode run. Whether this app owns the migration is only known when Graph answers, so a
 * channel the ledger has no start for gets a caveat instead of being skipped.
 */
export function planComplete(channels: Channel[], startedByBot: ReadonlySet<string>, options: PlanOptions): PlannedItem[] {
  return selected(channels, options).map((c) => {
    const item = base(c);
    if (c.migrationMode === 'completed') return { ...item, run: false, note: 'skipped: migration already completed' };
    if (c.migrationMode !== 'inProgress') return { ...item, run: false, note: 'skipped: not in migration mode' };
    if (options.excludePrivate && c.membershipType === 'private') return { ...item, run: false, note: 'skipped: private channels excluded' };
    return {
      ...item,
      run: true,
      note: startedByBot.has(c.id) ? null : 'not started by this bot: if another app owns the migration, Graph refuses and it is reported',
    };
  });
}

/**
 * Carries a confirmed plan over to what is live now: a channel that was going to run but whose
 * state changed since the preview (entered migration, left it, was deleted) is skipped with the
 * reason. Nothing that was skipped starts running, and no channel is added.
 */
export function refreshPlan(
  kind: BulkKind,
  planned: PlannedItem[],
  live: Channel[],
  since: string | null,
  timeZone: string | null,
  cooldowns?: ReadonlyMap<string, RestartCooldown>,
): PlannedItem[] {
  const byId = new Map(live.map((c) => [c.id, c]));
  return planned.map((p) => {
    if (!p.run) return p;
    const now = byId.get(p.channelId);
    if (!now) return { ...p, run: false, note: 'skipped: the channel no longer exists' };
    const fresh =
      kind === 'bulk-start'
        ? planStart([now], since, { excludePrivate: false, channelIds: null, cooldowns }, timeZone)[0]
        : planComplete([now], new Set([now.id]), { excludePrivate: false, channelIds: null })[0];
    if (!fresh.run) return { ...fresh, note: `${fresh.note} (changed after the preview)` };
    return { ...p, before: fresh.before };
  });
}

/** True when the typed confirmation is exactly the expected name (surrounding spaces ignored). */
export function typedConfirmationMatches(expected: string, typed: unknown): boolean {
  return typeof typed === 'string' && typed.trim() === expected.trim();
}
