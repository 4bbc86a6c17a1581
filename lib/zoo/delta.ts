import { METRICS, type TDeltaKind, type TMetricKind } from './metrics';
import { roundHalfAway } from './number-format';

/**
 * Deltas against a declared baseline, computed when shown and never stored.
 *
 * - absolute (accuracy): value - baseline in the metric's unit (points), rounded to the larger of the two
 *   numbers' decimals. Printed numbers are taken as printed: computed on integers scaled by 10^decimals,
 *   so 39.8 - 39.1 is exactly 0.7. Unrounded numbers (`unrounded: true`, measured ones) are subtracted
 *   exactly and only the difference is rounded (27.14 - 27.06 gives +0.1, not the +0.0 of 27.1 - 27.1).
 * - relative (costs): (value - baseline) / baseline * 100, rounded to 2 decimals, half away from zero.
 * A rounded delta of zero is `same`; otherwise `better`/`worse` by the metric's direction.
 * Whether a delta printed by a source agrees with its two numbers is lib/zoo/delta-interval.ts's question.
 */

export type TVerdict = 'better' | 'worse' | 'same';

export interface Delta {
  kind: TDeltaKind;
  /** Rounded delta: points (absolute) or percent (relative). */
  value: number;
  decimals: number;
  verdict: TVerdict;
}

export const RELATIVE_DELTA_DECIMALS = 2;

/** Round half away from zero (one implementation for the app: lib/zoo/number-format.ts). */
export { roundHalfAway };

export function computeDelta(
  metric: TMetricKind,
  value: { value: number; decimals: number },
  baseline: { value: number; decimals: number },
  options: { unrounded?: boolean } = {},
): Delta | null {
  const info = METRICS[metric];
  if (!Number.isFinite(value.value) || !Number.isFinite(baseline.value)) return null;
  let delta: number;
  let decimals: number;
  if (info.deltaKind === 'absolute') {
    decimals = Math.max(value.decimals, baseline.decimals);
    const scale = 10 ** decimals;
    delta = options.unrounded
      ? roundHalfAway(value.value - baseline.value, decimals)
      : (Math.round(value.value * scale) - Math.round(baseline.value * scale)) / scale;
  } else {
    if (baseline.value === 0) return null; // a relative change from zero is undefined
    decimals = RELATIVE_DELTA_DECIMALS;
    delta = roundHalfAway(((value.value - baseline.value) / baseline.value) * 100, decimals);
  }
  if (Object.is(delta, -0)) delta = 0;
  const verdict: TVerdict = delta === 0 ? 'same' : delta > 0 === info.higherIsBetter ? 'better' : 'worse';
  return { kind: info.deltaKind, value: delta, decimals, verdict };
}
