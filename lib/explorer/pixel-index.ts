/**
 * Nearest-marker lookup for hover and click on a chart with thousands of markers, without one DOM
 * element (and one event handler) per marker.
 *
 * Input: marker centres in pixels, xPx[i], yPx[i] (same length n; non-finite entries are skipped).
 * A uniform grid of square cells (side `cellPx`) maps each cell to the markers whose centre lies in it;
 * a query visits the cells within `radiusPx` of the pointer and returns the index of the closest centre
 * at Euclidean distance <= radiusPx, or -1. Ties (equal distance) go to the HIGHER index, which is the
 * marker drawn last, i.e. the one on top.
 */
export class PixelIndex {
  private readonly cells = new Map<number, number[]>();
  private readonly cellPx: number;

  constructor(
    private readonly xPx: ArrayLike<number>,
    private readonly yPx: ArrayLike<number>,
    cellPx = 16,
  ) {
    this.cellPx = cellPx;
    for (let i = 0; i < xPx.length; i++) {
      const x = xPx[i];
      const y = yPx[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      const k = this.cellKey(Math.floor(x / cellPx), Math.floor(y / cellPx));
      const list = this.cells.get(k);
      if (list) list.push(i);
      else this.cells.set(k, [i]);
    }
  }

  /** Cells are addressed by (cx, cy) packed into one number; coordinates stay well inside ±2^20 cells. */
  private cellKey(cx: number, cy: number): number {
    return (cx + 1048576) * 2097152 + (cy + 1048576);
  }

  nearest(x: number, y: number, radiusPx: number): number {
    if (!Number.isFinite(x) || !Number.isFinite(y) || !(radiusPx >= 0)) return -1;
    const c = this.cellPx;
    // One extra cell on each side: the distance test below decides, and rounding at cell borders
    // (x - r computed in floating point) can never drop a candidate.
    const x0 = Math.floor((x - radiusPx) / c) - 1;
    const x1 = Math.floor((x + radiusPx) / c) + 1;
    const y0 = Math.floor((y - radiusPx) / c) - 1;
    const y1 = Math.floor((y + radiusPx) / c) + 1;
    let best = -1;
    let bestD2 = radiusPx * radiusPx;
    for (let cx = x0; cx <= x1; cx++) {
      for (let cy = y0; cy <= y1; cy++) {
        const list = this.cells.get(this.cellKey(cx, cy));
        if (!list) continue;
        for (const i of list) {
          const dx = this.xPx[i] - x;
          const dy = this.yPx[i] - y;
          const d2 = dx * dx + dy * dy;
          if (d2 < bestD2 || (d2 === bestD2 && i > best)) {
            best = i;
            bestD2 = d2;
          }
        }
      }
    }
    return best;
  }
}
