import { boxStats, histogram } from '@/lib/explorer/distribution';
import { formatTick, linearDomain } from '@/lib/explorer/chart-scale';
import { DISPLAY_DECIMALS, formatFixed } from '@/lib/zoo/number-format';

/**
 * Latency distributions from raw samples, server-rendered SVG: one horizontal box plot per series on a
 * shared ms axis (box = quartiles, line = median, whiskers = Tukey 1.5 IQR, dots = outliers), with a
 * small histogram (20 bins) under each box.
 */
export type TLatencySeries = { label: string; samplesMs: number[] };

const W = 760;
const ms = (v: number) => formatFixed(v, DISPLAY_DECIMALS.latency_ms);
const LEFT = 230;
const RIGHT = 20;
const ROW = 64;

export function LatencyBoxPlot({ series, title }: { series: TLatencySeries[]; title: string }) {
  const all = series.flatMap((s) => s.samplesMs);
  const { domain, ticks } = linearDomain(all);
  const lo = Math.max(0, domain[0]);
  const hi = domain[1];
  const X = (v: number) => LEFT + ((v - lo) / (hi - lo)) * (W - LEFT - RIGHT);
  const H = 30 + series.length * ROW + 36;
  return (
    <figure className="sb-boxplot-figure">
      <svg className="sb-boxplot" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <text x={W / 2} y={16} textAnchor="middle" fontSize={13} fontWeight={600}>
          {title}
        </text>
        {series.map((s, i) => {
          const b = boxStats(s.samplesMs, s.label);
          const h = histogram(s.samplesMs, 20, s.label);
          const maxCount = Math.max(...h.map((x) => x.count));
          const y = 30 + i * ROW;
          const mid = y + 16;
          return (
            <g key={s.label} data-testid="box-plot-row">
              <text x={LEFT - 8} y={mid + 4} textAnchor="end" fontSize={12}>
                {s.label} (n={b.n})
              </text>
              <line x1={X(b.whiskerLowMs)} x2={X(b.whiskerHighMs)} y1={mid} y2={mid} stroke="#333" />
              <rect x={X(b.q1Ms)} y={mid - 9} width={Math.max(1, X(b.q3Ms) - X(b.q1Ms))} height={18} fill="#cfe3f5" stroke="#0072B2" />
              <line x1={X(b.medianMs)} x2={X(b.medianMs)} y1={mid - 9} y2={mid + 9} stroke="#0b3d66" strokeWidth={2} />
              {b.outliersMs.map((o, k) => (
                <circle key={k} cx={X(o)} cy={mid} r={2} fill="#D55E00" />
              ))}
              {h.map((bin, k) => {
                const bh = maxCount > 0 ? (bin.count / maxCount) * 18 : 0;
                return (
                  <rect
                    key={k}
                    x={X(bin.fromMs)}
                    y={y + 46 - bh}
                    width={Math.max(0.5, X(bin.toMs) - X(bin.fromMs) - 0.5)}
                    height={bh}
                    fill="#999"
                  />
                );
              })}
              <title>
                {`${s.label}: median ${ms(b.medianMs)} ms, p90 ${ms(b.p90Ms)} ms, p99 ${ms(b.p99Ms)} ms, mean ${ms(b.meanMs)} ms`}
              </title>
            </g>
          );
        })}
        {ticks
          .filter((t) => t >= lo && t <= hi)
          .map((t) => (
            <g key={t}>
              <line x1={X(t)} x2={X(t)} y1={H - 34} y2={H - 29} stroke="#666" />
              <text x={X(t)} y={H - 18} textAnchor="middle" fontSize={11}>
                {formatTick(t)}
              </text>
            </g>
          ))}
        <text x={(LEFT + W - RIGHT) / 2} y={H - 3} textAnchor="middle" fontSize={12}>
          Latency (ms/image)
        </text>
      </svg>
    </figure>
  );
}
