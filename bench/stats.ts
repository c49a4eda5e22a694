/** Latency figures of one series of samples, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The q-quantile (0..1) of `samples` by the nearest-rank method: the smallest sample such that at
 * least q of all samples are at or below it. Nearest rank never invents a value between two
 * samples, so a p99 over 300 samples is the third largest one, which is what it should read as.
 */
export function quantile(samples: number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

/** Median, p90, p99, max and mean of a series of latencies. */
export function summarize(samples: number[]): LatencySummary {
  const mean = samples.length === 0 ? Number.NaN : samples.reduce((s, x) => s + x, 0) / samples.length;
  return {
    count: samples.length,
    p50: quantile(samples, 0.5),
    p90: quantile(samples, 0.9),
    p99: quantile(samples, 0.99),
    max: samples.length === 0 ? Number.NaN : Math.max(...samples),
    mean,
  };
}

/** `a / b`, rounded to three decimals; NaN when either side is not a positive finite number. */
export function ratio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return Number.NaN;
  return Math.round((a / b) * 1000) / 1000;
}
