import type { TChartScene } from '@/lib/explorer/chart-scene';
import type { TSource } from '@/lib/explorer/entry';
import { METHOD_COLORS, MARKER_R, markerPath } from './chart-style';

/**
 * Two renderers of one chart scene (lib/explorer/chart-scene.ts), drawing the same things in the same
 * order and style: a canvas painter for the screen (thousands of markers in a few milliseconds, no DOM
 * nodes) and an SVG writer for the exported file (so exported SVG/PNG carry every point as vectors).
 * Layer order, bottom to top: arrow shafts, arrow heads, input-size curves, frontier step line,
 * markers (group by group), frontier rings.
 */

const STYLE = {
  arrowShaft: { color: '#b0b0b0', alpha: 0.5, width: 0.8 },
  arrowHead: { color: '#9a9a9a', alpha: 0.6 },
  // 1 px or thinner: Skia draws these as hairlines (cheap); wider strokes go through its stroker, which cost
  // ~7 ms of raster per repaint for 2,000 points' curves on this machine.
  curve: { alpha: 0.65, width: 1 },
  frontierLine: { color: '#111111', alpha: 0.8, width: 1.6 },
  marker: { alpha: 0.85, stroke: '#ffffff', strokeWidth: 0.8 },
  ring: { color: '#111111', width: 1.8, extraR: 2 },
} as const;

function traceMarker(ctx: CanvasRenderingContext2D, source: TSource, x: number, y: number, r: number): void {
  if (source === 'measured') {
    // Same diamond as markerPath. No closePath(): in Chromium each closePath() costs time proportional to
    // the path so far (2,000 of them took 15+ ms); returning to the top and retracing the first edge gives
    // the same outline with a proper join at the top vertex (the retraced edge adds no area).
    const d = r * 1.35;
    ctx.moveTo(x, y - d);
    ctx.lineTo(x + d, y);
    ctx.lineTo(x, y + d);
    ctx.lineTo(x - d, y);
    ctx.lineTo(x, y - d);
    ctx.lineTo(x + d, y);
  } else {
    ctx.moveTo(x + r, y);
    ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
}

function tracePolyline(ctx: CanvasRenderingContext2D, xy: ArrayLike<number>): void {
  for (let i = 0; i + 1 < xy.length; i += 2) {
    if (i === 0) ctx.moveTo(xy[0], xy[1]);
    else ctx.lineTo(xy[i], xy[i + 1]);
  }
}

/**
 * Clear a canvas of `widthPx` x `heightPx` CSS pixels (backing store scaled by `dpr`) and paint the scene.
 * Returns what was painted (markers and rings), which the caller writes on the canvas for tests.
 */
export function paintChartScene(
  ctx: CanvasRenderingContext2D,
  scene: TChartScene,
  widthPx: number,
  heightPx: number,
  dpr: number,
): { points: number; frontier: number } {
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, widthPx, heightPx);
  ctx.lineJoin = 'miter';

  if (scene.arrowCount > 0) {
    ctx.beginPath();
    for (let k = 0; k < scene.arrowCount; k++) {
      const s = scene.arrowShafts;
      ctx.moveTo(s[4 * k], s[4 * k + 1]);
      ctx.lineTo(s[4 * k + 2], s[4 * k + 3]);
    }
    ctx.globalAlpha = STYLE.arrowShaft.alpha;
    ctx.strokeStyle = STYLE.arrowShaft.color;
    ctx.lineWidth = STYLE.arrowShaft.width;
    ctx.stroke();
    ctx.beginPath();
    for (let k = 0; k < scene.arrowCount; k++) {
      const h = scene.arrowHeads;
      ctx.moveTo(h[6 * k], h[6 * k + 1]);
      ctx.lineTo(h[6 * k + 2], h[6 * k + 3]);
      ctx.lineTo(h[6 * k + 4], h[6 * k + 5]); // fill only: closes implicitly (no closePath, see traceMarker)
    }
    ctx.globalAlpha = STYLE.arrowHead.alpha;
    ctx.fillStyle = STYLE.arrowHead.color;
    ctx.fill();
  }

  ctx.globalAlpha = STYLE.curve.alpha;
  ctx.lineWidth = STYLE.curve.width;
  for (const c of scene.curves) {
    ctx.beginPath();
    for (const line of c.polylines) tracePolyline(ctx, line);
    ctx.strokeStyle = METHOD_COLORS[c.method];
    ctx.stroke();
  }

  if (scene.frontierLine.length >= 4) {
    ctx.beginPath();
    tracePolyline(ctx, scene.frontierLine);
    ctx.globalAlpha = STYLE.frontierLine.alpha;
    ctx.strokeStyle = STYLE.frontierLine.color;
    ctx.lineWidth = STYLE.frontierLine.width;
    ctx.stroke();
  }

  let points = 0;
  for (const g of scene.groups) {
    ctx.beginPath();
    for (let i = g.start; i < g.end; i++) traceMarker(ctx, g.source, scene.xPx[i], scene.yPx[i], MARKER_R);
    points += g.end - g.start;
    // SVG paints an element's fill (with fill-opacity) then its stroke (opaque): same here.
    ctx.globalAlpha = STYLE.marker.alpha;
    ctx.fillStyle = METHOD_COLORS[g.method];
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.strokeStyle = STYLE.marker.stroke;
    ctx.lineWidth = STYLE.marker.strokeWidth;
    ctx.stroke();
  }

  let frontier = 0;
  if (scene.frontierCount > 0) {
    ctx.beginPath();
    for (const g of scene.groups) {
      for (let i = g.start; i < g.end; i++) {
        if (!scene.onFrontier[i]) continue;
        traceMarker(ctx, g.source, scene.xPx[i], scene.yPx[i], MARKER_R + STYLE.ring.extraR);
        frontier++;
      }
    }
    ctx.globalAlpha = 1;
    ctx.strokeStyle = STYLE.ring.color;
    ctx.lineWidth = STYLE.ring.width;
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  return { points, frontier };
}

/** Pixel coordinate in SVG text: 2 decimals are 1/100 px, far below what a screen or printer resolves. */
function px(v: number): number {
  return Math.round(v * 100) / 100;
}

function polylineD(xy: ArrayLike<number>): string {
  let d = '';
  for (let i = 0; i + 1 < xy.length; i += 2) d += `${i === 0 ? 'M' : 'L'}${px(xy[i])},${px(xy[i + 1])}`;
  return d;
}

/**
 * The scene as SVG elements (a fragment for inside an <svg>), with the marker groups as
 * `<path class="sb-marker-group" data-count=N>` and the rings as `<path class="sb-frontier-markers" data-count=N>`.
 */
export function chartSceneSvg(scene: TChartScene): string {
  const out: string[] = [];
  if (scene.arrowCount > 0) {
    let shafts = '';
    let heads = '';
    for (let k = 0; k < scene.arrowCount; k++) {
      const s = scene.arrowShafts;
      const h = scene.arrowHeads;
      shafts += `M${px(s[4 * k])},${px(s[4 * k + 1])}L${px(s[4 * k + 2])},${px(s[4 * k + 3])}`;
      heads += `M${px(h[6 * k])},${px(h[6 * k + 1])}L${px(h[6 * k + 2])},${px(h[6 * k + 3])}L${px(h[6 * k + 4])},${px(h[6 * k + 5])}Z`;
    }
    const a = STYLE.arrowShaft;
    out.push(
      `<path class="sb-arrows" data-count="${scene.arrowCount}" d="${shafts}" fill="none" stroke="${a.color}" ` +
        `stroke-opacity="${a.alpha}" stroke-width="${a.width}"/>`,
    );
    out.push(`<path class="sb-arrowheads" d="${heads}" fill="${STYLE.arrowHead.color}" fill-opacity="${STYLE.arrowHead.alpha}"/>`);
  }
  for (const c of scene.curves) {
    const d = c.polylines.map(polylineD).join('');
    out.push(
      `<path class="sb-curves" data-method="${c.method}" d="${d}" fill="none" stroke="${METHOD_COLORS[c.method]}" ` +
        `stroke-opacity="${STYLE.curve.alpha}" stroke-width="${STYLE.curve.width}"/>`,
    );
  }
  if (scene.frontierLine.length >= 4) {
    const f = STYLE.frontierLine;
    out.push(
      `<path class="sb-frontier-line" d="${polylineD(scene.frontierLine)}" fill="none" stroke="${f.color}" stroke-opacity="${f.alpha}" ` +
        `stroke-width="${f.width}"/>`,
    );
  }
  let ring = '';
  for (const g of scene.groups) {
    let d = '';
    for (let i = g.start; i < g.end; i++) {
      d += markerPath(g.source, px(scene.xPx[i]), px(scene.yPx[i]), MARKER_R);
      if (scene.onFrontier[i]) ring += markerPath(g.source, px(scene.xPx[i]), px(scene.yPx[i]), MARKER_R + STYLE.ring.extraR);
    }
    const m = STYLE.marker;
    out.push(
      `<path class="sb-marker-group" data-method="${g.method}" data-source="${g.source}" data-count="${g.end - g.start}" d="${d}" ` +
        `fill="${METHOD_COLORS[g.method]}" fill-opacity="${m.alpha}" stroke="${m.stroke}" stroke-width="${m.strokeWidth}"/>`,
    );
  }
  if (scene.frontierCount > 0) {
    out.push(
      `<path class="sb-frontier-markers" data-count="${scene.frontierCount}" d="${ring}" fill="none" stroke="${STYLE.ring.color}" ` +
        `stroke-width="${STYLE.ring.width}"/>`,
    );
  }
  return out.join('');
}
