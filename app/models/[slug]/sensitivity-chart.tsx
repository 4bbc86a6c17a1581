'use client';

import { useMemo, useState } from 'react';
import { CartesianGrid, ComposedChart, Line, ReferenceLine, Scatter, Tooltip, XAxis, YAxis, type TooltipContentProps } from 'recharts';

/**
 * The sensitivity curves of a pruned model (data shaped by lib/zoo/sensitivity-view.ts): x = pruning ratio,
 * y = relative AP loss in percent, one line per parameter, the model's chosen ratios as diamonds, the loss
 * threshold they were chosen under as a dashed line. The legend is HTML below the chart: hovering or
 * focusing an entry highlights its line (the chart itself is one image for assistive technology; the
 * table beside it carries the numbers).
 */

export interface SensitivityChartSeries {
  key: string;
  label: string;
  chosen: { ratio: number; lossPercent: number | null } | null;
}

export interface SensitivityChartProps {
  rows: Array<Record<string, number>>;
  series: SensitivityChartSeries[];
  ratios: number[];
  yDomainPercent: [number, number];
  lossThresholdPercent: number | null;
  ariaLabel: string;
}

/** Distinct hues in a stable order (golden-angle steps), dark enough on white. */
function seriesColor(i: number): string {
  return `hsl(${Math.round((i * 137.508) % 360)} 70% 40%)`;
}

const CHOSEN_KEY = 'chosen';

function LossTooltip({ active, payload, label }: TooltipContentProps) {
  if (!active || !payload?.length) return null;
  const lines = payload
    .filter((p) => typeof p.value === 'number' && p.dataKey !== CHOSEN_KEY)
    .sort((a, b) => Number(b.value) - Number(a.value));
  return (
    <div className="sensitivity-tooltip">
      <strong>ratio {label}</strong>
      <ul>
        {lines.map((p) => (
          <li key={String(p.dataKey)}>
            <span className="swatch" style={{ background: p.color }} /> {p.name}: {Number(p.value).toFixed(2)} %
          </li>
        ))}
      </ul>
    </div>
  );
}

export function SensitivityChart({ rows, series, ratios, yDomainPercent, lossThresholdPercent, ariaLabel }: SensitivityChartProps) {
  const [active, setActive] = useState<string | null>(null);
  const colors = useMemo(() => new Map(series.map((s, i) => [s.key, seriesColor(i)])), [series]);
  const chosen = useMemo(
    () =>
      series.flatMap((s) =>
        s.chosen && s.chosen.lossPercent !== null
          ? [{ ratio: s.chosen.ratio, [CHOSEN_KEY]: s.chosen.lossPercent, key: s.key, label: s.label }]
          : [],
      ),
    [series],
  );
  const xMax = Math.ceil(Math.max(...ratios, ...chosen.map((c) => c.ratio)) * 10) / 10;
  const xTicks = Array.from({ length: Math.round(xMax * 10) + 1 }, (_, i) => i / 10);
  // y ticks every 5 % (10 % on a tall range); the domain's ends are multiples of 5 (sensitivity-view.ts).
  const yStep = yDomainPercent[1] - yDomainPercent[0] > 60 ? 10 : 5;
  const yTicks = Array.from(
    { length: Math.floor((yDomainPercent[1] - yDomainPercent[0]) / yStep) + 1 },
    (_, i) => yDomainPercent[0] + i * yStep,
  );
  const faded = (key: string) => active !== null && active !== key;

  return (
    <div className="sensitivity-chart-wrap">
      <div className="sensitivity-chart" role="img" aria-label={ariaLabel}>
        <ComposedChart
          responsive
          data={rows}
          margin={{ top: 12, right: 24, bottom: 28, left: 16 }}
          accessibilityLayer={false}
          style={{ width: '100%', height: 460 }}
        >
          <CartesianGrid stroke="#e1e5ea" />
          <XAxis
            dataKey="ratio"
            type="number"
            domain={[0, xMax]}
            ticks={xTicks}
            tickFormatter={(v: number) => v.toFixed(1)}
            label={{ value: 'Pruning ratio (fraction of the parameter’s output channels removed)', position: 'bottom', offset: 8 }}
          />
          <YAxis
            type="number"
            domain={yDomainPercent}
            ticks={yTicks}
            tickFormatter={(v: number) => String(v)}
            label={{ value: 'AP loss (%)', angle: -90, position: 'insideLeft', offset: 4, style: { textAnchor: 'middle' } }}
          />
          <Tooltip content={LossTooltip} />
          {lossThresholdPercent !== null && (
            <ReferenceLine
              y={lossThresholdPercent}
              stroke="#66727f"
              strokeDasharray="6 4"
              label={{
                value: `loss threshold ${lossThresholdPercent.toFixed(2)} %`,
                position: 'insideTopRight',
                fill: '#66727f',
                fontSize: 12,
              }}
            />
          )}
          {series.map((s) => (
            <Line
              key={s.key}
              type="linear"
              dataKey={s.key}
              name={s.label}
              stroke={colors.get(s.key)}
              strokeWidth={active === s.key ? 3 : 1.5}
              strokeOpacity={faded(s.key) ? 0.15 : 1}
              dot={{ r: 2.5, strokeOpacity: faded(s.key) ? 0.15 : 1 }}
              activeDot={false}
              isAnimationActive={false}
            />
          ))}
          {chosen.length > 0 && (
            <Scatter
              name="chosen ratio of this model"
              data={chosen}
              dataKey={CHOSEN_KEY}
              fill="#1f2933"
              isAnimationActive={false}
              shape={(props: { cx?: number; cy?: number; payload?: { key: string } }) => {
                const { cx = 0, cy = 0 } = props;
                const key = props.payload?.key ?? '';
                return (
                  <path
                    className="sensitivity-chosen"
                    d={`M${cx},${cy - 6}L${cx + 6},${cy}L${cx},${cy + 6}L${cx - 6},${cy}Z`}
                    fill={colors.get(key)}
                    fillOpacity={faded(key) ? 0.15 : 1}
                    stroke="#fff"
                    strokeWidth={1}
                  />
                );
              }}
            />
          )}
        </ComposedChart>
      </div>
      <ul className="sensitivity-legend" aria-label="Legend: hover or focus a parameter to highlight its line">
        {series.map((s) => (
          <li key={s.key}>
            <button
              type="button"
              data-key={s.key}
              aria-pressed={active === s.key}
              onMouseEnter={() => setActive(s.key)}
              onMouseLeave={() => setActive(null)}
              onFocus={() => setActive(s.key)}
              onBlur={() => setActive(null)}
            >
              <svg width="18" height="10" aria-hidden="true">
                <line x1="0" y1="5" x2="18" y2="5" stroke={colors.get(s.key)} strokeWidth="2" />
                <circle cx="9" cy="5" r="2.5" fill={colors.get(s.key)} />
              </svg>
              {s.label}
            </button>
          </li>
        ))}
        {chosen.length > 0 && (
          <li className="note">
            <svg width="14" height="14" aria-hidden="true">
              <path d="M7,1L13,7L7,13L1,7Z" fill="#1f2933" />
            </svg>
            chosen ratio of this model
          </li>
        )}
        {lossThresholdPercent !== null && (
          <li className="note">
            <svg width="18" height="10" aria-hidden="true">
              <line x1="0" y1="5" x2="18" y2="5" stroke="#66727f" strokeWidth="1.5" strokeDasharray="4 3" />
            </svg>
            loss threshold
          </li>
        )}
      </ul>
    </div>
  );
}
