/**
 * Axis domains and ticks for the trade-off chart (pure; lib/explorer/chart-layout.ts places them).
 *
 * Linear: the data range padded by 5% of its span on each side (a zero span, or one below 1e-9 of the
 *   values' magnitude, pads by 1 unit), then widened outward to the tick step so the ends are round
 *   numbers; the ticks run from end to end in that step.
 * Log (cost axis only, every value > 0): from the power-of-ten-ish "nice" value 1/2/5×10^k at or below
 *   the minimum to the one at or above the maximum; ticks are the 1/2/5×10^k values in between.
 */

export type TDomain = [number, number];

const NICE = [1, 2, 5] as const;

/** Largest 1/2/5×10^k <= v (v > 0). */
export function niceFloor(v: number): number {
  const k = Math.floor(Math.log10(v));
  let best = 10 ** (k - 1) * 5;
  for (const n of NICE) {
    const c = n * 10 ** k;
    if (c <= v * (1 + 1e-12)) best = c;
  }
  return best;
}

/** Smallest 1/2/5×10^k >= v (v > 0). */
export function niceCeil(v: number): number {
  const k = Math.floor(Math.log10(v));
  for (const n of NICE) {
    const c = n * 10 ** k;
    if (c >= v * (1 - 1e-12)) return c;
  }
  return 10 ** (k + 1);
}

export function logDomain(values: readonly number[]): { domain: TDomain; ticks: number[] } {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return { domain: [1, 10], ticks: [1, 2, 5, 10] };
  const lo = niceFloor(Math.min(...positive));
  let hi = niceCeil(Math.max(...positive));
  if (hi <= lo) hi = niceCeil(lo * 1.5);
  const ticks: number[] = [];
  for (let k = Math.floor(Math.log10(lo)) - 1; k <= Math.ceil(Math.log10(hi)) + 1; k++) {
    for (const n of NICE) {
      // round to 12 significant digits so 0.1*3 style float noise never leaks into labels
      const t = Number((n * 10 ** k).toPrecision(12));
      if (t >= lo * (1 - 1e-12) && t <= hi * (1 + 1e-12)) ticks.push(t);
    }
  }
  return { domain: [lo, hi], ticks };
}

/** Tick step of about `count` ticks over span: 1/2/5×10^k. */
export function niceStep(span: number, count = 6): number {
  if (!(span > 0)) return 1;
  return niceCeil(span / count);
}

export function linearDomain(values: readonly number[], count = 6): { domain: TDomain; ticks: number[] } {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { domain: [0, 1], ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] };
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  // A span below 1e-9 of the values' magnitude (or of 1) is treated as zero: padding a denormal span
  // gives steps that log10 cannot size.
  const pad = max - min > 1e-9 * Math.max(1, Math.abs(min), Math.abs(max)) ? (max - min) * 0.05 : 1;
  const step = niceStep(max - min + 2 * pad, count);
  const lo = Math.floor((min - pad) / step) * step;
  const hi = Math.ceil((max + pad) / step) * step;
  const domain: TDomain = [Number(lo.toPrecision(12)), Number(hi.toPrecision(12))];
  // Count the steps once (lo + i*step can overshoot hi by a rounding error and lose the last tick), and
  // end on exactly the domain's upper end.
  const n = Math.max(1, Math.round((hi - lo) / step));
  const ticks: number[] = [];
  for (let i = 0; i < n; i++) ticks.push(Number((lo + i * step).toPrecision(12)));
  ticks.push(domain[1]);
  return { domain, ticks };
}

/** Tick label: up to 3 significant digits, no exponent for the ranges a zoo has. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1000) return v.toLocaleString('en-US', { maximumFractionDigits: 0 });
  return String(Number(v.toPrecision(3)));
}
