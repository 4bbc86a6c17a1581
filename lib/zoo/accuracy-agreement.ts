import type { TMetricKind } from './metrics';

/**
 * The export check on a model page: accuracy Slimboard measured (onnxruntime-node, its own decoding and
 * evaluator) next to the number the model's training pipeline reported for the same weights, at the same
 * metric, input size and dataset. Both in percentage points; agreement means |measured - reported| <=
 * tolerance (0.5 AP for the demo zoo: a check that export, pre-processing and decoding are right).
 */

export interface AccuracyNumber {
  metric: TMetricKind;
  inputSize: number | null;
  dataset: string | null;
  value: number;
  provenance: { kind: 'reported'; sourceSlug: string } | { kind: 'measured' };
}

export interface AgreementRow {
  metric: TMetricKind;
  inputSize: number | null;
  dataset: string | null;
  /** Null while the measurement is pending. */
  measured: number | null;
  reported: number;
  /** measured - reported in points; null while pending. */
  differencePoints: number | null;
  /** null while pending. */
  agrees: boolean | null;
}

/**
 * One row per reported number of `sourceSlug` (accuracy metrics only), paired with the measured number of
 * the same scope; ordered by metric, then input size ascending. Tolerance is inclusive.
 */
export function accuracyAgreement(
  numbers: readonly AccuracyNumber[],
  sourceSlug: string,
  tolerancePoints: number,
  isAccuracy: (m: TMetricKind) => boolean,
): AgreementRow[] {
  const reported = numbers.filter(
    (n) => n.provenance.kind === 'reported' && n.provenance.sourceSlug === sourceSlug && isAccuracy(n.metric),
  );
  const rows = reported.map((r): AgreementRow => {
    const m = numbers.find(
      (n) => n.provenance.kind === 'measured' && n.metric === r.metric && n.inputSize === r.inputSize && n.dataset === r.dataset,
    );
    const diff = m ? m.value - r.value : null;
    // Compare with a small epsilon so that a difference printed as 0.50 is not refused for float noise.
    return {
      metric: r.metric,
      inputSize: r.inputSize,
      dataset: r.dataset,
      measured: m?.value ?? null,
      reported: r.value,
      differencePoints: diff,
      agrees: diff === null ? null : Math.abs(diff) <= tolerancePoints + 1e-9,
    };
  });
  return rows.sort((a, b) => a.metric.localeCompare(b.metric) || (a.inputSize ?? 0) - (b.inputSize ?? 0));
}
