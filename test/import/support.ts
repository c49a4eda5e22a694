import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Emulator } from '../../emulator/index';
import { startEmulator } from '../../emulator/index';
import { emulatorEnv } from '../support/harness';

/** What a finished command printed and how it ended. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The operator's shell: the import command line run as its own process against the emulator. */
export interface Operator {
  emulator: Emulator;
  dataDir: string;
  /** Scratch folder for exports. */
  work: string;
  env: Record<string, string>;
  /** Runs `npm run import -- <args>` (as `node dist/src/index.js import <args>`) to its end. */
  runs(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  /** Starts the command without waiting (to kill it midway). */
  launches(args: string[], extraEnv?: Record<string, string>): { child: ChildProcess; output: () => string; done: Promise<CliResult> };
  stop(): Promise<void>;
}

const ENTRY = path.resolve(__dirname, '../../src/index.js');

/** An emulator and a data folder shared by an operator's commands (the ledger and job state persist between them). */
export async function startOperator(options: { limits?: boolean; sharedEmulator?: Emulator } = {}): Promise<Operator> {
  const emulator = options.sharedEmulator ?? (await startEmulator({ quiet: true, limits: { enabled: options.limits ?? true } }));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tmb-import-'));
  const work = mkdtempSync(path.join(tmpdir(), 'tmb-exports-'));
  const env = { ...emulatorEnv(emulator, dataDir), LOG_LEVEL: 'error' };
  const launches = (args: string[], extraEnv: Record<string, string> = {}) => {
    const child = spawn(process.execPath, [ENTRY, 'import', ...args], { env: { ...process.env, ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
    return { child, output: () => stdout, done };
  };
  return {
    emulator,
    dataDir,
    work,
    env,
    runs: (args, extraEnv) => launches(args, extraEnv).done,
    launches,
    async stop() {
      if (!options.sharedEmulator) await emulator.stop();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Milliseconds of an ISO date. */
export const ms = (iso: string): number => Date.parse(iso);
