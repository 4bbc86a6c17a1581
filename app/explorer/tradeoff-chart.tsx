'use client';

import { memo, useCallback, useLayoutEffect, useMemo, useRef, useState, type MouseEvent, type ReactNode, type RefObject } from 'react';
import {
  AXIS_TITLE_FONT_PX,
  LEGEND_FONT_PX,
  LEGEND_SYMBOL_PX,
  TICK_FONT_PX,
  TICK_LEN_PX,
  TITLE_FONT_PX,
  layoutChart,
  xTickLabelY,
  yTickLabelX,
  type TChartLayout,
} from '@/lib/explorer/chart-layout';
import { arrowGeometry, axisProjection, buildChartScene, type TChartScene } from '@/lib/explorer/chart-scene';
import type { TDomain } from '@/lib/explorer/chart-scale';
import type { TBaselineArrow, TInputSizeCurve } from '@/lib/explorer/curves';
import type { TMethod, TSource } from '@/lib/explorer/entry';
import { intervalBarPaths, type TIntervalBar } from '@/lib/explorer/intervals';
import { PixelIndex } from '@/lib/explorer/pixel-index';
import type { TPoint } from '@/lib/explorer/points';
import { paintChartScene } from './chart-scene-draw';
import { CHART_FONT_FAMILY, MARKER_R, METHOD_COLORS, METHOD_LABELS, markerPath } from './chart-style';
import type { HoverStore } from './hover-store';
import { measureChartText } from './text-measure';

export type TTradeoffChartProps = {
  title: string;
  xTitle: string;
  yTitle: string;
  log: boolean;
  xDomain: TDomain;
  xTicks: number[];
  yDomain: TDomain;
  yTicks: number[];
  /** Points grouped by method (legend and draw order). */
  byMethod: Array<{ method: TMethod; points: TPoint[] }>;
  frontierKeys: ReadonlySet<string>;
  /** Frontier step-line vertices in cost order, [cost, accuracy]. */
  frontierSteps: Array<[number, number]>;
  curves: TInputSizeCurve[];
  arrows: TBaselineArrow[];
  /** Error bars of measured deltas with a 95 % interval (lib/explorer/intervals.ts), drawn in the SVG frame. */
  intervalBars?: TIntervalBar[];
  sources: TSource[];
  hoverStore: HoverStore;
  onOpen: (key: string) => void;
  /** The element holding the <svg>, for export. */
  hostRef: RefObject<HTMLDivElement | null>;
  /** The scene last painted (pixel positions of every marker), for hover, click and SVG/PNG export. */
  sceneRef: RefObject<TChartScene | null>;
  height?: number;
};

/** Hover/click pick radius around a marker centre. */
const PICK_RADIUS_PX = 9;
/** Baseline arrows stop this far from the baseline marker's centre; arrowhead length. */
const ARROW_BACK_PX = MARKER_R + 1;
const ARROW_HEAD_PX = 6;
const GRID_COLOR = '#e6e6e6';
const AXIS_COLOR = '#666666';

/** The previous array while the new one holds the same numbers: keeps memoised layout inputs unchanged. */
function useStableNumbers<T extends readonly number[]>(next: T): T {
  const ref = useRef(next);
  const prev = ref.current;
  if (prev !== next && (prev.length !== next.length || prev.some((v, i) => v !== next[i]))) ref.current = next;
  return ref.current;
}

/** The host's content width in CSS pixels, 0 until measured (server render, first client render). */
function useHostWidth(hostRef: RefObject<HTMLDivElement | null>): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = hostRef.current;
    if (!el) return;
    setWidth(Math.floor(el.clientWidth));
    const ro = new ResizeObserver((es) => {
      const w = Math.floor(es[0]?.contentRect.width ?? 0);
      if (w > 0) setWidth(w);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [hostRef]);
  return width;
}

type TLegendItem = { label: string; symbol: (cx: number, cy: number) => ReactNode };

/** Legend entries: methods by colour, sources by shape, then the frontier, input-size curves and baseline arrows. */
function legendItems(methods: readonly TMethod[], sources: readonly TSource[]): TLegendItem[] {
  const arrow = arrowGeometry(-10, 0, 10, 0, 0, ARROW_HEAD_PX);
  return [
    ...methods.map((m) => ({
      label: METHOD_LABELS[m],
      symbol: (cx: number, cy: number) => <path d={markerPath('published', cx, cy, MARKER_R)} fill={METHOD_COLORS[m]} />,
    })),
    ...sources.map((s) => ({
      label: s,
      symbol: (cx: number, cy: number) => <path d={markerPath(s, cx, cy, MARKER_R)} fill="none" stroke="#333" strokeWidth={1.2} />,
    })),
    {
      label: 'Pareto frontier',
      symbol: (cx: number, cy: number) => (
        <polyline
          points={`${cx - 8},${cy + 4} ${cx},${cy + 4} ${cx},${cy - 4} ${cx + 8},${cy - 4}`}
          fill="none"
          stroke="#111"
          strokeWidth={1.6}
        />
      ),
    },
    {
      label: 'input sizes of one model',
      symbol: (cx: number, cy: number) => (
        <line x1={cx - 8} y1={cy} x2={cx + 8} y2={cy} stroke="#0072B2" strokeOpacity={0.55} strokeWidth={1.4} />
      ),
    },
    {
      label: '→ baseline',
      symbol: (cx: number, cy: number) => {
        if (!arrow) return null;
        const [a, b, c, d] = arrow.shaft;
        const [tx, ty, lx, ly, rx, ry] = arrow.head;
        return (
          <g transform={`translate(${cx},${cy})`}>
            <path d={`M${a},${b}L${c},${d}`} stroke="#9a9a9a" strokeDasharray="3 3" />
            <path d={`M${tx},${ty}L${lx},${ly}L${rx},${ry}Z`} fill="#9a9a9a" />
          </g>
        );
      },
    },
  ];
}

/** Pixel coordinate in SVG attributes: 1/100 px. */
function px(v: number): number {
  return Math.round(v * 100) / 100;
}

/**
 * The chart frame as plain SVG from a precomputed layout (lib/explorer/chart-layout.ts): grid, axes with
 * tick marks and labels, axis titles with units, chart title, legend, and an empty `g.sb-data-layer` slot
 * that the exporter fills with the scene as vectors (on screen the data is the canvas above). No layout
 * work here: every position is in `layout`. Memoised; re-renders only when the layout or the texts change.
 */
type TBarPaths = { decided: string; undecided: string; count: number };

type TChartFrameProps = { layout: TChartLayout; title: string; legend: TLegendItem[]; bars: TBarPaths | null };

const ChartFrame = memo(function ChartFrame({ layout, title, legend, bars }: TChartFrameProps) {
  const { widthPx, heightPx, plot, x, y } = layout;
  let grid = '';
  for (const p of x.tickPx) grid += `M${px(p)},${plot.top}V${px(plot.bottom)}`;
  for (const p of y.tickPx) grid += `M${plot.left},${px(p)}H${px(plot.right)}`;
  let tickMarks = '';
  for (const p of x.tickPx) tickMarks += `M${px(p)},${px(plot.bottom)}v${TICK_LEN_PX}`;
  for (const p of y.tickPx) tickMarks += `M${plot.left},${px(p)}h${-TICK_LEN_PX}`;
  const xLabelY = px(xTickLabelY(layout));
  const yLabelX = px(yTickLabelX(layout));
  return (
    <svg
      className="sb-chart-svg"
      width={widthPx}
      height={heightPx}
      viewBox={`0 0 ${widthPx} ${heightPx}`}
      fontFamily={CHART_FONT_FAMILY}
      role="img"
      aria-label={`${title}. The table below the chart lists every point.`}
      style={{ display: 'block' }}
    >
      <path className="sb-grid" d={grid} stroke={GRID_COLOR} fill="none" shapeRendering="crispEdges" />
      {bars && bars.count > 0 && (
        <g className="sb-interval-bars" data-testid="interval-bars" data-count={bars.count} fill="none" strokeWidth={1.2}>
          {bars.undecided && <path className="sb-interval-undecided" d={bars.undecided} stroke="#9a9a9a" />}
          {bars.decided && <path className="sb-interval-decided" d={bars.decided} stroke="#333333" />}
        </g>
      )}
      <g className="sb-data-layer" />
      <path
        className="sb-axis-lines"
        d={`M${plot.left},${plot.top}V${px(plot.bottom)}H${px(plot.right)}${tickMarks}`}
        stroke={AXIS_COLOR}
        fill="none"
        shapeRendering="crispEdges"
      />
      <g className="sb-axis sb-axis-x" fontSize={TICK_FONT_PX} fill="#333" textAnchor="middle">
        {x.labels.map((t) => (
          <text key={t.value} className="sb-tick-label" x={px(t.px)} y={xLabelY}>
            {t.text}
          </text>
        ))}
        <text className="sb-axis-title" x={px(x.title.x)} y={px(x.title.y)} fontSize={AXIS_TITLE_FONT_PX} fill="#111">
          {x.title.text}
        </text>
      </g>
      <g className="sb-axis sb-axis-y" fontSize={TICK_FONT_PX} fill="#333" textAnchor="end">
        {y.labels.map((t) => (
          <text key={t.value} className="sb-tick-label" x={yLabelX} y={px(t.px)} dy="0.35em">
            {t.text}
          </text>
        ))}
        <text
          className="sb-axis-title"
          x={px(y.title.x)}
          y={px(y.title.y)}
          transform={`rotate(-90 ${px(y.title.x)} ${px(y.title.y)})`}
          textAnchor="middle"
          fontSize={AXIS_TITLE_FONT_PX}
          fill="#111"
        >
          {y.title.text}
        </text>
      </g>
      <text
        className="sb-chart-title"
        x={px(layout.title.x)}
        y={layout.title.y}
        textAnchor="middle"
        fontSize={TITLE_FONT_PX}
        fontWeight={600}
        fill="#111"
      >
        {title}
      </text>
      <g className="sb-legend" fontSize={LEGEND_FONT_PX} fill="#222">
        {layout.legend.map((it, i) => (
          <g key={it.label}>
            {legend[i]?.symbol(px(it.x + 8), px(it.y))}
            <text x={px(it.x + LEGEND_SYMBOL_PX - 2)} y={px(it.y)} dy="0.35em">
              {it.label}
            </text>
          </g>
        ))}
      </g>
    </svg>
  );
});

/**
 * The trade-off chart: a hand-laid-out SVG frame (axes, ticks, grid, titles, legend) with the data layer
 * (markers, frontier rings, input-size curves, baseline arrows, frontier step line) painted on ONE <canvas>
 * over it. An axis change costs one pure layout pass over a dozen ticks, a few dozen SVG text nodes and
 * one canvas repaint; a filter change that keeps the axes costs the repaint only. Hover never re-renders
 * the chart (HoverStore). Painted in a layout effect, so the new markers appear in the same frame as the
 * new axes.
 */
function TradeoffChartImpl(props: TTradeoffChartProps) {
  const { hoverStore, onOpen, hostRef, sceneRef, title, xTitle, yTitle, log } = props;
  const height = props.height ?? 500;
  const width = useHostWidth(hostRef);
  const [canvas, setCanvas] = useState<HTMLCanvasElement | null>(null);
  // Built on the first pointer query after a repaint, not on every filter change.
  const pickIndex = useRef<{ scene: TChartScene; index: PixelIndex } | null>(null);

  const xDomain = useStableNumbers(props.xDomain);
  const yDomain = useStableNumbers(props.yDomain);
  const xTicks = useStableNumbers(props.xTicks);
  const yTicks = useStableNumbers(props.yTicks);
  const methodsKey = props.byMethod.map((g) => g.method).join(',');
  const sourcesKey = props.sources.join(',');
  const legend = useMemo(
    () => legendItems(methodsKey ? (methodsKey.split(',') as TMethod[]) : [], sourcesKey ? (sourcesKey.split(',') as TSource[]) : []),
    [methodsKey, sourcesKey],
  );
  const layout = useMemo(
    () =>
      width > 0
        ? layoutChart({
            widthPx: width,
            heightPx: height,
            xTitle,
            yTitle,
            xDomain,
            xTicks,
            yDomain,
            yTicks,
            log,
            legendLabels: legend.map((l) => l.label),
            measure: measureChartText,
          })
        : null,
    [width, height, xTitle, yTitle, xDomain, xTicks, yDomain, yTicks, log, legend],
  );

  // Value -> pixel for the scene, keyed by the numbers only: a new title or legend that leaves the plot
  // rectangle alone does not rebuild the scene.
  const hasLayout = layout !== null;
  const [pl, pr, pb, pt] = layout ? [layout.plot.left, layout.plot.right, layout.plot.bottom, layout.plot.top] : [0, 0, 0, 0];
  const projection = useMemo(
    () => (hasLayout ? { x: axisProjection(xDomain, [pl, pr], log), y: axisProjection(yDomain, [pb, pt], false) } : null),
    [hasLayout, pl, pr, pb, pt, xDomain, yDomain, log],
  );
  const { byMethod, frontierKeys, curves, arrows, frontierSteps } = props;
  const scene = useMemo(
    () =>
      projection
        ? buildChartScene(
            { byMethod, frontierKeys, curves, arrows, frontierSteps },
            projection.x,
            projection.y,
            ARROW_BACK_PX,
            ARROW_HEAD_PX,
          )
        : null,
    [projection, byMethod, frontierKeys, curves, arrows, frontierSteps],
  );

  const intervalBars = props.intervalBars;
  const barPaths = useMemo(
    () => (projection && intervalBars && intervalBars.length > 0 ? intervalBarPaths(intervalBars, projection.x, projection.y) : null),
    [projection, intervalBars],
  );

  useLayoutEffect(() => {
    if (!scene || !canvas || !width) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(width * dpr);
    const h = Math.round(height * dpr);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const painted = paintChartScene(ctx, scene, width, height, dpr);
    sceneRef.current = scene;
    // What was actually painted, for browser tests and the benchmark (canvas pixels are not in the DOM).
    canvas.setAttribute('data-points', String(painted.points));
    canvas.setAttribute('data-frontier', String(painted.frontier));
    canvas.setAttribute('data-paints', String(Number(canvas.getAttribute('data-paints') ?? 0) + 1));
  }, [scene, canvas, width, height, sceneRef]);

  /** The marker under the pointer (within PICK_RADIUS_PX), with its centre relative to the host (= the SVG's top-left). */
  const pick = useCallback(
    (e: MouseEvent<HTMLDivElement>): { point: TPoint; xPx: number; yPx: number } | null => {
      const s = sceneRef.current;
      const host = hostRef.current;
      if (!s || !host) return null;
      if (pickIndex.current?.scene !== s) pickIndex.current = { scene: s, index: new PixelIndex(s.xPx, s.yPx) };
      const hb = host.getBoundingClientRect();
      const i = pickIndex.current.index.nearest(e.clientX - hb.left, e.clientY - hb.top, PICK_RADIUS_PX);
      if (i < 0) return null;
      return { point: s.points[i], xPx: s.xPx[i], yPx: s.yPx[i] };
    },
    [sceneRef, hostRef],
  );
  const onMouseMove = useCallback(
    (e: MouseEvent<HTMLDivElement>) => {
      const hit = pick(e);
      e.currentTarget.style.cursor = hit ? 'pointer' : '';
      hoverStore.set(hit ? { key: hit.point.key, xPx: hit.xPx, yPx: hit.yPx } : null);
    },
    [hoverStore, pick],
  );
  const onMouseLeave = useCallback(() => hoverStore.set(null), [hoverStore]);
  const onClick = useCallback(
    (e: MouseEvent<HTMLDivElement>) => {
      const hit = pick(e);
      if (hit) onOpen(hit.point.key);
    },
    [onOpen, pick],
  );

  return (
    <div
      ref={hostRef}
      className="sb-chart-host"
      onMouseMove={onMouseMove}
      onMouseLeave={onMouseLeave}
      onClick={onClick}
      style={{ position: 'relative', height }}
    >
      {layout && <ChartFrame layout={layout} title={title} legend={legend} bars={barPaths} />}
      {/* Over the SVG (both at the host's top-left), under the hover ring and tooltip. The table is the text alternative. */}
      <canvas
        ref={setCanvas}
        className="sb-data-canvas"
        aria-hidden="true"
        style={{ position: 'absolute', left: 0, top: 0, pointerEvents: 'none' }}
      />
    </div>
  );
}

/** Memoised: hovering changes only the HoverStore, so the chart (up to thousands of markers) never re-renders on hover. */
export const TradeoffChart = memo(TradeoffChartImpl);
