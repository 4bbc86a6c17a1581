import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accuracyAgreement, type AccuracyNumber } from './accuracy-agreement';
import { METRICS } from './metrics';

const isAccuracy = (m: keyof typeof METRICS) => METRICS[m].isAccuracy;
const reported = (inputSize: number, value: number, sourceSlug = 'demo-zoo-manifest'): AccuracyNumber => ({ metric: 'box_ap', inputSize, dataset: 'Demo', value, provenance: { kind: 'reported', sourceSlug } });
const measured = (inputSize: number, value: number): AccuracyNumber => ({ metric: 'box_ap', inputSize, dataset: 'Demo', value, provenance: { kind: 'measured' } });

describe('accuracyAgreement', () => {
  it('golden: pairs by input size; 32.58 vs 32.31 -> -0.27 agrees, 28.26 vs 27.70 -> -0.56 does not (hand-computed)', () => {
    const rows = accuracyAgreement([reported(416, 32.58), measured(416, 32.31), reported(320, 28.26), measured(320, 27.7)], 'demo-zoo-manifest', 0.5, isAccuracy);
    expect(rows.map((r) => r.inputSize)).toEqual([320, 416]);
    expect(rows[0].differencePoints).toBeCloseTo(-0.56, 10);
    expect(rows[0].agrees).toBe(false);
    expect(rows[1].differencePoints).toBeCloseTo(-0.27, 10);
    expect(rows[1].agrees).toBe(true);
  });

  it('degenerate: no reported numbers -> no rows; a pending measurement -> null difference; other sources and cost metrics ignored', () => {
    expect(accuracyAgreement([measured(416, 30)], 'demo-zoo-manifest', 0.5, isAccuracy)).toEqual([]);
    const [row] = accuracyAgreement([reported(608, 31), reported(608, 40, 'paddle'), { ...reported(608, 1), metric: 'gflops' }], 'demo-zoo-manifest', 0.5, isAccuracy);
    expect(row).toEqual({ metric: 'box_ap', inputSize: 608, dataset: 'Demo', measured: null, reported: 31, differencePoints: null, agrees: null });
    expect(accuracyAgreement([reported(608, 31), reported(608, 40, 'paddle')], 'demo-zoo-manifest', 0.5, isAccuracy)).toHaveLength(1);
  });

  it('boundary: a difference of exactly the tolerance agrees', () => {
    expect(accuracyAgreement([reported(416, 30), measured(416, 30.5)], 'demo-zoo-manifest', 0.5, isAccuracy)[0].agrees).toBe(true);
  });

  it('property: agrees iff |measured - reported| <= tolerance, and the difference is antisymmetric in the two numbers', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }), (a, b, tol) => {
        const [ab] = accuracyAgreement([reported(416, a), measured(416, b)], 'demo-zoo-manifest', tol, isAccuracy);
        const [ba] = accuracyAgreement([reported(416, b), measured(416, a)], 'demo-zoo-manifest', tol, isAccuracy);
        expect(ab.differencePoints).toBeCloseTo(-(ba.differencePoints ?? NaN), 9);
        expect(ab.agrees).toBe(Math.abs(b - a) <= tol + 1e-9);
      }),
    );
  });
});
