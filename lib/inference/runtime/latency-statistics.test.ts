import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { percentileSorted, summarizeLatency } from './latency-statistics';

describe('percentileSorted (linear interpolation, numpy "linear")', () => {
  it('hand-computed goldens', () => {
    // x = [1, 2, 3, 4], p = 0.5: h = 3*0.5 = 1.5, lo = 1 -> 2 + 0.5*(3-2) = 2.5
    expect(percentileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    // p = 0.9: h = 2.7, lo = 2 -> 3 + 0.7*(4-3) = 3.7
    expect(percentileSorted([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 12);
    // x = [10, 20, 30, 40, 50], p = 0.99: h = 3.96, lo = 3 -> 40 + 0.96*10 = 49.6
    expect(percentileSorted([10, 20, 30, 40, 50], 0.99)).toBeCloseTo(49.6, 12);
    // 1..100 (numpy.percentile(range(1,101), 99) = 99.01): h = 99*0.99 = 98.01 -> 99 + 0.01*1
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileSorted(hundred, 0.99)).toBeCloseTo(99.01, 10);
    expect(percentileSorted(hundred, 0.5)).toBe(50.5);
    expect(percentileSorted(hundred, 0.9)).toBeCloseTo(90.1, 10);
  });

  it('degenerate cases', () => {
    expect(percentileSorted([7], 0)).toBe(7);
    expect(percentileSorted([7], 0.5)).toBe(7);
    expect(percentileSorted([7], 1)).toBe(7);
    expect(percentileSorted([3, 3, 3], 0.99)).toBe(3);
    expect(percentileSorted([1, 2], 0)).toBe(1);
    expect(percentileSorted([1, 2], 1)).toBe(2);
    expect(() => percentileSorted([], 0.5)).toThrow(/empty/);
    expect(() => percentileSorted([1], 1.5)).toThrow(/\[0, 1\]/);
    expect(() => percentileSorted([1], Number.NaN)).toThrow(/\[0, 1\]/);
  });

  it('property: monotone in p, bounded by min and max, q(0)=min, q(1)=max', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, p1, p2) => {
          const s = [...xs].sort((a, b) => a - b);
          const [lo, hi] = p1 <= p2 ? [p1, p2] : [p2, p1];
          const qlo = percentileSorted(s, lo);
          const qhi = percentileSorted(s, hi);
          expect(qlo).toBeLessThanOrEqual(qhi);
          expect(qlo).toBeGreaterThanOrEqual(s[0]);
          expect(qhi).toBeLessThanOrEqual(s[s.length - 1]);
          expect(percentileSorted(s, 0)).toBe(s[0]);
          expect(percentileSorted(s, 1)).toBe(s[s.length - 1]);
        },
      ),
    );
  });

  it('property: at p = k/(n-1) it returns the k-th order statistic exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 2, maxLength: 40 }), fc.nat(), (xs, kRaw) => {
        const s = [...xs].sort((a, b) => a - b);
        const k = kRaw % s.length;
        expect(percentileSorted(s, k / (s.length - 1))).toBeCloseTo(s[k], 9);
      }),
    );
  });
});

describe('summarizeLatency', () => {
  it('hand-computed golden', () => {
    // samples 4, 1, 3, 2 -> sorted 1,2,3,4; mean 2.5; population variance = (2.25+0.25+0.25+2.25)/4 = 1.25
    const s = summarizeLatency([4, 1, 3, 2]);
    expect(s.count).toBe(4);
    expect(s.meanMs).toBe(2.5);
    expect(s.stdMs).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(s.minMs).toBe(1);
    expect(s.maxMs).toBe(4);
    expect(s.p50Ms).toBe(2.5);
    expect(s.p90Ms).toBeCloseTo(3.7, 12);
    // p99: h = 2.97 -> 3 + 0.97 = 3.97
    expect(s.p99Ms).toBeCloseTo(3.97, 12);
    expect(s.throughputPerS).toBe(400); // 1000 / 2.5
  });

  it('degenerate: one sample, constant samples, zero latency, bad samples', () => {
    const one = summarizeLatency([5]);
    expect(one).toMatchObject({ count: 1, p50Ms: 5, p99Ms: 5, meanMs: 5, stdMs: 0, minMs: 5, maxMs: 5, throughputPerS: 200 });
    const flat = summarizeLatency(new Float64Array(50).fill(2));
    expect(flat.stdMs).toBe(0);
    expect(flat.p90Ms).toBe(2);
    expect(summarizeLatency([0]).throughputPerS).toBe(Number.POSITIVE_INFINITY);
    expect(() => summarizeLatency([])).toThrow(/zero latency samples/);
    expect(() => summarizeLatency([1, Number.NaN])).toThrow(/sample 1/);
    expect(() => summarizeLatency([1, -1])).toThrow(/sample 1/);
  });

  it('property: order-invariant; min <= p50 <= p90 <= p99 <= max; min <= mean <= max', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.001, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 80 }), (xs) => {
        const a = summarizeLatency(xs);
        const b = summarizeLatency([...xs].reverse());
        expect(b.p50Ms).toBe(a.p50Ms);
        expect(b.p99Ms).toBe(a.p99Ms);
        expect(a.minMs).toBeLessThanOrEqual(a.p50Ms);
        expect(a.p50Ms).toBeLessThanOrEqual(a.p90Ms);
        expect(a.p90Ms).toBeLessThanOrEqual(a.p99Ms);
        expect(a.p99Ms).toBeLessThanOrEqual(a.maxMs);
        expect(a.meanMs).toBeGreaterThanOrEqual(a.minMs * (1 - 1e-12));
        expect(a.meanMs).toBeLessThanOrEqual(a.maxMs * (1 + 1e-12));
        expect(a.stdMs).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
