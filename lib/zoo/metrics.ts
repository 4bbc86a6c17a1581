import { z } from 'zod';

/**
 * What each metric means and how the zoo compares it. `kind` values are the database enum
 * (prisma/schema.prisma MetricKind); `columnId` is the key used in rows, URLs and exports.
 *
 * Delta conventions (as the seed prints them):
 * - accuracy metrics: absolute change in percentage points, `39.8(+0.7)`; higher is better;
 * - cost metrics (GFLOPs, size, latency): relative change in percent of the baseline, `37.53(-16.06%)`;
 *   lower is better.
 */

export const METRIC_KINDS = [
  'box_ap',
  'voc_map',
  'wider_easy',
  'wider_medium',
  'wider_hard',
  'gflops',
  'model_size_mb',
  'latency_ms',
  'params',
] as const;
export const ZMetricKind = z.enum(METRIC_KINDS);
export type TMetricKind = z.infer<typeof ZMetricKind>;

export type TDeltaKind = 'absolute' | 'relative';

export interface MetricInfo {
  kind: TMetricKind;
  /** Key in rows and URLs; latency columns are `latency:<device slug>`. */
  columnId: string;
  label: string;
  unit: string;
  higherIsBetter: boolean;
  deltaKind: TDeltaKind;
  /** Decimals to print when a number carries none of its own (measured numbers). */
  defaultDecimals: number;
  /** Does the number depend on the input size? (model size does not) */
  perInputSize: boolean;
  /** Accuracy metrics are evaluated on a dataset. */
  isAccuracy: boolean;
}

export const METRICS: Record<TMetricKind, MetricInfo> = {
  box_ap: {
    kind: 'box_ap',
    columnId: 'boxAp',
    label: 'Box AP',
    unit: 'AP',
    higherIsBetter: true,
    deltaKind: 'absolute',
    defaultDecimals: 1,
    perInputSize: true,
    isAccuracy: true,
  },
  voc_map: {
    kind: 'voc_map',
    columnId: 'vocMap',
    label: 'mAP (VOC)',
    unit: 'mAP',
    higherIsBetter: true,
    deltaKind: 'absolute',
    defaultDecimals: 1,
    perInputSize: true,
    isAccuracy: true,
  },
  wider_easy: {
    kind: 'wider_easy',
    columnId: 'widerEasy',
    label: 'Easy Set',
    unit: 'AP',
    higherIsBetter: true,
    deltaKind: 'absolute',
    defaultDecimals: 1,
    perInputSize: true,
    isAccuracy: true,
  },
  wider_medium: {
    kind: 'wider_medium',
    columnId: 'widerMedium',
    label: 'Medium Set',
    unit: 'AP',
    higherIsBetter: true,
    deltaKind: 'absolute',
    defaultDecimals: 1,
    perInputSize: true,
    isAccuracy: true,
  },
  wider_hard: {
    kind: 'wider_hard',
    columnId: 'widerHard',
    label: 'Hard Set',
    unit: 'AP',
    higherIsBetter: true,
    deltaKind: 'absolute',
    defaultDecimals: 1,
    perInputSize: true,
    isAccuracy: true,
  },
  gflops: {
    kind: 'gflops',
    columnId: 'gflops',
    label: 'GFLOPs',
    unit: 'GFLOPs',
    higherIsBetter: false,
    deltaKind: 'relative',
    defaultDecimals: 2,
    perInputSize: true,
    isAccuracy: false,
  },
  model_size_mb: {
    kind: 'model_size_mb',
    columnId: 'modelSizeMb',
    label: 'Model size (MB)',
    unit: 'MB',
    higherIsBetter: false,
    deltaKind: 'relative',
    defaultDecimals: 2,
    perInputSize: false,
    isAccuracy: false,
  },
  latency_ms: {
    kind: 'latency_ms',
    columnId: 'latency',
    label: 'Latency (ms)',
    unit: 'ms',
    higherIsBetter: false,
    deltaKind: 'relative',
    defaultDecimals: 3,
    perInputSize: true,
    isAccuracy: false,
  },
  params: {
    kind: 'params',
    columnId: 'params',
    label: 'Params',
    unit: 'params',
    higherIsBetter: false,
    deltaKind: 'relative',
    defaultDecimals: 0,
    perInputSize: false,
    isAccuracy: false,
  },
};

/** Column id of a metric cell: `boxAp`, `gflops`, `latency:kirin-970`. */
export function cellColumnId(kind: TMetricKind, deviceSlug: string | null): string {
  return kind === 'latency_ms' ? `latency:${deviceSlug ?? 'unknown'}` : METRICS[kind].columnId;
}

/** The metric behind a cell column id, or undefined for non-metric columns. */
export function metricOfColumn(columnId: string): { kind: TMetricKind; deviceSlug: string | null } | undefined {
  if (columnId.startsWith('latency:')) return { kind: 'latency_ms', deviceSlug: columnId.slice('latency:'.length) };
  const info = Object.values(METRICS).find((m) => m.columnId === columnId && m.kind !== 'latency_ms');
  return info ? { kind: info.kind, deviceSlug: null } : undefined;
}

/** Accuracy metric reported for a dataset's models, in display order. */
export const ACCURACY_BY_DATASET: Record<string, TMetricKind[]> = {
  coco: ['box_ap'],
  voc: ['voc_map'],
  widerface: ['wider_easy', 'wider_medium', 'wider_hard'],
};
