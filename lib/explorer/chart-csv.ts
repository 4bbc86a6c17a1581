import { COST_AXIS_INFO, METRIC_INFO } from './axes';
import type { TExplorerEntry } from './entry';
import type { TPoint, TResolvedSelection } from './points';

/**
 * CSV of exactly the chart's points (RFC 4180: comma separated, CRLF line ends, a field quoted when it
 * holds a comma, quote, CR or LF, quotes doubled). Text cells that a spreadsheet would run as a formula
 * (leading = + - @ or tab) get a leading apostrophe; numbers are written as JavaScript prints them.
 * Header names carry units; the cost column names the axis (and device/percentile for latency).
 */

export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let s = value;
  if (/^[=+\-@\t]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: ReadonlyArray<string | number | boolean | null>): string {
  return fields.map(csvField).join(',');
}

export function costColumnName(sel: Pick<TResolvedSelection, 'x' | 'device' | 'pct'>): string {
  const unit = COST_AXIS_INFO[sel.x].unit;
  if (sel.x === 'latency') return `latency_${sel.pct}_${sel.device ?? 'none'} (${unit})`;
  return `${sel.x} (${unit})`;
}

export function chartCsv(
  points: readonly TPoint[],
  frontierKeys: ReadonlySet<string>,
  entriesByKey: ReadonlyMap<string, TExplorerEntry>,
  sel: Pick<TResolvedSelection, 'x' | 'y' | 'device' | 'pct' | 'dataset'>,
): string {
  const metric = sel.y === null ? 'accuracy' : `${sel.y} (${METRIC_INFO[sel.y].unit})`;
  const header = [
    'key', 'model_id', 'name', 'dataset', 'backbone', 'method', 'strategy', 'source', 'input_size',
    costColumnName(sel), metric, 'on_frontier', 'baseline_key', 'latency_statistic', 'provenance',
  ];
  const lines = [csvLine(header)];
  for (const p of points) {
    const e = entriesByKey.get(p.key);
    lines.push(
      csvLine([
        p.key, p.modelId, e?.name ?? null, sel.dataset, e?.backbone ?? null, p.method, e?.strategy ?? null, p.source,
        p.inputSize, p.cost, p.accuracy, frontierKeys.has(p.key), p.baselineKey,
        sel.x === 'latency' ? (p.latencyReported ? 'reported (unstated)' : sel.pct) : null,
        e?.provenance ?? null,
      ]),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
