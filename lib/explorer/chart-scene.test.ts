import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrowGeometry, axisProjection, buildChartScene, type TSceneInput } from './chart-scene';
import { METHODS, type TMethod, type TSource } from './entry';
import type { TPoint } from './points';

function pt(modelId: string, method: TMethod, source: TSource, cost: number, accuracy: number, inputSize = 608): TPoint {
  return { key: `${modelId}@${inputSize}`, modelId, inputSize, method, source, cost, accuracy, latencyReported: false, baselineKey: null };
}

const EMPTY: TSceneInput = { byMethod: [], frontierKeys: new Set(), curves: [], arrows: [], frontierSteps: [] };

describe('axisProjection', () => {
  it('golden: linear maps the domain ends onto the given pixels', () => {
    // x: [0, 10] -> [100, 600], 50 px per unit: 2.5 -> 100 + 2.5*50 = 225
    const x = axisProjection([0, 10], [100, 600], false);
    expect(x(0)).toBe(100);
    expect(x(10)).toBe(600);
    expect(x(2.5)).toBe(225);
    // y runs upwards: [20, 40] -> [470, 30], -22 px per unit: 30 -> 470 - 10*22 = 250
    const y = axisProjection([20, 40], [470, 30], false);
    expect(y(30)).toBe(250);
  });
  it('golden: log interpolates in log10; costs <= 0 are not drawable', () => {
    // [1, 100] -> [0, 200]: log10(10) = 1 of 2 decades -> 100; log10(2) * 100 = 30.103
    const x = axisProjection([1, 100], [0, 200], true);
    expect(x(10)).toBeCloseTo(100, 12);
    expect(x(2)).toBeCloseTo(30.10299956639812, 12);
    expect(x(0)).toBeNaN();
    expect(x(-3)).toBeNaN();
  });
  it('degenerate: a zero-width domain maps everything to the first pixel', () => {
    expect(axisProjection([5, 5], [10, 90], false)(7)).toBe(10);
    expect(axisProjection([5, 5], [10, 90], true)(7)).toBe(10);
  });
  it('property: linear projection is monotonic and exact at the ends', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (d0, span, a, b) => {
          const f = axisProjection([d0, d0 + span], [50, 850], false);
          expect(f(d0)).toBeCloseTo(50, 6);
          expect(f(d0 + span)).toBeCloseTo(850, 6);
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(f(d0 + lo * span)).toBeLessThanOrEqual(f(d0 + hi * span) + 1e-9);
        },
      ),
    );
  });
});

describe('arrowGeometry', () => {
  it('golden: horizontal arrow', () => {
    // (0,0) -> (20,0), back 5, head 6: tip at x = 20 - 5 = 15, base at 15 - 6 = 9, corners 3 px either side.
    expect(arrowGeometry(0, 0, 20, 0, 5, 6)).toEqual({ shaft: [0, 0, 9, 0], head: [15, 0, 9, 3, 9, -3] });
  });
  it('golden: 3-4-5 diagonal', () => {
    // (0,0) -> (30,40): length 50, u = (0.6, 0.8); back 5 -> tip (27, 36); head 10 -> base (21, 28);
    // half-width 5 along (-0.8, 0.6): left (17, 31), right (25, 25).
    const g = arrowGeometry(0, 0, 30, 40, 5, 10)!;
    const expected = { shaft: [0, 0, 21, 28], head: [27, 36, 17, 31, 25, 25] };
    g.shaft.forEach((v, i) => expect(v).toBeCloseTo(expected.shaft[i], 12));
    g.head.forEach((v, i) => expect(v).toBeCloseTo(expected.head[i], 12));
  });
  it('degenerate: too short, zero length or not finite gives no arrow', () => {
    expect(arrowGeometry(0, 0, 11, 0, 5, 6)).toBeNull(); // exactly back + head: nothing left for the shaft
    expect(arrowGeometry(3, 3, 3, 3, 0, 6)).toBeNull();
    expect(arrowGeometry(0, 0, NaN, 10, 5, 6)).toBeNull();
    expect(arrowGeometry(0, 0, Infinity, 10, 5, 6)).toBeNull();
  });
  it('property: tip stops backPx short of the target, head is sizePx long, corners are symmetric', () => {
    const coord = fc.double({ min: -2000, max: 2000, noNaN: true });
    fc.assert(
      fc.property(coord, coord, coord, coord, fc.double({ min: 0, max: 10, noNaN: true }), fc.double({ min: 1, max: 12, noNaN: true }), (x1, y1, x2, y2, back, size) => {
        const g = arrowGeometry(x1, y1, x2, y2, back, size);
        const len = Math.hypot(x2 - x1, y2 - y1);
        if (!(len > back + size)) {
          expect(g).toBeNull();
          return;
        }
        expect(g).not.toBeNull();
        const [tx, ty, lx, ly, rx, ry] = g!.head;
        const [sx, sy, bx, by] = g!.shaft;
        expect([sx, sy]).toEqual([x1, y1]);
        expect(Math.hypot(x2 - tx, y2 - ty)).toBeCloseTo(back, 6);
        expect(Math.hypot(tx - bx, ty - by)).toBeCloseTo(size, 6);
        // base is the midpoint of the corners, each size/2 away
        expect((lx + rx) / 2).toBeCloseTo(bx, 6);
        expect((ly + ry) / 2).toBeCloseTo(by, 6);
        expect(Math.hypot(lx - bx, ly - by)).toBeCloseTo(size / 2, 6);
      }),
    );
  });
});

describe('buildChartScene', () => {
  // x = 10 + 10*cost, y = 100 - 2*accuracy (pixels grow downwards)
  const X = (v: number) => 10 + 10 * v;
  const Y = (v: number) => 100 - 2 * v;

  it('golden: markers by method then source, frontier marks, one arrow, one curve, the step line', () => {
    const base = pt('base', 'baseline', 'published', 8, 36); // (90, 28)
    const p1 = pt('small', 'prune', 'published', 2, 30, 320); // (30, 40)
    const p4 = pt('mid', 'prune', 'published', 6, 36); // (70, 28)
    const p2 = pt('small', 'prune', 'measured', 4, 35, 608); // (50, 30)
    const scene = buildChartScene(
      {
        byMethod: [
          { method: 'baseline', points: [base] },
          { method: 'prune', points: [p1, p4, p2] },
        ],
        frontierKeys: new Set([p1.key, p2.key, base.key]),
        curves: [{ modelId: 'small', points: [p1, p2] }],
        arrows: [{ from: p4, to: base }],
        frontierSteps: [
          [2, 30],
          [4, 30],
          [4, 35],
          [8, 35],
          [8, 36],
        ],
      },
      X,
      Y,
      5.5,
      6,
    );
    expect(scene.points.map((p) => p.key)).toEqual([base.key, p1.key, p4.key, p2.key]);
    expect(Array.from(scene.xPx)).toEqual([90, 30, 70, 50]);
    expect(Array.from(scene.yPx)).toEqual([28, 40, 28, 30]);
    expect(Array.from(scene.onFrontier)).toEqual([1, 1, 0, 1]);
    expect(scene.frontierCount).toBe(3);
    expect(scene.groups).toEqual([
      { method: 'baseline', source: 'published', start: 0, end: 1 },
      { method: 'prune', source: 'published', start: 1, end: 3 },
      { method: 'prune', source: 'measured', start: 3, end: 4 },
    ]);
    expect(scene.curves).toEqual([{ method: 'prune', polylines: [[30, 40, 50, 30]] }]);
    // (70,28) -> (90,28): tip 90 - 5.5 = 84.5, base 84.5 - 6 = 78.5, corners 3 px above and below.
    expect(scene.arrowCount).toBe(1);
    expect(Array.from(scene.arrowShafts)).toEqual([70, 28, 78.5, 28]);
    expect(Array.from(scene.arrowHeads)).toEqual([84.5, 28, 78.5, 31, 78.5, 25]);
    expect(scene.frontierLine).toEqual([30, 40, 50, 40, 50, 30, 90, 30, 90, 28]);
  });

  it('degenerate: nothing to draw', () => {
    const scene = buildChartScene(EMPTY, X, Y, 5, 6);
    expect(scene.points).toEqual([]);
    expect(scene.groups).toEqual([]);
    expect(scene.curves).toEqual([]);
    expect(scene.arrowCount).toBe(0);
    expect(scene.arrowShafts.length).toBe(0);
    expect(scene.frontierLine).toEqual([]);
  });

  it('degenerate: points a log axis cannot place are left out everywhere', () => {
    const logX = axisProjection([1, 100], [0, 200], true);
    const a = pt('m', 'prune', 'published', 10, 30, 320);
    const zero = pt('m', 'prune', 'published', 0, 31, 416); // cost 0: no place on a log axis
    const c = pt('m', 'prune', 'published', 100, 32, 608);
    const b = pt('b', 'baseline', 'published', 0, 33);
    const scene = buildChartScene(
      {
        byMethod: [
          { method: 'baseline', points: [b] },
          { method: 'prune', points: [a, zero, c] },
        ],
        frontierKeys: new Set([zero.key, c.key]),
        curves: [{ modelId: 'm', points: [a, zero, c] }],
        arrows: [{ from: a, to: b }],
        frontierSteps: [
          [0, 31],
          [100, 31],
          [100, 32],
        ],
      },
      logX,
      Y,
      5,
      6,
    );
    expect(scene.points.map((p) => p.key)).toEqual([a.key, c.key]);
    expect(scene.frontierCount).toBe(1);
    expect(scene.groups).toEqual([{ method: 'prune', source: 'published', start: 0, end: 2 }]);
    // the curve breaks at the missing vertex and each piece has a single vertex: no line at all
    expect(scene.curves).toEqual([]);
    expect(scene.arrowCount).toBe(0);
    expect(scene.frontierLine).toEqual([200, 38, 200, 36]);
  });

  it('property: every drawable point is drawn once, at its projection, in contiguous groups', () => {
    const point = fc.record({
      method: fc.constantFrom(...METHODS),
      source: fc.constantFrom<TSource>('published', 'measured'),
      cost: fc.double({ min: 0.01, max: 500, noNaN: true }),
      accuracy: fc.double({ min: 0, max: 100, noNaN: true }),
      frontier: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(point, { maxLength: 60 }), (raw) => {
        const pts = raw.map((r, i) => pt(`m${i}`, r.method, r.source, r.cost, r.accuracy));
        const byMethod = METHODS.map((m) => ({ method: m, points: pts.filter((p) => p.method === m) })).filter((g) => g.points.length > 0);
        const frontierKeys = new Set(pts.filter((_, i) => raw[i].frontier).map((p) => p.key));
        const scene = buildChartScene({ ...EMPTY, byMethod, frontierKeys }, X, Y, 5, 6);
        expect(scene.points.length).toBe(pts.length);
        expect(new Set(scene.points.map((p) => p.key))).toEqual(new Set(pts.map((p) => p.key)));
        expect(scene.frontierCount).toBe(frontierKeys.size);
        let next = 0;
        for (const g of scene.groups) {
          expect(g.start).toBe(next);
          expect(g.end).toBeGreaterThan(g.start);
          next = g.end;
          for (let i = g.start; i < g.end; i++) {
            expect(scene.points[i].method).toBe(g.method);
            expect(scene.points[i].source).toBe(g.source);
          }
        }
        expect(next).toBe(pts.length);
        scene.points.forEach((p, i) => {
          expect(scene.xPx[i]).toBe(X(p.cost));
          expect(scene.yPx[i]).toBe(Y(p.accuracy));
          expect(scene.onFrontier[i]).toBe(frontierKeys.has(p.key) ? 1 : 0);
        });
      }),
    );
  });
});
