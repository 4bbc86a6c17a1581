'use client';

import type { TCostAxis } from '@/lib/explorer/axes';
import type { TExplorerEntry } from '@/lib/explorer/entry';
import { accuracyIntervalFor, intervalText, latencyIntervalFor } from '@/lib/explorer/intervals';
import type { TPoint, TResolvedSelection } from '@/lib/explorer/points';
import { formatExplorerFixed } from '@/lib/zoo/number-format';
import { METHOD_COLORS, METHOD_LABELS } from './chart-style';

/** Everything known about one point: lineage (baseline, strategy, parameters, teacher, pretraining) and provenance. */
export function PointDetails({
  point,
  entry,
  baseline,
  costLabel,
  costQuantity,
  accuracyLabel,
  sel,
}: {
  point: TPoint;
  entry: TExplorerEntry;
  baseline: TExplorerEntry | null;
  costLabel: string;
  /** The x axis, for the number format. */
  costQuantity: TCostAxis;
  accuracyLabel: string;
  /** The selection, for the intervals of measured deltas against the baseline. */
  sel: TResolvedSelection;
}) {
  const params = entry.strategyParams;
  const ratios = params && Array.isArray(params.prunedRatios) ? (params.prunedRatios as unknown[]) : null;
  // Intervals of the change against the declared baseline (lib/explorer/intervals.ts); a baseline has none to show.
  const hasBaseline = entry.baselineModelId !== null && entry.baselineModelId !== entry.modelId;
  const latencyLine =
    hasBaseline && sel.x === 'latency'
      ? (intervalText(latencyIntervalFor(entry, sel), true, point.source === 'published') ??
        'no paired interval (measured without the baseline)')
      : null;
  const accuracyLine = hasBaseline
    ? (intervalText(accuracyIntervalFor(entry, sel), false, entry.source === 'published') ?? 'no interval (no paired evaluation)')
    : null;
  const prunedParams = params && Array.isArray(params.prunedParams) ? (params.prunedParams as unknown[]) : null;
  return (
    <div className="sb-details" data-testid="point-details" data-key={point.key}>
      <div className="sb-details-title">
        <span className="sb-swatch" style={{ background: METHOD_COLORS[point.method] }} />
        <strong>{entry.name}</strong> <span className="sb-muted">@ {entry.inputSize} px</span>
      </div>
      <dl>
        <dt>{costLabel}</dt>
        <dd>
          {formatExplorerFixed(costQuantity, point.cost)}
          {point.latencyReported && <span className="sb-muted"> (published ms/image; statistic not stated)</span>}
        </dd>
        {latencyLine && (
          <>
            <dt>Latency vs baseline</dt>
            <dd data-testid="latency-interval">{latencyLine}</dd>
          </>
        )}
        <dt>{accuracyLabel}</dt>
        <dd>{formatExplorerFixed('accuracy', point.accuracy)}</dd>
        {accuracyLine && (
          <>
            <dt>Δ vs baseline</dt>
            <dd data-testid="accuracy-interval">{accuracyLine}</dd>
          </>
        )}
        <dt>Family / backbone</dt>
        <dd>
          {entry.family} / {entry.backbone}
        </dd>
        <dt>Method / strategy</dt>
        <dd>
          {METHOD_LABELS[entry.method]} / {entry.strategy}
        </dd>
        {prunedParams && (
          <>
            <dt>Pruned params</dt>
            <dd className="sb-wrap">{prunedParams.length} tensors</dd>
          </>
        )}
        {ratios && (
          <>
            <dt>Pruned ratios</dt>
            <dd className="sb-wrap">{ratios.join(', ')}</dd>
          </>
        )}
        <dt>Teacher</dt>
        <dd>
          {entry.teacher
            ? `${entry.teacher.name}${
                entry.teacher.accuracy !== null ? ` (${formatExplorerFixed('accuracy', entry.teacher.accuracy)})` : ''
              }`
            : '—'}
        </dd>
        <dt>Pretraining</dt>
        <dd>{entry.pretraining ?? '—'}</dd>
        <dt>Baseline</dt>
        <dd>{baseline ? `${baseline.name} @ ${baseline.inputSize}` : entry.method === 'baseline' ? '(is a baseline)' : '—'}</dd>
        <dt>Source</dt>
        <dd>
          {point.source}: {entry.provenance}
        </dd>
      </dl>
    </div>
  );
}
