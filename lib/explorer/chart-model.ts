import { COST_AXIS_INFO, costAxisTitle, datasetLabel, devicesForDataset, METRIC_INFO, metricAxisTitle } from './axes';
import { linearDomain, logDomain, type TDomain } from './chart-scale';
import { baselineArrows, inputSizeCurves, type TBaselineArrow, type TInputSizeCurve } from './curves';
import { entryKey, METHODS, type TExplorerEntry, type TMethod, type TSource } from './entry';
import { frontierStepVertices, paretoFrontierIndices } from './frontier';
import { frontierValues, intervalBars, type TIntervalBar } from './intervals';
import { extractPoints, resolveSelection, type TPoint, type TResolvedSelection } from './points';
import type { TExplorerView } from './view-state';

/**
 * Everything the trade-off chart and its table draw, computed from the entries and the URL view in one
 * pure pass (the page, the landing page, the browser tests and the benchmark all call this).
 */
export type TChartModel = {
  sel: TResolvedSelection;
  points: TPoint[];
  /** Frontier points in cost order. */
  frontier: TPoint[];
  frontierKeys: Set<string>;
  frontierSteps: Array<[number, number]>;
  /** Error bars of measured deltas with intervals (lib/explorer/intervals.ts), in data units. */
  intervalBars: TIntervalBar[];
  curves: TInputSizeCurve[];
  arrows: TBaselineArrow[];
  byMethod: Array<{ method: TMethod; points: TPoint[] }>;
  sources: TSource[];
  missingValue: number;
  xDomain: TDomain;
  xTicks: number[];
  yDomain: TDomain;
  yTicks: number[];
  title: string;
  xTitle: string;
  yTitle: string;
};

export function buildChartModel(entries: readonly TExplorerEntry[], view: TExplorerView): TChartModel {
  const sel = resolveSelection(view, entries);
  const { points, missingValue } = extractPoints(entries, sel);
  // Frontier on the effective values: a measured change that is not significant is no win (lib/explorer/intervals.ts).
  const byKey = entriesByKey(entries);
  const frontierIdx = paretoFrontierIndices(frontierValues(points, byKey, sel));
  const frontier = frontierIdx.map((i) => points[i]);
  const frontierKeys = new Set(frontier.map((p) => p.key));
  // One pass: points grouped by method in METHODS order, each group in the points' order.
  const grouped = new Map<TMethod, TPoint[]>(METHODS.map((m) => [m, []]));
  for (const p of points) grouped.get(p.method)?.push(p);
  const byMethod = METHODS.map((method) => ({ method, points: grouped.get(method)! })).filter((g) => g.points.length > 0);
  const sources = (['published', 'measured'] as const).filter((s) => points.some((p) => p.source === s));
  // The axes hold every point and every interval bar's ends (lib/explorer/intervals.ts).
  const bars = intervalBars(points, byKey, sel);
  const xs = points.map((p) => p.cost);
  const ys = points.map((p) => p.accuracy);
  for (const b of bars) (b.axis === 'x' ? xs : ys).push(b.low, b.high);
  // Linear cost axes start at 0 (costs are > 0), so distances read as ratios.
  const x = sel.log ? logDomain(xs) : linearDomain([0, ...xs]);
  if (!sel.log && x.domain[0] < 0) {
    x.domain = [0, x.domain[1]];
    x.ticks = x.ticks.filter((t) => t >= 0);
  }
  const y = linearDomain(ys);
  // The device appears in titles only on the latency axis (saves a pass over the entries otherwise).
  const deviceLabel =
    sel.x !== 'latency' || sel.device === null
      ? null
      : (devicesForDataset(entries, sel.dataset).find((d) => d.device === sel.device)?.deviceLabel ?? sel.device);
  const xTitle = costAxisTitle(sel.x, deviceLabel, sel.pct, sel.log);
  const yTitle = sel.y === null ? 'Accuracy' : metricAxisTitle(sel.y);
  const sizes = sel.sizes ? ` at ${sel.sizes.join('/')} px` : '';
  const costShort = sel.x === 'latency' ? `${sel.pct} latency on ${deviceLabel ?? 'no device'}` : COST_AXIS_INFO[sel.x].short;
  const metricLabel = sel.y === null ? `${datasetLabel(sel.dataset)} accuracy` : METRIC_INFO[sel.y].label;
  const title = `${metricLabel} vs ${costShort}${sizes}`;
  return {
    sel,
    points,
    frontier,
    frontierKeys,
    frontierSteps: frontierStepVertices(frontier),
    intervalBars: bars,
    curves: inputSizeCurves(points),
    arrows: baselineArrows(points),
    byMethod,
    sources,
    missingValue,
    xDomain: x.domain,
    xTicks: x.ticks,
    yDomain: y.domain,
    yTicks: y.ticks,
    title,
    xTitle,
    yTitle,
  };
}

export function entriesByKey(entries: readonly TExplorerEntry[]): Map<string, TExplorerEntry> {
  return new Map(entries.map((e) => [entryKey(e), e]));
}
