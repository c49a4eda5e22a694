import { fork } from 'node:child_process';
import * as path from 'node:path';
import type { Emulator, LoggedRequest, TenantFixture } from '../emulator/index';
import { fixtureActor, message, personalChat } from '../test/security/support/attack';
import type { FloodStart, FloodTally } from './flood-client';
import { DEFAULT_MAX_TURNS_IN_FLIGHT, DEFAULT_USER_COMMANDS_BURST, DEFAULT_USER_COMMANDS_PER_MINUTE } from '../src/config/config';
import { concurrencyTargets } from './concurrency';
import type { BenchFixtureShape } from './fixture';
import { botRoundTrip, migrateCommand, REFERENCE_TARGET, resetThread, type RoundTrip } from './scenario';
import { startBotUnderTest, type BotUnderTest } from './stack';
import type { LatencySummary } from './stats';
import { ratio, summarize } from './stats';

export interface FloodOptions {
  /** measured round trips of the other admin, unloaded and flooded each (split over the phases) */
  roundTrips: number;
  /** phases each way, alternating unloaded and flooded, so drift lands on both */
  phases: number;
  /** commands a second the flooding user sends */
  floodPerSecond: number;
  /** flood requests open at once at most (a client's connection pool) */
  floodConcurrency: number;
}

export interface FloodResult {
  roundTrips: number;
  phases: number;
  floodConcurrency: number;
  /** the limits in force: the shipped defaults */
  limits: { userCommandsPerMinute: number; userCommandsBurst: number; maxTurnsInFlight: number };
  measured: string;
  flooder: string;
  floodCommand: string;
  /** the other admin's migrate command and Confirm, without and with the flood */
  migrate: { unloaded: LatencySummary; flooded: LatencySummary; p50Ratio: number; p99Ratio: number };
  confirm: { unloaded: LatencySummary; flooded: LatencySummary; p50Ratio: number; p99Ratio: number };
  floodSeconds: number;
  floodCommandsSent: number;
  floodPerSecondAchieved: number;
  /** commands of the flood the bot acted on (sent − refused by the per-user limit − answered 503) */
  floodCommandsAdmitted: number;
  floodCommandsRefused: number;
  floodBusy503: number;
  /** messages the bot sent the flooding user: one card per admitted command, plus the "slow down" replies */
  repliesToFlooder: number;
  slowDownReplies: number;
  /** Graph requests the flood caused, and what one unflooded command of the same kind costs */
  floodGraphCalls: number;
  graphCallsPerCommand: number;
  errors: string[];
}

const SLOW_DOWN = /faster than I can act on them/;

/** True for a Graph request that belongs to the flooder's command (its team, or its admin lookup). */
function isFlooders(r: LoggedRequest, teamId: string, teamName: string, userId: string): boolean {
  const url = decodeURIComponent(r.rawUrl);
  return r.service === 'graph' && (url.includes(teamId) || url.includes(`'${teamName}'`) || url.includes(userId));
}

/** The flooding user, in a child process (bench/flood-client.ts): one `start` … `stop` per phase. */
function startFlooder() {
  const child = fork(path.join(__dirname, 'flood-client.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    /** Floods until the returned function is called; that resolves with the child's tally. */
    flood(start: Omit<FloodStart, 'kind'>): () => Promise<FloodTally> {
      const tally = new Promise<FloodTally>((resolve) => child.once('message', (m) => resolve(m as FloodTally)));
      child.send({ kind: 'start', ...start });
      return () => {
        child.send({ kind: 'stop' });
        return tally;
      };
    },
    stop: () => child.kill(),
  };
}

/**
 * Figure 6: one admin (the reference turn: migrate → Confirm on My Team › Announcements) while
 * another user floods the bot with `floodPerSecond` migrate commands, on a fresh bot with the
 * shipped flood limits (USER_COMMANDS_PER_MINUTE, USER_COMMANDS_BURST, MAX_TURNS_IN_FLIGHT at
 * their defaults). Unloaded and flooded phases alternate; the figure is the flooded p99 over the
 * unloaded p99 of the same run. The flood's Graph calls are counted at the emulator. The flood
 * is sent by a child process, as it would come from outside the bot.
 */
export async function measureFlood(emulator: Emulator, fixture: TenantFixture, shape: BenchFixtureShape, options: FloodOptions): Promise<FloodResult> {
  const limits = {
    userCommandsPerMinute: DEFAULT_USER_COMMANDS_PER_MINUTE,
    userCommandsBurst: DEFAULT_USER_COMMANDS_BURST,
    maxTurnsInFlight: DEFAULT_MAX_TURNS_IN_FLIGHT,
  };
  emulator.reset();
  const fresh: BotUnderTest = await startBotUnderTest(emulator, fixture, {
    USER_COMMANDS_PER_MINUTE: String(limits.userCommandsPerMinute),
    USER_COMMANDS_BURST: String(limits.userCommandsBurst),
    MAX_TURNS_IN_FLIGHT: String(limits.maxTurnsInFlight),
  });
  const errors: string[] = [];
  // The flooder: Alex on the reference channel (My Team), which none of the measured admins touches,
  // so the flood's Graph calls are told apart by team and by Alex's admin lookup.
  const target = REFERENCE_TARGET;
  const flooderId = fixture.users.find((u) => u.key === target.userKey)?.id ?? target.userKey;
  const floodCommand = migrateCommand(target);
  // The measured turns rotate over the generated admins, each on its own channel: every one of them
  // stays at a person's pace (a few turns in the run), well inside the per-user limit.
  const admins = concurrencyTargets(shape, shape.extraAdmins);
  let next = 0;
  const flooderProcess = startFlooder();
  try {
    const conversations = admins.map((a) => fresh.teams.as(a.userKey).inPersonalChat());
    const flooderChat = personalChat(target.userKey);
    const floodActivity = message(emulator, fixtureActor(target.userKey), flooderChat, floodCommand);
    const repliesToFlooder = () => emulator.connector.sent(flooderChat.conversationId);
    const roundTrip = async (into: RoundTrip[]) => {
      const i = next++ % admins.length;
      resetThread(emulator, admins[i]);
      const r = await botRoundTrip({ emulator }, conversations[i], admins[i]);
      if (r.error) errors.push(r.error);
      else into.push(r);
    };
    // Warm-up: the token, each admin's first lookup, JIT; the flooder's first command is also its cost in Graph.
    for (let i = 0; i < admins.length; i++) await roundTrip([]);
    const before = emulator.requests().length;
    await fresh.teams.as(target.userKey).inPersonalChat().post(floodActivity);
    const graphCallsPerCommand = emulator
      .requests()
      .slice(before)
      .filter((r) => isFlooders(r, target.teamId, target.teamName, flooderId)).length;
    errors.length = 0;

    const unloaded: RoundTrip[] = [];
    const flooded: RoundTrip[] = [];
    const perPhase = Math.max(1, Math.ceil(options.roundTrips / options.phases));
    const tally = { sent: 0, busy: 0, errors: [] as string[] };
    const refusedBefore = fresh.bot.flood.commandsRefused;
    const repliesBefore = repliesToFlooder().length;
    const logFrom = emulator.requests().length;
    let floodSeconds = 0;
    for (let phase = 0; phase < options.phases; phase++) {
      for (let i = 0; i < perPhase; i++) await roundTrip(unloaded);
      const stopFlood = flooderProcess.flood({
        url: `${fresh.bot.url}/api/messages`,
        activity: floodActivity,
        perSecond: options.floodPerSecond,
        concurrency: options.floodConcurrency,
      });
      // Let the flood reach its rate before timing the other admin.
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 0; i < perPhase; i++) await roundTrip(flooded);
      const t = await stopFlood();
      floodSeconds += t.seconds;
      tally.sent += t.sent;
      tally.busy += t.statuses['503'] ?? 0;
      for (const [status, n] of Object.entries(t.statuses)) if (status !== '200' && status !== '503') tally.errors.push(`flood: ${n} × HTTP ${status}`);
      tally.errors.push(...t.errors.map((e) => `flood: ${e}`));
    }
    errors.push(...tally.errors.slice(0, 10));
    const floodGraphCalls = emulator
      .requests()
      .slice(logFrom)
      .filter((r) => isFlooders(r, target.teamId, target.teamName, flooderId)).length;
    const replies = repliesToFlooder().slice(repliesBefore);
    const refused = fresh.bot.flood.commandsRefused - refusedBefore;
    const pair = (pick: (r: RoundTrip) => number) => {
      const u = summarize(unloaded.map(pick));
      const f = summarize(flooded.map(pick));
      return { unloaded: u, flooded: f, p50Ratio: ratio(f.p50, u.p50), p99Ratio: ratio(f.p99, u.p99) };
    };
    return {
      roundTrips: perPhase * options.phases,
      phases: options.phases,
      floodConcurrency: options.floodConcurrency,
      limits,
      measured: `${admins.length} generated admins in turn, each: ${migrateCommand(admins[0]).replace(admins[0].teamName, '<its team>').replace(admins[0].channelName, '<its channel>')} → Confirm`,
      flooder: target.userKey,
      floodCommand,
      migrate: pair((r) => r.migrateMs),
      confirm: pair((r) => r.confirmMs),
      floodSeconds: Math.round(floodSeconds * 10) / 10,
      floodCommandsSent: tally.sent,
      floodPerSecondAchieved: Math.round(tally.sent / Math.max(floodSeconds, 0.001)),
      floodCommandsAdmitted: tally.sent - refused - tally.busy,
      floodCommandsRefused: refused,
      floodBusy503: tally.busy,
      repliesToFlooder: replies.length,
      slowDownReplies: replies.filter((a) => SLOW_DOWN.test(a.text ?? '')).length,
      floodGraphCalls,
      graphCallsPerCommand,
      errors: errors.slice(0, 20),
    };
  } finally {
    flooderProcess.stop();
    await fresh.stop();
  }
}
