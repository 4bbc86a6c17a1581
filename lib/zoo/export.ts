import type { TZooRow } from './row';

/**
 * Exports of zoo rows: JSON (the rows themselves, ZZooRow) and CSV (one line per row, RFC 4180).
 * CSV columns: identity and attributes, then per metric column present in the rows
 * `<col>`, `<col>_baseline`, `<col>_delta` (points or percent, see `<col>_delta_unit`), `<col>_delta_origin`
 * (`published`, `computed`, `computed_unrounded`: see ZDelta) and `<col>_delta_printed` (the source's printed
 * delta when it is not the one shown: outside its rounding interval), then the provenance and the download URL.
 */

const METRIC_COLUMN_ORDER = ['gflops', 'modelSizeMb', 'boxAp', 'vocMap', 'widerEasy', 'widerMedium', 'widerHard'];

export function zooRowsToJson(rows: TZooRow[]): { count: number; rows: TZooRow[] } {
  return { count: rows.length, rows };
}

function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function metricColumnsOf(rows: TZooRow[]): string[] {
  const present = new Set(rows.flatMap((r) => Object.keys(r.cells)));
  const latency = [...present].filter((c) => c.startsWith('latency:')).sort();
  return [...METRIC_COLUMN_ORDER.filter((c) => present.has(c)), ...latency];
}

export function zooRowsToCsv(rows: TZooRow[]): string {
  const metrics = metricColumnsOf(rows);
  const header = [
    'id', 'section', 'position', 'model_slug', 'model', 'family', 'backbone', 'dataset', 'pretraining', 'method', 'strategy',
    'input_size', 'teacher', 'teacher_accuracy',
    ...metrics.flatMap((m) => [m, `${m}_baseline`, `${m}_delta`, `${m}_delta_unit`, `${m}_delta_origin`, `${m}_delta_printed`]),
    'provenance', 'download_url',
  ];
  const lines = [header.map(csvField).join(',')];
  for (const r of rows) {
    const provenance = [...new Set(Object.values(r.cells).map((c) => (c.provenance.kind === 'reported' ? `reported:${c.provenance.sourceSlug}` : `measured:job ${c.provenance.jobId}`)))].join(' ');
    const fields: Array<string | number | null> = [
      r.id, r.section.slug, r.position, r.model.slug, r.model.name, r.model.family, r.model.backbone, r.model.dataset, r.model.pretraining,
      r.model.method, r.model.strategy ?? 'baseline', r.inputSize, r.teacher?.name ?? null, r.teacher?.accuracy?.value ?? null,
      ...metrics.flatMap((m) => {
        const c = r.cells[m];
        if (!c) return [null, null, null, null, null, null];
        const d = c.delta;
        const flagged = d?.check && !d.check.consistent ? d.check.printed : null;
        const unit = d ? (d.kind === 'relative' ? 'percent' : 'points') : null;
        return [c.value, c.baseline?.value ?? null, d?.value ?? null, unit, d?.origin ?? null, flagged];
      }),
      provenance, r.download?.url ?? null,
    ];
    lines.push(fields.map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
