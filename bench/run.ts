import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureCertificate } from '../emulator/index';
import { writeResults } from './report';
import { FULL_PROFILE, runImportOnly, runSuite, SMOKE_PROFILE, type BenchProfile } from './suite';

/** The repository root (this file runs from `dist/bench/`). */
const ROOT = path.resolve(__dirname, '..', '..');

interface Args {
  profile: BenchProfile;
  outDir: string;
  bulkScale: number | null;
  /** `--only import`: the history import's figures alone, written as benchmarks-import.{md,json} */
  only: 'import' | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { profile: FULL_PROFILE, outDir: '', bulkScale: null, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--smoke') args.profile = SMOKE_PROFILE;
    else if (a === '--out') args.outDir = path.resolve(argv[++i] ?? '');
    else if (a === '--bulk-scale') args.bulkScale = Number(argv[++i]);
    else if (a === '--only') {
      const part = argv[++i];
      if (part !== 'import') throw new Error(`--only knows one part, import (got ${part ?? 'nothing'})`);
      args.only = part;
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run bench [-- --smoke] [--out <dir>] [--bulk-scale <n>] [--only import]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (args.bulkScale !== null && !(args.bulkScale > 0)) throw new Error('--bulk-scale must be a positive number');
  // A smoke run must never overwrite the published figures, nor a partial run sit next to them unasked.
  args.outDir ||=
    args.profile === SMOKE_PROFILE
      ? path.join(os.tmpdir(), 'tmb-bench-smoke')
      : args.only
        ? path.join(os.tmpdir(), 'tmb-bench-import')
        : path.join(ROOT, 'docs');
  return args;
}

/**
 * The emulator's certificate must be trusted when Node starts (NODE_EXTRA_CA_CERTS is read once)
 * and memory readings want `--expose-gc`: when either is missing, make sure the certificate exists
 * and run this script again in a child process that has both. Returns true when it did.
 */
async function reexecIfNeeded(): Promise<boolean> {
  const { certPath } = await ensureCertificate();
  const trusted = process.env.NODE_EXTRA_CA_CERTS && path.resolve(process.env.NODE_EXTRA_CA_CERTS) === path.resolve(certPath);
  const gc = typeof (globalThis as { gc?: unknown }).gc === 'function';
  if ((trusted && gc) || process.env.TMB_BENCH_CHILD) return false;
  const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', __filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: certPath, TMB_BENCH_CHILD: '1' },
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  process.exit(code);
}

/** `npm run bench`: runs the suite and writes docs/benchmarks.md and docs/benchmarks.json. */
async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (await reexecIfNeeded()) return;
  const profile: BenchProfile = args.bulkScale === null ? args.profile : { ...args.profile, bulk: { ...args.profile.bulk, scale: args.bulkScale } };
  const extra = [
    args.profile.name === 'smoke' ? '--smoke' : '',
    args.bulkScale !== null ? `--bulk-scale ${args.bulkScale}` : '',
    args.only ? `--only ${args.only}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const command = `npm run bench${extra ? ` -- ${extra}` : ''}`;
  const log = (line: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const results = args.only ? await runImportOnly(profile, command, log) : await runSuite(profile, command, log);
  const notesFile = path.join(ROOT, 'bench', 'notes.md');
  const notes = fs.existsSync(notesFile) ? fs.readFileSync(notesFile, 'utf8') : '';
  const written = writeResults(args.outDir, results, notes);
  for (const f of results.figures) {
    const mark = f.pass === null ? ' ' : f.pass ? '✓' : '✗';
    log(`${mark} ${f.label}: ${Number.isFinite(f.value) ? f.value : 'n/a'} (target ${f.target})`);
  }
  log(`wrote ${path.relative(process.cwd(), written.markdown)} and ${path.relative(process.cwd(), written.json)}`);
  // Background work of the bots is stopped; only the bench's own handles may remain.
  process.exit(0);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`bench failed: ${(err as Error)?.stack ?? err}\n`);
    process.exit(1);
  });
}
