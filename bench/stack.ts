import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type { Client } from '@microsoft/microsoft-graph-client';
import { botEnvironment, startEmulator, TeamsClient, type Emulator, type TenantFixture } from '../emulator/index';
import { createGraphTokenProvider } from '../src/graph/graph-credential';
import { loadConfig } from '../src/config/config';
import { createGraphClient } from '../src/graph/graph-client';
import { createLogger } from '../src/log/logger';
import { startBot, type RunningBot } from '../src/index';
import { startFloorBot, type FloorBot } from './floor-bot';

/** A sink for log lines: the bot pays for formatting them, as in production, and nothing is kept. */
export function discard(): Writable {
  return new Writable({
    write(_chunk, _enc, done) {
      done();
    },
  });
}

/**
 * The benchmarks drive admins at machine speed (one admin sends tens of turns a second), which the
 * per-user limit exists to stop: they keep the limiter in every turn's path but set it out of reach.
 * The flood benchmark (bench/flood.ts) sets the shipped defaults back.
 */
const MACHINE_SPEED_USERS = { USER_COMMANDS_PER_MINUTE: '1000000', USER_COMMANDS_BURST: '1000000' };

/** The environment that points a bot at the emulator: local mode, the migration app's secret. */
export function benchEnv(emulator: Emulator, dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...botEnvironment(emulator.info, dataDir), PORT: '0', GRAPH_TIMEOUT_SECONDS: '30', LOG_LEVEL: 'info', ...MACHINE_SPEED_USERS, ...extra };
}

/** A bot under test with its own data directory and a Teams client pointed at it. */
export interface BotUnderTest {
  bot: RunningBot;
  teams: TeamsClient;
  stop(): Promise<void>;
}

/**
 * Starts the real bot with `startBot` (production wiring, SQLite ledger in a fresh temporary
 * directory, info-level logging into a discarding stream) against `emulator`.
 */
export async function startBotUnderTest(emulator: Emulator, fixture: TenantFixture, env: Record<string, string> = {}): Promise<BotUnderTest> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tmb-bench-'));
  const bot = await startBot(loadConfig(benchEnv(emulator, dataDir, env)), { logDestination: discard() });
  const teams = new TeamsClient({ emulator, botUrl: `${bot.url}/api/messages`, fixture });
  return {
    bot,
    teams,
    async stop() {
      await bot.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Everything one benchmark run talks to. */
export interface BenchStack {
  emulator: Emulator;
  fixture: TenantFixture;
  main: BotUnderTest;
  floor: FloorBot;
  /** Teams client aimed at the floor bot. */
  floorTeams: TeamsClient;
  /** The floor's Graph client: same emulator, same MSAL credential kind and app, same middleware. */
  floorGraph: Client;
  stop(): Promise<void>;
}

/**
 * Starts the emulator with `fixture` (throttling off; phases that need the limits turn them on),
 * the bot under test, and the floor bot with a Graph client built by the bot's own
 * `createGraphTokenProvider` + `createGraphClient` from the same configuration.
 */
export async function startBenchStack(fixture: TenantFixture, botEnv: Record<string, string> = {}): Promise<BenchStack> {
  const emulator = await startEmulator({ quiet: true, fixture, limits: { enabled: false } });
  const main = await startBotUnderTest(emulator, fixture, botEnv);
  const config = loadConfig(benchEnv(emulator, main.bot.config.dataDir));
  const floorGraph = createGraphClient(config.graph, createGraphTokenProvider(config.graph, createLogger('warn', discard())));
  const floor = await startFloorBot(floorGraph);
  const floorTeams = new TeamsClient({ emulator, botUrl: floor.messagesUrl, fixture });
  return {
    emulator,
    fixture,
    main,
    floor,
    floorTeams,
    floorGraph,
    async stop() {
      await floor.stop();
      await main.stop();
      await emulator.stop();
    },
  };
}
