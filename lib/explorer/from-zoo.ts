import type { TCell, TZooRow } from '../zoo/row';
import { entryKey, type TExplorerEntry, type TLatency, type TMetricKey, type TPairedInterval } from './entry';

/**
 * Zoo rows -> explorer entries (pure). A zoo row is one model at one input size INSIDE ONE SECTION; the
 * same model@size appears in several sections (a baseline sits in four tables, the latency table adds
 * latency columns). Entries merge those rows: one entry per (model slug, input size), every cell the rows
 * carry, first row wins on a repeated column (the sections print the same number).
 *
 * Source of an entry: `published` when any of its rows is reported, else `measured`.
 * Latency: reported cells become `reportedMs` (the seed's single ms/image number); measured cells are the
 * run's p50 (lib/runs/publish-measurements.ts), and `latencyDetails` adds p90/p99/mean and raw samples.
 */

export type TLatencyDetail = {
  modelSlug: string;
  inputSize: number;
  deviceSlug: string;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  meanMs: number | null;
  samplesMs: number[];
  jobId: string;
};

export type TZooExtras = {
  /** Model slug -> its own lineage parameters (Model.lineage: prunedParams / prunedRatios, teacher, quantMode). */
  modelLineage?: Record<string, Record<string, unknown> | null>;
  /** Device slug -> label, e.g. `Tesla P4 (TensorRT)`. */
  deviceLabels?: Record<string, string>;
  latencyDetails?: TLatencyDetail[];
};

const ACCURACY_COLUMNS: Record<string, TMetricKey> = {
  boxAp: 'boxAp',
  vocMap: 'vocMap',
  widerEasy: 'widerEasy',
  widerMedium: 'widerMedium',
  widerHard: 'widerHard',
};

export const PUBLISHED_GFLOPS_CONVENTION = 'as reported by the source (PaddleSlim flops counter)';

function provenanceText(cell: TCell | undefined, fallback: string): string {
  if (!cell) return fallback;
  const p = cell.provenance;
  return p.kind === 'reported' ? `reported: ${p.sourceTitle}` : `measured: job ${p.jobId}${p.deviceSlug ? ` on ${p.deviceSlug}` : ''}`;
}

/** Display name that tells variants apart: `YOLOv3-MobileNetV1 r578 (teacher YOLOv3-ResNet34)`. */
export function displayName(row: TZooRow): string {
  return variantDisplayName({ name: row.model.name, strategy: row.model.strategy, teacherName: row.teacher?.name ?? null });
}

/** displayName from the three fields it reads (lib/zoo/compare-choices.ts reads them in SQL). */
export function variantDisplayName(m: { name: string; strategy: string | null; teacherName: string | null }): string {
  const parts = [m.name];
  if (m.strategy && !m.name.includes(m.strategy)) parts.push(m.strategy);
  if (m.teacherName) parts.push(`(teacher ${m.teacherName})`);
  return parts.join(' ');
}

export function entriesFromZoo(rows: readonly TZooRow[], extras: TZooExtras = {}): TExplorerEntry[] {
  type Acc = { first: TZooRow; cells: Record<string, TCell>; anyReported: boolean };
  const groups = new Map<string, Acc>();
  for (const row of rows) {
    const key = entryKey({ modelId: row.model.slug, inputSize: row.inputSize });
    let g = groups.get(key);
    if (!g) {
      g = { first: row, cells: {}, anyReported: false };
      groups.set(key, g);
    }
    if (row.source === 'reported') g.anyReported = true;
    for (const [col, cell] of Object.entries(row.cells)) if (!(col in g.cells)) g.cells[col] = cell;
  }
  const details = new Map<string, TLatencyDetail>();
  for (const d of extras.latencyDetails ?? []) details.set(`${d.modelSlug}@${d.inputSize}@${d.deviceSlug}`, d);

  const out: TExplorerEntry[] = [];
  for (const { first: row, cells, anyReported } of groups.values()) {
    const accuracy: Partial<Record<TMetricKey, number>> = {};
    const accuracyIntervals: Partial<Record<TMetricKey, TPairedInterval>> = {};
    let accuracyCell: TCell | undefined;
    for (const [col, metric] of Object.entries(ACCURACY_COLUMNS)) {
      const c = cells[col];
      if (c) {
        accuracy[metric] = c.value;
        accuracyCell ??= c;
        const pa = c.pairedAccuracy;
        // Detections are deterministic: an accuracy interval is always trusted (no busy-machine caveat).
        if (pa) {
          const { delta: value, low, high, significant, text } = pa;
          accuracyIntervals[metric] = { value, low, high, significant, trusted: true, text };
        }
      }
    }
    const latency: TLatency[] = [];
    for (const [col, c] of Object.entries(cells)) {
      if (!col.startsWith('latency:')) continue;
      const device = col.slice('latency:'.length);
      const measured = c.provenance.kind === 'measured';
      const d = measured ? details.get(`${row.model.slug}@${row.inputSize}@${device}`) : undefined;
      latency.push({
        device,
        deviceLabel: extras.deviceLabels?.[device] ?? device,
        source: measured ? 'measured' : 'published',
        reportedMs: measured ? null : c.value,
        p50Ms: measured ? (d?.p50Ms ?? c.value) : null,
        p90Ms: d?.p90Ms ?? null,
        p99Ms: d?.p99Ms ?? null,
        meanMs: d?.meanMs ?? null,
        samplesMs: d?.samplesMs ?? [],
        provenance: provenanceText(c, 'unknown'),
        ...(measured && c.paired
          ? {
              paired: {
                value: c.paired.ratio,
                low: c.paired.low,
                high: c.paired.high,
                significant: c.paired.significant,
                trusted: c.paired.trusted,
                text: c.paired.text,
              },
            }
          : {}),
      });
    }
    const strategy = row.model.strategy ?? 'baseline';
    const gflopsCell = cells.gflops;
    out.push({
      modelId: row.model.slug,
      name: displayName(row),
      family: row.model.family,
      backbone: row.model.backbone,
      dataset: row.model.datasetSlug,
      method: row.model.method,
      strategy,
      pretraining: row.model.pretraining,
      teacher: row.teacher ? { name: row.teacher.name, accuracy: row.teacher.accuracy?.value ?? null } : null,
      strategyParams: extras.modelLineage?.[row.model.slug] ?? null,
      source: anyReported ? 'published' : 'measured',
      provenance: provenanceText(accuracyCell ?? gflopsCell, row.source === 'reported' ? 'reported' : 'measured'),
      baselineModelId: row.model.baselineSlug,
      inputSize: row.inputSize,
      gflops: gflopsCell && gflopsCell.value > 0 ? gflopsCell.value : null,
      gflopsConvention: gflopsCell
        ? gflopsCell.provenance.kind === 'reported'
          ? PUBLISHED_GFLOPS_CONVENTION
          : 'measured by Slimboard (PaddleSlim convention)'
        : null,
      // Measured models carry their weight count (ONNX initializer elements); published rows have none.
      paramsM: cells.params && cells.params.value > 0 ? cells.params.value / 1e6 : null,
      sizeMB: cells.modelSizeMb && cells.modelSizeMb.value > 0 ? cells.modelSizeMb.value : null,
      accuracy,
      ...(Object.keys(accuracyIntervals).length > 0 ? { accuracyIntervals } : {}),
      latency,
    });
  }
  return out;
}
