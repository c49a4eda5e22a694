/**
 * `npm run dev`: the one-command local demo. Starts the Microsoft cloud emulator (in this process),
 * the bot as a child process pointed at it (emulator certificate trusted, LOCAL_MODE), and the
 * Microsoft 365 Agents Playground pointed at the bot with the mock data in
 * `.m365agentsplayground.yml`, then prints the page to open. Ctrl+C (or SIGTERM) stops all three.
 *
 * Who talks to whom: the Playground is the bot's Bot Framework channel and connector (replies go
 * to the Playground's own serviceUrl); Graph and Entra ID calls go to the emulator.
 *
 * For "import from Teams" it also writes a sample Slack export under `<data-dir>/sample-import/`,
 * has the emulator host it as a file Alex attached, and writes next to it the one-line custom
 * activity that attaches it (scripts/dev-sample-import.ts), to paste into the Playground.
 *
 *   node dist/scripts/dev.js [--port 3978] [--playground-port 56150] [--emulator-port 0]
 *                            [--data-dir data/dev] [--no-limits] [--time-zone Europe/Berlin]
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { botEnvironment, startEmulator, type Emulator } from '../emulator/index';
import { defaultDataDir, ensureCertificate, repoRoot } from '../emulator/cert';
import { jsonText } from '../emulator/json';
import { BOT_FRAMEWORK_KEYS } from '../src/config/config';
import { hostSampleExport, writeSampleActivity, type SampleImport } from './dev-sample-import';

/** Options of `startDevStack`; every field has a default suitable for `npm run dev`. */
export interface DevStackOptions {
  /** Bot HTTP port (default 3978). */
  botPort?: number;
  /** Agents Playground port (default 56150; the Playground picks a free one if it is taken). */
  playgroundPort?: number;
  /** Emulator HTTPS port (default 0 = any free port). */
  emulatorPort?: number;
  /** The bot's DATA_DIR (default `<repo>/data/dev`). */
  dataDir?: string;
  /** Emulator data folder: TLS certificate, app certificates, info file (default `<repo>/.emulator`). */
  emulatorDataDir?: string;
  /** Playground mock data (default `<repo>/.m365agentsplayground.yml`). */
  playgroundConfigPath?: string;
  /** Emulator throttling (spec §5 limits), default on. */
  limits?: boolean;
  /** IANA time zone the Playground reports for the user (default: this machine's). */
  timeZone?: string;
  /** Extra environment for the bot, e.g. `ADMIN_GROUP_IDS` (wins over the inherited environment). */
  botEnv?: Record<string, string>;
  /** Where progress and the children's output go, one line per call (default stdout). */
  log?: (line: string) => void;
  /** How long to wait for each piece to come up, in ms (default 60 s). */
  startTimeoutMs?: number;
}

/** A running demo: the three pieces and how to stop them. */
export interface DevStack {
  emulator: Emulator;
  /** The page to open, `http://127.0.0.1:<port>`. */
  playgroundUrl: string;
  /** `http://127.0.0.1:<port>` (messages at `/api/messages`). */
  botUrl: string;
  /** Process ids of the bot and the Playground. */
  pids: { bot: number; playground: number };
  /** The sample export for "import from Teams", hosted by the emulator, and the activity that attaches it. */
  sampleImport: SampleImport;
  /** Resolves when a child exits while the stack is not being stopped (a crash), with its name and code. */
  crashed: Promise<{ name: string; code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops the Playground, then the bot (graceful, SIGKILL after 10 s), then the emulator. Idempotent. */
  stop(): Promise<void>;
}

/** Bot environment variables that would change what the demo talks to, cleared for the child. */
const CLEARED_BOT_ENV = [
  'BOT_ID',
  'BOT_PASSWORD',
  'BOT_TENANT_ID',
  'BOT_TYPE',
  'GRAPH_CERTIFICATE_PATH',
  'GRAPH_CLOUD',
  'STORAGE_BACKEND',
  'AZURE_STORAGE_CONNECTION_STRING',
  'STATE_BLOB_CONTAINER',
  'ALLOWED_TENANT_IDS',
  ...BOT_FRAMEWORK_KEYS,
];

/**
 * Code run in the Playground's process before its CLI: the Playground listens on every interface
 * and has no option to change that, so servers that name no host are bound to 127.0.0.1 (the
 * Playground drives the bot as a Teams administrator; nobody else on the network may).
 */
function playgroundBootstrap(cliPath: string, args: string[]): string {
  return `
const net = require('node:net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...a) {
  if (typeof a[0] === 'number' || (typeof a[0] === 'string' && /^\\d+$/.test(a[0]))) {
    if (typeof a[1] !== 'string') a.splice(1, 0, '127.0.0.1');
  } else if (a[0] && typeof a[0] === 'object' && !(a[0] instanceof net.Server) && a[0].port !== undefined && !a[0].host && !a[0].path) {
    a[0] = { ...a[0], host: '127.0.0.1' };
  }
  return listen.apply(this, a);
};
process.argv = [process.execPath, ${JSON.stringify(cliPath)}, ...${JSON.stringify(args)}];
require(${JSON.stringify(cliPath)});
`;
}

/** The Playground's CLI script, from its package.json `bin`. */
function playgroundCli(): string {
  const pkgPath = require.resolve('@microsoft/m365agentsplayground/package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8')) as { bin: Record<string, string> };
  return path.join(path.dirname(pkgPath), pkg.bin.agentsplayground);
}

/** Forwards a child's output line by line with a prefix; pino JSON lines are shortened to level + message. */
function pipeLines(stream: NodeJS.ReadableStream | null, prefix: string, log: (line: string) => void, tail: string[], onLine?: (line: string) => void): void {
  if (!stream) return;
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      if (!line.trim()) continue;
      const shown = formatLogLine(line);
      tail.push(shown);
      if (tail.length > 40) tail.shift();
      onLine?.(line);
      log(`${prefix} ${shown}`);
    }
  });
}

const PINO_LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** A pino JSON line as `LEVEL message {other fields}`; anything else unchanged. */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const { level, msg, time: _time, app: _app, pid: _pid, hostname: _host, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    return `${PINO_LEVELS[level as number] ?? String(level)} ${jsonText(msg ?? '')}${extra}`;
  } catch {
    return line;
  }
}

/** GETs a URL until it answers 200, the child exits, or the time runs out. */
async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number, what: string, tail: string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready. Last output:\n${tail.slice(-15).join('\n')}`);
    }
    const status = await new Promise<number>((resolve) => {
      const req = http.get(url, { timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(0));
    });
    if (status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`${what} did not answer ${url} within ${Math.round(timeoutMs / 1000)} s. Last output:\n${tail.slice(-15).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Sends `signal`, waits up to `graceMs` for the exit, then SIGKILL. Resolves once the child is gone. */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = new Promise<'timeout'>((resolve) => {
    const t = setTimeout(() => resolve('timeout'), graceMs);
    t.unref();
  });
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Starts emulator, bot and Agents Playground, in that order, each only once the previous one is
 * ready (the bot's `/healthz` answers; the Playground printed "Listening on" and serves its page).
 * If any piece fails to come up, the ones already started are stopped and the error says why.
 */
export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const root = repoRoot();
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const botPort = options.botPort ?? 3978;
  const dataDir = path.resolve(root, options.dataDir ?? path.join('data', 'dev'));
  const emulatorDataDir = path.resolve(options.emulatorDataDir ?? defaultDataDir());
  const configPath = path.resolve(root, options.playgroundConfigPath ?? '.m365agentsplayground.yml');
  if (!fs.existsSync(configPath)) throw new Error(`Agents Playground config not found: ${configPath}`);
  fs.mkdirSync(dataDir, { recursive: true });

  // The certificate must exist before the bot starts: Node reads NODE_EXTRA_CA_CERTS only at start-up.
  const { certPath } = await ensureCertificate(emulatorDataDir);
  const emulator = await startEmulator({ port: options.emulatorPort ?? 0, dataDir: emulatorDataDir, limits: { enabled: options.limits ?? true }, quiet: true });
  const info = emulator.info;
  log(`[dev] emulator listening on ${info.baseUrl} (throttling ${options.limits === false ? 'off' : 'on'})`);

  const children: { name: string; child: ChildProcess }[] = [];
  let stopping = false;
  let reportCrash: (c: { name: string; code: number | null; signal: NodeJS.Signals | null }) => void = () => undefined;
  const crashed = new Promise<{ name: string; code: number | null; signal: NodeJS.Signals | null }>((resolve) => (reportCrash = resolve));
  const watch = (name: string, child: ChildProcess) => {
    children.push({ name, child });
    child.once('exit', (code, signal) => {
      if (!stopping) reportCrash({ name, code, signal });
    });
  };

  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      const playground = children.find((c) => c.name === 'playground');
      const bot = children.find((c) => c.name === 'bot');
      if (playground) await stopChild(playground.child, 'SIGTERM', 5000);
      // The bot finishes turns in flight and flushes its store on SIGTERM (issue #6: within 10 s).
      if (bot) await stopChild(bot.child, 'SIGTERM', 10_000);
      await emulator.stop();
    })();
    return stopped;
  };

  try {
    // The emulator keeps hosted files in memory: the sample is hosted again at every start.
    const sampleDir = path.join(dataDir, 'sample-import');
    const sample = await hostSampleExport(emulator, sampleDir);

    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of CLEARED_BOT_ENV) delete env[key];
    Object.assign(env, botEnvironment(info, dataDir), { NODE_EXTRA_CA_CERTS: certPath, PORT: String(botPort) }, options.botEnv);
    const botTail: string[] = [];
    const bot = spawn(process.execPath, [path.join(root, 'dist', 'src', 'index.js')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    watch('bot', bot);
    pipeLines(bot.stdout, '[bot]', log, botTail);
    pipeLines(bot.stderr, '[bot]', log, botTail);
    const botUrl = `http://127.0.0.1:${botPort}`;
    await waitForHttp(`${botUrl}/healthz`, bot, timeoutMs, 'The bot', botTail);
    const shownDataDir = path.relative(root, dataDir).startsWith('..') ? dataDir : path.relative(root, dataDir) || '.';
    log(`[dev] bot ready on ${botUrl}/api/messages (LOCAL_MODE, DATA_DIR ${shownDataDir})`);

    const requestedPort = options.playgroundPort ?? 56150;
    const args = ['-e', `${botUrl}/api/messages`, '-c', 'msteams', '-p', String(requestedPort), '--disable-telemetry'];
    const playgroundTail: string[] = [];
    let listening: (port: number) => void = () => undefined;
    const listeningPort = new Promise<number>((resolve) => (listening = resolve));
    const playground = spawn(process.execPath, ['-e', playgroundBootstrap(playgroundCli(), args)], {
      cwd: root,
      env: {
        ...process.env,
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: configPath,
        // Its own log would otherwise land in ./devTools of the working directory.
        M365_AGENTS_PLAYGROUND_LOGFILE: path.join(dataDir, 'playground.log'),
        // Print the URL instead of trying to open a browser (there may be no display).
        TEAMSAPPTESTER_BROWSER: 'none',
        ...(options.timeZone ? { TZ: options.timeZone } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    watch('playground', playground);
    const onLine = (line: string) => {
      const m = /Listening on (\d+)/.exec(line);
      if (m) listening(Number(m[1]));
    };
    pipeLines(playground.stdout, '[playground]', log, playgroundTail, onLine);
    pipeLines(playground.stderr, '[playground]', log, playgroundTail, onLine);
    const port = await Promise.race([
      listeningPort,
      new Promise<never>((_, reject) => {
        const t = setTimeout(() => reject(new Error(`The Agents Playground did not start within ${Math.round(timeoutMs / 1000)} s.`)), timeoutMs);
        t.unref();
        listeningPort.then(
          () => clearTimeout(t),
          () => clearTimeout(t),
        );
        playground.once('exit', (code) =>
          reject(new Error(`The Agents Playground exited (${code}) before listening. Last output:\n${playgroundTail.slice(-15).join('\n')}`)),
        );
      }),
    ]);
    const playgroundUrl = `http://127.0.0.1:${port}`;
    // It prints "Listening" even when its config is invalid and then exits; only a served page counts.
    await waitForHttp(`${playgroundUrl}/`, playground, timeoutMs, `The Agents Playground (see ${path.join(dataDir, 'playground.log')})`, playgroundTail);
    // The activity needs the Playground's serviceUrl, so it is written once the Playground serves; the demo runs without it.
    let activityPath: string | null = null;
    try {
      const timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
      ({ activityPath } = await writeSampleActivity({ dir: sampleDir, file: sample.file, playgroundUrl, configPath, timeZone }));
    } catch (err) {
      log(`[dev] the sample import activity was not written: ${(err as Error).message}`);
    }
    return {
      emulator,
      playgroundUrl,
      botUrl,
      pids: { bot: bot.pid ?? -1, playground: playground.pid ?? -1 },
      sampleImport: { ...sample, activityPath },
      crashed,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

interface CliArgs {
  botPort: number;
  playgroundPort: number;
  emulatorPort: number;
  dataDir?: string;
  limits: boolean;
  timeZone?: string;
}

function parsePort(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} needs a port number (0-65535)`);
  return n;
}

function parseArgs(argv: string[]): CliArgs {
  // PORT is honoured as for `npm start`; --port wins.
  const args: CliArgs = { botPort: process.env.PORT ? parsePort('PORT', process.env.PORT) : 3978, playgroundPort: 56150, emulatorPort: 0, limits: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') args.botPort = parsePort(a, argv[++i]);
    else if (a === '--playground-port') args.playgroundPort = parsePort(a, argv[++i]);
    else if (a === '--emulator-port') args.emulatorPort = parsePort(a, argv[++i]);
    else if (a === '--data-dir') {
      args.dataDir = argv[++i];
      if (!args.dataDir) throw new Error('--data-dir needs a folder');
    } else if (a === '--time-zone') {
      args.timeZone = argv[++i];
      if (!args.timeZone) throw new Error('--time-zone needs an IANA zone, e.g. Europe/Berlin');
    } else if (a === '--no-limits') args.limits = false;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: npm run dev -- [--port 3978] [--playground-port 56150] [--emulator-port 0] [--data-dir data/dev] [--no-limits] [--time-zone ZONE]\n',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (try --help)`);
  }
  if (args.botPort === 0) throw new Error('the bot needs a fixed port (--port or PORT): the Playground must know where it listens');
  return args;
}

/** `npm run dev`: start everything, print where to go, stop everything on Ctrl+C or SIGTERM. */
async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let stack: DevStack | null = null;
  let shuttingDown = false;
  const shutdown = (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    process.stdout.write('[dev] stopping the Playground, the bot and the emulator…\n');
    (stack ? stack.stop() : Promise.resolve()).then(
      () => {
        process.stdout.write('[dev] stopped.\n');
        process.exit(code);
      },
      (err: unknown) => {
        process.stderr.write(`[dev] stop failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  // Ctrl+C reaches the children too (same process group); stop() copes with children already gone.
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));

  stack = await startDevStack({
    botPort: args.botPort,
    playgroundPort: args.playgroundPort,
    emulatorPort: args.emulatorPort,
    dataDir: args.dataDir,
    limits: args.limits,
    timeZone: args.timeZone,
  });
  if (shuttingDown) return;
  const shown = (file: string) => (path.relative(process.cwd(), file).startsWith('..') ? file : path.relative(process.cwd(), file));
  const { sampleImport } = stack;
  const until = new Date(sampleImport.file.expiresAt).toISOString().slice(0, 16).replace('T', ' ');
  process.stdout.write(
    [
      '',
      'Teams Migration Bot — local demo is running',
      `  Agents Playground : ${stack.playgroundUrl}   <- open this page`,
      `  Bot               : ${stack.botUrl}/api/messages`,
      `  Emulator          : ${stack.emulator.info.baseUrl} (Entra ID, Graph, Bot Framework)`,
      `  Sample export     : ${shown(sampleImport.exportPath)} (hosted by the emulator until ${until} UTC)`,
      ...(sampleImport.activityPath ? [`  Import activity   : ${shown(sampleImport.activityPath)}`] : []),
      '',
      'You are Alex Wilber, a Teams Administrator. In "Personal Chat" type  migrate  and follow the form,',
      'or  help  for every command. In a channel, @mention "Migration Bot" first.',
      ...(sampleImport.activityPath
        ? [
            'To import the sample Slack export into My Team: open "Personal Chat", then Mock an Activity → Custom activity,',
            `replace the JSON with the one line in ${shown(sampleImport.activityPath)} and press Send activity.`,
          ]
        : []),
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  const crash = await stack.crashed;
  if (shuttingDown) return;
  process.stderr.write(`[dev] the ${crash.name} stopped unexpectedly (${crash.code ?? crash.signal}); stopping the rest.\n`);
  shutdown(1);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    const message = (err as Error).message;
    const hint = /EADDRINUSE/.test(message) ? '\n[dev] A port is taken: pass --port (bot) or --playground-port, or stop what uses it.' : '';
    process.stderr.write(`[dev] could not start: ${message}${hint}\n`);
    process.exit(1);
  });
}
