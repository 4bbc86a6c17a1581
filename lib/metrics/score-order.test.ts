import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortByScoreDescStable } from './score-order';

describe('stable highest-score-first ordering (np.argsort(-s, kind="mergesort"))', () => {
  it('hand-computed: ties keep input order', () => {
    // scores 0.5, 0.9, 0.5, 0.9, 0.1 -> 0.9s first in input order (1, 3), then the 0.5s (0, 2), then 4
    const scores = Float64Array.from([0.5, 0.9, 0.5, 0.9, 0.1]);
    const idx = Int32Array.from([0, 1, 2, 3, 4]);
    sortByScoreDescStable(idx, 0, 5, scores, new Int32Array(5));
    expect(Array.from(idx)).toEqual([1, 3, 0, 2, 4]);
  });

  it('property: equals a stable sort on any sub-range, with many ties and long runs', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 300 }), fc.nat(20), fc.nat(20), (raw, a, b) => {
        const scores = Float64Array.from(raw.map((v) => v / 7));
        const n = scores.length;
        const lo = Math.min(a, n);
        const hi = Math.max(lo, n - Math.min(b, n - lo));
        const idx = Int32Array.from({ length: n }, (_, i) => i);
        sortByScoreDescStable(idx, lo, hi, scores, new Int32Array(n));
        const expected = Array.from({ length: n }, (_, i) => i);
        const mid = expected.slice(lo, hi).sort((x, y) => scores[y] - scores[x]); // Array#sort is stable
        expect(Array.from(idx)).toEqual([...expected.slice(0, lo), ...mid, ...expected.slice(hi)]);
      }),
      { numRuns: 300 },
    );
  });
});
