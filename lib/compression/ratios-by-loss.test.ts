import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpolatedLoss, ratioByLoss, ratiosByLoss, searchLossThreshold, type LossPoint } from './ratios-by-loss';

const curve: LossPoint[] = [
  { ratio: 0.3, loss: 0.04 },
  { ratio: 0.5, loss: 0.14 },
  { ratio: 0.7, loss: 0.29 },
];

describe('ratioByLoss (PaddleSlim get_ratios_by_loss)', () => {
  it('goldens by hand: interpolation between measured points, last point, no (0, 0) point', () => {
    // T = 0.09: between (0.3, 0.04) and (0.5, 0.14): 0.3 + 0.05 * 0.2 / 0.1 = 0.4
    expect(ratioByLoss(curve, 0.09)).toBeCloseTo(0.4, 12);
    // T = 0.04: exactly the first point's loss -> 0.3 + 0 = 0.3
    expect(ratioByLoss(curve, 0.04)).toBeCloseTo(0.3, 12);
    // T = 0.2: between (0.5, 0.14) and (0.7, 0.29): 0.5 + 0.06 * 0.2 / 0.15 = 0.58
    expect(ratioByLoss(curve, 0.2)).toBeCloseTo(0.58, 12);
    // T >= last loss: the largest measured ratio
    expect(ratioByLoss(curve, 0.29)).toBe(0.7);
    expect(ratioByLoss(curve, 5)).toBe(0.7);
    // T below the first loss: PaddleSlim's rule gives 0 ...
    expect(ratioByLoss(curve, 0.02)).toBe(0);
    // ... with-origin interpolates from (0, 0): 0.02 * 0.3 / 0.04 = 0.15
    expect(ratioByLoss(curve, 0.02, { withOrigin: true })).toBeCloseTo(0.15, 12);
  });

  it('goldens: a non-monotone curve takes the LAST point under the threshold, as PaddleSlim scans from the top', () => {
    const bumpy = [
      { ratio: 0.7, loss: 0.1 },
      { ratio: 0.3, loss: 0.05 },
      { ratio: 0.5, loss: 0.2 },
    ]; // any order
    expect(ratioByLoss(bumpy, 0.12)).toBe(0.7);
    // T = 0.07: only (0.3, 0.05) is under it; interpolate towards (0.5, 0.2): 0.3 + 0.02 * 0.2 / 0.15
    expect(ratioByLoss(bumpy, 0.07)).toBeCloseTo(0.3 + (0.02 * 0.2) / 0.15, 12);
  });

  it('degenerate: empty curve, negative losses, negative threshold, bad points', () => {
    expect(ratioByLoss([], 0.5)).toBe(0);
    expect(ratioByLoss([], 0.5, { withOrigin: true })).toBe(0);
    expect(
      ratioByLoss(
        [
          { ratio: 0.3, loss: -0.01 },
          { ratio: 0.5, loss: 0.1 },
        ],
        0,
      ),
    ).toBeCloseTo(0.3 + (0.01 * 0.2) / 0.11, 12);
    expect(ratioByLoss(curve, -0.1, { withOrigin: true })).toBe(0);
    expect(() => ratioByLoss([{ ratio: 1, loss: 0 }], 0.1, {}, 'p')).toThrow(/p: ratio 1 must be in \(0, 1\)/);
    expect(() => ratioByLoss([{ ratio: 0.3, loss: NaN }], 0.1)).toThrow(/not a finite number/);
    expect(() =>
      ratioByLoss(
        [
          { ratio: 0.3, loss: 0 },
          { ratio: 0.3, loss: 1 },
        ],
        0.1,
      ),
    ).toThrow(/measured twice/);
    expect(() => ratioByLoss(curve, NaN)).toThrow(/NaN/);
  });

  it('ratiosByLoss lists every parameter, 0 for those over the threshold', () => {
    expect(ratiosByLoss({ a: curve, b: [{ ratio: 0.3, loss: 0.5 }] }, 0.29)).toEqual({ a: 0.7, b: 0 });
  });

  const arbCurve = fc
    .uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 6 })
    .chain((rs) =>
      fc.tuple(fc.constant(rs), fc.array(fc.double({ min: -0.2, max: 1, noNaN: true }), { minLength: rs.length, maxLength: rs.length })),
    )
    .map(([rs, ls]) => rs.map((r, i) => ({ ratio: r / 100, loss: ls[i] })));

  it('property: the ratio is in [0, max ratio], its interpolated loss is <= the threshold, and it never shrinks as the threshold grows', () => {
    fc.assert(
      fc.property(
        arbCurve,
        fc.double({ min: -0.3, max: 1.2, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.boolean(),
        (pts, t, dt, withOrigin) => {
          const r = ratioByLoss(pts, t, { withOrigin });
          const maxRatio = Math.max(...pts.map((p) => p.ratio));
          expect(r).toBeGreaterThanOrEqual(0);
          expect(r).toBeLessThanOrEqual(maxRatio);
          if (r > 0) expect(interpolatedLoss(pts, r)).toBeLessThanOrEqual(t + 1e-9);
          expect(ratioByLoss(pts, t + dt, { withOrigin })).toBeGreaterThanOrEqual(r - 1e-12);
          // with-origin never gives less than PaddleSlim's rule at a non-negative threshold
          if (t >= 0) expect(ratioByLoss(pts, t, { withOrigin: true })).toBeGreaterThanOrEqual(ratioByLoss(pts, t) - 1e-12);
        },
      ),
    );
  });
});

describe('interpolatedLoss', () => {
  it('goldens and degenerate cases', () => {
    expect(interpolatedLoss(curve, 0)).toBe(0);
    expect(interpolatedLoss(curve, 0.15)).toBeCloseTo(0.02, 12); // from (0, 0) to (0.3, 0.04)
    expect(interpolatedLoss(curve, 0.5)).toBe(0.14);
    expect(interpolatedLoss(curve, 0.6)).toBeCloseTo(0.215, 12);
    expect(() => interpolatedLoss(curve, 0.71, 'p')).toThrow(/p: ratio 0.71 is above the largest measured ratio 0.7/);
    expect(() => interpolatedLoss(curve, -0.1)).toThrow(/must be >= 0/);
  });
});

describe('searchLossThreshold', () => {
  // A stand-in for the pruned graph's FLOPs: parameter p costs weight[p], and pruning ratio r removes r of it.
  const weights: Record<string, number> = { a: 0.5, b: 0.3, c: 0.2 };
  const reductionOf = (ratios: Record<string, number>) => Object.entries(ratios).reduce((s, [k, r]) => s + weights[k] * r, 0);
  const curves = {
    a: curve,
    b: [
      { ratio: 0.3, loss: 0.01 },
      { ratio: 0.5, loss: 0.02 },
      { ratio: 0.7, loss: 0.05 },
    ],
    c: [
      { ratio: 0.3, loss: 0.3 },
      { ratio: 0.5, loss: 0.4 },
      { ratio: 0.7, loss: 0.5 },
    ],
  };

  it('golden by hand: on T in [0.04, 0.05] r_a = 0.3 + 2 (T - 0.04), r_b = 0.5 + (T - 0.02) * 0.2 / 0.03, so reduction = 0.22 + 3 T', () => {
    // Below T = 0.04 a is not pruned and b gives at most 0.3 * 0.6333 = 0.19; 0.22 + 3 T = 0.35 at T = 0.13 / 3.
    const r = searchLossThreshold({ curves, target: 0.35, reductionOf });
    expect(r.threshold).toBeCloseTo(0.13 / 3, 9);
    expect(r.ratios.a).toBeCloseTo(0.3 + 2 * (0.13 / 3 - 0.04), 9);
    expect(r.ratios.b).toBeCloseTo(0.5 + ((0.13 / 3 - 0.02) * 0.2) / 0.03, 9);
    expect(r.ratios.c).toBe(0);
    expect(r.above.reduction).toBeGreaterThanOrEqual(0.35);
    expect(r.below!.reduction).toBeLessThan(0.35);
    expect(r.reduction).toBeCloseTo(0.35, 9);
  });

  it('golden by hand: a target inside a jump returns the nearer side', () => {
    // one parameter costing everything: reduction 0 below T = 0.04, then 0.3 (its first measured ratio), no (0, 0) point
    const one = { a: curve };
    const all = (ratios: Record<string, number>) => ratios.a;
    const near = searchLossThreshold({ curves: one, target: 0.2, reductionOf: all });
    expect([near.ratios.a, near.threshold]).toEqual([0.3, near.above.threshold]);
    expect(near.above.threshold).toBeCloseTo(0.04, 12);
    const far = searchLossThreshold({ curves: one, target: 0.1, reductionOf: all });
    expect(far.ratios.a).toBe(0); // |0 - 0.1| < |0.3 - 0.1|
    expect(far.above.ratios.a).toBe(0.3);
  });

  it('degenerate: unreachable target names the maximum; bad target; no parameters', () => {
    expect(() => searchLossThreshold({ curves, target: 0.9, reductionOf })).toThrow(/cannot be reached: .* removes 70.00 %/);
    expect(() => searchLossThreshold({ curves, target: 0, reductionOf })).toThrow(/in \(0, 1\)/);
    expect(() => searchLossThreshold({ curves: {}, target: 0.3, reductionOf })).toThrow(/no parameters/);
  });

  it('property: `above` reaches the target, a slightly smaller threshold does not, and the result is the nearer side', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 0.69, noNaN: true }), fc.boolean(), (target, withOrigin) => {
        const r = searchLossThreshold({ curves, target, reductionOf, withOrigin });
        expect(r.above.reduction).toBeGreaterThanOrEqual(target);
        expect(r.below!.reduction).toBeLessThan(target);
        expect(reductionOf(ratiosByLoss(curves, r.above.threshold - 1e-6, { withOrigin }))).toBeLessThan(target);
        expect(Math.abs(r.reduction - target)).toBe(Math.min(Math.abs(r.above.reduction - target), Math.abs(r.below!.reduction - target)));
        for (const [k, ratio] of Object.entries(r.ratios))
          if (ratio > 0) expect(interpolatedLoss(curves[k as keyof typeof curves], ratio)).toBeLessThanOrEqual(r.threshold + 1e-9);
      }),
    );
  });
});
