import * as os from 'node:os';

/** The machine a benchmark ran on, as printed at the top of docs/benchmarks.md. */
export interface MachineInfo {
  date: string;
  node: string;
  v8: string;
  platform: string;
  arch: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  /** 1-minute load average when the run started and ended: a busy machine widens every latency. */
  loadAverageStart: number;
  loadAverageEnd?: number;
  gcExposed: boolean;
}

/** Describes this machine and process now (load average at start; the suite adds the end value). */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.type()} ${os.release()}`,
    arch: process.arch,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    loadAverageStart: Math.round(os.loadavg()[0] * 100) / 100,
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
  };
}

/** The current 1-minute load average, rounded. */
export function loadAverage(): number {
  return Math.round(os.loadavg()[0] * 100) / 100;
}
