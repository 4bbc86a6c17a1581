import type { TExplorerEntry, TPairedInterval } from './entry';
import type { TCostAccuracy } from './frontier';
import type { TPoint, TResolvedSelection } from './points';

/**
 * Measured deltas with intervals in the explorer (pure): interval bars, the tooltip's verdict, and the rule
 * that keeps noise off the Pareto frontier and out of the overview's wins.
 *
 * Intervals come from paired measurements against the declared baseline:
 * - latency (x): the paired benchmark's ratio candidate/baseline of p50 with its 95 % interval
 *   (lib/measure/benchmark-paired.ts). The bar shows that RELATIVE interval around the plotted latency:
 *   [cost · low / ratio, cost · high / ratio]. Drawn only on the latency axis, on the benchmark's device, at p50
 *   (the paired statistic).
 * - accuracy (y): ΔAP (points) with its 95 % paired-bootstrap interval (lib/metrics/paired-bootstrap.ts). The
 *   bar is [accuracy + (low − Δ), accuracy + (high − Δ)].
 * Published numbers have none (the source prints one number and no samples).
 *
 * Rule ("no win from noise"): a candidate whose MEASURED delta against its baseline is not a significant and
 * trusted (machine not busy, full protocol) change does not count as cheaper or more accurate than that
 * baseline. For the frontier its effective cost is max(cost, baseline's cost) and its effective accuracy
 * min(accuracy, baseline's accuracy) on the axis concerned, so it cannot reach the frontier by being faster or
 * more accurate than its baseline by noise alone (points are still drawn where they were measured). A measured
 * latency with no paired interval has no verdict and is treated the same way. Published numbers keep their
 * values (no interval to judge them by).
 */

export type TIntervalVerdict = 'better' | 'worse' | 'no significant change' | 'not trusted';

/** The verdict of a paired interval; `lowerIsBetter` for latency ratios, false for ΔAP. */
export function intervalVerdict(i: TPairedInterval, lowerIsBetter: boolean): TIntervalVerdict {
  if (!i.trusted) return 'not trusted';
  if (!i.significant) return 'no significant change';
  const up = lowerIsBetter ? i.value > 1 : i.value > 0;
  return up === lowerIsBetter ? 'worse' : 'better';
}

/** The paired latency interval of an entry on the selection's latency device (null off the latency axis). */
export function latencyIntervalFor(entry: TExplorerEntry, sel: Pick<TResolvedSelection, 'x' | 'device'>): TPairedInterval | null {
  if (sel.x !== 'latency' || sel.device === null) return null;
  return entry.latency.find((l) => l.device === sel.device && l.source === 'measured')?.paired ?? null;
}

/** The ΔAP interval of an entry for the selection's accuracy metric. */
export function accuracyIntervalFor(entry: TExplorerEntry, sel: Pick<TResolvedSelection, 'y'>): TPairedInterval | null {
  return sel.y === null ? null : (entry.accuracyIntervals?.[sel.y] ?? null);
}

/** One error bar in data units: along x (cost) or y (accuracy), through the point's other coordinate. */
export type TIntervalBar = { key: string; axis: 'x' | 'y'; low: number; high: number; at: number; verdict: TIntervalVerdict };

export function intervalBars(
  points: readonly TPoint[],
  byKey: ReadonlyMap<string, TExplorerEntry>,
  sel: TResolvedSelection,
): TIntervalBar[] {
  const bars: TIntervalBar[] = [];
  for (const p of points) {
    const e = byKey.get(p.key);
    if (!e) continue;
    const lat = sel.pct === 'p50' ? latencyIntervalFor(e, sel) : null;
    if (lat && lat.value > 0 && !p.latencyReported) {
      const scale = p.cost / lat.value;
      bars.push({
        key: p.key,
        axis: 'x',
        low: scale * lat.low,
        high: scale * lat.high,
        at: p.accuracy,
        verdict: intervalVerdict(lat, true),
      });
    }
    const acc = accuracyIntervalFor(e, sel);
    if (acc) {
      const shift = p.accuracy - acc.value;
      bars.push({ key: p.key, axis: 'y', low: shift + acc.low, high: shift + acc.high, at: p.cost, verdict: intervalVerdict(acc, false) });
    }
  }
  return bars;
}

/** A measured latency on the selected device with no better-verdict: not faster than the baseline. */
export function latencyWinDenied(e: TExplorerEntry, sel: Pick<TResolvedSelection, 'x' | 'device'>): boolean {
  if (sel.x !== 'latency' || sel.device === null) return false;
  const l = e.latency.find((x) => x.device === sel.device);
  if (!l || l.source !== 'measured') return false;
  return !l.paired || intervalVerdict(l.paired, true) !== 'better';
}

function accuracyWinDenied(e: TExplorerEntry, sel: TResolvedSelection): boolean {
  const acc = accuracyIntervalFor(e, sel);
  return acc !== null && intervalVerdict(acc, false) !== 'better';
}

/**
 * The (cost, accuracy) each point takes part in the frontier with (see the rule above); same order as `points`.
 * A point whose baseline is not drawn keeps its values.
 */
export function frontierValues(
  points: readonly TPoint[],
  byKey: ReadonlyMap<string, TExplorerEntry>,
  sel: TResolvedSelection,
): TCostAccuracy[] {
  const pointByKey = new Map(points.map((p) => [p.key, p]));
  return points.map((p) => {
    const base = p.baselineKey === null ? undefined : pointByKey.get(p.baselineKey);
    const e = byKey.get(p.key);
    if (!base || !e) return { cost: p.cost, accuracy: p.accuracy };
    return {
      cost: latencyWinDenied(e, sel) ? Math.max(p.cost, base.cost) : p.cost,
      accuracy: accuracyWinDenied(e, sel) ? Math.min(p.accuracy, base.accuracy) : p.accuracy,
    };
  });
}

/** Tooltip text for the interval on one axis; `published` when the number is a published single one. */
export function intervalText(i: TPairedInterval | null, lowerIsBetter: boolean, published: boolean): string | null {
  if (published) return 'no interval (published single number)';
  if (!i) return null;
  const v = intervalVerdict(i, lowerIsBetter);
  const note =
    v === 'not trusted'
      ? 'not trusted: busy machine or quick protocol'
      : v === 'no significant change'
        ? 'not significant'
        : `significant, ${v}`;
  // The stored text may already say "(not significant)": the note says it once.
  return `${i.text.replace(/ \(not significant\)$/, '')} (95 % interval; ${note})`;
}

/**
 * Interval bars projected to pixels as two SVG path strings: the bar with a cap of `capPx` each side at both
 * ends. `decided` holds bars whose verdict is better or worse, `undecided` the others (no significant change, not
 * trusted), drawn lighter. Bars with a non-finite end (off a log axis) are left out.
 */
export function intervalBarPaths(
  bars: readonly TIntervalBar[],
  x: (v: number) => number,
  y: (v: number) => number,
  capPx = 3,
): { decided: string; undecided: string; count: number } {
  let decided = '';
  let undecided = '';
  let count = 0;
  const r = (v: number) => Math.round(v * 10) / 10;
  for (const b of bars) {
    let d: string;
    if (b.axis === 'x') {
      const [x0, x1, yy] = [x(b.low), x(b.high), y(b.at)];
      if (![x0, x1, yy].every(Number.isFinite)) continue;
      d = `M${r(x0)},${r(yy)}H${r(x1)}M${r(x0)},${r(yy - capPx)}v${2 * capPx}M${r(x1)},${r(yy - capPx)}v${2 * capPx}`;
    } else {
      const [y0, y1, xx] = [y(b.low), y(b.high), x(b.at)];
      if (![y0, y1, xx].every(Number.isFinite)) continue;
      d = `M${r(xx)},${r(y0)}V${r(y1)}M${r(xx - capPx)},${r(y0)}h${2 * capPx}M${r(xx - capPx)},${r(y1)}h${2 * capPx}`;
    }
    if (b.verdict === 'better' || b.verdict === 'worse') decided += d;
    else undecided += d;
    count++;
  }
  return { decided, undecided, count };
}
