import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_LIMITS, type Emulator, type TenantFixture } from '../emulator/index';
import { jsonText } from '../emulator/json';
import type { CardButton } from './cards';
import { findButton, invokeText, pressButton } from './cards';
import { bulkTeams, type BenchFixtureShape } from './fixture';
import { startBotUnderTest } from './stack';

export interface BulkOptions {
  /** published limits × scale are enforced by the emulator and configured in the bot (1 = the published limits) */
  scale: number;
  /** give up waiting for the jobs after this long */
  timeoutSeconds: number;
}

/** The limits in force during the run, requests per second. */
export interface BulkLimitsInForce {
  perAppPerTenant: number;
  perAppPerTeam: number;
  perAppPerThread: number;
  channelsListPerAppPerTenant: number;
}

export type BulkResult =
  | { status: 'pending'; reason: string; teams: number; channels: number }
  | {
      status: 'measured';
      teams: number;
      channels: number;
      scale: number;
      limits: BulkLimitsInForce;
      /** first Confirm pressed → last channel put into migration mode */
      wallSeconds: number;
      /** the schedule the limits allow for one startMigration per channel: max(channels / tenant rate, channels per team / team rate) */
      idealSeconds: number;
      wallOverIdeal: number;
      /** the same bound for every Graph request the bot actually sent in the window (listings and read-backs included) */
      idealSecondsForRequestsSent: number;
      /** the previews, typed one after another before the window, for context */
      previewSeconds: number;
      /** first Confirm → every job finished (ledger written, final cards sent) */
      allJobsFinishedSeconds: number;
      succeeded: number;
      failedItems: number;
      skippedItems: number;
      channelsNotInMigration: number;
      duplicateStartMigrationCalls: number;
      graphRequests: number;
      throttled429: number;
      throttledPercent: number;
      errors: string[];
    };

/** The administrator who asks for every bulk preview (a fixture Teams Administrator). */
const BULK_ADMIN = 'alex';

const BULK_UNAVAILABLE = /not available in this deployment/i;

/**
 * Figure 3: fifty bulk jobs — one per generated team, previews asked one after another by one
 * admin, then all fifty Confirms pressed at once — against an emulator enforcing the published
 * per-tenant, per-team and per-thread limits (× `scale`), with the bot configured for the same.
 * Measured at the emulator: when the last channel entered migration mode, how many requests
 * were throttled, and whether any channel received startMigration twice; from the bot's ledger:
 * items failed or skipped. When the deployment has no bulk feature yet, reports it as pending.
 */
export async function measureBulk(emulator: Emulator, fixture: TenantFixture, shape: BenchFixtureShape, options: BulkOptions): Promise<BulkResult> {
  const teams = bulkTeams(shape);
  const channels = teams.reduce((n, t) => n + t.channelIds.length, 0);
  const s = options.scale;
  const limits: BulkLimitsInForce = {
    perAppPerTenant: DEFAULT_LIMITS.perAppPerTenant * s,
    perAppPerTeam: DEFAULT_LIMITS.perAppPerTeam * s,
    perAppPerThread: DEFAULT_LIMITS.perAppPerThread * s,
    channelsListPerAppPerTenant: DEFAULT_LIMITS.channelsListPerAppPerTenant * s,
  };
  emulator.reset();
  emulator.setLimits({ enabled: true, ...limits });
  const fresh = await startBotUnderTest(emulator, fixture, {
    BULK_TEAM_RPS: String(limits.perAppPerTeam),
    BULK_TENANT_RPS: String(limits.perAppPerTenant),
  });
  try {
    // One administrator asks for the fifty previews one after another, as an admin would type
    // them; every preview's Confirm is collected, then all are pressed at once.
    const chat = fresh.teams.as(BULK_ADMIN).inPersonalChat();
    const errors: string[] = [];
    const confirms: CardButton[] = [];
    const askStart = Date.now();
    for (const team of teams) {
      const asked = await chat.says(`migrate team "${team.displayName}" since 2020-01-01`);
      const reply = chat.lastReply();
      if (reply?.text && BULK_UNAVAILABLE.test(reply.text)) {
        return { status: 'pending', reason: `the bot answered "${reply.text}" (src/bulk is not wired into startBot yet)`, teams: teams.length, channels };
      }
      if (asked.status !== 200) errors.push(`ask ${team.displayName}: HTTP ${asked.status}`);
      try {
        confirms.push(findButton(chat, emulator, 'Confirm'));
      } catch (err) {
        throw new Error(
          `bulk preview for ${team.displayName}: ${(err as Error).message}; the bot said: ${(reply?.text ?? JSON.stringify(reply?.attachments ?? null)).slice(0, 300)}`,
          { cause: err },
        );
      }
    }
    const previewSeconds = (Date.now() - askStart) / 1000;
    // Start the measured window on empty budgets at both ends, as the ideal schedule assumes. (The
    // emulator is not reset: the previews' activities must stay known to its connector, since the
    // jobs update them in place.)
    await sleep(1100 / s + 100);
    const t0 = Date.now();
    const started = await Promise.all(confirms.map((button, i) => pressButton(chat, button, { typedConfirmation: teams[i].displayName })));
    started.forEach((r, i) => {
      const text = invokeText(r);
      if (r.status !== 200 || /Nothing was changed|not the team's name|unknown/i.test(text))
        errors.push(`confirm ${teams[i].displayName}: ${r.status} ${text.slice(0, 160)}`);
    });

    const allIds = teams.flatMap((t) => t.channelIds);
    const deadline = Date.now() + options.timeoutSeconds * 1000;
    while (Date.now() < deadline && allIds.some((id) => emulator.thread(id)?.migrationMode !== 'inProgress')) await sleep(100);
    await Promise.race([fresh.bot.bulk.whenIdle(), sleep(Math.max(0, deadline - Date.now()))]);
    const allDone = Date.now();

    const graph = emulator.requests({ service: 'graph' }).filter((r) => r.at >= t0);
    const starts = graph.filter((r) => r.method === 'POST' && r.path.endsWith('/startMigration') && r.status === 204);
    const lastStart = starts.reduce((m, r) => Math.max(m, r.at), t0);
    const throttled = graph.filter((r) => r.status === 429).length;
    const passed = graph.filter((r) => r.status !== 429);
    const listings = passed.filter((r) => r.method === 'GET' && /\/channels$/.test(r.path)).length;
    const perTeamSent = new Map<string, number>();
    for (const r of passed) {
      const team = r.path.split('/')[3];
      if (r.path.split('/')[2] === 'teams' && team) perTeamSent.set(team, (perTeamSent.get(team) ?? 0) + 1);
    }
    const idealSecondsForRequestsSent = Math.max(
      (passed.length - listings) / limits.perAppPerTenant,
      listings / limits.channelsListPerAppPerTenant,
      ...[...perTeamSent.values()].map((n) => n / limits.perAppPerTeam),
    );
    const idealSeconds = Math.max(channels / limits.perAppPerTenant, ...teams.map((t) => t.channelIds.length / limits.perAppPerTeam));
    const wallSeconds = (lastStart - t0) / 1000;

    let failedItems = 0;
    let skippedItems = 0;
    let succeeded = 0;
    for (const button of confirms) {
      const jobId = jsonText(button.data.opId ?? '');
      for (const item of await fresh.bot.store.listBulkItems(jobId)) {
        if (item.state === 'failed') failedItems++;
        else if (item.state === 'skipped') skippedItems++;
        else if (item.state === 'succeeded') succeeded++;
      }
    }
    const threads = allIds.map((id) => emulator.thread(id));
    const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;
    return {
      status: 'measured',
      teams: teams.length,
      channels,
      scale: s,
      limits,
      wallSeconds: round(wallSeconds),
      idealSeconds: round(idealSeconds),
      wallOverIdeal: round(wallSeconds / idealSeconds),
      idealSecondsForRequestsSent: round(idealSecondsForRequestsSent),
      previewSeconds: round(previewSeconds),
      allJobsFinishedSeconds: round((allDone - t0) / 1000),
      succeeded,
      failedItems,
      skippedItems,
      channelsNotInMigration: threads.filter((t) => t?.migrationMode !== 'inProgress').length,
      duplicateStartMigrationCalls: threads.reduce((n, t) => n + Math.max(0, (t?.startMigrationCalls ?? 0) - 1), 0),
      graphRequests: graph.length,
      throttled429: throttled,
      throttledPercent: round((100 * throttled) / Math.max(1, graph.length), 2),
      errors: errors.slice(0, 20),
    };
  } finally {
    await fresh.stop();
    emulator.setLimits({ enabled: false });
  }
}
