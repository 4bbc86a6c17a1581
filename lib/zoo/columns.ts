import { metricOfColumn, METRICS } from './metrics';
import type { TZooRow } from './row';

/**
 * Zoo table columns: id (used in URLs: `sort=gflops`, `hide=download`), header label, and how to read a
 * row's value for sorting. Metric columns read `row.cells[id]`.
 */

export interface ColumnInfo {
  id: string;
  label: string;
  /** Numeric columns sort numerically and align right. */
  numeric: boolean;
}

const DEVICE_LABELS: Record<string, string> = {
  'tesla-p4-trt': 'Tesla P4 (ms)',
  'kirin-970': 'Kirin 970 (ms)',
  'snapdragon-835': 'Snapdragon 835 (ms)',
  'snapdragon-855': 'Snapdragon 855 (ms)',
};

const FIXED: ColumnInfo[] = [
  { id: 'model', label: 'Model', numeric: false },
  { id: 'backbone', label: 'Backbone', numeric: false },
  { id: 'dataset', label: 'Dataset', numeric: false },
  { id: 'pretraining', label: 'Pretraining', numeric: false },
  { id: 'method', label: 'Method', numeric: false },
  { id: 'strategy', label: 'Strategy', numeric: false },
  { id: 'inputSize', label: 'Input size', numeric: true },
  { id: 'teacher', label: 'Teacher', numeric: false },
  { id: 'download', label: 'Download', numeric: false },
];

/**
 * Optional columns: off unless the URL asks for them (`show=ap50,apSmall`). The COCO detail statistics of a
 * measured evaluation (row.cocoDetail), offered on measured sections whose rows have them.
 */
export const COCO_DETAIL_COLUMNS = [
  { id: 'ap50', label: 'AP50', key: 'ap50' },
  { id: 'ap75', label: 'AP75', key: 'ap75' },
  { id: 'apSmall', label: 'APs', key: 'apSmall' },
  { id: 'apMedium', label: 'APm', key: 'apMedium' },
  { id: 'apLarge', label: 'APl', key: 'apLarge' },
] as const;

export function isOptionalColumn(id: string): boolean {
  return COCO_DETAIL_COLUMNS.some((c) => c.id === id);
}

/** Every column id that can appear in a URL; latency columns are `latency:<device slug>`. */
export function isColumnId(id: string): boolean {
  return FIXED.some((c) => c.id === id) || isOptionalColumn(id) || metricOfColumn(id) !== undefined;
}

export function columnInfo(id: string): ColumnInfo {
  const fixed = FIXED.find((c) => c.id === id);
  if (fixed) return fixed;
  const detail = COCO_DETAIL_COLUMNS.find((c) => c.id === id);
  if (detail) return { id, label: detail.label, numeric: true };
  const metric = metricOfColumn(id);
  if (metric?.kind === 'latency_ms') {
    // Measuring workers' devices are fingerprints (d + 16 hex, lib/inference/runtime/fingerprint.ts); their numbers are medians.
    const slug = metric.deviceSlug ?? '';
    return {
      id,
      label: DEVICE_LABELS[slug] ?? (/^d[0-9a-f]{16}$/.test(slug) ? `Latency p50 (ms) on ${slug}` : `${slug} (ms)`),
      numeric: true,
    };
  }
  if (metric) return { id, label: METRICS[metric.kind].label, numeric: true };
  return { id, label: id, numeric: false };
}

/** The value a column sorts by (null sorts last in both directions). */
export function sortValue(row: TZooRow, columnId: string): string | number | null {
  switch (columnId) {
    case 'model':
      return row.model.name;
    case 'backbone':
      return row.model.backbone;
    case 'dataset':
      return row.model.dataset;
    case 'pretraining':
      return row.model.pretraining;
    case 'method':
      return row.model.method;
    case 'strategy':
      return row.model.strategy ?? 'baseline';
    case 'inputSize':
      return row.inputSize;
    case 'teacher':
      return row.teacher?.name ?? null;
    case 'download':
      return row.download?.fileName ?? null;
    default: {
      const detail = COCO_DETAIL_COLUMNS.find((c) => c.id === columnId);
      if (detail) return row.cocoDetail?.[detail.key] ?? null;
      return row.cells[columnId]?.value ?? null;
    }
  }
}
