import type { TBaselineArrow, TInputSizeCurve } from './curves';
import type { TMethod, TSource } from './entry';
import type { TPoint } from './points';

/**
 * The trade-off chart's data layer projected to pixels: markers, frontier rings, input-size curves,
 * baseline arrows and the frontier step line, as flat draw lists. One canvas painter (on screen) and one
 * SVG writer (export) read the same scene, so thousands of points cost no DOM nodes and both outputs agree.
 *
 * Pixel convention: (0, 0) is the top-left of the chart surface, x grows right, y grows down;
 * a marker sits at (xScale(cost), yScale(accuracy)). A point whose projection is not finite (a log axis
 * given a cost <= 0, a scale outside its domain that returns NaN) is left out of every list.
 */

/** Value -> pixel along one axis (an axisProjection, or any function). */
export type TPixelScale = (value: number) => number;

/** A run of markers drawn with one fill colour and one shape: indices [start, end) of the marker arrays. */
export type TMarkerGroup = { method: TMethod; source: TSource; start: number; end: number };

export type TChartScene = {
  /**
   * Markers in draw order: groups in the order of `byMethod`, within a method `published` before `measured`,
   * within a group the points' own order. Later markers paint over earlier ones (PixelIndex's tie rule).
   * points[i] is drawn at (xPx[i], yPx[i]); onFrontier[i] is 1 when it gets a frontier ring.
   */
  points: TPoint[];
  xPx: Float64Array;
  yPx: Float64Array;
  onFrontier: Uint8Array;
  groups: TMarkerGroup[];
  frontierCount: number;
  /** Input-size curves by method; each polyline is [x0, y0, x1, y1, ...] in input-size order. */
  curves: Array<{ method: TMethod; polylines: number[][] }>;
  /** Baseline arrows: shaft k is arrowShafts[4k..4k+3] = [x1, y1, x2, y2]; head k is arrowHeads[6k..6k+5] = tip, left, right corner. */
  arrowShafts: Float64Array;
  arrowHeads: Float64Array;
  arrowCount: number;
  /** Frontier step line [x0, y0, x1, y1, ...] (empty when fewer than one drawable vertex). */
  frontierLine: number[];
};

export type TSceneInput = {
  byMethod: ReadonlyArray<{ method: TMethod; points: readonly TPoint[] }>;
  frontierKeys: ReadonlySet<string>;
  curves: readonly TInputSizeCurve[];
  arrows: readonly TBaselineArrow[];
  /** Frontier step vertices in cost order, [cost, accuracy]. */
  frontierSteps: ReadonlyArray<readonly [number, number]>;
};

/**
 * The pixel mapping of one axis from its domain [d0, d1] and the pixels those ends land on [p0, p1]
 * (the plot rectangle's edges from lib/explorer/chart-layout.ts):
 *   linear: p0 + (v - d0) / (d1 - d0) * (p1 - p0)
 *   log:    the same in log10 (v, d0, d1 > 0); v <= 0 gives NaN (not drawable).
 * This is exactly what a d3 linear / log scale with that domain and range computes. A zero-width domain
 * maps every value to p0 (nothing to spread out).
 */
export function axisProjection(domain: readonly [number, number], pixels: readonly [number, number], log: boolean): TPixelScale {
  const [p0, p1] = pixels;
  if (log) {
    const l0 = Math.log10(domain[0]);
    const span = Math.log10(domain[1]) - l0;
    if (!(span !== 0) || !Number.isFinite(span)) return (v) => (v > 0 ? p0 : NaN);
    const k = (p1 - p0) / span;
    return (v) => (v > 0 ? p0 + (Math.log10(v) - l0) * k : NaN);
  }
  const span = domain[1] - domain[0];
  if (!(span !== 0) || !Number.isFinite(span)) return () => p0;
  const k = (p1 - p0) / span;
  const d0 = domain[0];
  return (v) => p0 + (v - d0) * k;
}

export type TArrowGeometry = {
  /** [x1, y1, bx, by]: from the tail to the base of the head. */
  shaft: [number, number, number, number];
  /** [tx, ty, lx, ly, rx, ry]: tip, then the two base corners. */
  head: [number, number, number, number, number, number];
};

/**
 * An arrow from (x1, y1) towards (x2, y2) whose tip stops `backPx` short of (x2, y2) (the target marker's
 * radius), with a head `sizePx` long and `sizePx` wide. With u the unit vector tail->target:
 * tip t = target - backPx*u, base b = t - sizePx*u, corners b +/- (sizePx/2)*(-u.y, u.x).
 * Returns null when the arrow would be too short to draw: distance <= backPx + sizePx (or not finite).
 */
export function arrowGeometry(x1: number, y1: number, x2: number, y2: number, backPx: number, sizePx: number): TArrowGeometry | null {
  const shaft = new Float64Array(4);
  const head = new Float64Array(6);
  if (!writeArrow(shaft, head, 0, x1, y1, x2, y2, backPx, sizePx)) return null;
  return { shaft: [shaft[0], shaft[1], shaft[2], shaft[3]], head: [head[0], head[1], head[2], head[3], head[4], head[5]] };
}

/** arrowGeometry written straight into slot k of flat arrays (shafts: 4 per arrow, heads: 6); false when too short. */
function writeArrow(
  shafts: Float64Array,
  heads: Float64Array,
  k: number,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  backPx: number,
  sizePx: number,
): boolean {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len = Math.sqrt(dx * dx + dy * dy);
  if (!(len > backPx + sizePx) || !Number.isFinite(len)) return false;
  const ux = dx / len;
  const uy = dy / len;
  const tx = x2 - ux * backPx;
  const ty = y2 - uy * backPx;
  const bx = tx - ux * sizePx;
  const by = ty - uy * sizePx;
  const w = sizePx / 2;
  const s = 4 * k;
  shafts[s] = x1;
  shafts[s + 1] = y1;
  shafts[s + 2] = bx;
  shafts[s + 3] = by;
  const h = 6 * k;
  heads[h] = tx;
  heads[h + 1] = ty;
  heads[h + 2] = bx - uy * w;
  heads[h + 3] = by + ux * w;
  heads[h + 4] = bx + uy * w;
  heads[h + 5] = by - ux * w;
  return true;
}

const SOURCES: readonly TSource[] = ['published', 'measured'];

/**
 * Project the chart model's points, curves, arrows and frontier with the axis scales.
 * `arrowBackPx` pulls arrow tips back from the baseline marker's centre; `arrowHeadPx` is the head size.
 */
export function buildChartScene(
  input: TSceneInput,
  xScale: TPixelScale,
  yScale: TPixelScale,
  arrowBackPx: number,
  arrowHeadPx: number,
): TChartScene {
  let total = 0;
  for (const g of input.byMethod) total += g.points.length;
  const points: TPoint[] = [];
  const xPx = new Float64Array(total);
  const yPx = new Float64Array(total);
  const onFrontier = new Uint8Array(total);
  const groups: TMarkerGroup[] = [];
  let n = 0;
  let frontierCount = 0;
  for (const g of input.byMethod) {
    for (const source of SOURCES) {
      const start = n;
      for (const p of g.points) {
        if (p.source !== source) continue;
        const x = xScale(p.cost);
        const y = yScale(p.accuracy);
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        points.push(p);
        xPx[n] = x;
        yPx[n] = y;
        if (input.frontierKeys.has(p.key)) {
          onFrontier[n] = 1;
          frontierCount++;
        }
        n++;
      }
      if (n > start) groups.push({ method: g.method, source, start, end: n });
    }
  }

  // Curves: one list of polylines per method, in first-seen order; a non-finite vertex breaks the line.
  const curvesByMethod = new Map<TMethod, number[][]>();
  for (const c of input.curves) {
    if (c.points.length === 0) continue;
    const method = c.points[0].method;
    let list = curvesByMethod.get(method);
    if (!list) curvesByMethod.set(method, (list = []));
    let line: number[] = [];
    for (const p of c.points) {
      const x = xScale(p.cost);
      const y = yScale(p.accuracy);
      if (Number.isFinite(x) && Number.isFinite(y)) {
        line.push(x, y);
        continue;
      }
      if (line.length >= 4) list.push(line);
      line = [];
    }
    if (line.length >= 4) list.push(line);
  }

  const arrowShafts = new Float64Array(input.arrows.length * 4);
  const arrowHeads = new Float64Array(input.arrows.length * 6);
  let arrowCount = 0;
  for (const a of input.arrows) {
    if (
      writeArrow(
        arrowShafts,
        arrowHeads,
        arrowCount,
        xScale(a.from.cost),
        yScale(a.from.accuracy),
        xScale(a.to.cost),
        yScale(a.to.accuracy),
        arrowBackPx,
        arrowHeadPx,
      )
    ) {
      arrowCount++;
    }
  }

  const frontierLine: number[] = [];
  for (const [cost, accuracy] of input.frontierSteps) {
    const x = xScale(cost);
    const y = yScale(accuracy);
    if (Number.isFinite(x) && Number.isFinite(y)) frontierLine.push(x, y);
  }

  return {
    points,
    xPx,
    yPx,
    onFrontier,
    groups,
    frontierCount,
    curves: [...curvesByMethod].filter(([, l]) => l.length > 0).map(([method, polylines]) => ({ method, polylines })),
    arrowShafts: arrowShafts.subarray(0, arrowCount * 4),
    arrowHeads: arrowHeads.subarray(0, arrowCount * 6),
    arrowCount,
    frontierLine,
  };
}
