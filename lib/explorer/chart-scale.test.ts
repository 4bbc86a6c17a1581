import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTick, linearDomain, logDomain, niceCeil, niceFloor } from './chart-scale';

describe('nice numbers', () => {
  it('golden', () => {
    expect([niceFloor(1.74), niceFloor(44.71), niceFloor(0.3), niceFloor(5)]).toEqual([1, 20, 0.2, 5]);
    expect([niceCeil(1.74), niceCeil(44.71), niceCeil(0.3), niceCeil(5), niceCeil(7)]).toEqual([2, 50, 0.5, 5, 10]);
  });
});

describe('logDomain', () => {
  it('golden: seed GFLOPs 1.74..44.71 -> [1, 50] with ticks 1 2 5 10 20 50', () => {
    expect(logDomain([1.74, 44.71, 6.27])).toEqual({ domain: [1, 50], ticks: [1, 2, 5, 10, 20, 50] });
  });
  it('DEGENERATE: no values, one value, non-positive values ignored', () => {
    expect(logDomain([]).domain).toEqual([1, 10]);
    expect(logDomain([5]).domain).toEqual([5, 10]);
    expect(logDomain([0, -3, 2]).domain).toEqual([2, 5]);
  });
  it('property: the domain covers the data and ticks lie inside it', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1e-3, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }), (xs) => {
        const { domain, ticks } = logDomain(xs);
        expect(domain[0]).toBeLessThanOrEqual(Math.min(...xs) * (1 + 1e-9));
        expect(domain[1]).toBeGreaterThanOrEqual(Math.max(...xs) * (1 - 1e-9));
        expect(ticks.length).toBeGreaterThanOrEqual(2);
        for (const t of ticks) expect(t >= domain[0] * (1 - 1e-9) && t <= domain[1] * (1 + 1e-9)).toBe(true);
        // strictly ascending, and every tick a 1/2/5 x 10^k value
        for (let i = 1; i < ticks.length; i++) expect(ticks[i]).toBeGreaterThan(ticks[i - 1]);
        for (const t of ticks) expect([1, 2, 5]).toContain(Number((t / 10 ** Math.floor(Math.log10(t) + 1e-9)).toPrecision(6)));
      }),
    );
  });
});

describe('linearDomain', () => {
  it('golden: Box AP 24.0..39.8 -> span 15.8 + 2*0.79 pad = 17.38, step 5 -> [20, 45]', () => {
    expect(linearDomain([24.0, 39.8])).toEqual({ domain: [20, 45], ticks: [20, 25, 30, 35, 40, 45] });
  });
  it('DEGENERATE: empty and single value', () => {
    expect(linearDomain([]).domain).toEqual([0, 1]);
    // 29.3 ± 1 pad, span 2 -> step 0.5 -> [28, 30.5]
    expect(linearDomain([29.3]).domain).toEqual([28, 30.5]);
    // a denormal span counts as zero: [0, 2e-323] pads by 1 like a single value -> step 0.5 -> [-1, 1]
    expect(linearDomain([0, 2e-323])).toEqual({ domain: [-1, 1], ticks: [-1, -0.5, 0, 0.5, 1] });
  });
  it('property: covers the data with round ends', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 50 }), (xs) => {
        const { domain, ticks } = linearDomain(xs);
        expect(domain[0]).toBeLessThanOrEqual(Math.min(...xs));
        expect(domain[1]).toBeGreaterThanOrEqual(Math.max(...xs));
        expect(ticks[0]).toBe(domain[0]);
        expect(ticks.length).toBeLessThanOrEqual(16);
        // strictly ascending, evenly spaced (to float rounding), last tick the domain's upper end
        for (let i = 1; i < ticks.length; i++) expect(ticks[i]).toBeGreaterThan(ticks[i - 1]);
        const step = ticks[1] - ticks[0];
        for (let i = 1; i < ticks.length; i++) expect(ticks[i] - ticks[i - 1]).toBeCloseTo(step, 6);
        expect(ticks.at(-1)).toBe(domain[1]);
      }),
    );
  });
});

describe('formatTick', () => {
  it('golden', () => {
    expect([formatTick(0), formatTick(0.30000000000000004), formatTick(44.71), formatTick(2500)]).toEqual(['0', '0.3', '44.7', '2,500']);
  });
});
