import type { ImportCounts, ImportTarget } from '../../store/ports/import-jobs';

/** How far back the rate is measured. */
const RATE_WINDOW_MS = 30_000;

/** Messages of a target that are settled (imported, skipped or failed): what progress counts. */
export function settledOf(counts: ImportCounts): number {
  return counts.messages + counts.replies + counts.skipped + counts.failed;
}

/**
 * A running job's targets as the progress card shows them: the counters read from the store when
 * the run began, plus each settled message the run reports, and the recent rate per target.
 */
export class LiveProgress {
  private readonly targets = new Map<string, ImportTarget>();
  private readonly recent = new Map<string, number[]>();

  constructor(
    targets: readonly ImportTarget[],
    private readonly now: () => number = Date.now,
  ) {
    this.load(targets);
  }

  /** The targets as the store has them (when a run begins). */
  load(targets: readonly ImportTarget[]): void {
    for (const t of targets) this.targets.set(t.targetKey, { ...t, counts: { ...t.counts } });
  }

  /** A message settled: its counts are added, its target's state follows the run's copy. */
  add(target: ImportTarget, counts: Partial<ImportCounts>): void {
    const mine = this.targets.get(target.targetKey);
    if (!mine) return;
    mine.state = target.state;
    for (const [k, v] of Object.entries(counts) as [keyof ImportCounts, number][]) mine.counts[k] += v;
    // Skipped messages settle at once; the rate (and so the time left) is of messages sent to Graph.
    const settled = (counts.messages ?? 0) + (counts.replies ?? 0) + (counts.failed ?? 0);
    if (settled > 0) {
      const times = this.recent.get(target.targetKey) ?? [];
      const t = this.now();
      for (let i = 0; i < settled; i++) times.push(t);
      while (times.length && times[0] < t - RATE_WINDOW_MS) times.shift();
      this.recent.set(target.targetKey, times);
    }
  }

  /** Messages sent per second to a target over the last half minute (0 when idle). */
  rate(targetKey: string): number {
    const times = (this.recent.get(targetKey) ?? []).filter((x) => x >= this.now() - RATE_WINDOW_MS);
    if (times.length < 2) return 0;
    const span = Math.max(1, this.now() - times[0]) / 1000;
    return times.length / span;
  }

  list(): ImportTarget[] {
    return [...this.targets.values()].sort((a, b) => a.seq - b.seq);
  }
}
