import { costValue, metricsForDataset, type TCostAxis, type TPercentile } from './axes';
import { entryKey, type TExplorerEntry, type TMetricKey } from './entry';
import { latencyIntervalFor, latencyWinDenied } from './intervals';

/**
 * "Biggest wins": compressed models that cut the most cost against their DECLARED baseline (same model
 * family/backbone/dataset/pretraining, at the same input size) while losing at most `maxLossAp` points
 * of the dataset's accuracy metric.
 *
 *   costCut       = (baselineCost - cost) / baselineCost      (fraction; 0.6964 means -69.64%)
 *   accuracyDelta = accuracy - baselineAccuracy               (percentage points; negative is a loss)
 *   eligible     <=> costCut > 0 and accuracyDelta >= -maxLossAp - 1e-9
 * The 1e-9 absorbs binary rounding of the subtraction (29.0 - 30.0 is exactly -1, but 38.3 - 39.3 is not),
 * so "at most 1 AP" includes a loss of exactly 1.0 as printed.
 * Measured latency (lib/explorer/intervals.ts, "no win from noise"): a candidate whose latency on the device was
 * measured by Slimboard is a win only when its paired benchmark against the baseline says faster, significantly
 * and trusted (not a busy machine, full protocol); its costCut is then the paired one, 1 − ratio, with the interval
 * [1 − high, 1 − low] in `costCutInterval`. Unpaired measured latencies have no verdict and are not ranked.
 * Published latencies keep their single numbers (no interval).
 * Ranking: costCut descending, then accuracyDelta descending, then key. With `onePerModel` (default) each
 * model contributes only its best-ranked input size.
 */

export type TWin = {
  key: string;
  modelId: string;
  baselineModelId: string;
  dataset: string;
  metric: TMetricKey;
  inputSize: number;
  cost: number;
  baselineCost: number;
  costCut: number;
  accuracy: number;
  baselineAccuracy: number;
  accuracyDelta: number;
  /** The paired benchmark's interval on costCut (measured latency only), e.g. [0.268, 0.301]. */
  costCutInterval?: { low: number; high: number; text: string };
};

export type TWinsOptions = {
  axis: TCostAxis;
  /** Latency axis only. */
  device?: string | null;
  percentile?: TPercentile;
  maxLossAp?: number;
  /** Metric per dataset; default: the dataset's first metric. */
  metricFor?: (dataset: string) => TMetricKey | undefined;
  onePerModel?: boolean;
  /** Restrict to one dataset. */
  dataset?: string;
};

export const ROUNDING_TOLERANCE_AP = 1e-9;

export function biggestWins(entries: readonly TExplorerEntry[], options: TWinsOptions): TWin[] {
  const maxLoss = options.maxLossAp ?? 1;
  const pct = options.percentile ?? 'p50';
  const device = options.device ?? null;
  const metricFor = options.metricFor ?? ((d: string) => metricsForDataset(d, entries)[0]);
  const byKey = new Map(entries.map((e) => [entryKey(e), e]));
  const wins: TWin[] = [];
  for (const e of entries) {
    if (e.baselineModelId === null || e.baselineModelId === e.modelId) continue;
    if (options.dataset !== undefined && e.dataset !== options.dataset) continue;
    const b = byKey.get(`${e.baselineModelId}@${e.inputSize}`);
    if (!b || b.dataset !== e.dataset) continue;
    const metric = metricFor(e.dataset);
    if (metric === undefined) continue;
    const accuracy = e.accuracy[metric];
    const baselineAccuracy = b.accuracy[metric];
    const cost = costValue(e, options.axis, device, pct);
    const baselineCost = costValue(b, options.axis, device, pct);
    if (accuracy === undefined || baselineAccuracy === undefined || cost === null || baselineCost === null) continue;
    if (!(baselineCost > 0)) continue;
    const sel = { x: options.axis, device } as const;
    if (latencyWinDenied(e, sel)) continue;
    const paired = latencyIntervalFor(e, sel);
    const costCut = paired ? 1 - paired.value : (baselineCost - cost) / baselineCost;
    const accuracyDelta = accuracy - baselineAccuracy;
    if (!(costCut > 0) || accuracyDelta < -maxLoss - ROUNDING_TOLERANCE_AP) continue;
    wins.push({
      key: entryKey(e),
      modelId: e.modelId,
      baselineModelId: b.modelId,
      dataset: e.dataset,
      metric,
      inputSize: e.inputSize,
      cost,
      baselineCost,
      costCut,
      accuracy,
      baselineAccuracy,
      accuracyDelta,
      ...(paired ? { costCutInterval: { low: 1 - paired.high, high: 1 - paired.low, text: paired.text } } : {}),
    });
  }
  wins.sort((a, b) => b.costCut - a.costCut || b.accuracyDelta - a.accuracyDelta || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (options.onePerModel === false) return wins;
  const taken = new Set<string>();
  return wins.filter((w) => (taken.has(w.modelId) ? false : (taken.add(w.modelId), true)));
}
