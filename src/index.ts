import type { DestinationStream } from 'pino';
import { AdminPolicy } from './features/shared/admin-policy';
import { createGraphTokenProvider, CredentialError } from './graph/graph-credential';
import type { Config } from './config/config';
import { ConfigError, loadConfig } from './config/config';
import { nationalCloudCaveat } from './domain/national-clouds';
import { createGraphClient } from './graph/graph-client';
import { DirectoryRoles } from './graph/directory-roles';
import { MigrationApi } from './graph/migration-api';
import { TeamsDirectory } from './graph/teams-directory';
import type { Logger } from './log/logger';
import { createLogger } from './log/logger';
import { createStore } from './store/create-store';
import type { Store } from './store/ports/store';
import { TargetResolver } from './features/shared/target-resolver';
import { StartMigrationFlow } from './features/start/start-migration';
import type { BotAdapter, BotApplication } from './teams/bot-app';
import { AuditFlow } from './features/audit/audit';
import { CompleteMigrationFlow } from './features/complete/complete-migration';
import { LockedFlow } from './features/locked/locked';
import { StatusFlow } from './features/status/status';
import { OperationGuard } from './features/shared/operation-guard';
import { MigrationFormFlow } from './features/form/migration-form';
import { ReminderService } from './features/background/reminder-service';
import { InterruptedConfirmations } from './features/background/interrupted-confirmations';
import { PendingRetention } from './features/background/pending-retention';
import { BackgroundTasks } from './features/background/background-task';
import { longestCallMs } from './domain/graph-call-timing';
import { BulkFlows } from './features/bulk/bulk-flows';
import { Pacer } from './features/shared/pacer';
import { MessageImportApi } from './graph/message-import-api';
import { UsersDirectory } from './graph/users-directory';
import { ImportEngine } from './features/import/import-engine';
import { ImportJobRunner, type ImportRunnerDeps } from './features/import/import-job-runner';
import { ImportFlow } from './features/import-flow/import-flow';
import { ReportsFlow } from './features/reports/reports-flow';
import { ImportRuns } from './features/import-flow/import-runs';
import { StoredUploads } from './features/import-flow/export-uploads';
import { downloadAttachedFile } from './sources/teams-file-download';
import { createExportFileStore } from './store/create-export-file-store';
import { ExportRetention } from './features/background/export-retention';
import type { ImportRates } from './features/import/import-limits';
import { runImportCommand } from './cli/import-command';
import * as path from 'node:path';
import { mkdirSync } from 'node:fs';

export interface RunningBot {
  config: Config;
  logger: Logger;
  store: Store;
  admin: AdminPolicy;
  app: BotApplication;
  adapter: BotAdapter;
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Bulk jobs (tests and benchmarks wait on `bulk.whenIdle()`). */
  bulk: BulkFlows;
  /** History imports from Teams in this process: exports being read, jobs running (tests wait on `imports.whenIdle()`). */
  imports: { whenIdle(): Promise<void> };
  /** Flood guards' counters: commands refused by the per-user limit, requests answered 503. */
  flood: { readonly commandsRefused: number; readonly busyRefusals: number };
  /** Runs one reminder pass now (normally every REMINDER_CHECK_MINUTES); returns reminders sent. */
  runReminders(now?: Date): Promise<number>;
  /** Settles confirmations a stopped bot left running (normally at start-up and once more later); returns how many. */
  settleInterrupted(now?: Date): Promise<number>;
  /** Deletes confirmations expired longer than PENDING_RETENTION_DAYS (normally daily); returns how many. */
  prunePending(now?: Date): Promise<number>;
  /** Graceful stop: refuse new activities, finish turns and background work, flush the store. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  logDestination?: DestinationStream;
  /** Use this store instead of the configured one. */
  store?: Store;
}

/**
 * The composition root: wires configuration, the migration app's credential, the Graph client,
 * the store, the flows and the teams-ai `Application`, then listens. Tests call it with a config
 * pointed at the emulator; `main` calls it with the process environment.
 */
export async function startBot(config: Config, options: StartOptions = {}): Promise<RunningBot> {
  const logger = createLogger(config.logLevel, options.logDestination);
  if (config.localMode) {
    logger.warn(
      'LOCAL_MODE is on: channel authentication is disabled and any local program is accepted (web pages are refused: Origin, Sec-Fetch-Site or a non-loopback Host get 403). The bot listens on 127.0.0.1 only. Never deploy like this.',
    );
  }
  const cloudCaveat = nationalCloudCaveat(config.graph.cloud);
  if (cloudCaveat) logger.warn({ cloud: config.graph.cloud }, `national cloud: ${cloudCaveat}`);

  const tokens = createGraphTokenProvider(config.graph, logger);
  const graphClient = createGraphClient(config.graph, tokens);
  const directory = new TeamsDirectory(graphClient, config.graph.timeoutMs);
  const migration = new MigrationApi(graphClient, config.graph.timeoutMs, config.graph.cloud);
  const admin = new AdminPolicy(new DirectoryRoles(graphClient, config.graph.timeoutMs), config.admin, Date.now, logger);
  const store =
    options.store ??
    (await createStore(
      config.storage.kind === 'table' ? { kind: 'table', connectionString: config.storage.connectionString } : { kind: 'sqlite', dataDir: config.dataDir },
    ));

  // The Teams edge (botbuilder, teams-ai, restify) is loaded here, when the bot starts, not when this module
  // loads: the import command line shares this composition root and never needs it (about 100 MB less memory).
  const [
    { createHttpServer },
    { createTurnAdmission },
    { UserCommandLimiter },
    { createVerbTable },
    { createBotApplication },
    { registerRoutes },
    { BotMessenger },
  ] = await Promise.all([
    import('./teams/http-server'),
    import('./teams/turn-admission'),
    import('./teams/user-command-limiter'),
    import('./teams/verb-table'),
    import('./teams/bot-app'),
    import('./teams/routes'),
    import('./teams/messenger'),
  ]);
  const { app, adapter } = createBotApplication(config);

  const resolver = new TargetResolver(directory);
  const guard = new OperationGuard(admin, store, config.pendingTtlMinutes);
  const start = new StartMigrationFlow({
    guard,
    resolver,
    directory,
    migration,
    store,
    logger,
    migrationAppId: config.graph.clientId,
    restartCooldownMinutes: config.restartCooldownMinutes,
  });
  const status = new StatusFlow({ guard, resolver, directory, store });
  const complete = new CompleteMigrationFlow({ guard, resolver, directory, migration, migrationAppId: config.graph.clientId });
  const locked = new LockedFlow({ guard, directory, store });
  const audit = new AuditFlow({ guard, resolver, store });
  const form = new MigrationFormFlow({ guard, resolver, directory, start });
  const messenger = new BotMessenger({ adapter, botAppId: config.bot.appId, store, logger });
  // One set of Graph budgets for bulk jobs and imports: both draw on the tenant's write limit.
  const pacer = new Pacer();
  const importing = importParts(config, graphClient, store, logger, pacer);
  const exportFiles = await createExportFileStore({ dataDir: config.dataDir, storage: config.storage });
  const uploads = new StoredUploads(exportFiles, downloadAttachedFile, { allowedHosts: config.import.downloadHosts, maxBytes: config.import.maxUploadBytes });
  const imports = new ImportRuns({
    store,
    logger,
    messenger,
    newRunner: () => new ImportJobRunner({ ...importing.runner, exportFile: (source) => uploads.fileOf(source) }),
    progressIntervalMs: 3000,
    takeOverEveryMs: 5000,
  });
  const importFlow = new ImportFlow({
    guard,
    store,
    engine: importing.engine,
    uploads,
    resolver,
    directory,
    users: importing.users,
    runs: imports,
    messenger,
    logger,
    tenantId: config.graph.tenantId,
    typedConfirmationAbove: config.import.typedConfirmationAbove,
  });
  const bulk = new BulkFlows({
    pacer,
    guard,
    resolver,
    directory,
    migration,
    store,
    logger,
    messenger,
    limits: { ...config.bulk, restartCooldownMinutes: config.restartCooldownMinutes },
  });
  const table = createVerbTable({
    start,
    status,
    complete,
    locked,
    audit,
    guard,
    form,
    formButtons: form.buttons((conversation, args) => bulk.askStart(conversation, args)),
    bulk: bulk.buttons(),
    imports: importFlow,
    reports: new ReportsFlow({ guard, store, logger, offerTtlMinutes: config.pendingTtlMinutes }),
  });
  const reminders = new ReminderService({ store, directory, messenger, logger, settings: config.reminders });
  const retention = new PendingRetention({ store, logger, retentionDays: config.pendingRetentionDays });
  // Longer than a Confirm turn can run: after its claim it makes at most four Graph calls, each ended
  // by its timeout plus at most one of graph-client's retry pauses (capped at 180 s, spec §5); the
  // window is five such calls, so it outlasts the four.
  const interrupted = new InterruptedConfirmations({ store, directory, messenger, logger, staleAfterMs: 5 * longestCallMs(config.graph.timeoutMs) });
  const exportRetention = new ExportRetention({
    exports: exportFiles,
    jobs: store,
    logger,
    retentionDays: config.import.exportRetentionDays,
    confirmationTtlMinutes: config.pendingTtlMinutes,
  });
  const background = new BackgroundTasks([reminders, interrupted, retention, exportRetention], logger);
  registerRoutes(app, {
    store,
    logger,
    allowedTenantIds: config.admin.allowedTenantIds,
    table,
    remember: (conversation) => reminders.remember(conversation),
    searchTeams: (conversation, queryText, count) => form.searchTeams(conversation, queryText, count),
    fileHosts: config.import.downloadHosts,
  });

  const limiter = new UserCommandLimiter({ limits: { perMinute: config.load.userCommandsPerMinute, burst: config.load.userCommandsBurst }, logger });
  const admission = createTurnAdmission({ maxInFlight: config.load.maxTurnsInFlight, logger });
  const http = createHttpServer(adapter, app, logger, {
    localMode: config.localMode,
    admission,
    admitTurn: (context) => limiter.admit(context),
    refuseFloodEarly: (activity) => limiter.refuseEarly(activity),
  });
  await new Promise<void>((resolve, reject) => {
    http.server.once('error', reject);
    http.server.listen(config.port, config.host, () => resolve());
  });
  const port = http.server.address().port;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ port, host: config.host, graphEndpoint: config.graph.endpoint, apiVersion: config.graph.apiVersion }, 'bot listening');
  background.start();
  await bulk.resume();
  await imports.start();

  let stopped: Promise<void> | null = null;
  return {
    config,
    logger,
    store,
    admin,
    app,
    adapter,
    url,
    port,
    runReminders: (now?: Date) => reminders.runOnce(now),
    settleInterrupted: (now?: Date) => interrupted.settle(now),
    prunePending: (now?: Date) => retention.prune(now),
    bulk,
    imports: {
      whenIdle: async () => {
        await importFlow.whenIdle();
        await imports.whenIdle();
      },
    },
    flood: {
      get commandsRefused() {
        return limiter.refused;
      },
      get busyRefusals() {
        return admission.refused;
      },
    },
    stop() {
      stopped ??= (async () => {
        await http.drain();
        await background.stop();
        await bulk.stop();
        await importFlow.stop();
        await imports.stop();
        await new Promise<void>((resolve) => {
          http.server.close(() => resolve());
        });
        await store.close();
        logger.info('bot stopped');
      })();
      return stopped;
    },
  };
}

/** The import engine and a runner, wired to one store, Graph client and pacer. */
export interface ImportWiring {
  engine: ImportEngine;
  runner: ImportJobRunner;
  store: Store;
  logger: Logger;
  close(): Promise<void>;
}

/** The rates imports are paced to, from the configuration. */
export function importRates(config: Config): ImportRates {
  return { perThread: config.import.perThreadPerSecond, perTenant: config.bulk.perTenantPerSecond, perTeam: config.bulk.perTeamPerSecond };
}

/**
 * Wires the history import for the command line (and tests): the same configuration, credential,
 * Graph client and store as the bot, so jobs and the ledger are shared with it.
 */
export async function composeImport(
  config: Config,
  options: StartOptions & { pacer?: Pacer; lease?: { durationMs: number; renewEveryMs: number } } = {},
): Promise<ImportWiring> {
  const logger = createLogger(config.logLevel, options.logDestination);
  const tokens = createGraphTokenProvider(config.graph, logger);
  const graphClient = createGraphClient(config.graph, tokens);
  const store =
    options.store ??
    (await createStore(
      config.storage.kind === 'table' ? { kind: 'table', connectionString: config.storage.connectionString } : { kind: 'sqlite', dataDir: config.dataDir },
    ));
  const parts = importParts(config, graphClient, store, logger, options.pacer ?? new Pacer());
  return {
    engine: parts.engine,
    runner: new ImportJobRunner({ ...parts.runner, lease: options.lease }),
    store,
    logger,
    close: async () => {
      if (!options.store) await store.close();
    },
  };
}

/** The import engine and what its runners need, for the bot and the command line alike. */
function importParts(config: Config, graphClient: ReturnType<typeof createGraphClient>, store: Store, logger: Logger, pacer: Pacer) {
  const directory = new TeamsDirectory(graphClient, config.graph.timeoutMs);
  const users = new UsersDirectory(graphClient, config.graph.timeoutMs);
  const rates = importRates(config);
  // Scratch space for exports being read (a zipped Mattermost JSONL is unpacked there while in use).
  const archive = { limits: config.import.archive, workDir: path.join(config.dataDir, 'imports') };
  mkdirSync(archive.workDir, { recursive: true });
  const engine = new ImportEngine({ store, directory, users, resolver: new TargetResolver(directory), rates, archive, tenantId: config.graph.tenantId });
  const runner: ImportRunnerDeps = {
    store,
    api: new MessageImportApi(graphClient, config.graph.timeoutMs),
    migration: new MigrationApi(graphClient, config.graph.timeoutMs, config.graph.cloud),
    directory,
    users,
    pacer,
    logger,
    rates,
    archive,
    restartCooldownMinutes: config.restartCooldownMinutes,
  };
  return { engine, runner, users };
}

/** The configuration from the process environment, or null after printing what is wrong (the caller exits 2). */
function configFromEnvironment(): Config | null {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return null;
    }
    throw err;
  }
}

/** `npm run import -- …`: the history import's command line; returns the exit code. */
async function importMain(argv: string[]): Promise<number> {
  const config = configFromEnvironment();
  if (!config) return 2;
  // Log lines go to stderr, errors only unless asked: stdout is the operator's report.
  const wiring = await composeImport({ ...config, logLevel: config.logLevel === 'info' ? 'error' : config.logLevel }, { logDestination: process.stderr });
  try {
    return await runImportCommand(argv, { engine: wiring.engine, runner: wiring.runner, out: process.stdout, err: process.stderr });
  } finally {
    await wiring.close();
  }
}

/** Entry point for `npm start`: configuration from the environment, stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = configFromEnvironment();
  if (!config) process.exit(2);
  let bot: RunningBot;
  try {
    bot = await startBot(config);
  } catch (err) {
    if (err instanceof CredentialError) {
      // Same contract as a configuration error: name the variable, exit 2.
      process.stderr.write(`Invalid configuration:\n  - ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    bot.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      bot.logger.error('shutdown took longer than 9 seconds; exiting');
      process.exit(1);
    }, 9000);
    force.unref();
    bot.stop().then(
      () => process.exit(0),
      (err) => {
        bot.logger.error({ err: { message: (err as Error)?.message } }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => bot.logger.error({ err: { message: (reason as Error)?.message ?? String(reason) } }, 'unhandled rejection'));
}

if (require.main === module && process.argv[2] === 'import') {
  importMain(process.argv.slice(3)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`The import stopped on an unexpected error: ${(err as Error)?.message ?? err}\n`);
      process.exit(1);
    },
  );
} else if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`The bot could not start: ${(err as Error)?.message ?? err}\n`);
    process.exit(1);
  });
}
