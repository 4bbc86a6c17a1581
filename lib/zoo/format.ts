import { roundHalfAway, type Delta } from './delta';
import type { TDeltaView } from './row';

/**
 * Formatting exactly as the seed prints numbers: `37.53(-16.06%)`, `39.8(+0.7)`, `27.1(+0.0)`,
 * `37.5(-)` (no baseline number to compare with), `44.71` (a baseline itself).
 */

/** A number with a fixed count of decimals (half away from zero). */
export function formatNumber(value: number, decimals: number): string {
  return roundHalfAway(value, decimals).toFixed(decimals);
}

/** `-16.06%`, `+0.7`, `+0.0` (zero carries a plus sign, as in the seed). */
export function formatDelta(delta: Delta): string {
  const sign = delta.value < 0 ? '-' : '+';
  const body = Math.abs(delta.value).toFixed(delta.decimals);
  return `${sign}${body}${delta.kind === 'relative' ? '%' : ''}`;
}

/**
 * The seed's cell text. `delta` undefined: no comparison applies (the model is a baseline);
 * null: a comparison applies but the baseline has no such number, printed `(-)`. A delta's `text`, when
 * given, is used as is (a published delta keeps its printing).
 */
export function formatCell(value: number, decimals: number, delta: (Delta & { text?: string }) | null | undefined): string {
  const v = formatNumber(value, decimals);
  if (delta === undefined) return v;
  if (delta === null) return `${v}(-)`;
  return `${v}(${delta.text ?? formatDelta(delta)})`;
}

/** Decimals of a printed number: `94.60` -> 2, `29` -> 0. */
export function decimalsOf(printed: string): number {
  const dot = printed.indexOf('.');
  return dot < 0 ? 0 : printed.length - dot - 1;
}

/** Where a shown delta comes from, in words (its tooltip): ZDelta's `origin` and `check`. */
export function deltaOriginText(d: Pick<TDeltaView, 'origin' | 'check'>): string {
  const interval = d.check?.interval ? ` ${d.check.interval.text}` : '';
  if (d.origin === 'published') return `as printed by the source; its two numbers' rounding allows${interval}`;
  if (d.check && !d.check.consistent) {
    return `computed from the printed numbers: the source prints ${d.check.printed}, outside the interval its two numbers allow${interval}`;
  }
  return d.origin === 'computed_unrounded' ? 'computed from unrounded (measured) values' : 'computed from the two numbers as printed';
}
