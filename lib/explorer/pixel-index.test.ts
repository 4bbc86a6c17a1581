import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PixelIndex } from './pixel-index';

function brute(xs: number[], ys: number[], x: number, y: number, r: number): number {
  let best = -1;
  let bestD2 = r * r;
  xs.forEach((px, i) => {
    if (!Number.isFinite(px) || !Number.isFinite(ys[i])) return;
    const d2 = (px - x) ** 2 + (ys[i] - y) ** 2;
    if (d2 < bestD2 || (d2 === bestD2 && i > best)) {
      best = i;
      bestD2 = d2;
    }
  });
  return best;
}

describe('PixelIndex', () => {
  it('golden: picks the closest centre within the radius', () => {
    // (10,10) is 5 px from (13,14); (30,10) is 17.46 px away -> index 0. Radius 4 -> none.
    const idx = new PixelIndex([10, 30], [10, 10]);
    expect(idx.nearest(13, 14, 8)).toBe(0);
    expect(idx.nearest(13, 14, 4)).toBe(-1);
    expect(idx.nearest(13, 14, 5)).toBe(0); // exactly on the radius counts
  });
  it('ties go to the marker drawn last (on top); duplicates resolve the same way', () => {
    const idx = new PixelIndex([0, 10, 10], [0, 0, 0]);
    expect(idx.nearest(5, 0, 6)).toBe(2);
  });
  it('DEGENERATE: no markers, non-finite markers and queries, negative radius', () => {
    expect(new PixelIndex([], []).nearest(1, 1, 10)).toBe(-1);
    expect(new PixelIndex([Number.NaN], [1]).nearest(1, 1, 10)).toBe(-1);
    expect(new PixelIndex([1], [1]).nearest(Number.NaN, 1, 10)).toBe(-1);
    expect(new PixelIndex([1], [1]).nearest(1, 1, -1)).toBe(-1);
  });
  it('property: equals the brute-force search, negative coordinates included', () => {
    const coord = fc.double({ min: -200, max: 1200, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.tuple(coord, coord), { maxLength: 80 }), coord, coord, fc.double({ min: 0, max: 60, noNaN: true }), fc.integer({ min: 4, max: 40 }), (pts, x, y, r, cell) => {
        const xs = pts.map((p) => p[0]);
        const ys = pts.map((p) => p[1]);
        expect(new PixelIndex(xs, ys, cell).nearest(x, y, r)).toBe(brute(xs, ys, x, y, r));
      }),
    );
  });
});
