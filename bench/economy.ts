import type { Emulator } from '../emulator/index';
import { benchAdminKey } from './fixture';
import { REFERENCE_TARGET } from './scenario';
import { startBotUnderTest } from './stack';
import type { TenantFixture } from '../emulator/index';

export interface EconomyOptions {
  /** commands typed, in total, from a cold start */
  commands: number;
  /** distinct administrators typing them, each in their own personal chat */
  admins: number;
  /** ADMIN_CACHE_SECONDS for this bot: short, so the run spans several cache lifetimes */
  adminCacheSeconds: number;
}

export interface EconomyResult {
  commands: number;
  admins: number;
  adminCacheSeconds: number;
  durationSeconds: number;
  /** tokens Entra issued to the migration app during the run, which started with an empty MSAL cache */
  tokenRequests: number;
  tokenRequestsPer1000Commands: number;
  /** checkMemberObjects calls the emulator received */
  adminLookups: number;
  /** the bot's own count (`bot.admin.directoryLookups`) */
  botDirectoryLookups: number;
  /** the most lookups any one admin caused within any ADMIN_CACHE_SECONDS-long window */
  maxLookupsPerAdminPerCacheWindow: number;
  /** shortest time between two lookups for the same admin, in seconds (null when nobody was looked up twice) */
  minSecondsBetweenLookupsOfOneAdmin: number | null;
  errors: string[];
}

/** The most timestamps in any half-open window `[t, t + windowMs)`. */
export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j] < sorted[i] + windowMs) j++;
    best = Math.max(best, j - i);
  }
  return best;
}

/** checkMemberObjects arrival times per user id, from the emulator's log. */
function lookupsByUser(emulator: Emulator): Map<string, number[]> {
  const byUser = new Map<string, number[]>();
  for (const r of emulator.requests({ service: 'graph', method: 'POST', pathIncludes: 'checkMemberObjects' })) {
    const user = decodeURIComponent(r.path.split('/')[3] ?? '').toLowerCase();
    byUser.set(user, [...(byUser.get(user) ?? []), r.at]);
  }
  return byUser;
}

/**
 * Figure 2: a fresh bot (empty MSAL token cache, empty admin cache) takes `commands` commands from
 * `admins` administrators — alternately `status` and `migrate` (confirmation card only) on the
 * reference channel, each admin typing one after another in their own chat, all admins at once.
 * Counted at the emulator: tokens issued to the migration app, and `checkMemberObjects` calls
 * per admin within any window as long as ADMIN_CACHE_SECONDS.
 */
export async function measureEconomy(emulator: Emulator, fixture: TenantFixture, options: EconomyOptions): Promise<EconomyResult> {
  emulator.reset();
  const fresh = await startBotUnderTest(emulator, fixture, { ADMIN_CACHE_SECONDS: String(options.adminCacheSeconds) });
  const errors: string[] = [];
  const t = REFERENCE_TARGET;
  const commands = [`status channel "${t.teamName}" "${t.channelName}"`, `migrate channel "${t.teamName}" "${t.channelName}" since 2020-01-01`];
  const start = performance.now();
  try {
    const perAdmin = Math.ceil(options.commands / options.admins);
    let issued = 0;
    await Promise.all(
      Array.from({ length: options.admins }, async (_, a) => {
        const chat = fresh.teams.as(benchAdminKey(a + 1)).inPersonalChat();
        for (let i = 0; i < perAdmin; i++) {
          if (issued >= options.commands) return;
          issued++;
          const before = chat.replies().length;
          const r = await chat.says(commands[i % commands.length]);
          if (r.status !== 200 || chat.replies().length !== before + 1)
            errors.push(`admin ${a + 1}: HTTP ${r.status}, ${chat.replies().length - before} replies`);
        }
      }),
    );
  } finally {
    await fresh.stop();
  }
  const durationSeconds = (performance.now() - start) / 1000;
  const byUser = lookupsByUser(emulator);
  const windowMs = options.adminCacheSeconds * 1000;
  let maxPerWindow = 0;
  let minGap = Number.POSITIVE_INFINITY;
  for (const times of byUser.values()) {
    maxPerWindow = Math.max(maxPerWindow, maxInWindow(times, windowMs));
    const sorted = [...times].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) minGap = Math.min(minGap, sorted[i] - sorted[i - 1]);
  }
  const tokenRequests = emulator.tokenCount(emulator.info.migrationApp.clientId);
  const adminLookups = [...byUser.values()].reduce((s, v) => s + v.length, 0);
  return {
    commands: options.commands,
    admins: options.admins,
    adminCacheSeconds: options.adminCacheSeconds,
    durationSeconds: Math.round(durationSeconds * 100) / 100,
    tokenRequests,
    tokenRequestsPer1000Commands: Math.round(((tokenRequests * 1000) / options.commands) * 1000) / 1000,
    adminLookups,
    botDirectoryLookups: fresh.bot.admin.directoryLookups,
    maxLookupsPerAdminPerCacheWindow: maxPerWindow,
    minSecondsBetweenLookupsOfOneAdmin: Number.isFinite(minGap) ? Math.round(minGap) / 1000 : null,
    errors: errors.slice(0, 20),
  };
}
