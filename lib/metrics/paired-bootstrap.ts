/**
 * Paired bootstrap over images for the difference of a metric between a candidate and a baseline evaluated
 * on the same ground truth (see docs/accuracy-intervals.md).
 *
 * Each replicate draws I image indices uniformly with replacement (lib/random mulberry32, fixed seed) and
 * turns them into multiplicities w[I] (an image drawn k times has weight k); the SAME weights evaluate both
 * models, so the variation shared by both (hard images) cancels in the difference. The interval is the
 * percentile interval of the replicate deltas, read as NumPy's `np.percentile(..., method='linear')`:
 * position q·(B−1) in the sorted deltas, linear between neighbours. `significant` means it excludes 0.
 */
import { z } from 'zod';
import { SlimboardError, formatZodIssues } from '../errors';
import { mulberry32 } from '../random/mulberry32';

export const MIN_BOOTSTRAP_RESAMPLES = 1000;
export const DEFAULT_BOOTSTRAP_RESAMPLES = 1000;
export const DEFAULT_BOOTSTRAP_SEED = 20261204;

/** Options of an accuracy-delta bootstrap (CLI flags, job payloads and API share this schema). */
export const ZPairedBootstrapOptions = z.object({
  /** Replicates B (at least 1000). */
  resamples: z.number().int().min(MIN_BOOTSTRAP_RESAMPLES).max(1_000_000).default(DEFAULT_BOOTSTRAP_RESAMPLES),
  /** mulberry32 seed of the image draws. */
  seed: z.number().int().min(0).max(0xffffffff).default(DEFAULT_BOOTSTRAP_SEED),
  /** Two-sided coverage of the percentile interval. */
  confidence: z.number().gt(0).lt(1).default(0.95),
});
export type TPairedBootstrapOptions = z.input<typeof ZPairedBootstrapOptions>;

/** One metric's paired delta with its interval; values in the metric's own units (AP in [0, 1]). */
export const ZPairedDelta = z.object({
  /** The metric on the full data (every image once); −1 where undefined; NaN possible for WIDER FACE (0/0). */
  candidate: z.number().or(z.nan()),
  baseline: z.number().or(z.nan()),
  /** candidate − baseline on the full data (every weight 1); null where either is undefined (−1 or NaN). */
  delta: z.number().nullable(),
  /** null when no replicate had the metric defined. */
  lower: z.number().nullable(),
  upper: z.number().nullable(),
  significant: z.boolean(),
  /** Replicates where either model's metric was undefined (−1: no ground truth drawn, or NaN); left out of the interval. */
  undefinedResamples: z.number().int().min(0),
});
export type TPairedDelta = z.infer<typeof ZPairedDelta>;

export const ZPairedBootstrapResult = z.object({
  method: z.literal('paired-bootstrap-images-percentile'),
  images: z.number().int().min(1),
  resamples: z.number().int(),
  seed: z.number().int(),
  confidence: z.number(),
  metrics: z.record(z.string(), ZPairedDelta),
});
export type TPairedBootstrapResult = z.infer<typeof ZPairedBootstrapResult>;

export function parsePairedBootstrapOptions(input: TPairedBootstrapOptions = {}): z.output<typeof ZPairedBootstrapOptions> {
  const r = ZPairedBootstrapOptions.safeParse(input);
  if (!r.success) throw new SlimboardError('bad_arguments', `bootstrap options: ${formatZodIssues(r.error.issues)}`);
  return r.data;
}

/** Fill `weights` [I] with the multiplicities of I draws with replacement from [0, I). */
export function drawImageWeights(rng: () => number, weights: Int32Array): void {
  const n = weights.length;
  weights.fill(0);
  for (let j = 0; j < n; j++) weights[Math.floor(rng() * n)]++;
}

/** `np.percentile(sorted, 100·q, method='linear')` of an ascending, non-empty array. */
export function percentileLinear(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new SlimboardError('bad_input', 'percentile of an empty sample');
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const frac = pos - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  return frac === 0 || a === b ? a : a + (b - a) * frac;
}

/** −1 is the evaluators' "undefined" (no ground truth); NaN can come out of WIDER FACE's 0/0 precision. */
function isDefined(v: number): boolean {
  return v !== -1 && Number.isFinite(v);
}

/**
 * Metric values of both models under one weighting: `weights` null means every image once (the plain
 * evaluation). Returns [metric] arrays for the candidate and the baseline, −1 where undefined.
 */
export type PairedMetricFunction = (weights: Int32Array | null) => { candidate: ArrayLike<number>; baseline: ArrayLike<number> };

/**
 * Runs B replicates of `evaluate` with shared image weights and returns, per metric name, the full-data
 * values, the delta and its percentile interval.
 */
export function pairedBootstrap(
  images: number,
  metricNames: readonly string[],
  evaluate: PairedMetricFunction,
  optionsIn: TPairedBootstrapOptions = {},
): TPairedBootstrapResult {
  const o = parsePairedBootstrapOptions(optionsIn);
  if (!Number.isInteger(images) || images < 1) {
    throw new SlimboardError('bad_input', `bootstrap over images needs at least one image, got ${images}`);
  }
  const M = metricNames.length;
  const fullRaw = evaluate(null);
  // copied: an evaluate function may reuse its output buffers
  const full = { candidate: Array.from(fullRaw.candidate), baseline: Array.from(fullRaw.baseline) };
  const deltas = Array.from({ length: M }, () => new Float64Array(o.resamples));
  const count = new Int32Array(M);
  const rng = mulberry32(o.seed);
  const weights = new Int32Array(images);
  for (let b = 0; b < o.resamples; b++) {
    drawImageWeights(rng, weights);
    const v = evaluate(weights);
    for (let m = 0; m < M; m++) {
      const c = v.candidate[m];
      const base = v.baseline[m];
      if (!isDefined(c) || !isDefined(base)) continue;
      deltas[m][count[m]++] = c - base;
    }
  }
  const alpha = (1 - o.confidence) / 2;
  const metrics: Record<string, TPairedDelta> = {};
  for (let m = 0; m < M; m++) {
    const c = full.candidate[m];
    const base = full.baseline[m];
    const defined = isDefined(c) && isDefined(base);
    const n = count[m];
    let lower: number | null = null;
    let upper: number | null = null;
    if (n > 0) {
      const d = deltas[m].subarray(0, n).sort();
      lower = percentileLinear(d, alpha);
      upper = percentileLinear(d, 1 - alpha);
    }
    metrics[metricNames[m]] = {
      candidate: c,
      baseline: base,
      delta: defined ? c - base : null,
      lower,
      upper,
      significant: lower !== null && upper !== null && (lower > 0 || upper < 0),
      undefinedResamples: o.resamples - n,
    };
  }
  return { method: 'paired-bootstrap-images-percentile', images, resamples: o.resamples, seed: o.seed, confidence: o.confidence, metrics };
}

/** A delta of a metric in [0, 1] in points (×100) with its interval: `+1.23 [+0.45, +2.01]`, marked when the interval contains 0. */
export function formatPointsDelta(d: TPairedDelta): string {
  if (d.delta === null || d.lower === null || d.upper === null) return 'n/a (undefined: no ground truth)';
  const pts = (v: number) => `${v >= 0 ? '+' : '-'}${Math.abs(v * 100).toFixed(2)}`;
  return `${pts(d.delta)} [${pts(d.lower)}, ${pts(d.upper)}]${d.significant ? '' : ' (not significant)'}`;
}
