import { absoluteUrl, modelPageUrl } from '../http/public-base-url';
import { METRICS, metricOfColumn, type TMetricKind } from './metrics';
import type { TCell, TZooRow } from './row';

/**
 * Exports of zoo rows: JSON (the rows themselves, ZZooRow) and CSV (one line per row, RFC 4180: CRLF line
 * ends, fields with `"`, `,`, CR or LF quoted, quotes doubled). Every header is snake_case; docs/exports.md
 * documents each column. Links are absolute (`baseUrl`: lib/http/public-base-url.ts).
 *
 * CSV columns, in order:
 * - identity and attributes (`EXPORT_LEADING_COLUMNS`);
 * - per metric, always (`EXPORT_METRIC_KINDS`) and then one latency metric per device present in the rows:
 *   `<metric>`, `<metric>_baseline`, `<metric>_delta`, `<metric>_delta_unit` (`points` or `percent`),
 *   `<metric>_delta_origin` (`published`, `computed`, `computed_unrounded`: see ZDelta) and `<metric>_delta_printed`
 *   (the source's printed delta when it is not the one shown: outside its rounding interval); latency metrics add
 *   `<metric>_paired_change_pct`, `_paired_low_pct`, `_paired_high_pct`, `_paired_significant`, `_paired_trusted`
 *   (the paired benchmark against the baseline, when there is one) and `_busy` (noise guard of the single benchmark);
 *   the accuracy metrics (`box_ap`, `voc_map`,
 *   `wider_easy|medium|hard`) add `<metric>_paired_delta_points`, `_paired_low_points`, `_paired_high_points`,
 *   `_paired_significant` (paired ΔAP, lib/zoo/paired-accuracy-view.ts); a
 *   latency metric is `latency_ms_<device name in snake_case>` (lib/zoo/device-name.ts;
 *   `latency_ms_amd_epyc_7b13_2_cores_1_thread_cpu_ep`);
 * - the COCO detail statistics of measured evaluations (`EXPORT_COCO_DETAIL_COLUMNS`, percentage points);
 * - the adapter that measured the row's accuracy (`EXPORT_ADAPTER_COLUMNS`: `declared` / `inherited` / `auto-detected`, its
 *   label, and every setting in one line), measured rows only;
 * - provenance, run and links (`EXPORT_TRAILING_COLUMNS`).
 */

export const EXPORT_LEADING_COLUMNS = [
  'id',
  'section',
  'position',
  'source',
  'model_slug',
  'model',
  'family',
  'backbone',
  'dataset',
  'pretraining',
  'method',
  'strategy',
  'input_size',
  'teacher',
  'teacher_accuracy',
] as const;

/** Metrics with a column set in every export (latency columns depend on the devices). */
export const EXPORT_METRIC_KINDS: TMetricKind[] = [
  'params',
  'gflops',
  'model_size_mb',
  'box_ap',
  'voc_map',
  'wider_easy',
  'wider_medium',
  'wider_hard',
];

export const EXPORT_COCO_DETAIL_COLUMNS = ['ap50', 'ap75', 'ap_small', 'ap_medium', 'ap_large'] as const;

export const EXPORT_ADAPTER_COLUMNS = ['adapter_origin', 'adapter_label', 'adapter'] as const;

export const EXPORT_TRAILING_COLUMNS = [
  'provenance',
  'run_id',
  'run_state',
  'run_jobs_done',
  'run_jobs_total',
  'submitter',
  'model_url',
  'download_url',
] as const;

export interface ExportOptions {
  /** Origin for absolute links, no trailing slash: `https://slimboard.example.org`. */
  baseUrl: string;
  /** Device slug -> label (ZooData.devices); a device missing here is headed by its slug. */
  deviceLabels?: Record<string, string>;
}

/** ZooData.devices -> the `deviceLabels` option. */
export function deviceLabelsOf(devices: Record<string, { slug: string; label: string }>): Record<string, string> {
  return Object.fromEntries(Object.values(devices).map((d) => [d.slug, d.label]));
}

/**
 * Snake-case form of a label for CSV headers: accents dropped, lower case, runs of anything but a-z/0-9 become
 * one `_`. `AMD EPYC 7B13 · 2 cores · 1 thread · CPU EP` -> `amd_epyc_7b13_2_cores_1_thread_cpu_ep`.
 */
export function snakeCase(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function withAbsoluteDownload(row: TZooRow, baseUrl: string): TZooRow {
  return row.download ? { ...row, download: { ...row.download, url: absoluteUrl(baseUrl, row.download.url) } } : row;
}

/** JSON export: the rows, with absolute download URLs and each model page's URL. */
/** `count` follows `rows` (as in the streamed export, whose count is known only at the end). */
export function zooRowsToJson(rows: TZooRow[], o: ExportOptions): { rows: Array<TZooRow & { modelUrl: string }>; count: number } {
  return { rows: rows.map((r) => zooRowToJson(r, o)), count: rows.length };
}

const modelUrl = modelPageUrl;

function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Latency cell column ids present in the rows (`latency:<device slug>`), sorted by slug. */
function latencyColumnsOf(rows: TZooRow[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r.cells)).filter((c) => c.startsWith('latency:')))].sort();
}

/**
 * Metric columns of an export: [cell column id, CSV header stem]. Latency stems are
 * `latency_ms_<label>`; two devices with the same label (never for fingerprinted ones) get `_<slug>` added.
 */
export function exportMetricColumns(rows: TZooRow[], deviceLabels: Record<string, string> = {}): Array<[string, string]> {
  return exportMetricColumnsFor(latencyColumnsOf(rows), deviceLabels);
}

/** exportMetricColumns for known latency column ids (`latency:<device slug>`, sorted): a streamed export's header. */
export function exportMetricColumnsFor(latencyColumns: string[], deviceLabels: Record<string, string> = {}): Array<[string, string]> {
  const fixed = EXPORT_METRIC_KINDS.map((k): [string, string] => [METRICS[k].columnId, k]);
  const latency = latencyColumns.map((id): [string, string] => {
    const slug = metricOfColumn(id)!.deviceSlug!;
    return [id, `latency_ms_${snakeCase(deviceLabels[slug] ?? slug) || 'unknown'}`];
  });
  const seen = new Map<string, number>();
  for (const [, stem] of latency) seen.set(stem, (seen.get(stem) ?? 0) + 1);
  const unique = latency.map(([id, stem]): [string, string] => [
    id,
    seen.get(stem)! > 1 ? `${stem}_${snakeCase(id.slice('latency:'.length))}` : stem,
  ]);
  return [...fixed, ...unique];
}

/** The CSV header for these rows. */
export function zooCsvHeader(rows: TZooRow[], deviceLabels: Record<string, string> = {}): string[] {
  return zooCsvHeaderFor(exportMetricColumns(rows, deviceLabels));
}

/** The CSV header for these metric columns (exportMetricColumnsFor). */
export function zooCsvHeaderFor(metrics: Array<[string, string]>): string[] {
  return [
    ...EXPORT_LEADING_COLUMNS,
    ...metrics.flatMap(([id, m]) => [
      m,
      `${m}_baseline`,
      `${m}_delta`,
      `${m}_delta_unit`,
      `${m}_delta_origin`,
      `${m}_delta_printed`,
      ...(isLatencyColumn(id) ? [...PAIRED_SUFFIXES, '_busy'].map((x) => `${m}${x}`) : []),
      ...(PAIRED_ACCURACY_COLUMNS.has(id) ? PAIRED_ACCURACY_SUFFIXES.map((x) => `${m}${x}`) : []),
    ]),
    ...EXPORT_COCO_DETAIL_COLUMNS,
    ...EXPORT_ADAPTER_COLUMNS,
    ...EXPORT_TRAILING_COLUMNS,
  ];
}

/**
 * Latency columns also carry the paired benchmark against the baseline (lib/zoo/paired-latency-view.ts), when there
 * is one: the change of p50 in percent and its 95 % interval, and whether it is significant and trusted.
 */
const PAIRED_SUFFIXES = ['_paired_change_pct', '_paired_low_pct', '_paired_high_pct', '_paired_significant', '_paired_trusted'] as const;

/**
 * The accuracy columns (COCO Box AP, VOC mAP, WIDER FACE easy/medium/hard) also carry the paired ΔAP against the
 * baseline's evaluation (lib/zoo/paired-accuracy-view.ts), when there is one: the delta in points, its 95 % interval,
 * and whether it is significant.
 */
const PAIRED_ACCURACY_COLUMNS: ReadonlySet<string> = new Set(['boxAp', 'vocMap', 'widerEasy', 'widerMedium', 'widerHard']);
const PAIRED_ACCURACY_SUFFIXES = ['_paired_delta_points', '_paired_low_points', '_paired_high_points', '_paired_significant'] as const;

function pairedAccuracyFields(p: TCell['pairedAccuracy']): Array<string | number | null> {
  if (!p) return [null, null, null, null];
  const pts = (x: number) => Number(x.toFixed(3));
  return [pts(p.delta), pts(p.low), pts(p.high), String(p.significant)];
}

function isLatencyColumn(id: string): boolean {
  return id.startsWith('latency:');
}

function pairedFields(p: TCell['paired']): Array<string | number | null> {
  if (!p) return [null, null, null, null, null];
  const pct = (x: number) => Number(((x - 1) * 100).toFixed(3));
  return [pct(p.ratio), pct(p.low), pct(p.high), String(p.significant), String(p.trusted)];
}

/**
 * `<latency>_busy`: `true` when the noise guard flagged the machine busy during the benchmark that measured the
 * number (lib/zoo/machine-load-view.ts), `false` for a measured number on a quiet machine, empty for a published one.
 */
function busyField(c: TCell | undefined): string | null {
  if (!c || c.provenance.kind !== 'measured') return null;
  return String(c.busy !== undefined);
}

function provenanceText(r: TZooRow): string {
  const kinds = Object.values(r.cells).map((c) =>
    c.provenance.kind === 'reported' ? `reported:${c.provenance.sourceSlug}` : `measured:job ${c.provenance.jobId}`,
  );
  return [...new Set(kinds)].join(' ');
}

export function zooRowsToCsv(rows: TZooRow[], o: ExportOptions): string {
  const metrics = exportMetricColumns(rows, o.deviceLabels);
  const lines = [zooCsvHeaderFor(metrics).map(csvField).join(',')];
  for (const r of rows) lines.push(zooRowCsvLine(r, metrics, o));
  return lines.join('\r\n') + '\r\n';
}

/** One CSV record (no line end) for a row, with these metric columns (exportMetricColumns / exportMetricColumnsFor). */
export function zooRowCsvLine(r: TZooRow, metrics: Array<[string, string]>, o: ExportOptions): string {
  const d = r.cocoDetail ?? null;
  const fields: Array<string | number | null> = [
    r.id,
    r.section.slug,
    r.position,
    r.source,
    r.model.slug,
    r.model.name,
    r.model.family,
    r.model.backbone,
    r.model.dataset,
    r.model.pretraining,
    r.model.method,
    r.model.strategy ?? 'baseline',
    r.inputSize,
    r.teacher?.name ?? null,
    r.teacher?.accuracy?.value ?? null,
    ...metrics.flatMap(([id]) => {
      const c = r.cells[id];
      const paired = isLatencyColumn(id)
        ? [...pairedFields(c?.paired), busyField(c)]
        : PAIRED_ACCURACY_COLUMNS.has(id)
          ? pairedAccuracyFields(c?.pairedAccuracy)
          : [];
      if (!c) return [null, null, null, null, null, null, ...paired];
      const delta = c.delta;
      const flagged = delta?.check && !delta.check.consistent ? delta.check.printed : null;
      const unit = delta ? (delta.kind === 'relative' ? 'percent' : 'points') : null;
      return [c.value, c.baseline?.value ?? null, delta?.value ?? null, unit, delta?.origin ?? null, flagged, ...paired];
    }),
    d?.ap50 ?? null,
    d?.ap75 ?? null,
    d?.apSmall ?? null,
    d?.apMedium ?? null,
    d?.apLarge ?? null,
    r.measuredAdapter?.origin ?? null,
    r.measuredAdapter?.label ?? null,
    r.measuredAdapter?.summary ?? null,
    provenanceText(r),
    r.run?.id ?? null,
    r.run?.state ?? null,
    r.run?.jobsDone ?? null,
    r.run?.jobsTotal ?? null,
    r.run?.submitter ?? null,
    modelUrl(o.baseUrl, r.model.slug),
    r.download ? absoluteUrl(o.baseUrl, r.download.url) : null,
  ];
  return fields.map(csvField).join(',');
}

/** csvField for header cells (a streamed export writes its header itself). */
export function csvHeaderLine(header: string[]): string {
  return header.map(csvField).join(',');
}

/** One row of the JSON export (what zooRowsToJson puts in `rows`). */
export function zooRowToJson(r: TZooRow, o: ExportOptions): TZooRow & { modelUrl: string } {
  return { ...withAbsoluteDownload(r, o.baseUrl), modelUrl: modelUrl(o.baseUrl, r.model.slug) };
}
