/**
 * Preloaded into the import command line the memory figure runs (`node --require
 * dist/bench/rss-probe.js dist/src/index.js import run …`): when that process exits, it writes its
 * peak resident set size in KiB to the file named by `TMB_BENCH_RSS_FILE`. The peak is
 * `process.resourceUsage().maxRSS` (getrusage's `ru_maxrss`, the kernel's high-water mark, which
 * Linux also shows as `VmHWM`), so no sample can miss it. Nothing else of the process changes.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.TMB_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, `${process.resourceUsage().maxRSS}\n`));
