import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import type { ImportedMessage, ThreadState } from '../../emulator/index';

/** The repository root (this file runs from dist/test/playground). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** `npm run dev` as a child process, with what its banner told us. */
export interface DevProcess {
  child: ChildProcess;
  playgroundUrl: string;
  botUrl: string;
  emulatorUrl: string;
  /** The sample export for "import from Teams" and the one-line custom activity attaching it, as the banner names them. */
  sampleExport: string | null;
  importActivity: string | null;
  /** Everything it printed so far (for failure messages). */
  output: string[];
  /** Resolves with the exit code (or signal) once it exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Ports nobody listens on right now (the OS picks them). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * Starts the compiled dev script (what `npm run dev` runs after compiling) and resolves once it
 * printed the "open this page" banner, i.e. emulator, bot and Playground are all up. `env` is added
 * to this process's environment (the bot inherits it, e.g. `IMPORT_THREAD_RPS`).
 */
export async function startDevProcess(args: string[], timeoutMs = 90_000, env: Record<string, string> = {}): Promise<DevProcess> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'scripts', 'dev.js'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const banner = new Promise<Pick<DevProcess, 'playgroundUrl' | 'botUrl' | 'emulatorUrl' | 'sampleExport' | 'importActivity'>>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      output.push(...chunk.toString().split('\n').filter(Boolean));
      const pg = /Agents Playground : (http:\/\/\S+)/.exec(text);
      const bot = /Bot\s+: (http:\/\/\S+)\/api\/messages/.exec(text);
      const emu = /Emulator\s+: (https:\/\/\S+)/.exec(text);
      const sample = /Sample export\s+: (.+?) \(hosted/.exec(text);
      const activity = /Import activity\s+: (.+)/.exec(text);
      // The banner's last line: everything it names has been printed.
      if (pg && bot && emu && /Press Ctrl\+C to stop/.test(text)) {
        const file = (m: RegExpExecArray | null) => (m ? path.resolve(REPO_ROOT, m[1].trim()) : null);
        resolve({ playgroundUrl: pg[1], botUrl: bot[1], emulatorUrl: emu[1], sampleExport: file(sample), importActivity: file(activity) });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(({ code, signal }) => reject(new Error(`dev exited (${code ?? signal}) before it was ready:\n${output.slice(-20).join('\n')}`)));
    const t = setTimeout(() => reject(new Error(`dev was not ready within ${timeoutMs / 1000} s:\n${output.slice(-20).join('\n')}`)), timeoutMs);
    t.unref();
  });
  try {
    return { child, output, exited, ...(await banner) };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

/** Process ids of the direct children of `pid` (Linux /proc), or null where /proc is unavailable. */
export function childPids(pid: number): number[] | null {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return null;
  }
}

/** True while a process with that id exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Calls the emulator's inspection API (`/_emulator/...`), trusting its self-signed certificate
 * explicitly so the test does not depend on how mocha was started.
 */
export function emulatorControl(emulatorUrl: string, method: 'GET' | 'POST', route: string): Promise<{ status: number; body: unknown }> {
  const ca = fs.readFileSync(path.join(REPO_ROOT, '.emulator', 'tls', 'cert.pem'));
  return new Promise((resolve, reject) => {
    const req = https.request(`${emulatorUrl}/_emulator/${route}`, { method, ca, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: body ? JSON.parse(body) : null });
        } catch (err) {
          reject(err instanceof Error ? err : new Error('unreadable answer from the emulator', { cause: err }));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('emulator control request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** The emulator's view of a channel or chat: migration mode, dates, owning app, call counts. */
export async function threadState(emulatorUrl: string, threadId: string): Promise<ThreadState> {
  const { status, body } = await emulatorControl(emulatorUrl, 'GET', `threads/${encodeURIComponent(threadId)}`);
  if (status !== 200) throw new Error(`emulator answered ${status} for thread ${threadId}`);
  return body as ThreadState;
}

/** The messages the emulator holds for a channel or chat (what an import wrote there). */
export async function threadMessages(emulatorUrl: string, threadId: string): Promise<ImportedMessage[]> {
  const { status, body } = await emulatorControl(emulatorUrl, 'GET', `threads/${encodeURIComponent(threadId)}/messages`);
  if (status !== 200) throw new Error(`emulator answered ${status} for the messages of ${threadId}`);
  return body as ImportedMessage[];
}
