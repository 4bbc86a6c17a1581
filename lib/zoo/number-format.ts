import { METRICS, type TMetricKind } from './metrics';

/**
 * The ONE number formatter of the web app: every number a page shows goes through here.
 *
 * Conventions (as the zoo's source tables print them, prisma/seed/paddledetection-slim-benchmark.md):
 * - accuracy (Box AP, VOC mAP, WIDER FACE Easy/Medium/Hard) in percentage points, 1 decimal: `39.8`;
 * - GFLOPs 2 decimals: `37.53`; model size in MB (10^6 bytes) 2 decimals: `149.49`;
 * - latency in ms per image, 3 decimals: `33.245`;
 * - parameters in millions, 2 decimals: `0.97 M` (never a raw count such as `965589`);
 * - file sizes in MB (10^6 bytes, as the size column counts them): `2.16 MB` (never `2162530 bytes`);
 * - deltas carry a sign, `+` or the unicode minus `−` (U+2212): `+0.7`, `−16.06%`; a zero delta
 *   prints `+0.0`, as the source does;
 * - the explorer's table prints significant digits (4), never more decimals than the metric's;
 * - a missing or non-finite number prints an en dash `–`.
 * Rounding is half away from zero at the printed decimals (1.005 -> 1.01), as the seed's numbers.
 *
 * The seed's plain-text notation (`37.53(-16.06%)` with an ASCII hyphen, used by imports, exports and
 * `cell.text`) lives in lib/zoo/format.ts and shares `roundHalfAway` with this module.
 */

/** U+2212 MINUS SIGN: the sign of negative numbers and deltas on pages. */
export const MINUS = '\u2212';

/** What a page prints for a missing number. */
export const MISSING = '\u2013';

/** Decimals a page prints for each metric (params: in millions). The most a page may show. */
export const DISPLAY_DECIMALS: Record<TMetricKind, number> = {
  box_ap: 1,
  voc_map: 1,
  wider_easy: 1,
  wider_medium: 1,
  wider_hard: 1,
  gflops: 2,
  model_size_mb: 2,
  latency_ms: 3,
  params: 2,
};

/** Decimals of a relative (percent) delta and of an absolute (points) delta on pages. */
export const PERCENT_DELTA_DECIMALS = 2;
export const POINTS_DELTA_DECIMALS = 1;

/** Significant digits in the explorer's table. */
export const TABLE_SIGNIFICANT_DIGITS = 4;

/** Round half away from zero at `decimals`, robust to binary representation (1.005 -> 1.01, 0.125 -> 0.13). */
export function roundHalfAway(x: number, decimals: number): number {
  if (!Number.isFinite(x)) return x;
  const scale = 10 ** decimals;
  const scaled = Math.abs(x) * scale;
  // Nudge by a relative epsilon so that 0.125 stored as 0.12499999 still rounds up.
  const rounded = Math.round(scaled * (1 + 1e-12) + 1e-9) / scale;
  return x < 0 ? -rounded : rounded;
}

/** `value` with exactly `decimals` decimals and a unicode minus; `-0.04` at 1 decimal prints `0.0`. */
export function formatFixed(value: number | null | undefined, decimals: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  const r = roundHalfAway(value, decimals);
  const body = Math.abs(r).toFixed(decimals);
  return r < 0 && Number(body) !== 0 ? `${MINUS}${body}` : body;
}

/** A signed number: `+0.7`, `−2.0`, `+0.0` (zero carries a plus, as in the seed); `percent` appends `%`. */
export function formatSigned(value: number | null | undefined, decimals: number, opts: { percent?: boolean } = {}): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  const body = formatFixed(Math.abs(value), decimals);
  const negative = roundHalfAway(value, decimals) < 0 && Number(body) !== 0;
  return `${negative ? MINUS : '+'}${body}${opts.percent ? '%' : ''}`;
}

/** Parameters in millions: 965589 -> `0.97 M`, 61_949_149 -> `61.95 M`. */
export function formatParams(count: number | null | undefined): string {
  if (count === null || count === undefined || !Number.isFinite(count)) return MISSING;
  return `${formatFixed(count / 1e6, DISPLAY_DECIMALS.params)} M`;
}

/** Parameters already in millions (the explorer's `paramsM`): 0.965589 -> `0.97 M`. */
export function formatParamsM(millions: number | null | undefined): string {
  if (millions === null || millions === undefined || !Number.isFinite(millions)) return MISSING;
  return `${formatFixed(millions, DISPLAY_DECIMALS.params)} M`;
}

/** A file size in MB (10^6 bytes): 2162530 -> `2.16 MB`; under 10 kB in kB (`3.2 kB`), under 1 kB in bytes. */
export function formatBytes(sizeBytes: number | null | undefined): string {
  if (sizeBytes === null || sizeBytes === undefined || !Number.isFinite(sizeBytes) || sizeBytes < 0) return MISSING;
  if (sizeBytes < 1000) return `${Math.round(sizeBytes)} B`;
  if (sizeBytes < 10_000) return `${formatFixed(sizeBytes / 1000, 1)} kB`;
  return `${formatFixed(sizeBytes / 1e6, DISPLAY_DECIMALS.model_size_mb)} MB`;
}

/**
 * A metric's value as a page prints it. `decimals` is the number's own (published numbers keep the
 * decimals their source printed), capped at the metric's display decimals; params are raw counts.
 */
export function formatMetric(kind: TMetricKind, value: number | null | undefined, decimals?: number): string {
  if (kind === 'params') return formatParams(value);
  const max = DISPLAY_DECIMALS[kind];
  return formatFixed(value, decimals === undefined ? max : Math.min(Math.max(0, decimals), max));
}

/**
 * A metric's delta against its baseline: accuracy in points (`+0.7`), costs in percent (`−16.06%`).
 * `decimals` defaults to the page's (points 1, percent 2).
 */
export function formatMetricDelta(kind: TMetricKind, delta: number | null | undefined, decimals?: number): string {
  const relative = METRICS[kind].deltaKind === 'relative';
  const d = decimals ?? (relative ? PERCENT_DELTA_DECIMALS : POINTS_DELTA_DECIMALS);
  return formatSigned(delta, d, { percent: relative });
}

/**
 * `significant` significant digits, but never more than `maxDecimals` decimals and never rounding the
 * integer part: 2.1325259999998707 -> `2.133` (max 3), 140.69 -> `140.7`, 12345.6 -> `12346`.
 */
export function formatSignificant(value: number | null | undefined, maxDecimals: number, significant = TABLE_SIGNIFICANT_DIGITS): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  if (value === 0) return formatFixed(0, Math.min(maxDecimals, Math.max(0, significant - 1)));
  const magnitude = Math.floor(Math.log10(Math.abs(roundHalfAway(value, maxDecimals)) || Math.abs(value)));
  const decimals = Math.min(maxDecimals, Math.max(0, significant - 1 - magnitude));
  return formatFixed(value, decimals);
}

/** The explorer's quantities: its cost axes and accuracy (points). */
export type TExplorerQuantity = 'gflops' | 'params' | 'size' | 'latency' | 'accuracy';

/** Metric whose decimals an explorer quantity uses. */
export const EXPLORER_QUANTITY_METRIC: Record<TExplorerQuantity, TMetricKind> = {
  gflops: 'gflops',
  params: 'params',
  size: 'model_size_mb',
  latency: 'latency_ms',
  accuracy: 'box_ap',
};

/** An explorer number (params in millions, size in MB, latency in ms, accuracy in points) in significant digits. */
export function formatExplorerValue(quantity: TExplorerQuantity, value: number | null | undefined): string {
  return formatSignificant(value, DISPLAY_DECIMALS[EXPLORER_QUANTITY_METRIC[quantity]]);
}

/** An explorer number with the page's fixed decimals (tooltips, compare): `37.53`, `0.97` (M params). */
export function formatExplorerFixed(quantity: TExplorerQuantity, value: number | null | undefined): string {
  return formatFixed(value, DISPLAY_DECIMALS[EXPLORER_QUANTITY_METRIC[quantity]]);
}

/** A plain count with thousands separators: 12345 -> `12,345`. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return MISSING;
  const s = Math.round(Math.abs(n))
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 && s !== '0' ? `${MINUS}${s}` : s;
}

/** A fraction as a percent: 0.6957 -> `69.57%`. */
export function formatPercent(fraction: number | null | undefined, decimals = PERCENT_DELTA_DECIMALS): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return MISSING;
  return `${formatFixed(fraction * 100, decimals)}%`;
}

/**
 * A relative change given as a fraction, signed, in percent with a space before the sign `%`: -0.012 -> `−1.2 %`,
 * 0.35 -> `+35.0 %`. The one format of a relative ΔAP (−AP loss of a sensitivity analysis) and of a GFLOPs change on
 * the compression pages; `decimals` defaults to 1.
 */
export function formatRelativeChange(fraction: number | null | undefined, decimals = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return MISSING;
  return `${formatSigned(fraction * 100, decimals)} %`;
}

/** Decimals a pruning ratio prints with at most (a computed ratio such as 0.40985890399940905 prints `0.4099`). */
export const RATIO_MAX_DECIMALS = 4;

/**
 * A pruning ratio as the recipe states it (`0.3`, `0.875`: JavaScript's shortest form) when that has at most
 * RATIO_MAX_DECIMALS decimals, else rounded to them; the page keeps the exact value in a title.
 */
export function formatRatio(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return MISSING;
  const shortest = String(ratio); // exponent form (1e-7) is never the recipe's spelling
  const decimals = printedDecimals(shortest);
  return formatFixed(ratio, decimals <= RATIO_MAX_DECIMALS && !/e/i.test(shortest) ? decimals : RATIO_MAX_DECIMALS);
}

/** Decimals in a printed number (`2.133` -> 3, `−16.06%` -> 2, `29` -> 0); for checks of rendered pages. */
export function printedDecimals(text: string): number {
  const m = /\d+(?:\.(\d+))?/.exec(text);
  return m?.[1]?.length ?? 0;
}
