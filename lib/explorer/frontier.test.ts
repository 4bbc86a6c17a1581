import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COCO_PRUNING } from './__fixtures__/entries';
import { dominates, frontierStepVertices, paretoFrontierIndices, type TCostAccuracy } from './frontier';

const pts = (pairs: Array<[number, number]>): TCostAccuracy[] => pairs.map(([cost, accuracy]) => ({ cost, accuracy }));

describe('paretoFrontierIndices: goldens', () => {
  it('seed COCO pruning table, GFLOPs vs Box AP, all input sizes', () => {
    // Hand sweep in cost order (GFLOPs, AP) keeping the best AP so far:
    // 1.74/24.0 F, 2.93/26.8 F, 3.76/27.2 F, 5.72/27.1 (<27.2) no, 6.27/27.8 F, 6.35/29.7 F, 9.66/29.3 no,
    // 13.57/30.2 F, 20.64/29.3 no, 29.98/38.3 F, 37.53/39.8 F, 44.71/39.1 no  -> 8 frontier points.
    const points = COCO_PRUNING.map((e) => ({ cost: e.gflops!, accuracy: e.accuracy.boxAp! }));
    const keys = paretoFrontierIndices(points).map((i) => `${COCO_PRUNING[i].modelId}@${COCO_PRUNING[i].inputSize}`);
    expect(keys).toEqual([
      'yolov3-mbv1-coco-prune-r578@320',
      'yolov3-mbv1-coco-prune-r578@416',
      'yolov3-mbv1-coco-prune-sensity@320',
      'yolov3-mbv1-coco-prune-r578@608',
      'yolov3-mbv1-coco-prune-sensity@416',
      'yolov3-mbv1-coco-prune-sensity@608',
      'yolov3-r50vd-dcn-coco-prune-r578@608',
      'yolov3-r50vd-dcn-coco-prune-sensity@608',
    ]);
  });

  it('ties: exact duplicates are both on the frontier; equal cost or equal accuracy alone is dominated', () => {
    // (1,5) and (1,5) duplicate -> both F; (1,4) same cost, lower acc -> dominated; (2,5) same acc, dearer -> dominated; (3,6) F.
    expect(paretoFrontierIndices(pts([[1, 5], [1, 4], [2, 5], [1, 5], [3, 6]]))).toEqual([0, 3, 4]);
  });

  it('DEGENERATE: no points, one point, all identical points', () => {
    expect(paretoFrontierIndices([])).toEqual([]);
    expect(paretoFrontierIndices(pts([[7, 1]]))).toEqual([0]);
    expect(paretoFrontierIndices(pts([[2, 2], [2, 2], [2, 2]]))).toEqual([0, 1, 2]);
  });

  it('DEGENERATE: accuracy falling with cost leaves only the cheapest point; rising keeps all', () => {
    expect(paretoFrontierIndices(pts([[3, 1], [1, 3], [2, 2]]))).toEqual([1]);
    expect(paretoFrontierIndices(pts([[3, 3], [1, 1], [2, 2]]))).toEqual([1, 2, 0]);
  });

  it('handles negative accuracy (deltas) and -0', () => {
    expect(paretoFrontierIndices(pts([[1, -2], [2, -1], [3, -0], [4, 0]]))).toEqual([0, 1, 2]);
  });
});

describe('paretoFrontierIndices: properties', () => {
  // Small value ranges make ties and duplicates frequent.
  const arbPoints = fc.array(
    fc.record({ cost: fc.integer({ min: 1, max: 8 }), accuracy: fc.integer({ min: 0, max: 8 }) }),
    { maxLength: 40 },
  );
  const arbFloatPoints = fc.array(
    fc.record({
      cost: fc.double({ min: 0.001, max: 1e4, noNaN: true }),
      accuracy: fc.double({ min: -100, max: 100, noNaN: true }),
    }),
    { maxLength: 60 },
  );

  for (const [name, arb] of [['integer grid', arbPoints], ['floats', arbFloatPoints]] as const) {
    it(`${name}: frontier points are never dominated; every other point is dominated by a frontier point`, () => {
      fc.assert(
        fc.property(arb, (points) => {
          const frontier = new Set(paretoFrontierIndices(points));
          points.forEach((q, i) => {
            const dominatedByAny = points.some((p) => dominates(p, q));
            if (frontier.has(i)) expect(dominatedByAny).toBe(false);
            else expect([...frontier].some((f) => dominates(points[f], q))).toBe(true);
          });
        }),
      );
    });
  }

  it('equals the O(n²) definition and is independent of input order', () => {
    fc.assert(
      fc.property(arbPoints, fc.infiniteStream(fc.nat()), (points, seeds) => {
        const brute = points.map((q, i) => (points.some((p) => dominates(p, q)) ? -1 : i)).filter((i) => i >= 0);
        expect(new Set(paretoFrontierIndices(points))).toEqual(new Set(brute));
        const perm = points.map((p, i) => ({ p, i, r: seeds.next().value })).sort((a, b) => a.r - b.r || a.i - b.i);
        const fromPerm = paretoFrontierIndices(perm.map((x) => x.p)).map((j) => `${perm[j].p.cost}/${perm[j].p.accuracy}`);
        const direct = paretoFrontierIndices(points).map((j) => `${points[j].cost}/${points[j].accuracy}`);
        expect(fromPerm.sort()).toEqual(direct.sort());
      }),
    );
  });

  it('is ordered by cost with accuracy strictly rising between distinct points', () => {
    fc.assert(
      fc.property(arbPoints, (points) => {
        const f = paretoFrontierIndices(points).map((i) => points[i]);
        for (let i = 1; i < f.length; i++) {
          const same = f[i].cost === f[i - 1].cost && f[i].accuracy === f[i - 1].accuracy;
          if (!same) {
            expect(f[i].cost).toBeGreaterThan(f[i - 1].cost);
            expect(f[i].accuracy).toBeGreaterThan(f[i - 1].accuracy);
          }
        }
      }),
    );
  });
});

describe('frontierStepVertices', () => {
  it('golden: holds each accuracy until the next cost, then steps up', () => {
    expect(frontierStepVertices(pts([[1, 1], [2, 3], [4, 5]]))).toEqual([
      [1, 1], [2, 1], [2, 3], [4, 3], [4, 5],
    ]);
  });
  it('DEGENERATE: empty, single point, duplicate points', () => {
    expect(frontierStepVertices([])).toEqual([]);
    expect(frontierStepVertices(pts([[3, 2]]))).toEqual([[3, 2]]);
    expect(frontierStepVertices(pts([[3, 2], [3, 2], [5, 4]]))).toEqual([[3, 2], [5, 2], [5, 4]]);
  });
  it('property: 2n-1 vertices for n distinct frontier points, never going down or left', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ cost: fc.integer({ min: 1, max: 50 }), accuracy: fc.integer({ min: 0, max: 50 }) }), { maxLength: 30 }), (points) => {
        const f = paretoFrontierIndices(points).map((i) => points[i]);
        const distinct = new Set(f.map((p) => `${p.cost}/${p.accuracy}`)).size;
        const v = frontierStepVertices(f);
        expect(v.length).toBe(distinct === 0 ? 0 : 2 * distinct - 1);
        for (let i = 1; i < v.length; i++) {
          expect(v[i][0]).toBeGreaterThanOrEqual(v[i - 1][0]);
          expect(v[i][1]).toBeGreaterThanOrEqual(v[i - 1][1]);
        }
      }),
    );
  });
});
