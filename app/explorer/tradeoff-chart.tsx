'use client';

import { createContext, memo, useCallback, useContext, useLayoutEffect, useMemo, useRef, useState, type MouseEvent, type RefObject } from 'react';
import {
  CartesianGrid,
  ResponsiveContainer,
  ScatterChart,
  XAxis,
  YAxis,
  useChartHeight,
  useChartWidth,
  usePlotArea,
  useXAxisDomain,
  useXAxisScale,
  useYAxisDomain,
  useYAxisScale,
} from 'recharts';
import { arrowGeometry, axisProjection, buildChartScene, type TChartScene } from '@/lib/explorer/chart-scene';
import { formatTick, type TDomain } from '@/lib/explorer/chart-scale';
import type { TBaselineArrow, TInputSizeCurve } from '@/lib/explorer/curves';
import type { TMethod, TSource } from '@/lib/explorer/entry';
import { PixelIndex } from '@/lib/explorer/pixel-index';
import type { TPoint } from '@/lib/explorer/points';
import { paintChartScene } from './chart-scene-draw';
import { MARKER_R, METHOD_COLORS, METHOD_LABELS, markerPath } from './chart-style';
import type { HoverStore } from './hover-store';

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
const LEGEND_H = 44;
/** Baseline arrows stop this far from the baseline marker's centre; arrowhead length. */
const ARROW_BACK_PX = MARKER_R + 1;
const ARROW_HEAD_PX = 6;

/**
 * The data layer (markers, frontier rings, input-size curves, baseline arrows, frontier step line) painted
 * on ONE <canvas> laid over the chart's SVG, with recharts' own axis scales. A filter change costs one
 * canvas repaint (a few ms for thousands of markers) instead of rebuilding and re-parsing SVG paths.
 * Painted in a layout effect, so the new markers appear in the same frame as the new axes.
 * Renders an empty <g class="sb-data-layer"> into the SVG: the exporter fills it with the same scene as vectors.
 * Reads its data from ChartDataContext, so a filter that leaves the axes alone re-renders this layer only,
 * never recharts' axes, grid and legend.
 */
function DataLayer() {
  const data = useContext(ChartDataContext);
  if (!data) throw new Error('DataLayer outside ChartDataContext');
  const { byMethod, frontierKeys, curves, arrows, frontierSteps, xDomain, yDomain, log, canvas, sceneRef } = data;
  const xs = useXAxisScale();
  const ys = useYAxisScale();
  const width = useChartWidth();
  const height = useChartHeight();
  const current = useScalesCurrent(xDomain, yDomain);
  // recharts' scales, read at the domain ends only; the scene projects thousands of values without them.
  const projection = useMemo(() => {
    if (!xs || !ys || !current) return null;
    return {
      x: axisProjection(xDomain, [xs(xDomain[0]) as number, xs(xDomain[1]) as number], log),
      y: axisProjection(yDomain, [ys(yDomain[0]) as number, ys(yDomain[1]) as number], false),
    };
  }, [xs, ys, current, xDomain, yDomain, log]);
  const scene = useMemo(() => {
    if (!projection) return null;
    return buildChartScene({ byMethod, frontierKeys, curves, arrows, frontierSteps }, projection.x, projection.y, ARROW_BACK_PX, ARROW_HEAD_PX);
  }, [projection, byMethod, frontierKeys, curves, arrows, frontierSteps]);
  useLayoutEffect(() => {
    // A stale pass (scales not yet updated) keeps the previous picture until the current one is ready.
    if (!scene || !canvas || !width || !height) return;
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
  return <g className="sb-data-layer" />;
}

type TChartData = Pick<TTradeoffChartProps, 'byMethod' | 'frontierKeys' | 'curves' | 'arrows' | 'frontierSteps' | 'xDomain' | 'yDomain' | 'log' | 'sceneRef'> & {
  canvas: HTMLCanvasElement | null;
};
const ChartDataContext = createContext<TChartData | null>(null);

/** The previous array while the new one holds the same numbers: keeps memoised recharts props unchanged. */
function useStableNumbers<T extends readonly number[]>(next: T): T {
  const ref = useRef(next);
  const prev = ref.current;
  if (prev !== next && (prev.length !== next.length || prev.some((v, i) => v !== next[i]))) ref.current = next;
  return ref.current;
}

/**
 * True when recharts' axes already use the domains we asked for. After a filter change recharts renders
 * once with the previous scales and again with the new ones (same task, before paint); skipping the
 * stale pass halves the work.
 */
function useScalesCurrent(xDomain: TDomain, yDomain: TDomain): boolean {
  const xd = useXAxisDomain();
  const yd = useYAxisDomain();
  return Boolean(xd && yd && xd[0] === xDomain[0] && xd[1] === xDomain[1] && yd[0] === yDomain[0] && yd[1] === yDomain[1]);
}

/** Legend arrow: shaft and head as SVG path data. */
function legendArrow(x1: number, y: number, x2: number): { shaft: string; head: string } {
  const g = arrowGeometry(x1, y, x2, y, 0, ARROW_HEAD_PX);
  if (!g) return { shaft: '', head: '' };
  const [a, b, c, d] = g.shaft;
  const [tx, ty, lx, ly, rx, ry] = g.head;
  return { shaft: `M${a},${b}L${c},${d}`, head: `M${tx},${ty}L${lx},${ly}L${rx},${ry}Z` };
}

/** Title and legend contents: read from context so that a new title or method list re-renders only them. */
type TChartLabels = { title: string; methods: TMethod[]; sources: TSource[] };
const ChartLabelsContext = createContext<TChartLabels>({ title: '', methods: [], sources: [] });

/** Legend inside the SVG (so PNG/SVG exports carry it): methods by colour, sources by shape, frontier, arrows. */
function SvgLegend() {
  const { methods, sources } = useContext(ChartLabelsContext);
  const width = useChartWidth();
  const height = useChartHeight();
  const plot = usePlotArea();
  if (!width || !height || !plot) return null;
  const y0 = height - LEGEND_H + 8;
  const items: Array<{ label: string; draw: (x: number, y: number) => React.ReactNode }> = [
    ...methods.map((m) => ({
      label: METHOD_LABELS[m],
      draw: (x: number, y: number) => <path d={markerPath('published', x, y, MARKER_R)} fill={METHOD_COLORS[m]} />,
    })),
    ...sources.map((s) => ({
      label: s,
      draw: (x: number, y: number) => <path d={markerPath(s, x, y, MARKER_R)} fill="none" stroke="#333" strokeWidth={1.2} />,
    })),
    {
      label: 'Pareto frontier',
      draw: (x: number, y: number) => (
        <g>
          <polyline points={`${x - 8},${y + 4} ${x},${y + 4} ${x},${y - 4} ${x + 8},${y - 4}`} fill="none" stroke="#111" strokeWidth={1.6} />
        </g>
      ),
    },
    {
      label: 'input sizes of one model',
      draw: (x: number, y: number) => <line x1={x - 8} y1={y} x2={x + 8} y2={y} stroke="#0072B2" strokeOpacity={0.55} strokeWidth={1.4} />,
    },
    {
      label: '→ baseline',
      draw: (x: number, y: number) => {
        const h = legendArrow(x - 10, y, x + 10);
        return (
          <g>
            <path d={h.shaft} stroke="#9a9a9a" strokeDasharray="3 3" />
            <path d={h.head} fill="#9a9a9a" />
          </g>
        );
      },
    },
  ];
  // Flow layout: ~7 px per character plus the symbol; wrap to a second line when needed.
  let x = plot.x;
  let y = y0;
  const placed = items.map((it) => {
    const w = 22 + it.label.length * 6.6 + 14;
    if (x + w > width - 8 && x > plot.x) {
      x = plot.x;
      y += 18;
    }
    const at = { x, y };
    x += w;
    return { ...it, at };
  });
  return (
    <g className="sb-legend" pointerEvents="none">
      {placed.map((it) => (
        <g key={it.label}>
          {it.draw(it.at.x + 8, it.at.y)}
          <text x={it.at.x + 20} y={it.at.y + 4} fontSize={12} fill="#222">
            {it.label}
          </text>
        </g>
      ))}
    </g>
  );
}

function ChartTitle() {
  const { title } = useContext(ChartLabelsContext);
  const width = useChartWidth();
  if (!width) return null;
  return (
    <text x={width / 2} y={16} textAnchor="middle" fontSize={14} fontWeight={600} fill="#111">
      {title}
    </text>
  );
}

function TradeoffChartImpl(props: TTradeoffChartProps) {
  const { hoverStore, onOpen, hostRef } = props;
  const height = props.height ?? 500;

  const { sceneRef } = props;
  const [canvas, setCanvas] = useState<HTMLCanvasElement | null>(null);
  // Built on the first pointer query after a repaint, not on every filter change.
  const pickIndex = useRef<{ scene: TChartScene; index: PixelIndex } | null>(null);

  /** The marker under the pointer (within PICK_RADIUS_PX), with its centre relative to the host. */
  const pick = (e: MouseEvent<HTMLDivElement>): { point: TPoint; xPx: number; yPx: number } | null => {
    const scene = sceneRef.current;
    const host = hostRef.current;
    const svg = host?.querySelector('svg.recharts-surface');
    if (!scene || !host || !svg) return null;
    if (pickIndex.current?.scene !== scene) pickIndex.current = { scene, index: new PixelIndex(scene.xPx, scene.yPx) };
    const sb = svg.getBoundingClientRect();
    const i = pickIndex.current.index.nearest(e.clientX - sb.left, e.clientY - sb.top, PICK_RADIUS_PX);
    if (i < 0) return null;
    const hb = host.getBoundingClientRect();
    return { point: scene.points[i], xPx: scene.xPx[i] + sb.left - hb.left, yPx: scene.yPx[i] + sb.top - hb.top };
  };
  const onMouseMove = useCallback(
    (e: MouseEvent<HTMLDivElement>) => {
      const hit = pick(e);
      e.currentTarget.style.cursor = hit ? 'pointer' : '';
      hoverStore.set(hit ? { key: hit.point.key, xPx: hit.xPx, yPx: hit.yPx } : null);
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [hoverStore, hostRef],
  );
  const onMouseLeave = useCallback(() => hoverStore.set(null), [hoverStore]);
  const onClick = useCallback(
    (e: MouseEvent<HTMLDivElement>) => {
      const hit = pick(e);
      if (hit) onOpen(hit.point.key);
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [onOpen, hostRef],
  );

  const xDomain = useStableNumbers(props.xDomain);
  const yDomain = useStableNumbers(props.yDomain);
  const xTicks = useStableNumbers(props.xTicks);
  const yTicks = useStableNumbers(props.yTicks);
  const methodsKey = props.byMethod.map((g) => g.method).join(',');
  const sourcesKey = props.sources.join(',');
  const { title, xTitle, yTitle, log } = props;
  const labels = useMemo<TChartLabels>(
    () => ({ title, methods: methodsKey ? (methodsKey.split(',') as TMethod[]) : [], sources: sourcesKey ? (sourcesKey.split(',') as TSource[]) : [] }),
    [title, methodsKey, sourcesKey],
  );
  // Axes and grid: re-rendered only when they change (a new domain, ticks, axis titles, scale type); the
  // data layer, legend and title follow their contexts.
  const frame = useMemo(
    () => (
      <ResponsiveContainer width="100%" height={height}>
        <ScatterChart margin={{ top: 28, right: 24, bottom: LEGEND_H + 8, left: 16 }}>
          <CartesianGrid stroke="#e6e6e6" />
          <XAxis
            type="number"
            dataKey="cost"
            name={xTitle}
            scale={log ? 'log' : 'linear'}
            domain={xDomain}
            ticks={xTicks}
            allowDataOverflow
            tickFormatter={formatTick}
            tick={{ fontSize: 12, fill: '#333' }}
            label={{ value: xTitle, position: 'insideBottom', offset: -6, fontSize: 13, fill: '#111' }}
            height={44}
          />
          <YAxis
            type="number"
            dataKey="accuracy"
            name={yTitle}
            domain={yDomain}
            ticks={yTicks}
            allowDataOverflow
            tickFormatter={formatTick}
            tick={{ fontSize: 12, fill: '#333' }}
            label={{ value: yTitle, angle: -90, position: 'insideLeft', offset: 6, fontSize: 13, fill: '#111', style: { textAnchor: 'middle' } }}
            width={64}
          />
          <DataLayer />
          <SvgLegend />
          <ChartTitle />
        </ScatterChart>
      </ResponsiveContainer>
    ),
    [height, xTitle, yTitle, log, xDomain, xTicks, yDomain, yTicks],
  );
  const data = useMemo<TChartData>(
    () => ({
      byMethod: props.byMethod,
      frontierKeys: props.frontierKeys,
      curves: props.curves,
      arrows: props.arrows,
      frontierSteps: props.frontierSteps,
      xDomain,
      yDomain,
      log,
      canvas,
      sceneRef,
    }),
    [props.byMethod, props.frontierKeys, props.curves, props.arrows, props.frontierSteps, xDomain, yDomain, log, canvas, sceneRef],
  );
  return (
    <div ref={hostRef} className="sb-chart-host" onMouseMove={onMouseMove} onMouseLeave={onMouseLeave} onClick={onClick} style={{ position: 'relative' }}>
      <ChartLabelsContext.Provider value={labels}>
        <ChartDataContext.Provider value={data}>{frame}</ChartDataContext.Provider>
      </ChartLabelsContext.Provider>
      {/* Over the SVG surface (which sits at the host's top-left), under the hover ring and tooltip. The table is the text alternative. */}
      <canvas ref={setCanvas} className="sb-data-canvas" aria-hidden="true" style={{ position: 'absolute', left: 0, top: 0, pointerEvents: 'none' }} />
    </div>
  );
}

/** Memoised: hovering changes only the HoverStore, so the chart (up to thousands of markers) never re-renders on hover. */
export const TradeoffChart = memo(TradeoffChartImpl);
