import { formatTick, type TDomain } from './chart-scale';
import { axisProjection } from './chart-scene';

/**
 * Where everything of the trade-off chart's frame goes: plot rectangle, grid lines, tick marks, tick
 * labels, axis titles, chart title and legend, computed from the chart size, the axis domains and ticks
 * (lib/explorer/chart-scale.ts) and the text widths. Pure: the text widths come from `measure` (in the
 * browser a cached canvas measureText, which never touches the DOM's layout; in tests an estimate), so an
 * axis change costs a few arithmetic passes over a dozen ticks instead of a charting library's layout.
 *
 * Pixel convention: CSS pixels, (0, 0) is the top-left of the chart surface, x grows right, y grows down.
 * The plot rectangle is [left, right] x [top, bottom]; the x axis maps xDomain onto [left, right] (log10
 * when `log`), the y axis maps yDomain onto [bottom, top] (higher accuracy is higher up). Text positions
 * are SVG text anchors: x tick labels are centred on their tick (text-anchor middle) with the baseline
 * given; y tick labels end at their x (text-anchor end) and are centred vertically on the tick (the
 * label's y is the tick's pixel; the renderer shifts the glyphs by 0.35 em).
 */

/** Width in CSS pixels of `text` set in the chart font at `fontPx` (bold for the title). */
export type TTextMeasure = (text: string, fontPx: number, bold?: boolean) => number;

export const TICK_FONT_PX = 12;
export const AXIS_TITLE_FONT_PX = 13;
export const TITLE_FONT_PX = 14;
export const LEGEND_FONT_PX = 12;
/** Tick mark length, outside the plot. */
export const TICK_LEN_PX = 5;
/** Legend: a line of items is this tall; an item is a symbol box, its label, then a gap. */
export const LEGEND_LINE_PX = 18;
export const LEGEND_SYMBOL_PX = 22;
export const LEGEND_GAP_PX = 14;

/** Space kept between neighbouring tick labels along the x axis / the y axis. */
const X_LABEL_GAP_PX = 8;
const Y_LABEL_GAP_PX = 4;
/** Outer padding of the surface. */
const PAD_PX = 6;
/** Chart title baseline; plot top below it. */
const TITLE_BASELINE_PX = 18;
const PLOT_TOP_PX = 30;
/** Below the plot: tick (5) + gap (3) + tick-label ascent (~0.8 em of 12 px) -> tick-label baseline. */
const X_TICK_BASELINE_BELOW_PX = 17;
/** Tick-label baseline -> axis-title baseline: descent (~4) + gap (6) + title ascent (~11). */
const X_TITLE_BELOW_TICKS_PX = 21;
/** Axis-title baseline -> top of the legend block: descent + gap. */
const LEGEND_BELOW_TITLE_PX = 12;
/** The rotated y-axis title: its baseline x (ascent ~11 px to the left of it, descent ~3 to the right). */
const Y_TITLE_BASELINE_PX = PAD_PX + 11;
const Y_TITLE_RIGHT_PX = Y_TITLE_BASELINE_PX + 3;
/** Gap between the y-axis title and the widest y tick label, and between a tick label and its tick mark. */
const Y_TITLE_GAP_PX = 6;
const LABEL_TICK_GAP_PX = 3;
const MIN_RIGHT_PAD_PX = 16;

export type TTickLabel = { value: number; text: string; px: number };

export type TAxisLayout = {
  /** Tick values inside the domain (grid lines and tick marks), ascending. */
  ticks: number[];
  /** Pixel of each tick along the axis: x for the x axis, y for the y axis. */
  tickPx: number[];
  /** The tick labels drawn: every tick when they fit, otherwise a subset that does not overlap. */
  labels: TTickLabel[];
  /** Axis title anchor (text-anchor middle; the y title is rotated -90 degrees about it). */
  title: { text: string; x: number; y: number };
};

export type TChartLayout = {
  widthPx: number;
  heightPx: number;
  plot: { left: number; right: number; top: number; bottom: number };
  /** Pixels the x domain ends map to ([left, right]) and the y domain ends ([bottom, top]). */
  xPixels: [number, number];
  yPixels: [number, number];
  x: TAxisLayout;
  y: TAxisLayout;
  /** Chart title anchor (text-anchor middle). */
  title: { x: number; y: number };
  /**
   * Legend items in input order: symbol box from x to x + LEGEND_SYMBOL_PX, label from x + LEGEND_SYMBOL_PX - 2;
   * y is the line's centre.
   */
  legend: Array<{ label: string; x: number; y: number }>;
};

export type TChartLayoutInput = {
  widthPx: number;
  heightPx: number;
  xTitle: string;
  yTitle: string;
  xDomain: TDomain;
  xTicks: readonly number[];
  yDomain: TDomain;
  yTicks: readonly number[];
  /** Log10 x axis (the y axis is always linear). */
  log: boolean;
  legendLabels: readonly string[];
  measure: TTextMeasure;
};

/**
 * A fixed-width estimate of text in a sans-serif UI font (per character, in em: digits 0.56, narrow
 * punctuation and i/l/j/t/f/r 0.3, space 0.28, capitals 0.68, other letters 0.52, anything else 0.6;
 * bold x1.06). Used where no canvas exists (tests, server); the browser measures the real font.
 */
export function estimateTextWidth(text: string, fontPx: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    if (ch >= '0' && ch <= '9') em += 0.56;
    else if (ch === ' ') em += 0.28;
    else if (".,:;|!'ilIjtfr()[]".includes(ch)) em += 0.3;
    else if (ch >= 'A' && ch <= 'Z') em += 0.68;
    else if (ch >= 'a' && ch <= 'z') em += 0.52;
    else em += 0.6;
  }
  return em * fontPx * (bold ? 1.06 : 1);
}

/** Ticks that lie inside the domain (ends included, relative tolerance 1e-9) and can be drawn: finite, > 0 on a log axis. */
function ticksInDomain(ticks: readonly number[], domain: TDomain, log: boolean): number[] {
  const [d0, d1] = domain[0] <= domain[1] ? domain : [domain[1], domain[0]];
  const tol = Math.max(Math.abs(d0), Math.abs(d1), 1e-300) * 1e-9;
  const inside = ticks.filter((t) => Number.isFinite(t) && (!log || t > 0) && t >= d0 - tol && t <= d1 + tol);
  return [...new Set(inside)].sort((a, b) => a - b);
}

/** Mantissa of a 1/2/5 x 10^k log tick is 1: a power of ten (to 1e-9 relative). */
function isPowerOfTen(v: number): boolean {
  const k = Math.round(Math.log10(v));
  return Math.abs(v / 10 ** k - 1) < 1e-9;
}

/**
 * Which tick labels to draw: the first candidate subset (in order) whose neighbouring labels keep `gapPx`
 * apart and that keeps at least two labels. Candidates: every tick; then every k-th (k = 1, 2, ...) of the
 * preferred ticks (a log axis: the powers of ten, when it has two or more), otherwise every k-th tick for
 * k = 2, 3, ...; failing all, the two end labels, or the first alone when even those collide. `extent[i]` =
 * [start, end] pixels the i-th label covers along the axis.
 */
function chooseLabels(n: number, extent: (i: number) => [number, number], gapPx: number, preferred: number[] | null): number[] {
  if (n <= 1) return n === 1 ? [0] : [];
  const fits = (idx: number[]) => {
    for (let j = 1; j < idx.length; j++) {
      const [a0, a1] = extent(idx[j - 1]);
      const [b0, b1] = extent(idx[j]);
      // labels may run either way along the axis (y pixels decrease as values grow)
      const gap = Math.max(b0, a0) - Math.min(a1, b1);
      if (gap < gapPx) return false;
    }
    return true;
  };
  const all = Array.from({ length: n }, (_, i) => i);
  if (fits(all)) return all;
  const base = preferred && preferred.length >= 2 ? preferred : all;
  for (let k = base === all ? 2 : 1; Math.ceil(base.length / k) >= 2; k++) {
    const idx = base.filter((_, j) => j % k === 0);
    if (fits(idx)) return idx;
  }
  const ends = [0, n - 1];
  return fits(ends) ? ends : [0];
}

/**
 * Lay out the chart frame. Never throws: a degenerate input (zero-width domain, no ticks, tiny surface) gives a
 * degenerate but finite layout.
 */
export function layoutChart(input: TChartLayoutInput): TChartLayout {
  const { widthPx, heightPx, measure, log } = input;

  const xTicks = ticksInDomain(input.xTicks, input.xDomain, log);
  const yTicks = ticksInDomain(input.yTicks, input.yDomain, false);
  const xText = xTicks.map(formatTick);
  const yText = yTicks.map(formatTick);
  const xW = xText.map((t) => measure(t, TICK_FONT_PX));
  const yW = yText.map((t) => measure(t, TICK_FONT_PX));

  // Left: y title, gap, widest y tick label, gap, tick mark. Right: room for half of the last x label.
  const left = Y_TITLE_RIGHT_PX + Y_TITLE_GAP_PX + Math.max(0, ...yW) + LABEL_TICK_GAP_PX + TICK_LEN_PX;
  const right = Math.max(left + 1, widthPx - Math.max(MIN_RIGHT_PAD_PX, (xW.at(-1) ?? 0) / 2 + PAD_PX));

  // Legend: flow left to right from the plot's left edge, wrapping before the surface's right padding.
  const placed: Array<{ label: string; x: number; line: number }> = [];
  let cx = left;
  let line = 0;
  for (const label of input.legendLabels) {
    const w = LEGEND_SYMBOL_PX + measure(label, LEGEND_FONT_PX) + LEGEND_GAP_PX;
    if (cx + w > widthPx - PAD_PX && cx > left) {
      cx = left;
      line++;
    }
    placed.push({ label, x: cx, line });
    cx += w;
  }
  const lines = placed.length === 0 ? 0 : line + 1;
  const legendTop = heightPx - PAD_PX - lines * LEGEND_LINE_PX;
  const top = PLOT_TOP_PX;
  const bottom = Math.max(top + 1, legendTop - LEGEND_BELOW_TITLE_PX - X_TITLE_BELOW_TICKS_PX - X_TICK_BASELINE_BELOW_PX);

  const xPixels: [number, number] = [left, right];
  const yPixels: [number, number] = [bottom, top];
  const xProject = axisProjection(input.xDomain, xPixels, log);
  const yProject = axisProjection(input.yDomain, yPixels, false);
  const xTickPx = xTicks.map(xProject);
  const yTickPx = yTicks.map(yProject);

  const xPreferred = log ? xTicks.flatMap((t, i) => (isPowerOfTen(t) ? [i] : [])) : null;
  const xKeep = chooseLabels(xTicks.length, (i) => [xTickPx[i] - xW[i] / 2, xTickPx[i] + xW[i] / 2], X_LABEL_GAP_PX, xPreferred);
  // y labels are one line of TICK_FONT_PX centred on the tick
  const yKeep = chooseLabels(yTicks.length, (i) => [yTickPx[i] - TICK_FONT_PX / 2, yTickPx[i] + TICK_FONT_PX / 2], Y_LABEL_GAP_PX, null);

  const xTickBaseline = bottom + X_TICK_BASELINE_BELOW_PX;
  return {
    widthPx,
    heightPx,
    plot: { left, right, top, bottom },
    xPixels,
    yPixels,
    x: {
      ticks: xTicks,
      tickPx: xTickPx,
      labels: xKeep.map((i) => ({ value: xTicks[i], text: xText[i], px: xTickPx[i] })),
      title: { text: input.xTitle, x: (left + right) / 2, y: xTickBaseline + X_TITLE_BELOW_TICKS_PX },
    },
    y: {
      ticks: yTicks,
      tickPx: yTickPx,
      labels: yKeep.map((i) => ({ value: yTicks[i], text: yText[i], px: yTickPx[i] })),
      title: { text: input.yTitle, x: Y_TITLE_BASELINE_PX, y: (top + bottom) / 2 },
    },
    title: { x: widthPx / 2, y: TITLE_BASELINE_PX },
    legend: placed.map((p) => ({ label: p.label, x: p.x, y: legendTop + LEGEND_LINE_PX / 2 + p.line * LEGEND_LINE_PX })),
  };
}

/** Where a y tick label's text ends (text-anchor end): left of the tick mark. */
export function yTickLabelX(layout: TChartLayout): number {
  return layout.plot.left - TICK_LEN_PX - LABEL_TICK_GAP_PX;
}

/** Baseline of the x tick labels. */
export function xTickLabelY(layout: TChartLayout): number {
  return layout.plot.bottom + X_TICK_BASELINE_BELOW_PX;
}
