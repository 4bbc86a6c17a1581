import { z } from 'zod';
import type { TExplorerEntry, TLatency, TMetricKey } from './entry';
import { DEMO_DATASET_SLUG } from '../demo-zoo/demo-zoo-constants';

/**
 * The explorer's axes. The x axis is a cost (lower is better), the y axis an accuracy (higher is better);
 * the Pareto frontier and "biggest wins" rely on exactly that orientation.
 */

export const COST_AXES = ['gflops', 'params', 'size', 'latency'] as const;
export const ZCostAxis = z.enum(COST_AXES);
export type TCostAxis = z.infer<typeof ZCostAxis>;

export const PERCENTILES = ['p50', 'p90', 'p99', 'mean'] as const;
export const ZPercentile = z.enum(PERCENTILES);
export type TPercentile = z.infer<typeof ZPercentile>;

export type TCostAxisInfo = {
  key: TCostAxis;
  /** Axis label (the unit follows in parentheses). */
  label: string;
  /** Short name for titles. */
  short: string;
  unit: string;
  /** One sentence on how the number is counted. */
  convention: string;
};

export const COST_AXIS_INFO: Record<TCostAxis, TCostAxisInfo> = {
  gflops: {
    key: 'gflops',
    label: 'Compute',
    short: 'GFLOPs',
    unit: 'GFLOPs',
    convention:
      'Floating-point operations per image at the given input size, ×10⁹, counted as the source counts them (published rows: PaddleSlim).',
  },
  params: { key: 'params', label: 'Parameters', short: 'parameters', unit: 'M params', convention: 'Number of weights, ×10⁶.' },
  size: {
    key: 'size',
    label: 'Model size',
    short: 'model size',
    unit: 'MB',
    convention: 'Size of the downloadable model file in megabytes (as published, or the stored file ÷ 10⁶).',
  },
  latency: {
    key: 'latency',
    label: 'Latency',
    short: 'latency',
    unit: 'ms/image',
    convention:
      'Milliseconds per image on the chosen device at the chosen percentile; published rows give one number of unstated statistic, shown ' +
      'for every percentile.',
  },
};

export type TMetricInfo = { key: TMetricKey; label: string; unit: string };

export const METRIC_INFO: Record<TMetricKey, TMetricInfo> = {
  boxAp: { key: 'boxAp', label: 'COCO Box AP', unit: '%' },
  vocMap: { key: 'vocMap', label: 'VOC mAP', unit: '%' },
  widerEasy: { key: 'widerEasy', label: 'WIDER FACE Easy AP', unit: '%' },
  widerMedium: { key: 'widerMedium', label: 'WIDER FACE Medium AP', unit: '%' },
  widerHard: { key: 'widerHard', label: 'WIDER FACE Hard AP', unit: '%' },
};

/** Which accuracy metrics each known dataset has; the first is the default y axis. */
export const DATASET_METRICS: Record<string, readonly TMetricKey[]> = {
  coco: ['boxAp'],
  voc: ['vocMap'],
  widerface: ['widerEasy', 'widerMedium', 'widerHard'],
  // The demo models are also evaluated on the VOC view of their val split and on the synthetic faces.
  [DEMO_DATASET_SLUG]: ['boxAp', 'vocMap', 'widerEasy', 'widerMedium', 'widerHard'],
};

export const DATASET_LABELS: Record<string, string> = {
  coco: 'COCO',
  voc: 'Pascal VOC',
  widerface: 'WIDER FACE',
  [DEMO_DATASET_SLUG]: 'Demo (synthetic shapes)',
};

export function datasetLabel(dataset: string): string {
  return DATASET_LABELS[dataset] ?? dataset;
}

/** Metrics a dataset offers: the known list, or (user datasets) whatever metrics its entries carry. */
export function metricsForDataset(dataset: string, entries: readonly TExplorerEntry[] = []): TMetricKey[] {
  const known = DATASET_METRICS[dataset];
  if (known) return [...known];
  const seen = new Set<TMetricKey>();
  for (const e of entries) {
    if (e.dataset !== dataset) continue;
    for (const k of Object.keys(e.accuracy) as TMetricKey[]) seen.add(k);
  }
  return [...seen];
}

/** The latency of one entry on one device at one percentile, with whether it is the published single number. */
export function latencyValue(
  latency: readonly TLatency[],
  device: string,
  percentile: TPercentile,
): { ms: number; reported: boolean } | null {
  const row = latency.find((l) => l.device === device);
  if (!row) return null;
  const byPct = { p50: row.p50Ms, p90: row.p90Ms, p99: row.p99Ms, mean: row.meanMs }[percentile];
  if (byPct !== null && Number.isFinite(byPct)) return { ms: byPct, reported: false };
  if (row.reportedMs !== null && Number.isFinite(row.reportedMs)) return { ms: row.reportedMs, reported: true };
  return null;
}

/** The cost of an entry on the chosen axis, or null when the entry lacks it. */
export function costValue(entry: TExplorerEntry, axis: TCostAxis, device: string | null, percentile: TPercentile): number | null {
  switch (axis) {
    case 'gflops':
      return entry.gflops;
    case 'params':
      return entry.paramsM;
    case 'size':
      return entry.sizeMB;
    case 'latency':
      return device === null ? null : (latencyValue(entry.latency, device, percentile)?.ms ?? null);
  }
}

/** Axis title with its unit, e.g. `Latency, p90 on Tesla P4 (TensorRT) (ms/image)`. */
export function costAxisTitle(axis: TCostAxis, deviceLabel: string | null, percentile: TPercentile, log: boolean): string {
  const info = COST_AXIS_INFO[axis];
  const what = axis === 'latency' ? `${info.label}, ${percentile} on ${deviceLabel ?? 'no device'}` : info.label;
  return `${what} (${info.unit}${log ? ', log scale' : ''})`;
}

export function metricAxisTitle(metric: TMetricKey): string {
  const info = METRIC_INFO[metric];
  return `${info.label} (${info.unit})`;
}

/** Devices that have a latency for at least one entry of the dataset, in first-seen order. */
export function devicesForDataset(entries: readonly TExplorerEntry[], dataset: string): Array<{ device: string; deviceLabel: string }> {
  const seen = new Map<string, string>();
  for (const e of entries) {
    if (e.dataset !== dataset) continue;
    for (const l of e.latency) if (!seen.has(l.device)) seen.set(l.device, l.deviceLabel);
  }
  return [...seen].map(([device, deviceLabel]) => ({ device, deviceLabel }));
}
