'use client';

import { memo, useCallback, type MouseEvent, type RefObject } from 'react';
import {
  CartesianGrid,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  XAxis,
  YAxis,
  useChartHeight,
  useChartWidth,
  usePlotArea,
  useXAxisScale,
  useYAxisScale,
} from 'recharts';
import { formatTick, type TDomain } from '@/lib/explorer/chart-scale';
import type { TBaselineArrow, TInputSizeCurve } from '@/lib/explorer/curves';
import type { TMethod, TSource } from '@/lib/explorer/entry';
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
  /** Points grouped by method, one Scatter each (legend order). */
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
const LEGEND_H = 44;

/** Marker shape: published circle / measured diamond, ring when on the frontier; `data-key` drives hover and click. */
function makeShape(frontierKeys: ReadonlySet<string>, color: string) {
  return function PointShape(props: unknown) {
    const { cx, cy, payload } = props as { cx?: number; cy?: number; payload: TPoint };
    if (cx === undefined || cy === undefined || !Number.isFinite(cx) || !Number.isFinite(cy)) return <g />;
    const onFrontier = frontierKeys.has(payload.key);
    return (
      <path
        d={markerPath(payload.source, cx, cy, onFrontier ? MARKER_R + 1 : MARKER_R)}
        fill={color}
        fillOpacity={0.85}
        stroke={onFrontier ? '#111111' : '#ffffff'}
        strokeWidth={onFrontier ? 2 : 0.8}
        data-key={payload.key}
        data-frontier={onFrontier ? '1' : undefined}
        className="sb-point"
        style={{ cursor: 'pointer' }}
      />
    );
  };
}

/** Input-size curves, baseline arrows and the frontier step line, drawn with the chart's own scales. */
function Overlays({ curves, arrows, frontierSteps }: Pick<TTradeoffChartProps, 'curves' | 'arrows' | 'frontierSteps'>) {
  const xs = useXAxisScale();
  const ys = useYAxisScale();
  if (!xs || !ys) return null;
  const X = (v: number) => xs(v) as number;
  const Y = (v: number) => ys(v) as number;
  return (
    <g className="sb-overlays" pointerEvents="none">
      <defs>
        <marker id="sb-arrowhead" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,0L8,4L0,8Z" fill="#9a9a9a" />
        </marker>
      </defs>
      <g className="sb-arrows">
        {arrows.map((a) => (
          <line
            key={`${a.from.key}>${a.to.key}`}
            x1={X(a.from.cost)}
            y1={Y(a.from.accuracy)}
            x2={X(a.to.cost)}
            y2={Y(a.to.accuracy)}
            stroke="#9a9a9a"
            strokeOpacity={0.45}
            strokeWidth={1}
            strokeDasharray="3 3"
            markerEnd="url(#sb-arrowhead)"
          />
        ))}
      </g>
      <g className="sb-curves">
        {curves.map((c) => (
          <polyline
            key={c.modelId}
            points={c.points.map((p) => `${X(p.cost)},${Y(p.accuracy)}`).join(' ')}
            fill="none"
            stroke={METHOD_COLORS[c.points[0].method]}
            strokeOpacity={0.55}
            strokeWidth={1.4}
          />
        ))}
      </g>
      {frontierSteps.length > 0 && (
        <polyline
          className="sb-frontier-line"
          points={frontierSteps.map(([c, a]) => `${X(c)},${Y(a)}`).join(' ')}
          fill="none"
          stroke="#111111"
          strokeWidth={1.6}
          strokeOpacity={0.8}
        />
      )}
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
      draw: (x: number, y: number) => (
        <line x1={x - 8} y1={y} x2={x + 8} y2={y} stroke="#9a9a9a" strokeDasharray="3 3" markerEnd="url(#sb-arrowhead)" />
      ),
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

  const keyOf = (e: MouseEvent<HTMLDivElement>): { key: string; el: Element } | null => {
    const el = (e.target as Element).closest?.('[data-key]');
    const key = el?.getAttribute('data-key');
    return el && key ? { key, el } : null;
  };
  const onMouseOver = useCallback(
    (e: MouseEvent<HTMLDivElement>) => {
      const hit = keyOf(e);
      if (!hit || !hostRef.current) return;
      const box = hostRef.current.getBoundingClientRect();
      const r = hit.el.getBoundingClientRect();
      hoverStore.set({ key: hit.key, xPx: r.left + r.width / 2 - box.left, yPx: r.top + r.height / 2 - box.top });
    },
    [hoverStore, hostRef],
  );
  const onMouseOut = useCallback(
    (e: MouseEvent<HTMLDivElement>) => {
      const hit = keyOf(e);
      const to = (e.relatedTarget as Element | null)?.closest?.('[data-key]');
      if (hit && !to) hoverStore.set(null);
    },
    [hoverStore],
  );
  const onClick = useCallback(
    (e: MouseEvent<HTMLDivElement>) => {
      const hit = keyOf(e);
      if (hit) onOpen(hit.key);
    },
    [onOpen],
  );

  const methods = props.byMethod.map((g) => g.method);
  return (
    <div ref={hostRef} className="sb-chart-host" onMouseOver={onMouseOver} onMouseOut={onMouseOut} onClick={onClick} style={{ position: 'relative' }}>
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
          <Overlays curves={props.curves} arrows={props.arrows} frontierSteps={props.frontierSteps} />
          {props.byMethod.map((g) => (
            <Scatter
              key={g.method}
              name={METHOD_LABELS[g.method]}
              data={g.points}
              fill={METHOD_COLORS[g.method]}
              isAnimationActive={false}
              shape={makeShape(props.frontierKeys, METHOD_COLORS[g.method])}
            />
          ))}
          <SvgLegend methods={methods} sources={props.sources} />
          <ChartTitle title={props.title} />
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Memoised: hovering changes only the HoverStore, so the chart (up to thousands of markers) never re-renders on hover. */
export const TradeoffChart = memo(TradeoffChartImpl);
