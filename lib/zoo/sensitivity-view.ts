import { ratioByLoss } from '../compression/ratios-by-loss';
import type { TSensitivityAnalysis } from './sensitivity-analysis';

/**
 * What the model page draws of a pruning sensitivity analysis (lib/zoo/sensitivity-analysis.ts): one curve
 * per pruned parameter, x = pruning ratio, y = relative AP loss in percent (loss x 100), and, when the model's
 * own pruned ratios are known, where each parameter's chosen ratio sits on its curve. Pure; no React.
 */

export interface SensitivityCurvePoint {
  ratio: number;
  /** Accuracy after pruning this parameter alone, a fraction (as the analysis stores it). */
  ap: number;
  /** Relative AP loss in percent: 100 x (baselineAp - ap) / baselineAp. */
  lossPercent: number;
  gflopsReduction608Percent: number | null;
}

export interface SensitivitySeries {
  /** Key of this series in `rows` (`p0`, `p1`, ...): parameter names contain dots, which chart libraries read as paths. */
  key: string;
  param: string;
  /** The name without the suffix every parameter shares (`yolo_block.0.0.0` for `yolo_block.0.0.0.conv.weights`). */
  label: string;
  /** Measured points, in the analysis' ratio order (ascending). */
  points: SensitivityCurvePoint[];
  /**
   * The ratio this model pruned the parameter by, and the loss read off the curve there: linear between
   * measured points, from (0, 0) (nothing pruned: no loss, by the loss' definition). Loss null beyond the
   * last measured ratio (not extrapolated). Null when the model's ratios are unknown.
   */
  chosen: { ratio: number; lossPercent: number | null } | null;
  /**
   * The ratio the loss threshold allows under the analysis' stored rule (`selection.rule`, lib/compression/ratios-by-loss.ts):
   * `paddleslim` (get_ratios_by_loss' own rule, no (0, 0) point: a prune-to-target job's default) or `with-origin`
   * (an added (0, 0) point; also when the rule is not stated, as analyses stored before rules were named read their
   * curves that way). Null without a threshold.
   */
  allowedRatio: number | null;
}

export interface SensitivityView {
  model: string;
  metric: string;
  inputSize: number;
  valImages: number;
  baselineAp: number;
  lossDefinition: string;
  criterion: string;
  source: TSensitivityAnalysis['source'] | null;
  /** Measured ratios, ascending. */
  ratios: number[];
  series: SensitivitySeries[];
  /**
   * Chart rows, x ascending: ratio 0 (every series 0: nothing pruned) then each measured ratio;
   * `row.ratio` is x and `row[series.key]` that series' loss in percent.
   */
  rows: Array<Record<string, number>>;
  lossThresholdPercent: number | null;
  targetGflopsReductionPercent: number | null;
  /** How the ratios were read off the curves (selection.rule), null when the analysis does not say. */
  ratioRule: 'paddleslim' | 'with-origin' | null;
  /**
   * Chosen ratios above 0 but below the first measured ratio: only an added (0, 0) point gives them; under
   * PaddleSlim's rule (no (0, 0) point) these parameters would get 0.
   */
  belowFirstRatio: string[];
  /** The model's pruned parameters the analysis does not list (no curve to place them on). */
  unmatchedPrunedParams: string[];
  /**
   * Parameters whose chosen ratio is not the one the loss threshold allows (beyond rounding to 0.01):
   * the ratios were not, or not all, chosen from this analysis. Empty without a threshold or chosen ratios.
   */
  disagreeing: Array<{ param: string; chosenRatio: number; allowedRatio: number }>;
  /** y range in percent: lowest loss (or 0) rounded down and highest loss (or threshold) rounded up, to multiples of 5. */
  yDomainPercent: [number, number];
}

/**
 * Linear interpolation of a curve at `ratio`. `curve`: points sorted by ratio ascending (distinct ratios).
 * Null outside [first ratio, last ratio]; a measured ratio returns its own loss exactly.
 */
export function lossAtRatio(curve: ReadonlyArray<{ ratio: number; loss: number }>, ratio: number): number | null {
  if (curve.length === 0 || !Number.isFinite(ratio) || ratio < curve[0].ratio || ratio > curve[curve.length - 1].ratio) return null;
  for (let i = 0; i < curve.length; i++) {
    const b = curve[i];
    if (ratio === b.ratio) return b.loss;
    if (ratio < b.ratio) {
      const a = curve[i - 1];
      return a.loss + ((ratio - a.ratio) / (b.ratio - a.ratio)) * (b.loss - a.loss);
    }
  }
  return null;
}

/** Chosen ratios are rounded to 0.01 by the tools (stage_prune.py): half a step, plus float noise. */
export const CHOSEN_RATIO_TOLERANCE = 0.005 + 1e-6;

/**
 * PaddleSlim's get_ratios_by_loss for one curve (as tools/demo-zoo/slimzoo/prune.py interpolate_ratio):
 * the largest ratio whose loss stays <= maxLoss. The loss is made monotone first (running maximum), the
 * curve starts at (0, 0), and between measured ratios it is linear. `curve`: measured points, ratio
 * ascending, without the (0, 0) point. Result in [0, last ratio]; 0 for an empty curve.
 */
export function ratioWithinLoss(curve: ReadonlyArray<{ ratio: number; loss: number }>, maxLoss: number): number {
  let best = 0;
  let prevRatio = 0;
  let prevLoss = 0;
  let running = 0;
  for (const { ratio, loss } of curve) {
    running = Math.max(running, loss);
    if (running <= maxLoss) best = ratio;
    else {
      if (running > prevLoss) best = prevRatio + ((ratio - prevRatio) * (maxLoss - prevLoss)) / (running - prevLoss);
      break;
    }
    prevRatio = ratio;
    prevLoss = running;
  }
  const last = curve.length ? curve[curve.length - 1].ratio : 0;
  return Math.min(Math.max(best, 0), last);
}

/**
 * Short labels: the names without the dot-separated suffix they all share (`.conv.weights`). Names stay
 * unique (a common suffix removed from distinct names leaves distinct prefixes); one name keeps its full form.
 */
export function shortParamLabels(names: readonly string[]): string[] {
  if (names.length < 2) return [...names];
  const parts = names.map((n) => n.split('.'));
  const maxStrip = Math.min(...parts.map((p) => p.length)) - 1;
  let k = 0;
  while (k < maxStrip && parts.every((p) => p[p.length - 1 - k] === parts[0][parts[0].length - 1 - k])) k++;
  return parts.map((p) => p.slice(0, p.length - k).join('.'));
}

/**
 * Series order: the model's pruned parameters in their declared order (PaddleSlim's --pruned_params), then
 * the others by name, numbers compared as numbers. Stored as JSONB, `parameters` loses its key order.
 */
export function orderedParams(names: readonly string[], prunedParams: readonly string[]): string[] {
  const rank = new Map(prunedParams.map((p, i) => [p, i] as const));
  const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
  return [...names].sort((a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity) || byName(a, b));
}

/**
 * The view of `analysis`; `pruned` (the model's own prunedParams / prunedRatios, same length) places each
 * parameter's chosen ratio on its curve.
 */
export function sensitivityView(
  analysis: TSensitivityAnalysis,
  pruned?: { prunedParams: readonly string[]; prunedRatios: readonly number[] } | null,
): SensitivityView {
  const chosenRatio = new Map<string, number>();
  if (pruned) pruned.prunedParams.forEach((p, i) => pruned.prunedRatios[i] !== undefined && chosenRatio.set(p, pruned.prunedRatios[i]));
  const names = orderedParams(Object.keys(analysis.parameters), pruned?.prunedParams ?? []);
  const labels = shortParamLabels(names);
  const series: SensitivitySeries[] = names.map((param, i) => {
    const points = analysis.parameters[param].map((p) => ({
      ratio: p.ratio,
      ap: p.ap,
      lossPercent: p.loss * 100,
      gflopsReduction608Percent: p.gflopsReduction608 === undefined ? null : p.gflopsReduction608 * 100,
    }));
    const r = chosenRatio.get(param);
    const curve = [{ ratio: 0, loss: 0 }, ...points.map((p) => ({ ratio: p.ratio, loss: p.lossPercent }))];
    const allowedRatio = analysis.selection
      ? ratioByLoss(
          analysis.parameters[param],
          analysis.selection.lossThreshold,
          { withOrigin: analysis.selection.rule !== 'paddleslim' },
          param,
        )
      : null;
    return {
      key: `p${i}`,
      param,
      label: labels[i],
      points,
      chosen: r === undefined ? null : { ratio: r, lossPercent: lossAtRatio(curve, r) },
      allowedRatio,
    };
  });
  const rows: Array<Record<string, number>> = [0, ...analysis.ratios].map((ratio, j) => {
    const row: Record<string, number> = { ratio };
    for (const s of series) row[s.key] = j === 0 ? 0 : s.points[j - 1].lossPercent;
    return row;
  });
  const lossThresholdPercent = analysis.selection ? analysis.selection.lossThreshold * 100 : null;
  const losses = series.flatMap((s) => s.points.map((p) => p.lossPercent));
  const lo = Math.min(0, ...losses);
  const hi = Math.max(0, ...losses, lossThresholdPercent ?? 0);
  const yDomainPercent: [number, number] = [Math.floor(lo / 5) * 5, Math.max(5, Math.ceil(hi / 5) * 5)];
  return {
    model: analysis.model,
    metric: analysis.metric,
    inputSize: analysis.inputSize,
    valImages: analysis.valImages,
    baselineAp: analysis.baselineAp,
    lossDefinition: analysis.lossDefinition,
    criterion: analysis.criterion,
    source: analysis.source ?? null,
    ratios: [...analysis.ratios],
    series,
    rows,
    lossThresholdPercent,
    targetGflopsReductionPercent:
      analysis.selection?.targetGflopsReduction === undefined ? null : analysis.selection.targetGflopsReduction * 100,
    ratioRule: analysis.selection?.rule ?? null,
    belowFirstRatio: series.flatMap((s) =>
      s.chosen && s.chosen.ratio > 0 && s.points.length > 0 && s.chosen.ratio < s.points[0].ratio ? [s.param] : [],
    ),
    unmatchedPrunedParams: pruned ? pruned.prunedParams.filter((p) => !Object.hasOwn(analysis.parameters, p)) : [],
    disagreeing: series.flatMap((s) =>
      s.chosen && s.allowedRatio !== null && Math.abs(s.chosen.ratio - s.allowedRatio) > CHOSEN_RATIO_TOLERANCE
        ? [{ param: s.param, chosenRatio: s.chosen.ratio, allowedRatio: s.allowedRatio }]
        : [],
    ),
    yDomainPercent,
  };
}
