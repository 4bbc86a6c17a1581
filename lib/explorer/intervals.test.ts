import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeEntry } from './__fixtures__/entries';
import { buildChartModel } from './chart-model';
import type { TExplorerEntry, TLatency, TPairedInterval } from './entry';
import { frontierValues, intervalBarPaths, intervalBars, intervalText, intervalVerdict } from './intervals';
import { dominates } from './frontier';
import { DEFAULT_VIEW, type TExplorerView } from './view-state';
import { biggestWins } from './wins';

function measured(p50Ms: number, paired?: TPairedInterval): TLatency {
  return {
    device: 'cpu-1',
    deviceLabel: 'CPU 1',
    source: 'measured',
    reportedMs: null,
    p50Ms,
    p90Ms: null,
    p99Ms: null,
    meanMs: null,
    samplesMs: [],
    provenance: 'measured: job j',
    ...(paired ? { paired } : {}),
  };
}

function ratio(value: number, low: number, high: number, trusted = true): TPairedInterval {
  return { value, low, high, significant: low > 1 || high < 1, trusted, text: `${value}` };
}

function deltaAp(value: number, low: number, high: number): TPairedInterval {
  return { value, low, high, significant: low > 0 || high < 0, trusted: true, text: `ΔAP ${value}` };
}

const base = (latency: TLatency[], boxAp = 40): TExplorerEntry =>
  makeEntry({ modelId: 'base', inputSize: 416, source: 'measured', gflops: 10, accuracy: { boxAp }, latency });
const cand = (latency: TLatency[], boxAp = 40, extra: Partial<TExplorerEntry> = {}): TExplorerEntry =>
  makeEntry({
    modelId: 'cand',
    inputSize: 416,
    source: 'measured',
    method: 'prune',
    baselineModelId: 'base',
    gflops: 5,
    accuracy: { boxAp },
    latency,
    ...extra,
  });

const LATENCY_VIEW: TExplorerView = { ...DEFAULT_VIEW, dataset: 'coco', x: 'latency', y: 'boxAp', device: 'cpu-1' };

describe('intervalVerdict', () => {
  it('latency ratios: below 1 and significant is better, above is worse; untrusted and non-significant are neither', () => {
    expect(intervalVerdict(ratio(0.7, 0.68, 0.72), true)).toBe('better');
    expect(intervalVerdict(ratio(1.3, 1.2, 1.4), true)).toBe('worse');
    expect(intervalVerdict(ratio(0.97, 0.93, 1.01), true)).toBe('no significant change');
    expect(intervalVerdict(ratio(0.7, 0.68, 0.72, false), true)).toBe('not trusted');
  });
  it('ΔAP: above 0 and significant is better, below is worse', () => {
    expect(intervalVerdict(deltaAp(1.2, 0.5, 1.9), false)).toBe('better');
    expect(intervalVerdict(deltaAp(-23.6, -25, -22.3), false)).toBe('worse');
    expect(intervalVerdict(deltaAp(0.01, -0.21, 0.28), false)).toBe('no significant change');
  });
});

describe('intervalBars', () => {
  it('golden: the latency ratio interval is scaled around the plotted p50; ΔAP is shifted around the plotted AP', () => {
    // cand p50 7 ms, ratio 0.7 [0.6, 0.8] -> bar [7 * 0.6 / 0.7, 7 * 0.8 / 0.7] = [6, 8]
    // cand AP 38, ΔAP -2 [-3, -0.5] -> bar [38 - 1, 38 + 1.5] = [37, 39.5]
    const entries = [
      base([measured(10)]),
      cand([measured(7, ratio(0.7, 0.6, 0.8))], 38, { accuracyIntervals: { boxAp: deltaAp(-2, -3, -0.5) } }),
    ];
    const m = buildChartModel(entries, LATENCY_VIEW);
    const bars = m.intervalBars.map((b) => ({ ...b, low: Number(b.low.toFixed(12)), high: Number(b.high.toFixed(12)) }));
    expect(bars).toEqual([
      { key: 'cand@416', axis: 'x', low: 6, high: 8, at: 38, verdict: 'better' },
      { key: 'cand@416', axis: 'y', low: 37, high: 39.5, at: 7, verdict: 'worse' },
    ]);
  });

  it('the axes hold the bars: the x domain reaches past the latency interval, the y domain past the ΔAP interval', () => {
    const entries = [
      base([measured(10)]),
      cand([measured(7, ratio(0.7, 0.35, 1.6))], 38, { accuracyIntervals: { boxAp: deltaAp(-2, -9, 4) } }),
    ];
    const m = buildChartModel(entries, LATENCY_VIEW);
    // x bar [7 * 0.35 / 0.7, 7 * 1.6 / 0.7] = [3.5, 16]; y bar [38 - 7, 38 + 6] = [31, 44]
    expect(m.xDomain[1]).toBeGreaterThanOrEqual(16);
    expect(m.yDomain[0]).toBeLessThanOrEqual(31);
    expect(m.yDomain[1]).toBeGreaterThanOrEqual(44);
  });

  it('no bars for published numbers, off the latency axis for latency, or at a percentile other than p50', () => {
    const entries = [base([measured(10)]), cand([measured(7, ratio(0.7, 0.6, 0.8))])];
    expect(buildChartModel(entries, { ...LATENCY_VIEW, pct: 'p90' }).intervalBars).toEqual([]);
    expect(buildChartModel(entries, { ...LATENCY_VIEW, x: 'gflops' }).intervalBars).toEqual([]);
    const published = [base([measured(10)]), cand([{ ...measured(7), source: 'published', reportedMs: 7, p50Ms: null }])];
    expect(buildChartModel(published, LATENCY_VIEW).intervalBars).toEqual([]);
  });

  it('property: every bar contains its point (the estimate lies inside its own interval)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.2, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.double({ min: 1, max: 100, noNaN: true }),
        (r, dl, dh, p50) => {
          const entries = [
            base([measured(10)]),
            cand([measured(p50, ratio(r, r * (1 - dl), r * (1 + dh)))], 38, {
              accuracyIntervals: { boxAp: deltaAp(-1, -1 - dl, -1 + dh) },
            }),
          ];
          const m = buildChartModel(entries, LATENCY_VIEW);
          const p = m.points.find((q) => q.key === 'cand@416')!;
          for (const b of intervalBars(m.points, new Map(entries.map((e) => [`${e.modelId}@${e.inputSize}`, e])), m.sel)) {
            const v = b.axis === 'x' ? p.cost : p.accuracy;
            expect(b.low).toBeLessThanOrEqual(v * (1 + 1e-12));
            expect(b.high).toBeGreaterThanOrEqual(v * (1 - 1e-12));
          }
        },
      ),
    );
  });
});

describe('intervalBarPaths', () => {
  it('golden: one horizontal and one vertical bar with 3 px caps; decided and undecided apart; off-axis bars left out', () => {
    const id = (v: number) => v;
    const out = intervalBarPaths(
      [
        { key: 'a', axis: 'x', low: 10, high: 20, at: 50, verdict: 'better' },
        { key: 'b', axis: 'y', low: 30, high: 40, at: 5, verdict: 'no significant change' },
        { key: 'c', axis: 'x', low: NaN, high: 20, at: 50, verdict: 'worse' },
      ],
      id,
      id,
    );
    expect(out).toEqual({ decided: 'M10,50H20M10,47v6M20,47v6', undecided: 'M5,30V40M2,30h6M2,40h6', count: 2 });
  });
});

describe('no win from noise: frontier and biggest wins', () => {
  it('a measured candidate faster than its baseline only by noise is not on the frontier; a significant one is', () => {
    // Candidate 9 ms at AP 39.9, baseline 10 ms at AP 40: by the raw numbers both are on the frontier (cheaper vs
    // more accurate). Counted as no faster than its baseline, the candidate is dominated.
    const noise = [base([measured(10)]), cand([measured(9, ratio(0.9, 0.8, 1.02))], 39.9)];
    expect([...buildChartModel(noise, LATENCY_VIEW).frontierKeys].sort()).toEqual(['base@416']);
    const real = [base([measured(10)]), cand([measured(9, ratio(0.9, 0.85, 0.95))], 39.9)];
    expect([...buildChartModel(real, LATENCY_VIEW).frontierKeys].sort()).toEqual(['base@416', 'cand@416']);
    const busy = [base([measured(10)]), cand([measured(9, ratio(0.9, 0.85, 0.95, false))], 39.9)];
    expect([...buildChartModel(busy, LATENCY_VIEW).frontierKeys].sort()).toEqual(['base@416']);
    const unpaired = [base([measured(10)]), cand([measured(9)], 39.9)];
    expect([...buildChartModel(unpaired, LATENCY_VIEW).frontierKeys].sort()).toEqual(['base@416']);
    // Points stay where they were measured.
    expect(buildChartModel(noise, LATENCY_VIEW).points.find((p) => p.key === 'cand@416')!.cost).toBe(9);
  });

  it('a non-significant ΔAP gain does not lift a candidate onto the frontier; a significant one does', () => {
    const view: TExplorerView = { ...DEFAULT_VIEW, dataset: 'coco', x: 'gflops', y: 'boxAp' };
    // Baseline 10 GFLOPs AP 40; a second model costs 5 GFLOPs at AP 40.2; the candidate 5 GFLOPs AP 40.3 (+0.3, [-0.1, +0.7]).
    const other = makeEntry({ modelId: 'other', inputSize: 416, source: 'measured', gflops: 5, accuracy: { boxAp: 40.2 } });
    const noise = [base([]), other, cand([], 40.3, { accuracyIntervals: { boxAp: deltaAp(0.3, -0.1, 0.7) } })];
    expect([...buildChartModel(noise, view).frontierKeys].sort()).toEqual(['other@416']);
    const real = [base([]), other, cand([], 40.3, { accuracyIntervals: { boxAp: deltaAp(0.3, 0.1, 0.5) } })];
    expect([...buildChartModel(real, view).frontierKeys].sort()).toEqual(['cand@416']);
  });

  it('property: a point whose effective values are raised never dominates its baseline by the denied axis', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 20, noNaN: true }), fc.double({ min: 1, max: 20, noNaN: true }), (cb, cc) => {
        const entries = [base([measured(cb)]), cand([measured(cc, ratio(cc / cb, 0.5, 1.5))])];
        const m = buildChartModel(entries, LATENCY_VIEW);
        const byKey = new Map(entries.map((e) => [`${e.modelId}@${e.inputSize}`, e]));
        const [b, c] = frontierValues(m.points, byKey, m.sel);
        expect(dominates(c, b)).toBe(false);
      }),
    );
  });

  it('biggest wins on measured latency: only a significant, trusted speed-up, ranked by the paired ratio', () => {
    const opts = { axis: 'latency' as const, device: 'cpu-1' };
    expect(biggestWins([base([measured(10)]), cand([measured(7, ratio(0.9, 0.8, 1.02))])], opts)).toEqual([]);
    expect(biggestWins([base([measured(10)]), cand([measured(7)])], opts)).toEqual([]);
    expect(biggestWins([base([measured(10)]), cand([measured(7, ratio(0.72, 0.7, 0.74, false))])], opts)).toEqual([]);
    const wins = biggestWins([base([measured(10)]), cand([measured(7, ratio(0.72, 0.7, 0.74))])], opts);
    expect(wins).toHaveLength(1);
    // costCut = 1 - 0.72 (the paired estimate, not (10 - 7) / 10), interval [1 - 0.74, 1 - 0.7]
    expect(wins[0].costCut).toBeCloseTo(0.28, 12);
    expect(wins[0].costCutInterval!.low).toBeCloseTo(0.26, 12);
    expect(wins[0].costCutInterval!.high).toBeCloseTo(0.3, 12);
  });
});

describe('intervalText', () => {
  it('states the interval and the verdict; published numbers have none', () => {
    expect(intervalText(null, true, true)).toBe('no interval (published single number)');
    expect(intervalText(null, true, false)).toBeNull();
    expect(intervalText({ ...ratio(0.97, 0.93, 1.01), text: '−3.0 % [−7.0, +1.0]' }, true, false)).toBe(
      '−3.0 % [−7.0, +1.0] (95 % interval; not significant)',
    );
    expect(intervalText({ ...ratio(0.97, 0.93, 1.01), text: '−3.0 % [−7.0, +1.0] (not significant)' }, true, false)).toBe(
      '−3.0 % [−7.0, +1.0] (95 % interval; not significant)',
    );
    expect(intervalText({ ...deltaAp(-23.6, -25, -22.3), text: 'ΔAP −23.6 [−25.0, −22.3]' }, false, false)).toBe(
      'ΔAP −23.6 [−25.0, −22.3] (95 % interval; significant, worse)',
    );
  });
});
