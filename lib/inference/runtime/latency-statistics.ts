/**
 * Summary statistics of latency samples (pure; no I/O).
 *
 * Percentile method: LINEAR INTERPOLATION between closest ranks, i.e. Hyndman & Fan type 7, the
 * default of numpy.percentile / numpy.quantile (method="linear") and of R's quantile():
 *   sort ascending x[0..n-1]; h = (n - 1) * p; lo = floor(h);
 *   q(p) = x[lo] + (h - lo) * (x[lo + 1] - x[lo])     (q = x[n-1] when lo = n-1)
 * so q(0) = min, q(1) = max, and q is monotone non-decreasing in p.
 *
 * std is the POPULATION standard deviation (divide by n, numpy.std's default ddof=0), computed with
 * a two-pass algorithm (mean first, then squared deviations) for numerical stability.
 */
import { SlimboardError } from '../../errors';

/** p in [0, 1]; `sortedAsc` must be sorted ascending and non-empty. */
export function percentileSorted(sortedAsc: ArrayLike<number>, p: number): number {
  const n = sortedAsc.length;
  if (n === 0) throw new SlimboardError('empty_samples', 'percentile of an empty sample set');
  if (!(p >= 0 && p <= 1)) throw new SlimboardError('bad_percentile', `percentile p must be in [0, 1], got ${p}`);
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  if (lo >= n - 1) return sortedAsc[n - 1];
  const frac = h - lo;
  const a = sortedAsc[lo];
  const b = sortedAsc[lo + 1];
  // a + frac*(b-a) can overshoot b by one ulp; clamp keeps q monotone and inside [a, b].
  const q = a + frac * (b - a);
  return q > b ? b : q < a ? a : q;
}

export interface LatencySummary {
  /** Number of timed samples. */
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Population standard deviation (ddof = 0). */
  stdMs: number;
  minMs: number;
  maxMs: number;
  /** Runs per second at batch 1 = 1000 / meanMs (the sum of samples divided into the run count). */
  throughputPerS: number;
}

/** Summarise latency samples in milliseconds. Throws on an empty set or a non-finite / negative sample. */
export function summarizeLatency(samplesMs: ArrayLike<number>): LatencySummary {
  const n = samplesMs.length;
  if (n === 0) throw new SlimboardError('empty_samples', 'cannot summarise zero latency samples');
  const sorted = Float64Array.from(samplesMs);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = sorted[i];
    if (!Number.isFinite(v) || v < 0) throw new SlimboardError('bad_sample', `latency sample ${i} is ${v} (must be a finite number >= 0)`);
    sum += v;
  }
  sorted.sort();
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = sorted[i] - mean;
    sq += d * d;
  }
  return {
    count: n,
    p50Ms: percentileSorted(sorted, 0.5),
    p90Ms: percentileSorted(sorted, 0.9),
    p99Ms: percentileSorted(sorted, 0.99),
    meanMs: mean,
    stdMs: Math.sqrt(sq / n),
    minMs: sorted[0],
    maxMs: sorted[n - 1],
    throughputPerS: mean > 0 ? 1000 / mean : Number.POSITIVE_INFINITY,
  };
}
