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
    throw new SlimboardError(
      'bad_query',
      `bad explorer URL: y: dataset "${view.dataset}" has no metric "${view.y}" (has ${metrics.join(', ')})`,
    );
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
 * What every selection needs from one entries array, computed once per array: keys[i] = entryKey(entries[i]),
 * baselineKeys[i] = `baselineModelId@inputSize` (or null), baselineIndex[i] = index of that baseline entry
 * (-1 when absent or when it is the entry itself). Reused while the array holds the same entries (checked
 * element by element, so an array changed in place is indexed afresh).
 */
type TEntryIndex = { entries: TExplorerEntry[]; keys: string[]; baselineKeys: Array<string | null>; baselineIndex: Int32Array };
const ENTRY_INDEX = new WeakMap<readonly TExplorerEntry[], TEntryIndex>();

function entryIndex(entries: readonly TExplorerEntry[]): TEntryIndex {
  const cached = ENTRY_INDEX.get(entries);
  if (cached && cached.entries.length === entries.length && cached.entries.every((e, i) => e === entries[i])) return cached;
  const keys = entries.map(entryKey);
  const at = new Map<string, number>();
  keys.forEach((key, i) => {
    if (at.has(key)) throw new SlimboardError('duplicate_entry', `explorer entries: "${key}" appears twice`);
    at.set(key, i);
  });
  const baselineKeys = entries.map((e) => (e.baselineModelId === null ? null : `${e.baselineModelId}@${e.inputSize}`));
  const baselineIndex = new Int32Array(entries.length).fill(-1);
  baselineKeys.forEach((bk, i) => {
    const j = bk === null ? undefined : at.get(bk);
    if (j !== undefined && j !== i) baselineIndex[i] = j;
  });
  const index = { entries: [...entries], keys, baselineKeys, baselineIndex };
  ENTRY_INDEX.set(entries, index);
  return index;
}

/**
 * Points for a selection. Order: the entries' order (stable), so goldens and tables are reproducible.
 * Throws on two entries with the same `modelId@inputSize` (the caller built its entries wrong).
 */
export function extractPoints(entries: readonly TExplorerEntry[], sel: TResolvedSelection): TExtraction {
  const { keys, baselineKeys, baselineIndex } = entryIndex(entries);
  const points: TPoint[] = [];
  // pointAt[i] = the point drawn for entries[i], if any
  const pointAt: Array<TPoint | undefined> = new Array(entries.length);
  let missingValue = 0;
  let nonPositiveCost = 0;
  const sizes = sel.sizes ? new Set(sel.sizes) : null;
  const methods = sel.methods ? new Set(sel.methods) : null;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
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
    const point: TPoint = {
      key: keys[i],
      modelId: e.modelId,
      inputSize: e.inputSize,
      method: e.method,
      source: latencySource ?? e.source,
      cost,
      accuracy,
      latencyReported,
      baselineKey: baselineKeys[i],
    };
    points.push(point);
    pointAt[i] = point;
  }
  // Baseline links only to points that are drawn (and never to the point itself).
  for (let i = 0; i < entries.length; i++) {
    const p = pointAt[i];
    if (p && p.baselineKey !== null && (baselineIndex[i] < 0 || pointAt[baselineIndex[i]] === undefined)) p.baselineKey = null;
  }
  return { points, missingValue, nonPositiveCost };
}
