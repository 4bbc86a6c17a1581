import { roundHalfAway } from './delta';
import type { TDeltaKind } from './metrics';

/**
 * Consistency of a printed delta with the precision of its two printed numbers (pure interval arithmetic).
 *
 * A number printed with d decimals stands for any true value within half a unit of its last place:
 * `6.15` is anything in [6.145, 6.155]. The delta of two printed numbers is therefore an interval, the
 * range of the exact delta over every pair of true values in that rounding box:
 * - absolute (points): v - b lies in [(v - b) - (hv + hb), (v - b) + (hv + hb)], computed on integers so
 *   that 76.3 - 75.3 gives exactly [0.9, 1.1];
 * - relative (percent): (v - b) / b * 100 is monotone in v and in b, so its extremes sit at the box's
 *   corners. Undefined (null) when the baseline's box contains zero.
 * A printed delta with p decimals is consistent when it lies in that interval rounded outward to p
 * decimals (low end down, high end up), as interval arithmetic rounds: `floor(low, p) <= printed <= ceil(high, p)`.
 * Equivalently, some exact delta of the box gives the printed one under some common rounding rule (to
 * nearest, toward zero, down or up): the source's rule is not known. `nearest` says whether rounding to
 * nearest alone suffices (`round(low, p) <= printed <= round(high, p)`, rounding being monotone).
 * Example: 6.15 vs 20.20 GFLOPs gives [-69.5867, -69.5222] %, at 2 decimals [-69.59, -69.52] %, so a
 * printed -69.57 % is consistent although the rounded numbers themselves give -69.55 %. 31.30 vs 94.60 MB
 * gives [-66.9204, -66.9063] %, outward [-66.93, -66.90] %: a printed -66.90 % is consistent, but only
 * as a truncation (`nearest` false); 76.3 vs 75.3 gives [+0.9, +1.1], so a printed +2.0 is not.
 */

export interface PrintedNumber {
  value: number;
  /** Decimals as printed: `94.60` has 2. */
  decimals: number;
}

export interface DeltaInterval {
  kind: TDeltaKind;
  /** Smallest and largest exact delta over the rounding box: points (absolute) or percent (relative). */
  low: number;
  high: number;
}

export interface PrintedDelta {
  kind: TDeltaKind;
  value: number;
  decimals: number;
}

export interface DeltaCheck {
  /** Inside the interval rounded outward to the printed delta's decimals. */
  consistent: boolean;
  /** Also the rounding to nearest (half away from zero) of an exact delta in the interval. */
  nearest: boolean;
  /** The interval rounded outward to the printed delta's decimals. */
  low: number;
  high: number;
  decimals: number;
}

const MAX_DECIMALS = 12;

function checkPrinted(n: PrintedNumber, what: string): void {
  if (!Number.isFinite(n.value)) throw new RangeError(`${what}: ${n.value} is not a finite number`);
  if (!Number.isInteger(n.decimals) || n.decimals < 0 || n.decimals > MAX_DECIMALS) {
    throw new RangeError(`${what}: decimals must be an integer in 0..${MAX_DECIMALS}, got ${n.decimals}`);
  }
}

/** Range of the exact delta of `value` against `baseline` over their rounding boxes; null when undefined. */
export function deltaInterval(kind: TDeltaKind, value: PrintedNumber, baseline: PrintedNumber): DeltaInterval | null {
  checkPrinted(value, 'value');
  checkPrinted(baseline, 'baseline');
  if (kind === 'absolute') {
    // Integers at one place finer than the finer number: half a unit of each is then a whole integer.
    const places = Math.max(value.decimals, baseline.decimals) + 1;
    const scale = 10 ** places;
    const v = Math.round(value.value * scale);
    const b = Math.round(baseline.value * scale);
    const half = 5 * 10 ** (places - 1 - value.decimals) + 5 * 10 ** (places - 1 - baseline.decimals);
    return { kind, low: (v - b - half) / scale, high: (v - b + half) / scale };
  }
  const hv = 0.5 * 10 ** -value.decimals;
  const hb = 0.5 * 10 ** -baseline.decimals;
  const bLow = baseline.value - hb;
  const bHigh = baseline.value + hb;
  if (bLow <= 0 && bHigh >= 0) return null; // the baseline may be zero: a relative change is unbounded
  const corners: number[] = [];
  for (const v of [value.value - hv, value.value + hv]) for (const b of [bLow, bHigh]) corners.push(((v - b) / b) * 100);
  return { kind, low: Math.min(...corners), high: Math.max(...corners) };
}

/** Whether a printed delta can be the rounding of an exact delta inside the interval. */
export function checkPrintedDelta(interval: DeltaInterval, printed: PrintedDelta): DeltaCheck {
  if (interval.kind !== printed.kind) throw new RangeError(`a ${printed.kind} delta cannot be checked against a ${interval.kind} interval`);
  // Compare on integers at the printed precision. The slack keeps an end that is exactly on the grid (0.9
  // computed as 0.9000000000000001) from moving a whole unit outward; it is far below any printed precision.
  const scale = 10 ** printed.decimals;
  const slack = 1e-9;
  const p = Math.round(printed.value * scale);
  const lowUnits = Math.floor(interval.low * scale + slack);
  const highUnits = Math.ceil(interval.high * scale - slack);
  const nearestLow = Math.round(roundHalfAway(interval.low, printed.decimals) * scale);
  const nearestHigh = Math.round(roundHalfAway(interval.high, printed.decimals) * scale);
  const plain = (units: number) => (units === 0 ? 0 : units / scale);
  return {
    consistent: lowUnits <= p && p <= highUnits,
    nearest: nearestLow <= p && p <= nearestHigh,
    low: plain(lowUnits),
    high: plain(highUnits),
    decimals: printed.decimals,
  };
}

/** A delta as sources print it: `+0.7`, `-1.1`, `-16.06%`, `+0.0`. Null when the text is not one. */
export function parsePrintedDelta(text: string): PrintedDelta | null {
  const m = /^([+-])(\d+)(?:\.(\d+))?(%?)$/.exec(text.trim());
  if (!m) return null;
  const decimals = m[3]?.length ?? 0;
  const magnitude = Number(`${m[2]}${m[3] ? `.${m[3]}` : ''}`);
  const value = m[1] === '-' && magnitude !== 0 ? -magnitude : magnitude;
  return { kind: m[4] === '%' ? 'relative' : 'absolute', value, decimals };
}

/** `[-69.59, -69.52] %`, `[+0.9, +1.1]` (the interval at a printed delta's precision). */
export function formatDeltaInterval(kind: TDeltaKind, check: Pick<DeltaCheck, 'low' | 'high' | 'decimals'>): string {
  const f = (x: number) => `${x < 0 ? '-' : '+'}${Math.abs(x).toFixed(check.decimals)}`;
  return `[${f(check.low)}, ${f(check.high)}]${kind === 'relative' ? ' %' : ''}`;
}
