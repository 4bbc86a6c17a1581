import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boxStats, histogram, quantileSorted } from './distribution';

describe('quantileSorted (type 7)', () => {
  it('golden: [1,2,3,4] -> q(0.25) = 1 + 0.75*(2-1) = 1.75; median 2.5; q(0.9) = 3 + 0.7*(4-3) = 3.7', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5, 12);
    expect(quantileSorted([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 12);
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
  });
  it('EXPECTED FAILURE: empty input, p outside [0,1]', () => {
    expect(() => quantileSorted([], 0.5)).toThrow(/no samples/);
    expect(() => quantileSorted([1], 1.5)).toThrow(/outside \[0, 1\]/);
  });
});

describe('boxStats', () => {
  it('golden: 1..9 plus an outlier 100', () => {
    // sorted [1..9, 100], n=10: q1 h=2.25 -> 3.25; median h=4.5 -> 5.5; q3 h=6.75 -> 7.75
    // IQR 4.5, fences -3.5 / 14.5 -> whiskers 1 and 9, outlier 100; mean = (45+100)/10 = 14.5
    const s = boxStats([100, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(s).toMatchObject({ n: 10, minMs: 1, maxMs: 100, whiskerLowMs: 1, whiskerHighMs: 9, outliersMs: [100] });
    expect(s.q1Ms).toBeCloseTo(3.25, 12);
    expect(s.medianMs).toBeCloseTo(5.5, 12);
    expect(s.q3Ms).toBeCloseTo(7.75, 12);
    expect(s.meanMs).toBeCloseTo(14.5, 12);
  });
  it('DEGENERATE: one sample; all samples equal', () => {
    expect(boxStats([4])).toMatchObject({ n: 1, minMs: 4, medianMs: 4, p99Ms: 4, whiskerLowMs: 4, whiskerHighMs: 4, outliersMs: [] });
    expect(boxStats([2, 2, 2])).toMatchObject({ q1Ms: 2, q3Ms: 2, outliersMs: [] });
  });
  it('EXPECTED FAILURE: no samples, NaN, negative', () => {
    expect(() => boxStats([], 'model x @ cpu')).toThrow(/model x @ cpu: no latency samples/);
    expect(() => boxStats([1, Number.NaN])).toThrow(/NaN is not a finite number/);
    expect(() => boxStats([-1])).toThrow(/-1 is not/);
  });
  it('property: min <= whiskerLow <= q1 <= median <= q3 <= whiskerHigh <= max', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 200 }), (xs) => {
        const s = boxStats(xs);
        const chain = [s.minMs, s.whiskerLowMs, s.q1Ms, s.medianMs, s.q3Ms, s.whiskerHighMs, s.maxMs];
        for (let i = 1; i < chain.length; i++) expect(chain[i]).toBeGreaterThanOrEqual(chain[i - 1] - 1e-9);
        expect(s.p90Ms).toBeLessThanOrEqual(s.p99Ms + 1e-9);
      }),
    );
  });
});

describe('histogram', () => {
  it('golden: [0,1,2,3,4] in 2 bins of width 2 -> [0,2) holds 0,1; [2,4] holds 2,3,4', () => {
    expect(histogram([4, 3, 2, 1, 0], 2)).toEqual([
      { fromMs: 0, toMs: 2, count: 2 },
      { fromMs: 2, toMs: 4, count: 3 },
    ]);
  });
  it('DEGENERATE: all equal gives one bin; EXPECTED FAILURE: bad bin count', () => {
    expect(histogram([5, 5], 10)).toEqual([{ fromMs: 5, toMs: 5, count: 2 }]);
    expect(() => histogram([1], 0)).toThrow(/bin count 0/);
  });
  it('property: counts sum to n, bins are contiguous and span [min, max]', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 30 }), (xs, bins) => {
        const h = histogram(xs, bins);
        expect(h.reduce((a, b) => a + b.count, 0)).toBe(xs.length);
        expect(h[0].fromMs).toBe(Math.min(...xs));
        expect(h[h.length - 1].toMs).toBe(Math.max(...xs));
        for (let i = 1; i < h.length; i++) expect(h[i].fromMs).toBe(h[i - 1].toMs);
      }),
    );
  });
});
