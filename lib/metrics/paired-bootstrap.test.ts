import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random/mulberry32';
import { drawImageWeights, formatPointsDelta, pairedBootstrap, parsePairedBootstrapOptions, percentileLinear } from './paired-bootstrap';

describe('percentileLinear (np.percentile, method linear)', () => {
  it('hand-computed goldens', () => {
    // [1, 2, 3, 4]: position q*(n-1); 0.25 -> 1.75, 0.5 -> 2.5, 0.975 -> 3.925
    const a = Float64Array.of(1, 2, 3, 4);
    expect(percentileLinear(a, 0)).toBe(1);
    expect(percentileLinear(a, 1)).toBe(4);
    expect(percentileLinear(a, 0.25)).toBeCloseTo(1.75, 15);
    expect(percentileLinear(a, 0.5)).toBeCloseTo(2.5, 15);
    expect(percentileLinear(a, 0.975)).toBeCloseTo(3.925, 15);
  });

  it('degenerate: one value, or all values equal, is that value; an empty sample is a clear error', () => {
    expect(percentileLinear([5], 0.025)).toBe(5);
    expect(percentileLinear([0, 0, 0], 0.975)).toBe(0);
    expect(() => percentileLinear([], 0.5)).toThrow(/empty sample/);
  });

  it('property: monotone in q and within [min, max]', () => {
    const unit = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 50 }), unit, unit, (xs, q1, q2) => {
        const s = Float64Array.from(xs).sort();
        const [lo, hi] = q1 <= q2 ? [q1, q2] : [q2, q1];
        expect(percentileLinear(s, lo)).toBeLessThanOrEqual(percentileLinear(s, hi));
        expect(percentileLinear(s, lo)).toBeGreaterThanOrEqual(s[0]);
        expect(percentileLinear(s, hi)).toBeLessThanOrEqual(s[s.length - 1]);
      }),
    );
  });
});

describe('drawImageWeights', () => {
  it('multiplicities of n draws: non-negative, summing to n, the same for the same seed', () => {
    for (const n of [1, 2, 7, 300]) {
      const a = new Int32Array(n);
      const b = new Int32Array(n);
      drawImageWeights(mulberry32(3), a);
      drawImageWeights(mulberry32(3), b);
      expect(a.reduce((s, w) => s + w, 0)).toBe(n);
      expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
      expect(a).toEqual(b);
    }
    const one = new Int32Array(1);
    drawImageWeights(mulberry32(1), one);
    expect(one[0]).toBe(1);
  });
});

describe('pairedBootstrap', () => {
  it('a constant per-image difference: every replicate delta is the same, so the interval is that one point', () => {
    // weighted sums; candidate − baseline is 1 per image and the weights sum to 3 -> every replicate delta is exactly 3
    const cand = [3, 4, 5];
    const base = [2, 3, 4];
    const sum = (v: number[], w: Int32Array | null) => v.reduce((s, x, i) => s + (w ? w[i] : 1) * x, 0);
    const r = pairedBootstrap(3, ['sum'], (w) => ({ candidate: [sum(cand, w)], baseline: [sum(base, w)] }));
    expect(r.metrics.sum).toMatchObject({ candidate: 12, baseline: 9, delta: 3, lower: 3, upper: 3, significant: true });
    expect(r.resamples).toBe(1000);
  });

  it('options are validated by one schema: defaults, and a clear error for bad values', () => {
    expect(parsePairedBootstrapOptions()).toMatchObject({ resamples: 1000, confidence: 0.95 });
    expect(() => parsePairedBootstrapOptions({ resamples: 999 })).toThrow(/bootstrap options: resamples/);
    expect(() => parsePairedBootstrapOptions({ seed: -1 })).toThrow(/seed/);
    expect(() => pairedBootstrap(0, ['x'], () => ({ candidate: [0], baseline: [0] }))).toThrow(/at least one image/);
  });
});

describe('formatPointsDelta', () => {
  it('points with signs, the interval, and the not-significant mark', () => {
    const d = { candidate: 0.5, baseline: 0.49, undefinedResamples: 0 };
    expect(formatPointsDelta({ ...d, delta: 0.0123, lower: 0.0045, upper: 0.0201, significant: true })).toBe('+1.23 [+0.45, +2.01]');
    const notSignificant = formatPointsDelta({ ...d, delta: -0.001, lower: -0.02, upper: 0.003, significant: false });
    expect(notSignificant).toBe('-0.10 [-2.00, +0.30] (not significant)');
    expect(formatPointsDelta({ ...d, delta: null, lower: null, upper: null, significant: false })).toMatch(/^n\/a/);
  });
});
