import { SlimboardError } from '../errors';
import { costValue, devicesForDataset, latencyValue, metricsForDataset, type TCostAxis, type TPercentile } from './axes';
import { entryKey, type TExplorerEntry, type TMethod, type TMetricKey, type TSource } from './entry';
import type { TExplorerView } from './view-state';

/** One dot on the chart: an entry placed at (cost, accuracy) for the current selection. */
export type TPoint = {
  /** `modelId@inputSize` */
  key: string;
  modelId: string;
  inputSize: number;
  method: TMethod;
  source: TSource;
  /** x: cost on the chosen axis, in that axis' unit (always > 0). */
  cost: number;
  /** y: accuracy in percentage points. */
  accuracy: number;
  /** True when the latency is the published single number (statistic unstated), not the chosen percentile. */
  latencyReported: boolean;
  /** Key of the declared baseline's point at the same input size, when that point is in the selection. */
  baselineKey: string | null;
};

/** The selection fully resolved: defaults filled in against the data. */
export type TResolvedSelection = {
  dataset: string;
  x: TCostAxis;
  y: TMetricKey | null;
  device: string | null;
  pct: TPercentile;
  log: boolean;
  sizes: number[] | null;
  methods: TMethod[] | null;
  source: 'all' | TSource;
};

/** Fill a URL view's defaults from the data (dataset's first metric, first device with latency). */
export function resolveSelection(view: TExplorerView, entries: readonly TExplorerEntry[]): TResolvedSelection {
  const metrics = metricsForDataset(view.dataset, entries);
  if (view.y !== undefined && metrics.length > 0 && !metrics.includes(view.y)) {
    throw new SlimboardError('bad_query', `bad explorer URL: y: dataset "${view.dataset}" has no metric "${view.y}" (has ${metrics.join(', ')})`);
  }
  const devices = devicesForDataset(entries, view.dataset);
  if (view.device !== undefined && devices.length > 0 && !devices.some((d) => d.device === view.device)) {
    throw new SlimboardError(
      'bad_query',
      `bad explorer URL: device: no latency for "${view.device}" on ${view.dataset} (has ${devices.map((d) => d.device).join(', ')})`,
    );
  }
  return {
    dataset: view.dataset,
    x: view.x,
    y: view.y ?? metrics[0] ?? null,
    device: view.device ?? devices[0]?.device ?? null,
    pct: view.pct,
    log: view.log,
    sizes: view.sizes && view.sizes.length > 0 ? view.sizes : null,
    methods: view.methods && view.methods.length > 0 ? view.methods : null,
    source: view.source,
  };
}

export type TExtraction = {
  points: TPoint[];
  /** Entries of the dataset that pass the filters but lack the cost or the metric (not drawable). */
  missingValue: number;
  /** Entries dropped because the log scale cannot place a cost <= 0 (never happens with valid entries). */
  nonPositiveCost: number;
};

/**
 * Points for a selection. Order: the entries' order (stable), so goldens and tables are reproducible.
 * Throws on two entries with the same `modelId@inputSize` (the caller built its entries wrong).
 */
export function extractPoints(entries: readonly TExplorerEntry[], sel: TResolvedSelection): TExtraction {
  const seen = new Set<string>();
  const points: TPoint[] = [];
  let missingValue = 0;
  let nonPositiveCost = 0;
  const sizes = sel.sizes ? new Set(sel.sizes) : null;
  const methods = sel.methods ? new Set(sel.methods) : null;
  for (const e of entries) {
    const key = entryKey(e);
    if (seen.has(key)) throw new SlimboardError('duplicate_entry', `explorer entries: "${key}" appears twice`);
    seen.add(key);
    if (e.dataset !== sel.dataset) continue;
    if (sizes && !sizes.has(e.inputSize)) continue;
    if (methods && !methods.has(e.method)) continue;
    if (sel.source !== 'all' && e.source !== sel.source) continue;
    const cost = costValue(e, sel.x, sel.device, sel.pct);
    const accuracy = sel.y === null ? undefined : e.accuracy[sel.y];
    if (cost === null || accuracy === undefined || !Number.isFinite(cost) || !Number.isFinite(accuracy)) {
      missingValue++;
      continue;
    }
    if (cost <= 0) {
      nonPositiveCost++;
      continue;
    }
    const latencyReported =
      sel.x === 'latency' && sel.device !== null ? (latencyValue(e.latency, sel.device, sel.pct)?.reported ?? false) : false;
    // On the latency axis the marker shows where the LATENCY came from (a published model can be measured on our devices).
    const latencySource = sel.x === 'latency' ? e.latency.find((l) => l.device === sel.device)?.source : undefined;
    points.push({
      key,
      modelId: e.modelId,
      inputSize: e.inputSize,
      method: e.method,
      source: latencySource ?? e.source,
      cost,
      accuracy,
      latencyReported,
      baselineKey: e.baselineModelId === null ? null : `${e.baselineModelId}@${e.inputSize}`,
    });
  }
  // Baseline links only to points that are drawn.
  const drawn = new Set(points.map((p) => p.key));
  for (const p of points) if (p.baselineKey !== null && (!drawn.has(p.baselineKey) || p.baselineKey === p.key)) p.baselineKey = null;
  return { points, missingValue, nonPositiveCost };
}
