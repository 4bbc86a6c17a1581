import { roundHalfAway, type Delta } from './delta';

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
 * null: a comparison applies but the baseline has no such number, printed `(-)`.
 */
export function formatCell(value: number, decimals: number, delta: Delta | null | undefined): string {
  const v = formatNumber(value, decimals);
  if (delta === undefined) return v;
  if (delta === null) return `${v}(-)`;
  return `${v}(${formatDelta(delta)})`;
}

/** Decimals of a printed number: `94.60` -> 2, `29` -> 0. */
export function decimalsOf(printed: string): number {
  const dot = printed.indexOf('.');
  return dot < 0 ? 0 : printed.length - dot - 1;
}
