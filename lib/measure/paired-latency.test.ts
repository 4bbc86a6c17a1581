import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  abbaSchedule,
  cyclesFromSamples,
  formatRatioChange,
  formatSignedPercent,
  pairedLatencyRatio,
  type PairedCycle,
} from './paired-latency';
import { mulberry32 } from '../random/mulberry32';

describe('abbaSchedule', () => {
  it('repeats candidate, baseline, baseline, candidate', () => {
    expect(abbaSchedule(2)).toEqual(['candidate', 'baseline', 'baseline', 'candidate', 'candidate', 'baseline', 'baseline', 'candidate']);
    expect(abbaSchedule(0)).toEqual([]);
  });
  it('BAD CALL: a negative or fractional cycle count is refused', () => {
    expect(() => abbaSchedule(-1)).toThrow(/integer >= 0/);
    expect(() => abbaSchedule(1.5)).toThrow(/integer >= 0/);
  });
});

describe('pairedLatencyRatio: hand golden', () => {
  // Two cycles. Pooled p50: candidate median[1,1,3,3] = 2, baseline median[2,2,4,4] = 3 -> 2/3.
  // Resamples draw {1,1} (ratio 1/2), {1,2}/{2,1} (2/3) or {2,2} (3/4) with probability 1/4, 1/2, 1/4;
  // with 2000 resamples both tails hold far more than 2.5 %, so the 95 % interval is [1/2, 3/4].
  const cycles: PairedCycle[] = [
    { candidateMs: [1, 1], baselineMs: [2, 2] },
    { candidateMs: [3, 3], baselineMs: [4, 4] },
  ];
  it('p50 ratio and interval', () => {
    const r = pairedLatencyRatio(cycles);
    expect(r.ratio).toBeCloseTo(2 / 3, 12);
    expect(r.candidateStatMs).toBe(2);
    expect(r.baselineStatMs).toBe(3);
    expect(r.ci[0]).toBe(0.5);
    expect(r.ci[1]).toBe(0.75);
    expect(r.significant).toBe(true);
    expect(r.cycles).toBe(2);
    expect(r.resamples).toBe(2000);
  });
  it('mean ratio: (1+1+3+3)/4 = 2 over (2+2+4+4)/4 = 3', () => {
    expect(pairedLatencyRatio(cycles, { statistic: 'mean' }).ratio).toBeCloseTo(2 / 3, 12);
  });
  it('p90 over [1,1,3,3] = 3 (h = 2.7 between 3 and 3), over [2,2,4,4] = 4', () => {
    expect(pairedLatencyRatio(cycles, { statistic: 'p90' }).ratio).toBeCloseTo(3 / 4, 12);
  });
  it('the same seed gives the same interval; another seed may differ but still brackets the estimate', () => {
    const noisy: PairedCycle[] = Array.from({ length: 12 }, (_, i) => ({
      candidateMs: [10 + (i % 5), 11 + (i % 3)],
      baselineMs: [12 + (i % 4), 12 + (i % 7)],
    }));
    expect(pairedLatencyRatio(noisy, { seed: 7 })).toEqual(pairedLatencyRatio(noisy, { seed: 7 }));
    const other = pairedLatencyRatio(noisy, { seed: 8 });
    expect(other.ci[0]).toBeLessThanOrEqual(other.ratio);
    expect(other.ci[1]).toBeGreaterThanOrEqual(other.ratio);
  });
});

describe('pairedLatencyRatio: degenerate cases', () => {
  it('identical samples give ratio 1, an interval containing 1, not significant', () => {
    const cycles: PairedCycle[] = Array.from({ length: 10 }, (_, i) => ({
      candidateMs: [4 + i * 0.1, 5 - i * 0.05],
      baselineMs: [4 + i * 0.1, 5 - i * 0.05],
    }));
    const r = pairedLatencyRatio(cycles);
    expect(r.ratio).toBe(1);
    expect(r.ci[0]).toBeLessThanOrEqual(1);
    expect(r.ci[1]).toBeGreaterThanOrEqual(1);
    expect(r.significant).toBe(false);
  });
  it('one cycle: every resample is that cycle, so the interval is the point', () => {
    const r = pairedLatencyRatio([{ candidateMs: [3], baselineMs: [6] }]);
    expect(r.ratio).toBe(0.5);
    expect(r.ci).toEqual([0.5, 0.5]);
    expect(r.significant).toBe(true);
  });
  it('all-zero samples (clock too coarse) give ratio 1, not significant', () => {
    const r = pairedLatencyRatio([{ candidateMs: [0, 0], baselineMs: [0, 0] }, { candidateMs: [0], baselineMs: [0] }]);
    expect(r.ratio).toBe(1);
    expect(r.significant).toBe(false);
  });
  it('EXPECTED FAILURE: empty, negative, NaN samples and bad options name the problem', () => {
    expect(() => pairedLatencyRatio([])).toThrow(/at least one ABBA cycle/);
    expect(() => pairedLatencyRatio([{ candidateMs: [], baselineMs: [1] }])).toThrow(/cycle 0 has no candidate samples/);
    expect(() => pairedLatencyRatio([{ candidateMs: [1], baselineMs: [-1] }])).toThrow(/baseline sample -1/);
    expect(() => pairedLatencyRatio([{ candidateMs: [NaN], baselineMs: [1] }])).toThrow(/candidate sample NaN/);
    expect(() => pairedLatencyRatio([{ candidateMs: [1], baselineMs: [0] }])).toThrow(/clock is too coarse/);
    expect(() => pairedLatencyRatio([{ candidateMs: [1], baselineMs: [1] }], { resamples: 999 })).toThrow(/>= 1000/);
    expect(() => pairedLatencyRatio([{ candidateMs: [1], baselineMs: [1] }], { confidence: 1 })).toThrow(/confidence/);
    const one = [{ candidateMs: [1], baselineMs: [1] }];
    expect(() => pairedLatencyRatio(one, { statistic: 'p75' as 'p50' })).toThrow(/statistic must be one of/);
  });
});

describe('pairedLatencyRatio: properties', () => {
  const cyclesArb = fc.array(
    fc.record({
      candidateMs: fc.array(fc.double({ min: 0.5, max: 50, noNaN: true }), { minLength: 1, maxLength: 6 }),
      baselineMs: fc.array(fc.double({ min: 0.5, max: 50, noNaN: true }), { minLength: 1, maxLength: 6 }),
    }),
    { minLength: 1, maxLength: 8 },
  );
  const statArb = fc.constantFrom('p50' as const, 'p90' as const, 'mean' as const);

  it('scaling every candidate sample by k scales the ratio and both bounds by k', () => {
    fc.assert(
      fc.property(cyclesArb, fc.double({ min: 0.1, max: 10, noNaN: true }), statArb, (cycles, k, statistic) => {
        const base = pairedLatencyRatio(cycles, { statistic, resamples: 1000 });
        const scaled = pairedLatencyRatio(
          cycles.map((c) => ({ candidateMs: c.candidateMs.map((x) => x * k), baselineMs: c.baselineMs })),
          { statistic, resamples: 1000 },
        );
        const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
        expect(close(scaled.ratio, base.ratio * k)).toBe(true);
        expect(close(scaled.ci[0], base.ci[0] * k)).toBe(true);
        expect(close(scaled.ci[1], base.ci[1] * k)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
  it('swapping candidate and baseline inverts the ratio and the interval', () => {
    fc.assert(
      fc.property(cyclesArb, statArb, (cycles, statistic) => {
        const r = pairedLatencyRatio(cycles, { statistic, resamples: 1000 });
        const swapped = cycles.map((c) => ({ candidateMs: c.baselineMs, baselineMs: c.candidateMs }));
        const s = pairedLatencyRatio(swapped, { statistic, resamples: 1000 });
        expect(s.ratio * r.ratio).toBeCloseTo(1, 9);
        // The same draws give reciprocal ratios in reverse order; interpolating between reciprocals gives at least the
        // reciprocal of the interpolation (1/x is convex), so each swapped bound is >= the reciprocal of the mirrored one.
        expect(s.ci[0]).toBeGreaterThanOrEqual(1 / r.ci[1] - 1e-9);
        expect(s.ci[1]).toBeGreaterThanOrEqual(1 / r.ci[0] - 1e-9);
        if (r.ci[1] < 1) expect(s.significant).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
  it('the interval is ordered and positive, and significant means it excludes 1', () => {
    fc.assert(
      fc.property(cyclesArb, statArb, (cycles, statistic) => {
        const r = pairedLatencyRatio(cycles, { statistic, resamples: 1000 });
        expect(r.ci[0]).toBeLessThanOrEqual(r.ci[1]);
        expect(r.ci[0]).toBeGreaterThan(0);
        expect(r.significant).toBe(r.ci[0] > 1 || r.ci[1] < 1);
      }),
      { numRuns: 40 },
    );
  });
});

describe('pairedLatencyRatio: session replicates (two-stage bootstrap)', () => {
  // Two sessions of one cycle each: candidate [1] / baseline [2] in session 0, [3] / [4] in session 1.
  // Stage one draws {0,0}, {0,1}, {1,0} or {1,1} (1/4, 1/2, 1/4), stage two then has one cycle to draw from,
  // so the pooled p50 ratios are 1/2, 2/3 and 3/4: the same distribution as the cycle bootstrap, interval [1/2, 3/4].
  const two: PairedCycle[] = [
    { candidateMs: [1], baselineMs: [2] },
    { candidateMs: [3], baselineMs: [4] },
  ];
  it('hand golden: one cycle per session behaves like the cycle bootstrap', () => {
    const r = pairedLatencyRatio(two, { sessionOfCycle: [0, 1] });
    expect(r.ratio).toBeCloseTo(2 / 3, 12);
    expect(r.ci).toEqual([0.5, 0.75]);
    expect(r.sessions).toBe(2);
    expect(r.method).toMatch(/two-stage/);
  });
  it('hand golden: a whole session repeated is drawn as a block', () => {
    // Session 0 holds cycles 0 and 1 (ratio 1/2 each), session 1 holds cycle 2 (ratio 2/1). Stage one draws
    // {0,0} (probability 1/4): pooled candidate [1,1,1,1] over [2,2,2,2], ratio 1/2; {0,1} or {1,0} (1/2):
    // [1,1,4] over [2,2,2], p50 1/2 again; {1,1} (1/4): [4,4] over [2,2], ratio 2. P(1/2) = 3/4 and P(2) = 1/4,
    // so the 2.5th percentile is 1/2 and the 97.5th is 2: the interval is [1/2, 2].
    const cycles: PairedCycle[] = [
      { candidateMs: [1], baselineMs: [2] },
      { candidateMs: [1], baselineMs: [2] },
      { candidateMs: [4], baselineMs: [2] },
    ];
    const r = pairedLatencyRatio(cycles, { sessionOfCycle: [0, 0, 1] });
    expect(r.ci).toEqual([0.5, 2]);
    expect(r.sessions).toBe(2);
  });
  it('DEGENERATE: every cycle in session 0 is the plain cycle bootstrap, draw for draw', () => {
    const noisy: PairedCycle[] = Array.from({ length: 9 }, (_, i) => ({ candidateMs: [10 + (i % 4)], baselineMs: [11 + (i % 3)] }));
    const plain = pairedLatencyRatio(noisy);
    const labelled = pairedLatencyRatio(noisy, { sessionOfCycle: noisy.map(() => 0) });
    expect(labelled).toEqual({ ...plain, sessions: 1 });
  });
  it('BAD CALL: labels that do not match the cycles are refused with the reason', () => {
    expect(() => pairedLatencyRatio(two, { sessionOfCycle: [0] })).toThrow(/1 labels for 2 cycles/);
    expect(() => pairedLatencyRatio(two, { sessionOfCycle: [0, 2] })).toThrow(/session label 2/);
    expect(() => pairedLatencyRatio(two, { sessionOfCycle: [1, 1] })).toThrow(/session 0 has no cycles/);
    expect(() => pairedLatencyRatio(two, { sessionOfCycle: [0, 0.5] })).toThrow(/not an integer/);
  });
  it('PROPERTY: a persistent per-session offset widens the interval that the cycle bootstrap gets too narrow', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.9, max: 1.1, noNaN: true }), { minLength: 4, maxLength: 6 }), fc.integer({ min: 1, max: 1e6 }), (offsets, seed) => {
        // A/A: both arms are the same model; each session pair gets its own candidate-side offset.
        const random = mulberry32(seed);
        const cycles: PairedCycle[] = [];
        const labels: number[] = [];
        offsets.forEach((offset, s) => {
          for (let c = 0; c < 5; c++) {
            const jitter = () => 10 * (1 + 0.01 * (random() - 0.5));
            cycles.push({ candidateMs: [jitter() * offset, jitter() * offset], baselineMs: [jitter(), jitter()] });
            labels.push(s);
          }
        });
        const width = (r: { ci: [number, number] }) => r.ci[1] - r.ci[0];
        const sessions = pairedLatencyRatio(cycles, { sessionOfCycle: labels, resamples: 1000 });
        const plain = pairedLatencyRatio(cycles, { resamples: 1000 });
        const spread = Math.max(...offsets) - Math.min(...offsets);
        if (spread > 0.05) expect(width(sessions)).toBeGreaterThan(width(plain));
        expect(sessions.ci[0]).toBeLessThanOrEqual(sessions.ratio);
        expect(sessions.ci[1]).toBeGreaterThanOrEqual(sessions.ratio);
      }),
      { numRuns: 30 },
    );
  });
});

describe('cyclesFromSamples', () => {
  it('cuts run-ordered samples into cycles of 2 x blockRuns per model', () => {
    expect(cyclesFromSamples([1, 2, 3, 4], [5, 6, 7, 8], 1)).toEqual([
      { candidateMs: [1, 2], baselineMs: [5, 6] },
      { candidateMs: [3, 4], baselineMs: [7, 8] },
    ]);
  });
  it('EXPECTED FAILURE: partial cycles are refused', () => {
    expect(() => cyclesFromSamples([1, 2, 3], [1, 2, 3], 1)).toThrow(/whole ABBA cycles of 2 per model/);
    expect(() => cyclesFromSamples([1, 2], [1, 2], 0)).toThrow(/blockRuns/);
  });
});

describe('formatRatioChange', () => {
  it('significant speed-up with unicode minus', () => {
    expect(formatRatioChange({ ratio: 0.715, ci: [0.699, 0.732], significant: true })).toBe('\u221228.5 % [\u221230.1, \u221226.8]');
  });
  it('a change whose interval contains 1 is labelled not significant', () => {
    expect(formatRatioChange({ ratio: 1.012, ci: [0.98, 1.043], significant: false })).toBe('+1.2 % [\u22122.0, +4.3] (not significant)');
  });
  it('rounds to one decimal and never prints a negative zero', () => {
    expect(formatSignedPercent(-0.04)).toBe('+0.0');
    expect(formatSignedPercent(0.05)).toBe('+0.1');
    expect(formatSignedPercent(-12.34)).toBe('\u221212.3');
  });
});
