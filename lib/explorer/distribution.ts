import { SlimboardError } from '../errors';

/**
 * Latency distributions from raw samples (milliseconds per image, any order).
 *
 * Quantiles use linear interpolation between order statistics (Hyndman & Fan type 7, numpy's default):
 * for sorted x[0..n-1], q(p) = x[j] + (h - j) * (x[j+1] - x[j]) with h = (n - 1) * p, j = floor(h).
 * Box plot whiskers follow Tukey: the most extreme samples within 1.5 IQR of the quartiles; samples
 * beyond them are outliers. As in matplotlib's boxplot_stats, a whisker never ends inside the box: with
 * interpolated quartiles the nearest in-fence sample can lie past a quartile, then the whisker is the quartile.
 */

function checkSamples(samples: readonly number[], what: string): number[] {
  if (samples.length === 0) throw new SlimboardError('empty_samples', `${what}: no latency samples`);
  for (const s of samples) {
    if (!Number.isFinite(s) || s < 0) throw new SlimboardError('bad_sample', `${what}: latency sample ${s} is not a finite number >= 0`);
  }
  return [...samples].sort((a, b) => a - b);
}

/** Quantile of already-sorted values; p in [0, 1]. */
export function quantileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new SlimboardError('empty_samples', 'quantile of no samples');
  if (!(p >= 0 && p <= 1)) throw new SlimboardError('bad_quantile', `quantile ${p} is outside [0, 1]`);
  const h = (sorted.length - 1) * p;
  const j = Math.floor(h);
  if (j + 1 >= sorted.length) return sorted[sorted.length - 1];
  return sorted[j] + (h - j) * (sorted[j + 1] - sorted[j]);
}

export type TBoxStats = {
  n: number;
  minMs: number;
  q1Ms: number;
  medianMs: number;
  q3Ms: number;
  maxMs: number;
  meanMs: number;
  p90Ms: number;
  p99Ms: number;
  whiskerLowMs: number;
  whiskerHighMs: number;
  outliersMs: number[];
};

export function boxStats(samples: readonly number[], what = 'latency'): TBoxStats {
  const x = checkSamples(samples, what);
  const q1 = quantileSorted(x, 0.25);
  const q3 = quantileSorted(x, 0.75);
  const iqr = q3 - q1;
  const lowFence = q1 - 1.5 * iqr;
  const highFence = q3 + 1.5 * iqr;
  const inside = x.filter((v) => v >= lowFence && v <= highFence);
  let sum = 0;
  for (const v of x) sum += v;
  return {
    n: x.length,
    minMs: x[0],
    q1Ms: q1,
    medianMs: quantileSorted(x, 0.5),
    q3Ms: q3,
    maxMs: x[x.length - 1],
    meanMs: sum / x.length,
    p90Ms: quantileSorted(x, 0.9),
    p99Ms: quantileSorted(x, 0.99),
    whiskerLowMs: Math.min(inside[0], q1),
    whiskerHighMs: Math.max(inside[inside.length - 1], q3),
    outliersMs: x.filter((v) => v < lowFence || v > highFence),
  };
}

export type THistogramBin = { fromMs: number; toMs: number; count: number };

/**
 * `binCount` equal-width bins over [min, max]; bin i covers [from, to) except the last, which also
 * includes max. All samples equal: one bin [v, v] holding them all. Counts sum to n.
 */
export function histogram(samples: readonly number[], binCount: number, what = 'latency'): THistogramBin[] {
  if (!Number.isInteger(binCount) || binCount < 1)
    throw new SlimboardError('bad_bins', `${what}: bin count ${binCount} must be an integer >= 1`);
  const x = checkSamples(samples, what);
  const min = x[0];
  const max = x[x.length - 1];
  if (min === max) return [{ fromMs: min, toMs: max, count: x.length }];
  const width = (max - min) / binCount;
  const bins: THistogramBin[] = Array.from({ length: binCount }, (_, i) => ({
    fromMs: min + i * width,
    toMs: i === binCount - 1 ? max : min + (i + 1) * width,
    count: 0,
  }));
  // Index from the fraction of the range (always in [0, 1]) rather than dividing by `width`, which can
  // underflow to 0 for a tiny range.
  const range = max - min;
  for (const v of x) {
    const i = Math.min(binCount - 1, Math.max(0, Math.floor(((v - min) / range) * binCount)));
    bins[i].count++;
  }
  return bins;
}
