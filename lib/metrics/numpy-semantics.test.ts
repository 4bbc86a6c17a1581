import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linspace, numpyMean, numpyPairwiseSum, numpySum } from './numpy-semantics';

const golden = JSON.parse(readFileSync(path.join(import.meta.dirname, '__fixtures__/numpy-semantics.golden.json'), 'utf8')) as {
  sums: Array<{ n: number; sum: number; mean: number }>;
  linspace: { iou: number[]; rec: number[]; odd: number[] };
};

function formulaArray(n: number): Float64Array {
  const scale = [1, 1e-3, 1e3];
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = (((i * 7919) % 1000003) / 1000003) * scale[i % 3];
  return a;
}

describe('numpy semantics', () => {
  it('linspace is bit-identical to np.linspace (COCO IoU and recall thresholds)', () => {
    expect(Array.from(linspace(0.5, 0.95, 10))).toEqual(golden.linspace.iou);
    expect(Array.from(linspace(0, 1, 101))).toEqual(golden.linspace.rec);
    expect(Array.from(linspace(0.1, 0.7, 7))).toEqual(golden.linspace.odd);
    // hand check: index 5 is 5 * (0.45 / 9) + 0.5, which rounds to exactly 0.75; the last is `stop`
    expect(linspace(0.5, 0.95, 10)[5]).toBe(0.75);
    expect(linspace(0.5, 0.95, 10)[9]).toBe(0.95);
  });

  it('np.sum / np.mean are reproduced bit for bit (pairwise blocks of 128, 8192-element buffers)', () => {
    for (const g of golden.sums) {
      const a = formulaArray(g.n);
      expect(numpySum(a), `n=${g.n}`).toBe(g.sum);
      expect(numpyMean(a), `n=${g.n}`).toBe(g.mean);
    }
  });

  it('hand-computed: below 8 elements the sum is left to right; at 8 it is ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))', () => {
    // 1e16 + 1 + 1 left to right loses both ones (1e16 + 1 rounds back to 1e16)
    expect(numpyPairwiseSum([1e16, 1, 1], 0, 3)).toBe(1e16);
    // with 8 accumulators: (1e16 + 1) + (1 + 0) ... pairs the ones together: (0 + 0) + (1 + 1) survives
    expect(numpyPairwiseSum([1e16, 0, 0, 0, 0, 0, 1, 1], 0, 8)).toBe(1e16 + 2);
  });

  it('property: equals the exact sum for small integers in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 600 }), (xs) => {
        expect(numpySum(Float64Array.from(xs))).toBe(xs.reduce((a, b) => a + b, 0));
      }),
    );
  });
});
