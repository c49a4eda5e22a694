import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { Emulator } from '../emulator/index';
import { benchEnv } from './stack';

/** The compiled command line and the RSS probe (this file runs from `dist/bench/`). */
const ENTRY = path.resolve(__dirname, '..', 'src', 'index.js');
const PROBE = path.join(__dirname, 'rss-probe.js');

/**
 * The Node flags `npm run import` starts the command line with (package.json's `import` script, e.g.
 * its heap cap), so the figures are those of the command the operator runs.
 */
function importNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const flags = /\bnode((?:\s+--\S+)*)\s+dist\/src\/index\.js import\b/.exec(pkg.scripts?.import ?? '')?.[1] ?? '';
  return flags.split(/\s+/).filter(Boolean);
}

/** How a command-line run ended. */
export interface CliEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** peak RSS of the whole run, KiB (from the probe; null when the process was killed) */
  peakKiB: number | null;
  /** peak RSS when planning ended (the job started), KiB; null without `/proc` */
  planningPeakKiB: number | null;
}

/** A command line running in its own process. */
export interface CliRun {
  child: ChildProcess;
  done: Promise<CliEnd>;
}

/** `VmHWM` (peak RSS so far) of a running process in KiB, or null (no `/proc`, or the process is gone). */
export function highWaterKiB(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

let runs = 0;

/**
 * Starts `node dist/src/index.js import <args>` — the operator's command line — as its own process
 * against `emulator`: the bot's settings pointed there, `dataDir` as its data folder (its SQLite
 * store, shared by every run given the same folder), `env` on top, and the RSS probe preloaded.
 * `done` resolves when it exits, with what it printed, its peak RSS and its peak RSS at the moment
 * it printed that the job started (planning done).
 */
export function launchImport(emulator: Emulator, dataDir: string, args: string[], env: Record<string, string> = {}): CliRun {
  const rssFile = path.join(dataDir, `peak-rss-${++runs}.txt`);
  const started = performance.now();
  const child = spawn(process.execPath, [...importNodeFlags(), '--require', PROBE, ENTRY, 'import', ...args], {
    env: { ...process.env, ...benchEnv(emulator, dataDir), NODE_EXTRA_CA_CERTS: emulator.certPath, TMB_BENCH_RSS_FILE: rssFile, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let planningPeakKiB: number | null = null;
  let planned = false;
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (!planned && /(Started|Resuming) import job/.test(stdout)) {
      planned = true;
      planningPeakKiB = child.pid === undefined ? null : highWaterKiB(child.pid);
    }
  });
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliEnd>((resolve) =>
    child.on('close', (code, signal) => {
      const peakKiB = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) : null;
      rmSync(rssFile, { force: true });
      resolve({ code, signal, stdout, stderr, seconds: (performance.now() - started) / 1000, peakKiB, planningPeakKiB });
    }),
  );
  return { child, done };
}
