/**
 * Pruning ratios from a sensitivity analysis (PaddleSlim's `get_ratios_by_loss`, paddleslim/prune/sensitive.py,
 * semantics re-implemented here) and the threshold search that meets a FLOPs-reduction target.
 *
 * A curve is one parameter's measured points [(ratio, loss)], loss = (baselineAp - ap) / baselineAp (a fraction).
 * Rule `paddleslim` (the default), for a loss threshold T:
 * - sort the points by ratio; take the LAST point i (largest ratio) whose loss <= T;
 * - if i is the last point, the ratio is r_i; otherwise interpolate linearly between point i and point i + 1
 *   (whose loss is > T): r = r_i + (T - l_i) * (r_{i+1} - r_i) / (l_{i+1} - l_i);
 * - if no point has loss <= T, the ratio is 0 (the parameter is not pruned). There is NO (0, 0) point: a
 *   parameter whose loss at the smallest measured ratio exceeds T gets 0, not a ratio below that point.
 * Rule `with-origin` (named option `withOrigin: true`): the same with a (0, 0) point added first, so a
 * threshold between 0 and the first loss gives a ratio between 0 and the first measured ratio. This is how
 * the demo zoo's `sensity` ratios were read (tools/demo-zoo/slimzoo/prune.py, which also made the curve
 * monotone first: we do not).
 *
 * The interpolated loss of a ratio (`interpolatedLoss`) is the piecewise-linear curve through the rule's
 * points (and (0, 0): an unpruned parameter loses nothing); every ratio the rule returns has an
 * interpolated loss <= T.
 */
import { SlimboardError } from '../errors';

export type TRatioRule = 'paddleslim' | 'with-origin';
export const RATIO_RULES: readonly TRatioRule[] = ['paddleslim', 'with-origin'];

/** One measured point of a sensitivity curve: `ratio` of output channels removed, relative AP `loss` (fractions). */
export interface LossPoint {
  ratio: number;
  loss: number;
}

/** parameter name -> its measured points (any order). */
export type SensitivityCurves = Readonly<Record<string, readonly LossPoint[]>>;

export interface RatioRuleOptions {
  /** Add a (0, 0) point before the measured ones (the `with-origin` rule). Default false (PaddleSlim's rule). */
  withOrigin?: boolean;
}

function sortedPoints(points: readonly LossPoint[], withOrigin: boolean, name = 'curve'): LossPoint[] {
  for (const p of points) {
    if (!Number.isFinite(p.ratio) || p.ratio <= 0 || p.ratio >= 1) {
      throw new SlimboardError('bad_sensitivity', `${name}: ratio ${p.ratio} must be in (0, 1)`);
    }
    if (!Number.isFinite(p.loss)) throw new SlimboardError('bad_sensitivity', `${name}: loss at ratio ${p.ratio} is not a finite number`);
  }
  const sorted = [...points].sort((a, b) => a.ratio - b.ratio);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].ratio === sorted[i - 1].ratio)
      throw new SlimboardError('bad_sensitivity', `${name}: ratio ${sorted[i].ratio} is measured twice`);
  }
  return withOrigin ? [{ ratio: 0, loss: 0 }, ...sorted] : sorted;
}

/** The ratio one parameter gets at loss threshold `threshold` (see the module comment). */
export function ratioByLoss(points: readonly LossPoint[], threshold: number, options: RatioRuleOptions = {}, name?: string): number {
  if (Number.isNaN(threshold)) throw new SlimboardError('bad_arguments', 'loss threshold is NaN');
  const pts = sortedPoints(points, options.withOrigin ?? false, name);
  for (let i = pts.length - 1; i >= 0; i--) {
    if (pts[i].loss <= threshold) {
      if (i === pts.length - 1) return pts[i].ratio;
      const a = pts[i];
      const b = pts[i + 1]; // b.loss > threshold >= a.loss, so b.loss > a.loss
      // min: rounding must not carry the result past the next measured point
      return Math.min(b.ratio, a.ratio + ((threshold - a.loss) * (b.ratio - a.ratio)) / (b.loss - a.loss));
    }
  }
  return 0;
}

/** Ratios of every parameter at one threshold (parameters that get 0 are included with 0). */
export function ratiosByLoss(curves: SensitivityCurves, threshold: number, options: RatioRuleOptions = {}): Record<string, number> {
  return Object.fromEntries(Object.entries(curves).map(([name, pts]) => [name, ratioByLoss(pts, threshold, options, name)]));
}

/**
 * Loss of `ratio` on the piecewise-linear curve through (0, 0) and the measured points. Ratio 0 has loss 0;
 * a ratio above the largest measured one is outside the analysis: an error.
 */
export function interpolatedLoss(points: readonly LossPoint[], ratio: number, name?: string): number {
  const pts = sortedPoints(points, true, name);
  if (!(ratio >= 0)) throw new SlimboardError('bad_arguments', `${name ?? 'curve'}: ratio ${ratio} must be >= 0`);
  const last = pts[pts.length - 1];
  if (ratio > last.ratio)
    throw new SlimboardError('bad_arguments', `${name ?? 'curve'}: ratio ${ratio} is above the largest measured ratio ${last.ratio}`);
  for (let i = pts.length - 1; i >= 0; i--) {
    if (pts[i].ratio === ratio) return pts[i].loss;
    if (pts[i].ratio < ratio) {
      const a = pts[i];
      const b = pts[i + 1];
      return a.loss + ((ratio - a.ratio) * (b.loss - a.loss)) / (b.ratio - a.ratio);
    }
  }
  return 0;
}

export interface ThresholdSearchOptions extends RatioRuleOptions {
  curves: SensitivityCurves;
  /** Requested fractional FLOPs reduction, in (0, 1): 0.35 = the pruned model computes 35 % fewer FLOPs. */
  target: number;
  /**
   * Fractional FLOPs reduction of the model pruned with `ratios` (measured on the pruned graph by the caller).
   * Must not decrease when every ratio grows (more channels removed never costs more FLOPs).
   */
  reductionOf: (ratios: Record<string, number>) => number;
  /** Bisection steps (default 60: the threshold interval shrinks by 2^60). */
  steps?: number;
}

export interface ThresholdPoint {
  threshold: number;
  ratios: Record<string, number>;
  /** reductionOf(ratios). */
  reduction: number;
}

export interface ThresholdSearchResult extends ThresholdPoint {
  /** The smallest threshold found whose reduction is >= target (to the bisection's resolution). */
  above: ThresholdPoint;
  /** The largest threshold found whose reduction is < target (null when pruning nothing already reaches it). */
  below: ThresholdPoint | null;
  /** How many times reductionOf was called. */
  evaluations: number;
}

/**
 * Bisect the loss threshold: the ratios of a threshold only grow with it, so the FLOPs reduction does too.
 * Ratios (and so the reduction) jump where a parameter's curve crosses the threshold at a measured point
 * (PaddleSlim's rule jumps from 0 to the first measured ratio), so the target usually falls inside a jump:
 * the search brackets it with `above` (smallest threshold reaching it) and `below` (largest one missing it)
 * and returns the one whose reduction is nearer the target (ties: `above`), as PaddleSlim's
 * SensitivePruner accepts either side within a tolerance. A target that even the largest measured ratios
 * cannot reach is an error that states the reachable maximum.
 */
export function searchLossThreshold(o: ThresholdSearchOptions): ThresholdSearchResult {
  if (!(o.target > 0 && o.target < 1))
    throw new SlimboardError('bad_arguments', `FLOPs target must be a fraction in (0, 1), got ${o.target}`);
  const names = Object.keys(o.curves);
  if (names.length === 0) throw new SlimboardError('bad_sensitivity', 'the sensitivity analysis has no parameters');
  const losses = names.flatMap((n) => o.curves[n].map((p) => p.loss));
  if (losses.length === 0) throw new SlimboardError('bad_sensitivity', 'the sensitivity analysis has no measured points');
  const rule = { withOrigin: o.withOrigin };
  let evaluations = 0;
  const at = (t: number): ThresholdPoint => {
    const ratios = ratiosByLoss(o.curves, t, rule);
    evaluations++;
    return { threshold: t, ratios, reduction: o.reductionOf(ratios) };
  };
  // At hi every parameter gets its largest measured ratio; at lo none is pruned.
  let hi = at(Math.max(0, ...losses));
  if (hi.reduction < o.target) {
    throw new SlimboardError(
      'target_unreachable',
      `a FLOPs reduction of ${(100 * o.target).toFixed(1)} % cannot be reached: ` +
        'pruning every parameter at its largest measured ratio removes ' +
        `${(100 * hi.reduction).toFixed(2)} % (measure larger ratios, or analyse more parameters)`,
    );
  }
  let lo: ThresholdPoint | null = at(Math.min(0, ...losses) - 1);
  if (lo.reduction >= o.target) return { ...lo, above: lo, below: null, evaluations };
  const steps = o.steps ?? 60;
  for (let k = 0; k < steps; k++) {
    const mid = (lo.threshold + hi.threshold) / 2;
    if (mid === lo.threshold || mid === hi.threshold) break;
    const m = at(mid);
    if (m.reduction >= o.target) hi = m;
    else lo = m;
  }
  const best = o.target - lo.reduction < hi.reduction - o.target ? lo : hi;
  return { ...best, above: hi, below: lo, evaluations };
}
