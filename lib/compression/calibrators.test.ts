import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AbsHistogram, calibratedRange, clippedKl, entropyThreshold, klDivergence, percentileThreshold, RangeStats, smoothDistribution,
} from './calibrators';

describe('pass 1 and pass 2 collectors', () => {
  it('RangeStats: min, max, count and max |x| over several images; NaN is an error', () => {
    const s = new RangeStats('t');
    expect(s.absMax).toBe(0);
    s.update([1, -2, 0.5]);
    s.update([3]);
    s.update([]);
    expect([s.min, s.max, s.count, s.absMax]).toEqual([-2, 3, 4, 3]);
    expect(() => s.update([1, NaN])).toThrow(/"t" has NaN/);
    expect(() => new RangeStats('u').update([Infinity])).toThrow(/infinite/);
  });

  it('AbsHistogram: |x| into equal bins over [0, limit], the limit and beyond into the last bin', () => {
    const h = new AbsHistogram(4, 4);
    h.add([0, 0.5, 1, -1.5, 3.99, 4, 7]);
    expect(Array.from(h.counts)).toEqual([2, 2, 0, 3]);
    const z = new AbsHistogram(0, 3);
    z.add([0, 0]);
    expect(Array.from(z.counts)).toEqual([2, 0, 0]);
    expect(() => new AbsHistogram(-1)).toThrow(/limit/);
    expect(() => new AbsHistogram(1, 0)).toThrow(/bins/);
  });
});

describe('percentileThreshold', () => {
  it('golden: upper edge of the first bin where the cumulative share reaches the percentile', () => {
    // counts [2, 2, 0, 3] over [0, 4]: cumulative 2/7, 4/7, 4/7, 7/7
    expect(percentileThreshold([2, 2, 0, 3], 4, 50)).toBe(2);
    expect(percentileThreshold([2, 2, 0, 3], 4, 100)).toBe(4);
    expect(percentileThreshold([2, 2, 0, 3], 4, 25)).toBe(1);
    expect(percentileThreshold([2, 2, 0, 3], 4, 58)).toBe(4);
  });

  it('degenerate: empty histogram gives 0; percentiles outside (0, 100] are errors', () => {
    expect(percentileThreshold([0, 0], 5, 99.9)).toBe(0);
    expect(() => percentileThreshold([1], 1, 0)).toThrow(/percentile/);
    expect(() => percentileThreshold([1], 1, 100.1)).toThrow(/percentile/);
  });

  it('property: monotone in the percentile and inside (0, limit]', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(50), { minLength: 1, maxLength: 40 }), fc.double({ min: 0.1, max: 100, noNaN: true }), fc.double({ min: 0.1, max: 100, noNaN: true }), (counts, a, b) => {
        if (!counts.some((c) => c > 0)) counts[0] = 1;
        const [lo, hi] = a < b ? [a, b] : [b, a];
        const tl = percentileThreshold(counts, 10, lo);
        const th = percentileThreshold(counts, 10, hi);
        expect(tl).toBeLessThanOrEqual(th);
        expect(tl).toBeGreaterThan(0);
        expect(th).toBeLessThanOrEqual(10);
      }),
    );
  });
});

describe('KL pieces', () => {
  it('smoothDistribution: eps into zero bins, taken evenly from the others; all-zero gives null', () => {
    const s = smoothDistribution([0, 2, 2])!;
    expect(s[0]).toBe(1e-4);
    expect(s[1]).toBeCloseTo(2 - 0.5e-4, 15);
    expect(s[2]).toBeCloseTo(2 - 0.5e-4, 15);
    expect(smoothDistribution([0, 0])).toBeNull();
    expect(smoothDistribution([0, 0, 1e-5])).toBeNull(); // the non-zero bin would go negative
  });

  it('klDivergence: golden 0.5 ln(4/3), zero for equal shapes, infinite where q misses mass', () => {
    // p = (1/2, 1/2), q = (1/4, 3/4): 1/2 ln 2 + 1/2 ln(2/3) = 1/2 ln(4/3)
    expect(klDivergence([1, 1], [1, 3])).toBeCloseTo(0.5 * Math.log(4 / 3), 14);
    expect(klDivergence([2, 6], [1, 3])).toBe(0);
    expect(klDivergence([1, 1], [1, 0])).toBe(Infinity);
    expect(() => klDivergence([1], [1, 2])).toThrow(/lengths/);
  });

  it('property: KL >= 0', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.001, max: 10, noNaN: true }), { minLength: 1, maxLength: 20 }), fc.array(fc.double({ min: 0.001, max: 10, noNaN: true }), { minLength: 20, maxLength: 20 }), (p, qPool) => {
        expect(klDivergence(p, p.map((_, i) => qPool[i]))).toBeGreaterThanOrEqual(-1e-12);
      }),
    );
  });
});

describe('entropyThreshold', () => {
  it('golden: all mass in the first half -> clip at half the range (first of equal KLs)', () => {
    // Q = 2. i = 2: p = q = [4, 4] (KL 0); i = 3: p = [4, 4, 0], q = [4, 4, 0] (KL 0); i = 4 also 0 -> first: i = 2
    expect(clippedKl([4, 4, 0, 0], 2, 2)).toBe(0);
    expect(entropyThreshold([4, 4, 0, 0], 8, 2)).toBe(4);
  });

  it('golden: two far-apart modes -> keep the full range (clipping would merge the far mode)', () => {
    // i = 2: p = [1, 1] but q = [1, 0] (smoothed) -> KL > 0; i = 4: p = [1, 0, 0, 1], groups of 2 -> q = p -> KL 0
    expect(clippedKl([1, 0, 0, 1], 2, 2)).toBeGreaterThan(1);
    expect(clippedKl([1, 0, 0, 1], 4, 2)).toBe(0);
    expect(entropyThreshold([1, 0, 0, 1], 8, 2)).toBe(8);
  });

  it('the count of the first bin (ReLU zeros) does not change the threshold', () => {
    const counts = Array.from({ length: 64 }, (_, b) => Math.round(1000 * Math.exp(-b / 6)));
    const t = entropyThreshold(counts, 1, 8);
    expect(entropyThreshold([50_000, ...counts.slice(1)], 1, 8)).toBe(t);
    expect(entropyThreshold([0, ...counts.slice(1)], 1, 8)).toBe(t);
    expect(t).toBeLessThan(1); // the thin tail is clipped
  });

  it('groups are split evenly: 5 bins into 2 steps are [0, 2) and [2, 5)', () => {
    // p = [2, 2, 1, 1, 1] (no outliers); q: group [0,2) sum 4 over 2 bins -> 2, 2; group [2,5) sum 3 over 3 -> 1, 1, 1 -> q = p
    expect(clippedKl([2, 2, 1, 1, 1], 5, 2)).toBe(0);
    // with [1, 2, 1, 1, 1] the first group flattens to 1.5, 1.5: KL > 0
    expect(clippedKl([1, 2, 1, 1, 1], 5, 2)).toBeGreaterThan(0);
  });

  it('degenerate: histogram no longer than Q keeps the limit; Q < 2 is an error; empty histogram keeps the limit', () => {
    expect(entropyThreshold([3, 1], 5, 2)).toBe(5);
    expect(entropyThreshold([0, 0, 0, 0], 5, 2)).toBe(5);
    expect(() => entropyThreshold([1, 2, 3], 1, 1)).toThrow(/quantized bins/);
  });

  it('property: the threshold lies in [Q / n x limit, limit]', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(100), { minLength: 5, maxLength: 64 }), fc.integer({ min: 2, max: 4 }), (counts, q) => {
        const t = entropyThreshold(counts, 1, q);
        expect(t).toBeGreaterThanOrEqual(q / counts.length - 1e-12);
        expect(t).toBeLessThanOrEqual(1);
      }),
      { numRuns: 100 },
    );
  });
});

describe('calibratedRange', () => {
  const stats = (values: number[]) => {
    const s = new RangeStats('t');
    s.update(values);
    return s;
  };
  const hist = (s: RangeStats, values: number[], bins = 2048) => {
    const h = new AbsHistogram(s.absMax, bins);
    h.add(values);
    return h;
  };

  it('minmax is the observed range; a never-seen tensor is [0, 0]', () => {
    expect(calibratedRange(stats([-1, 5, 2]), undefined, { method: 'minmax' })).toEqual({ min: -1, max: 5 });
    expect(calibratedRange(new RangeStats('e'), undefined, { method: 'entropy' })).toEqual({ min: 0, max: 0 });
  });

  it('percentile cuts one outlier among 100,000 values and stays inside the observed min', () => {
    const values = Array.from({ length: 100_000 }, (_, i) => (i % 1000) / 1000);
    values[0] = 100; // one outlier: 0.001 % of the values
    const s = stats(values);
    const r = calibratedRange(s, hist(s, values), { method: 'percentile', percentile: 99.99 });
    expect(r.min).toBe(0);
    // the 99.99th percentile of |x| is below 1, within one bin (100 / 2048) above it
    expect(r.max).toBeGreaterThan(0.99);
    expect(r.max).toBeLessThanOrEqual(1 + 100 / 2048);
  });

  it('entropy clips the long tail of an exponential-shaped non-negative tensor, minmax does not', () => {
    // 200,000 quantiles of Exp(1): dense near 0, max -ln(0.5 / 200000) = 12.9 (with 20,000 the sparse tail
    // bins are each represented exactly by their quantization step and the full range wins)
    const values = Array.from({ length: 200_000 }, (_, i) => -Math.log((i + 0.5) / 200_000));
    const s = stats(values);
    const r = calibratedRange(s, hist(s, values), { method: 'entropy' });
    expect(r.min).toBe(s.min); // the observed min (-ln(19999.5 / 20000) > 0): never widened
    expect(r.max).toBeLessThan(0.9 * s.max);
    expect(r.max).toBeGreaterThan(3); // 95 % of Exp(1) lies below 3
    expect(() => calibratedRange(s, undefined, { method: 'entropy' })).toThrow(/needs a histogram/);
  });
});
