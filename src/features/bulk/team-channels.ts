import type { RestartCooldown } from '../../domain/restart-cooldown';
import { restartCooldown } from '../../domain/restart-cooldown';
import { targetKey } from '../../domain/targets';
import type { Channel, TeamsDirectory } from '../../graph/teams-directory';
import { lastCompletion } from '../../store/ledger-queries';
import type { Store } from '../../store/ports/store';
import { bulkBudgets, type BulkLimits } from './bulk-limits';
import type { Pacer } from '../shared/pacer';

/**
 * Each channel once, in the order listed: Graph's paging can return a channel on two pages when
 * the list changes between them, and a job holds one item per channel.
 */
export function uniqueChannels(channels: Channel[]): Channel[] {
  const seen = new Set<string>();
  return channels.filter((c) => !seen.has(c.id) && (seen.add(c.id), true));
}

/** What TeamChannels reads from. */
export interface TeamChannelsDeps {
  directory: TeamsDirectory;
  store: Store;
  pacer: Pacer;
  limits: BulkLimits;
}

/**
 * A team's channels as the preview and Confirm both need them: listed through the pacer (so a
 * preview and a running job share the Graph budgets) and each channel's restart cool-down.
 */
export class TeamChannels {
  constructor(private readonly deps: TeamChannelsDeps) {}

  /** The team's channels, each once, paced to the tenant's channel-listing and the team's budget. */
  async list(tenantId: string, teamId: string): Promise<Channel[]> {
    const b = bulkBudgets(this.deps.limits, tenantId, teamId);
    return uniqueChannels(await this.deps.pacer.run([b.channelsList, b.team], () => this.deps.directory.listChannels(teamId)));
  }

  /** Channels this bot completed too recently to start again (spec §4), from the ledger. */
  async cooldowns(teamId: string, channels: Channel[]): Promise<Map<string, RestartCooldown>> {
    const waits = new Map<string, RestartCooldown>();
    const minutes = this.deps.limits.restartCooldownMinutes ?? 0;
    if (minutes <= 0) return waits;
    const now = Date.now();
    for (const c of channels) {
      // Only a completed thread can be in its cool-down; the others need no ledger read.
      if (c.migrationMode !== 'completed') continue;
      const wait = restartCooldown(
        await lastCompletion(this.deps.store, targetKey({ kind: 'channel', teamId, channelId: c.id }), new Date(now - minutes * 60_000).toISOString()),
        now,
        minutes,
      );
      if (wait) waits.set(c.id, wait);
    }
    return waits;
  }
}
