import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accumulateError, finishError, newAccumulator, rankErrors } from './layer-error';

const errorOf = (f: number[], q: number[]) => {
  const acc = newAccumulator();
  accumulateError(acc, f, q);
  return finishError('t', acc);
};

describe('per-tensor quantization error', () => {
  it('golden: f = (3, 4), q = (3, 3): ||f|| = 5, ||f - q|| = 1 -> relative 0.2, SQNR 20 log10 5 = 13.98 dB', () => {
    const e = errorOf([3, 4], [3, 3]);
    expect(e.relativeError).toBeCloseTo(0.2, 15);
    expect(e.sqnrDb).toBeCloseTo(20 * Math.log10(5), 12);
    expect(e.maxAbsError).toBe(1);
    expect(e.elements).toBe(2);
  });

  it('accumulates over images: two images equal one image with all the values', () => {
    const acc = newAccumulator();
    accumulateError(acc, [3], [3]);
    accumulateError(acc, [4], [3]);
    expect(finishError('t', acc)).toEqual(errorOf([3, 4], [3, 3]));
  });

  it('degenerate: exact match, all-zero float tensor, length mismatch', () => {
    expect(errorOf([1, -2], [1, -2])).toMatchObject({ relativeError: 0, sqnrDb: Infinity, maxAbsError: 0 });
    expect(errorOf([0, 0], [0, 0])).toMatchObject({ relativeError: 0, sqnrDb: Infinity });
    expect(errorOf([0, 0], [0, 1])).toMatchObject({ relativeError: Infinity, sqnrDb: -Infinity });
    expect(errorOf([], [])).toMatchObject({ relativeError: 0, elements: 0 });
    expect(() => errorOf([1], [1, 2])).toThrow(/differ in length/);
  });

  // multiples of 1/8 in [-10, 10]: no squares underflowing to 0
  const eighths = fc.integer({ min: -80, max: 80 }).map((v) => v / 8);

  it('property: scaling float and quantized values by k leaves relative error and SQNR unchanged; error >= 0', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(eighths, eighths), { minLength: 1, maxLength: 20 }), fc.double({ min: 0.01, max: 100, noNaN: true }), (pairs, k) => {
        const f = pairs.map((p) => p[0]);
        const q = pairs.map((p) => p[1]);
        const a = errorOf(f, q);
        const b = errorOf(f.map((v) => v * k), q.map((v) => v * k));
        expect(a.relativeError).toBeGreaterThanOrEqual(0);
        if (Number.isFinite(a.relativeError) && a.relativeError > 1e-9) {
          expect(b.relativeError).toBeCloseTo(a.relativeError, 6);
          expect(b.sqnrDb).toBeCloseTo(a.sqnrDb, 6);
        }
      }),
    );
  });

  it('rankErrors: worst relative error first, ties by name', () => {
    const e = (tensor: string, relativeError: number) => ({ tensor, relativeError, sqnrDb: 0, maxAbsError: 0, elements: 1 });
    expect(rankErrors([e('a', 0.1), e('c', 0.3), e('b', 0.3), e('d', Infinity)]).map((x) => x.tensor)).toEqual(['d', 'b', 'c', 'a']);
  });
});
