import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Azurite's published development account; its key is public and only valid against the emulator. */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** A running Azurite service on loopback and the connection string that reaches it. */
export interface Azurite {
  connectionString: string;
  port: number;
  stop(): Promise<void>;
}

const REPO_ROOT = path.resolve(__dirname, '../../..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const answers = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

/**
 * Starts `azurite-table` or `azurite-blob` from node_modules on a free 127.0.0.1 port, in memory
 * (nothing left on disk), with telemetry off and API-version checks skipped for the current SDKs,
 * and resolves once the port accepts connections (cwd is a temp folder, in case it writes anything). `stop()` terminates it and waits for the exit.
 */
export async function startAzurite(service: 'table' | 'blob'): Promise<Azurite> {
  const port = await freePort();
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), `tmb-azurite-${service}-`));
  const script = path.join(REPO_ROOT, 'node_modules', '.bin', `azurite-${service}`);
  const child = spawn(
    process.execPath,
    [
      script,
      `--${service}Host`,
      '127.0.0.1',
      `--${service}Port`,
      String(port),
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--loose',
      '--silent',
      '--disableTelemetry',
    ],
    { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(timer);
    }
    fs.rmSync(workspace, { recursive: true, force: true });
  };

  const deadline = Date.now() + 20_000;
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`azurite-${service} did not start on port ${port}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const endpoint = `${service === 'table' ? 'TableEndpoint' : 'BlobEndpoint'}=http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  return {
    port,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};${endpoint};`,
    stop,
  };
}
