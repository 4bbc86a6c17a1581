/**
 * Calibrators: from the values an activation tensor took on the calibration images to the range
 * [min, max] that its uint8 quantization covers (quant-params.ts turns the range into scale/zero point).
 * Semantics follow onnxruntime's quantization/calibrate.py (MinMax, Percentile, Entropy), written anew;
 * the differences are listed per method. Values are streamed: pass 1 (RangeStats) sees every value once
 * for min/max; percentile and entropy then need pass 2 (AbsHistogram) over the same images, with the
 * histogram range fixed by pass 1, so the result does not depend on the order of the images.
 *
 * - minmax: [min, max] of all values (onnxruntime MinMaxCalibrater without moving average).
 * - percentile (default 99.999): histogram of |x| in HISTOGRAM_BINS bins over [0, max|x|]; the threshold
 *   T is the upper edge of the first bin where the cumulative count reaches percentile % of all values
 *   (onnxruntime, symmetric mode, takes that bin's lower edge: one bin, max|x| / 2048, less); the range
 *   is [max(min, -T), min(max, T)] (onnxruntime clamps to the observed min and max the same way).
 * - entropy (KL): the threshold T whose clipped-and-requantized histogram is closest to the observed one
 *   (TensorRT's method, as onnxruntime's get_entropy_threshold): for every candidate i >= Q bins, p = the
 *   first i bins with all outliers added to the last one; q = the first i bins split as evenly as possible
 *   into Q groups (one per quantization step), each group's count spread evenly over the group's bins where
 *   p is non-zero; both smoothed (eps 1e-4, as onnxruntime's smooth_distribution) and compared by
 *   KL(p || q); T = upper edge of bin i with the smallest KL (first one on ties). Q = 255 for tensors that
 *   are never negative (uint8 covers [0, T] with 255 steps), 128 otherwise (about 128 steps per side).
 *   The first bin (exact zeros of ReLU outputs) is given its neighbour's count before the search, as
 *   NVIDIA's pytorch-quantization does. Differences from onnxruntime: one-sided |x| histogram with 2048
 *   bins (onnxruntime: signed histogram, 128 bins by default, which leaves a single candidate and so
 *   equals minmax), even groups (onnxruntime: floor(i / Q) bins per group, the remainder in the last
 *   group of p but left out of q), and the zero-bin rule.
 */
import { SlimboardError } from '../errors';

export type CalibrationMethod = 'minmax' | 'percentile' | 'entropy';
export const CALIBRATION_METHODS: readonly CalibrationMethod[] = ['minmax', 'percentile', 'entropy'];
export const HISTOGRAM_BINS = 2048;
export const DEFAULT_PERCENTILE = 99.999;
const SMOOTH_EPS = 1e-4;

export interface TensorRange {
  min: number;
  max: number;
}

/** Pass 1: running min and max (and the value count) of one tensor. */
export class RangeStats {
  min = Infinity;
  max = -Infinity;
  count = 0;

  constructor(readonly tensor: string) {}

  update(values: ArrayLike<number>): void {
    let lo = this.min;
    let hi = this.max;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (v !== v) throw new SlimboardError('bad_activation', `tensor "${this.tensor}" has NaN values on a calibration image`);
    }
    if (!Number.isFinite(lo) && values.length > 0)
      throw new SlimboardError('bad_activation', `tensor "${this.tensor}" has infinite values on a calibration image`);
    if (!Number.isFinite(hi) && values.length > 0)
      throw new SlimboardError('bad_activation', `tensor "${this.tensor}" has infinite values on a calibration image`);
    this.min = lo;
    this.max = hi;
    this.count += values.length;
  }

  /** max |x| (0 when nothing was seen). */
  get absMax(): number {
    return this.count === 0 ? 0 : Math.max(Math.abs(this.min), Math.abs(this.max));
  }
}

/** Pass 2: histogram of |x| in `bins` equal bins over [0, limit]; values above limit go to the last bin. */
export class AbsHistogram {
  readonly counts: Float64Array;

  constructor(
    readonly limit: number,
    readonly bins = HISTOGRAM_BINS,
  ) {
    if (!(limit >= 0) || !Number.isFinite(limit))
      throw new SlimboardError('bad_range', `histogram limit must be finite and >= 0, got ${limit}`);
    if (!Number.isInteger(bins) || bins < 1)
      throw new SlimboardError('bad_range', `histogram bins must be a positive integer, got ${bins}`);
    this.counts = new Float64Array(bins);
  }

  add(values: ArrayLike<number>): void {
    const k = this.limit > 0 ? this.bins / this.limit : 0;
    const last = this.bins - 1;
    const c = this.counts;
    for (let i = 0; i < values.length; i++) {
      const b = Math.floor(Math.abs(values[i]) * k);
      c[b > last ? last : b]++;
    }
  }
}

/** Threshold T of the percentile method (see the module comment); 0 for an empty histogram. */
export function percentileThreshold(counts: ArrayLike<number>, limit: number, percentile: number): number {
  if (!(percentile > 0 && percentile <= 100))
    throw new SlimboardError('bad_arguments', `percentile must be in (0, 100], got ${percentile}`);
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  if (total === 0) return 0;
  const target = percentile / 100;
  let cum = 0;
  for (let i = 0; i < counts.length; i++) {
    cum += counts[i];
    if (cum / total >= target) return ((i + 1) / counts.length) * limit;
  }
  return limit;
}

/**
 * onnxruntime's smooth_distribution: moves eps of mass to every zero bin, taken evenly from the non-zero
 * bins. null when every bin is zero, or when a non-zero bin would not stay positive.
 */
export function smoothDistribution(p: ArrayLike<number>, eps = SMOOTH_EPS): Float64Array | null {
  let zeros = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === 0) zeros++;
  const nonZeros = p.length - zeros;
  if (nonZeros === 0) return null;
  const take = (eps * zeros) / nonZeros;
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    out[i] = p[i] === 0 ? eps : p[i] - take;
    if (!(out[i] > 0)) return null;
  }
  return out;
}

/** KL(p || q) = sum p log(p / q) after normalising both to sum 1 (scipy.stats.entropy(p, q)); natural log. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length)
    throw new SlimboardError('bad_arguments', `KL divergence of distributions of lengths ${p.length} and ${q.length}`);
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i];
    sq += q[i];
  }
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    const pi = p[i] / sp;
    const qi = q[i] / sq;
    if (qi === 0) return Infinity;
    kl += pi * Math.log(pi / qi);
  }
  return kl;
}

/** KL of clipping the histogram after its first `i` bins and requantizing them into `quantizedBins` groups. */
export function clippedKl(counts: ArrayLike<number>, i: number, quantizedBins: number): number {
  const p = new Float64Array(i);
  for (let b = 0; b < i; b++) p[b] = counts[b];
  for (let b = i; b < counts.length; b++) p[i - 1] += counts[b];
  const q = new Float64Array(i);
  for (let g = 0; g < quantizedBins; g++) {
    // split the i bins into quantizedBins groups as evenly as possible (one group = one quantization step)
    const start = Math.floor((g * i) / quantizedBins);
    const end = Math.floor(((g + 1) * i) / quantizedBins);
    let sum = 0;
    let nonZero = 0;
    for (let b = start; b < end; b++) {
      sum += counts[b];
      if (p[b] !== 0) nonZero++;
    }
    if (nonZero === 0) continue;
    for (let b = start; b < end; b++) if (p[b] !== 0) q[b] = sum / nonZero;
  }
  const ps = smoothDistribution(p);
  const qs = smoothDistribution(q);
  if (!ps || !qs) return Infinity;
  return klDivergence(ps, qs);
}

/** Threshold T of the entropy method (see the module comment); `limit` when the histogram is too short to clip. */
export function entropyThreshold(counts: ArrayLike<number>, limit: number, quantizedBins: number): number {
  if (!Number.isInteger(quantizedBins) || quantizedBins < 2)
    throw new SlimboardError('bad_arguments', `quantized bins must be an integer >= 2, got ${quantizedBins}`);
  const n = counts.length;
  if (n <= quantizedBins) return limit;
  // The first bin holds the exact zeros of ReLU outputs (often half of all values); as NVIDIA's
  // pytorch-quantization does, it counts like its neighbour so that the spike does not decide the clip.
  const bins = Float64Array.from(counts);
  bins[0] = bins[1];
  let best = Infinity;
  let bestI = n;
  for (let i = quantizedBins; i <= n; i++) {
    const kl = clippedKl(bins, i, quantizedBins);
    if (kl < best) {
      best = kl;
      bestI = i;
    }
  }
  return (bestI / n) * limit;
}

export interface CalibrationOptions {
  method: CalibrationMethod;
  /** Percentile method only; default DEFAULT_PERCENTILE. */
  percentile?: number;
}

/** Whether the method needs pass 2 (a histogram). */
export function needsHistogram(method: CalibrationMethod): boolean {
  return method !== 'minmax';
}

/** The calibrated range of one tensor from pass 1 (and pass 2 for percentile / entropy). */
export function calibratedRange(stats: RangeStats, hist: AbsHistogram | undefined, options: CalibrationOptions): TensorRange {
  if (stats.count === 0) return { min: 0, max: 0 };
  if (options.method === 'minmax') return { min: stats.min, max: stats.max };
  if (!hist)
    throw new SlimboardError('calibration_failed', `tensor "${stats.tensor}": the ${options.method} method needs a histogram (pass 2)`);
  const t =
    options.method === 'percentile'
      ? percentileThreshold(hist.counts, hist.limit, options.percentile ?? DEFAULT_PERCENTILE)
      : entropyThreshold(hist.counts, hist.limit, stats.min >= 0 ? 255 : 128);
  return { min: Math.max(stats.min, -t), max: Math.min(stats.max, t) };
}
