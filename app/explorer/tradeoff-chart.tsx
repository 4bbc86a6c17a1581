'use client';

import { memo, useCallback, useEffect, useMemo, useRef, type MouseEvent, type RefObject } from 'react';
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
import { formatTick, type TDomain } from '@/lib/explorer/chart-scale';
import type { TBaselineArrow, TInputSizeCurve } from '@/lib/explorer/curves';
import type { TMethod, TSource } from '@/lib/explorer/entry';
import { PixelIndex } from '@/lib/explorer/pixel-index';
import type { TPoint } from '@/lib/explorer/points';
import { METHOD_COLORS, METHOD_LABELS, markerPath } from './chart-style';
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
  height?: number;
};

const MARKER_R = 4.5;
/** Hover/click pick radius around a marker centre. */
const PICK_RADIUS_PX = 9;
const LEGEND_H = 44;

/** Marker centres in SVG pixels, in draw order, with the lookup the host uses for hover and click. */
export type TMarkerLayout = { points: TPoint[]; xPx: number[]; yPx: number[]; index: PixelIndex };

/**
 * All markers as ONE <path> per (method, source) group: thousands of markers cost a dozen DOM nodes,
 * so filter changes stay fast. Frontier points get a dark ring (one more path). Later subpaths paint
 * over earlier ones, matching PixelIndex's "higher index is on top" tie rule.
 */
function MarkerLayer({
  byMethod,
  frontierKeys,
  layoutRef,
  xDomain,
  yDomain,
}: Pick<TTradeoffChartProps, 'byMethod' | 'frontierKeys' | 'xDomain' | 'yDomain'> & { layoutRef: RefObject<TMarkerLayout | null> }) {
  const xs = useXAxisScale();
  const ys = useYAxisScale();
  const current = useScalesCurrent(xDomain, yDomain);
  const drawn = useMemo(() => {
    if (!xs || !ys || !current) return null;
    const points: TPoint[] = [];
    const xPx: number[] = [];
    const yPx: number[] = [];
    const groups: Array<{ method: TMethod; source: TSource; d: string; count: number }> = [];
    let ring = '';
    let ringCount = 0;
    for (const g of byMethod) {
      for (const source of ['published', 'measured'] as const) {
        let d = '';
        let count = 0;
        for (const p of g.points) {
          if (p.source !== source) continue;
          const x = xs(p.cost) as number;
          const y = ys(p.accuracy) as number;
          if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
          d += markerPath(source, x, y, MARKER_R);
          count++;
          points.push(p);
          xPx.push(x);
          yPx.push(y);
          if (frontierKeys.has(p.key)) {
            ring += markerPath(source, x, y, MARKER_R + 2);
            ringCount++;
          }
        }
        if (count > 0) groups.push({ method: g.method, source, d, count });
      }
    }
    return { points, xPx, yPx, groups, ring, ringCount };
  }, [xs, ys, current, byMethod, frontierKeys]);
  useEffect(() => {
    layoutRef.current = drawn ? { points: drawn.points, xPx: drawn.xPx, yPx: drawn.yPx, index: new PixelIndex(drawn.xPx, drawn.yPx) } : null;
  }, [drawn, layoutRef]);
  if (!drawn) return null;
  return (
    <g className="sb-markers">
      {drawn.groups.map((g) => (
        <path
          key={`${g.method}-${g.source}`}
          className="sb-marker-group"
          data-method={g.method}
          data-source={g.source}
          data-count={g.count}
          d={g.d}
          fill={METHOD_COLORS[g.method]}
          fillOpacity={0.85}
          stroke="#ffffff"
          strokeWidth={0.8}
        />
      ))}
      {drawn.ringCount > 0 && (
        <path className="sb-frontier-markers" data-count={drawn.ringCount} d={drawn.ring} fill="none" stroke="#111111" strokeWidth={1.8} />
      )}
    </g>
  );
}

/**
 * True when recharts' axes already use the domains we asked for. After a filter change recharts renders
 * once with the previous scales and again with the new ones (same task, before paint); skipping the
 * stale pass halves the work of drawing thousands of markers.
 */
function useScalesCurrent(xDomain: TDomain, yDomain: TDomain): boolean {
  const xd = useXAxisDomain();
  const yd = useYAxisDomain();
  return Boolean(xd && yd && xd[0] === xDomain[0] && xd[1] === xDomain[1] && yd[0] === yDomain[0] && yd[1] === yDomain[1]);
}

/** Arrowhead pointing from (x1, y1) to (x2, y2), tip at (x2, y2) pulled back by `back` px (the marker radius). */
function arrowHead(x1: number, y1: number, x2: number, y2: number, back: number, size = 6): { shaft: string; head: string } {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len = Math.hypot(dx, dy);
  if (!(len > back + size)) return { shaft: '', head: '' };
  const ux = dx / len;
  const uy = dy / len;
  const tx = x2 - ux * back;
  const ty = y2 - uy * back;
  const bx = tx - ux * size;
  const by = ty - uy * size;
  const w = size * 0.5;
  return {
    shaft: `M${x1},${y1}L${bx},${by}`,
    head: `M${tx},${ty}L${bx - uy * w},${by + ux * w}L${bx + uy * w},${by - ux * w}Z`,
  };
}

/**
 * Input-size curves (one path per method colour), baseline arrows (one path of shafts, one of heads) and
 * the frontier step line, drawn with the chart's own scales. A handful of DOM nodes however many points.
 */
function Overlays({
  curves,
  arrows,
  frontierSteps,
  xDomain,
  yDomain,
}: Pick<TTradeoffChartProps, 'curves' | 'arrows' | 'frontierSteps' | 'xDomain' | 'yDomain'>) {
  const xs = useXAxisScale();
  const ys = useYAxisScale();
  const current = useScalesCurrent(xDomain, yDomain);
  const drawn = useMemo(() => {
    if (!xs || !ys || !current) return null;
    const X = (v: number) => xs(v) as number;
    const Y = (v: number) => ys(v) as number;
    const curveD = new Map<TMethod, string>();
    for (const c of curves) {
      const m = c.points[0].method;
      curveD.set(m, (curveD.get(m) ?? '') + c.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${X(p.cost)},${Y(p.accuracy)}`).join(''));
    }
    let shafts = '';
    let heads = '';
    for (const a of arrows) {
      const h = arrowHead(X(a.from.cost), Y(a.from.accuracy), X(a.to.cost), Y(a.to.accuracy), MARKER_R + 1);
      shafts += h.shaft;
      heads += h.head;
    }
    const steps = frontierSteps.map(([c, acc], i) => `${i === 0 ? 'M' : 'L'}${X(c)},${Y(acc)}`).join('');
    return { curveD: [...curveD], shafts, heads, steps };
  }, [xs, ys, current, curves, arrows, frontierSteps]);
  if (!drawn) return null;
  return (
    <g className="sb-overlays" pointerEvents="none">
      <path className="sb-arrows" data-count={arrows.length} d={drawn.shafts} fill="none" stroke="#b0b0b0" strokeOpacity={0.5} strokeWidth={0.8} />
      <path className="sb-arrowheads" d={drawn.heads} fill="#9a9a9a" fillOpacity={0.6} />
      {drawn.curveD.map(([method, d]) => (
        <path key={method} className="sb-curves" data-method={method} d={d} fill="none" stroke={METHOD_COLORS[method]} strokeOpacity={0.55} strokeWidth={1.4} />
      ))}
      {drawn.steps && <path className="sb-frontier-line" d={drawn.steps} fill="none" stroke="#111111" strokeWidth={1.6} strokeOpacity={0.8} />}
    </g>
  );
}

/** Legend inside the SVG (so PNG/SVG exports carry it): methods by colour, sources by shape, frontier, arrows. */
function SvgLegend({ methods, sources }: { methods: TMethod[]; sources: TSource[] }) {
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
        const h = arrowHead(x - 10, y, x + 10, y, 0);
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

function ChartTitle({ title }: { title: string }) {
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

  const layoutRef = useRef<TMarkerLayout | null>(null);

  /** The marker under the pointer (within PICK_RADIUS_PX), with its centre relative to the host. */
  const pick = (e: MouseEvent<HTMLDivElement>): { point: TPoint; xPx: number; yPx: number } | null => {
    const layout = layoutRef.current;
    const host = hostRef.current;
    const svg = host?.querySelector('svg.recharts-surface');
    if (!layout || !host || !svg) return null;
    const sb = svg.getBoundingClientRect();
    const i = layout.index.nearest(e.clientX - sb.left, e.clientY - sb.top, PICK_RADIUS_PX);
    if (i < 0) return null;
    const hb = host.getBoundingClientRect();
    return { point: layout.points[i], xPx: layout.xPx[i] + sb.left - hb.left, yPx: layout.yPx[i] + sb.top - hb.top };
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

  const methods = props.byMethod.map((g) => g.method);
  return (
    <div ref={hostRef} className="sb-chart-host" onMouseMove={onMouseMove} onMouseLeave={onMouseLeave} onClick={onClick} style={{ position: 'relative' }}>
      <ResponsiveContainer width="100%" height={height}>
        <ScatterChart margin={{ top: 28, right: 24, bottom: LEGEND_H + 8, left: 16 }}>
          <CartesianGrid stroke="#e6e6e6" />
          <XAxis
            type="number"
            dataKey="cost"
            name={props.xTitle}
            scale={props.log ? 'log' : 'linear'}
            domain={props.xDomain}
            ticks={props.xTicks}
            allowDataOverflow
            tickFormatter={formatTick}
            tick={{ fontSize: 12, fill: '#333' }}
            label={{ value: props.xTitle, position: 'insideBottom', offset: -6, fontSize: 13, fill: '#111' }}
            height={44}
          />
          <YAxis
            type="number"
            dataKey="accuracy"
            name={props.yTitle}
            domain={props.yDomain}
            ticks={props.yTicks}
            allowDataOverflow
            tickFormatter={formatTick}
            tick={{ fontSize: 12, fill: '#333' }}
            label={{ value: props.yTitle, angle: -90, position: 'insideLeft', offset: 6, fontSize: 13, fill: '#111', style: { textAnchor: 'middle' } }}
            width={64}
          />
          <Overlays curves={props.curves} arrows={props.arrows} frontierSteps={props.frontierSteps} xDomain={props.xDomain} yDomain={props.yDomain} />
          <MarkerLayer byMethod={props.byMethod} frontierKeys={props.frontierKeys} layoutRef={layoutRef} xDomain={props.xDomain} yDomain={props.yDomain} />
          <SvgLegend methods={methods} sources={props.sources} />
          <ChartTitle title={props.title} />
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Memoised: hovering changes only the HoverStore, so the chart (up to thousands of markers) never re-renders on hover. */
export const TradeoffChart = memo(TradeoffChartImpl);
