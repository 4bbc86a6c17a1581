/**
 * Paired latency comparison of a candidate model with its baseline (pure; no I/O, no onnxruntime).
 *
 * Schedule: both models are measured in one process, interleaved in ABBA cycles. One cycle is four
 * blocks of `blockRuns` timed runs each, in the order candidate, baseline, baseline, candidate
 * (A = candidate, B = baseline). Within a cycle both models' blocks have the same mean time, so a
 * slow drift of the machine (thermal, a neighbour starting) biases neither model; over the whole run
 * the sequence ABBA ABBA ... gives each model runs of two consecutive blocks, so the cost of switching
 * models (caches, branch predictors) is the same for both.
 *
 * Statistic: the ratio R = stat(candidate samples) / stat(baseline samples), where stat is one of
 * p50 (default), p90 (linear interpolation, see lib/inference/latency-statistics.ts) or mean, each
 * over ALL timed samples of that model. R < 1: the candidate is faster. Reported as a percent change
 * 100 (R - 1).
 *
 * 95 % confidence interval: percentile bootstrap over CYCLES (a block bootstrap). Each resample
 * draws C cycles with replacement from the C measured cycles (uniform, seeded mulberry32), pools the
 * candidate samples of the drawn cycles and, separately, the baseline samples of the SAME drawn
 * cycles, and computes R on the pools. The interval is [q(α/2), q(1 - α/2)] of the R values
 * (linear-interpolation quantiles), α = 1 - confidence. Resampling whole cycles keeps the pairing:
 * samples taken close together in time (and so sharing the machine's momentary state) stay together,
 * and samples inside a cycle need not be independent. With few cycles the percentile interval is too
 * narrow; use at least 10 cycles (the standard protocol uses 30).
 *
 * Session replicates (`sessionOfCycle`): onnxruntime sessions of the SAME file differ from each other
 * by a persistent few percent (memory placement of weights and arena; measured on the demo baseline at
 * 416: six sessions of one file in one process, p50 up to 9 % apart, each stable over its own samples,
 * see docs/paired-latency.md). A bootstrap over cycles of ONE session pair cannot see that, so its
 * interval was too narrow: A/A controls (a file against itself) came out significant. The harness
 * therefore measures several session pairs one after the other and the bootstrap is two-stage (a
 * cluster bootstrap): each resample draws as many sessions as were measured, with replacement, then
 * for each drawn session as many of ITS cycles as it has, with replacement, and pools the drawn cycles.
 * With one session it reduces to the plain cycle bootstrap above.
 *
 * `significant` is true when the interval excludes 1.0 (both bounds above, or both below).
 *
 * Shapes: `cycles[c].candidateMs` and `cycles[c].baselineMs` are the timed samples (ms) of cycle c,
 * in run order (2 x blockRuns each when produced by the harness; any non-empty length is accepted).
 */
import { z } from 'zod';
import { SlimboardError } from '../errors';
import { percentileSorted } from '../inference/runtime/latency-statistics';
import { mulberry32 } from '../random/mulberry32';

/** Which model a block of the schedule measures. */
export type PairedArm = 'candidate' | 'baseline';

/** Block order of one ABBA cycle: A = candidate, B = baseline. */
export const ABBA_CYCLE: readonly PairedArm[] = ['candidate', 'baseline', 'baseline', 'candidate'];

/** Block order of `cycles` ABBA cycles (4 x cycles blocks). */
export function abbaSchedule(cycles: number): PairedArm[] {
  if (!Number.isInteger(cycles) || cycles < 0) {
    throw new SlimboardError('bad_schedule', `number of ABBA cycles must be an integer >= 0, got ${cycles}`);
  }
  const out: PairedArm[] = [];
  for (let c = 0; c < cycles; c++) out.push(...ABBA_CYCLE);
  return out;
}

export const LATENCY_STATISTICS = ['p50', 'p90', 'mean'] as const;
export const ZLatencyStatistic = z.enum(LATENCY_STATISTICS);
export type TLatencyStatistic = z.infer<typeof ZLatencyStatistic>;

/** One ABBA cycle's timed samples (ms) of each model. */
export interface PairedCycle {
  candidateMs: readonly number[];
  baselineMs: readonly number[];
}

export interface PairedRatioOptions {
  /** Default 'p50'. */
  statistic?: TLatencyStatistic;
  /** Number of bootstrap resamples; at least 1000. Default 2000. */
  resamples?: number;
  /** Seed of the mulberry32 generator that draws the cycles. Default 20261204. */
  seed?: number;
  /** Confidence level of the interval, in (0, 1). Default 0.95. */
  confidence?: number;
  /**
   * The session pair that measured each cycle (same length as the cycles, values 0..S-1, each used at
   * least once). Omitted: one session pair measured every cycle.
   */
  sessionOfCycle?: readonly number[];
}

/** The comparison stored with every paired benchmark (crosses process boundaries: zod). */
export const ZPairedRatio = z.object({
  statistic: ZLatencyStatistic,
  /** stat(candidate) / stat(baseline) over all samples; < 1 means the candidate is faster. */
  ratio: z.number().positive(),
  /** [low, high] bounds of the confidence interval of the ratio. */
  ci: z.tuple([z.number().positive(), z.number().positive()]),
  confidence: z.number().gt(0).lt(1),
  /** The interval excludes 1.0. */
  significant: z.boolean(),
  candidateStatMs: z.number().nonnegative(),
  baselineStatMs: z.number().nonnegative(),
  cycles: z.number().int().positive(),
  /** Session pairs the cycles came from (the bootstrap's first stage); absent in results stored before it existed: 1. */
  sessions: z.number().int().positive().optional(),
  resamples: z.number().int().min(1000),
  seed: z.number().int(),
  method: z.string(),
});
export type TPairedRatio = z.infer<typeof ZPairedRatio>;

export const PAIRED_RATIO_METHOD =
  'percentile bootstrap over ABBA cycles (cycles drawn with replacement; both models keep the same drawn cycles)';
export const PAIRED_RATIO_METHOD_SESSIONS =
  'two-stage percentile bootstrap: session pairs drawn with replacement, then the cycles of each drawn session with ' +
  'replacement (both models keep the same drawn cycles)';

/** Cycle indices grouped by session; checks the labels. */
function groupBySession(sessionOfCycle: readonly number[] | undefined, cycles: number): number[][] {
  if (!sessionOfCycle) return [Array.from({ length: cycles }, (_, i) => i)];
  if (sessionOfCycle.length !== cycles) {
    throw new SlimboardError('bad_schedule', `sessionOfCycle has ${sessionOfCycle.length} labels for ${cycles} cycles`);
  }
  const groups: number[][] = [];
  sessionOfCycle.forEach((s, i) => {
    if (!Number.isInteger(s) || s < 0 || s >= cycles) {
      throw new SlimboardError('bad_schedule', `cycle ${i}: session label ${s} is not an integer in [0, ${cycles - 1}]`);
    }
    (groups[s] ??= []).push(i);
  });
  const missing = groups.findIndex((g) => g === undefined);
  if (missing >= 0 || groups.length === 0) {
    throw new SlimboardError('bad_schedule', `session ${missing} has no cycles: labels must be 0..S-1, each used`);
  }
  return groups;
}

function statOf(values: Float64Array, statistic: TLatencyStatistic): number {
  if (statistic === 'mean') {
    let s = 0;
    for (let i = 0; i < values.length; i++) s += values[i];
    return s / values.length;
  }
  values.sort();
  return percentileSorted(values, statistic === 'p50' ? 0.5 : 0.9);
}

function checkSamples(cycles: readonly PairedCycle[]): void {
  if (cycles.length === 0) throw new SlimboardError('empty_samples', 'paired latency needs at least one ABBA cycle of samples');
  cycles.forEach((c, i) => {
    for (const [arm, xs] of [['candidate', c.candidateMs], ['baseline', c.baselineMs]] as const) {
      if (xs.length === 0) throw new SlimboardError('empty_samples', `cycle ${i} has no ${arm} samples`);
      for (const v of xs) {
        if (!Number.isFinite(v) || v < 0) {
          throw new SlimboardError('bad_sample', `cycle ${i}: ${arm} sample ${v} is not a finite number >= 0`);
        }
      }
    }
  });
}

/** Pool one arm's samples of the cycles with the given indices. */
function pool(cycles: readonly PairedCycle[], indices: ArrayLike<number>, arm: 'candidateMs' | 'baselineMs'): Float64Array {
  let n = 0;
  for (let i = 0; i < indices.length; i++) n += cycles[indices[i]][arm].length;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < indices.length; i++) {
    const xs = cycles[indices[i]][arm];
    for (let j = 0; j < xs.length; j++) out[k++] = xs[j];
  }
  return out;
}

function ratioOf(cand: number, base: number): number {
  if (base > 0) return cand / base;
  // Both zero (a clock too coarse for the model): no measurable difference.
  if (cand === 0) return 1;
  throw new SlimboardError('bad_sample', "baseline statistic is 0 while the candidate's is not: the clock is too coarse to compare");
}

/** Ratio candidate/baseline of a statistic with a bootstrap confidence interval over cycles (see the header). */
export function pairedLatencyRatio(cycles: readonly PairedCycle[], options: PairedRatioOptions = {}): TPairedRatio {
  const statistic = options.statistic ?? 'p50';
  const resamples = options.resamples ?? 2000;
  const seed = options.seed ?? 20261204;
  const confidence = options.confidence ?? 0.95;
  if (!LATENCY_STATISTICS.includes(statistic)) {
    throw new SlimboardError('bad_statistic', `statistic must be one of ${LATENCY_STATISTICS.join('|')}, got "${statistic}"`);
  }
  if (!Number.isInteger(resamples) || resamples < 1000) {
    throw new SlimboardError('bad_resamples', `bootstrap resamples must be an integer >= 1000, got ${resamples}`);
  }
  if (!(confidence > 0 && confidence < 1)) throw new SlimboardError('bad_confidence', `confidence must be in (0, 1), got ${confidence}`);
  if (!Number.isInteger(seed)) throw new SlimboardError('bad_seed', `seed must be an integer, got ${seed}`);
  checkSamples(cycles);

  const c = cycles.length;
  const all = Array.from({ length: c }, (_, i) => i);
  const candidateStatMs = statOf(pool(cycles, all, 'candidateMs'), statistic);
  const baselineStatMs = statOf(pool(cycles, all, 'baselineMs'), statistic);
  const ratio = ratioOf(candidateStatMs, baselineStatMs);

  const groups = groupBySession(options.sessionOfCycle, c);
  const draw = (n: number) => Math.min(n - 1, Math.floor(random() * n));
  const random = mulberry32(seed);
  const ratios = new Float64Array(resamples);
  const drawn: number[] = [];
  for (let r = 0; r < resamples; r++) {
    drawn.length = 0;
    if (groups.length === 1) {
      // One session: the plain cycle bootstrap (same draws as before sessions existed).
      for (let i = 0; i < c; i++) drawn.push(draw(c));
    } else {
      for (let g = 0; g < groups.length; g++) {
        const members = groups[draw(groups.length)];
        for (let i = 0; i < members.length; i++) drawn.push(members[draw(members.length)]);
      }
    }
    ratios[r] = ratioOf(statOf(pool(cycles, drawn, 'candidateMs'), statistic), statOf(pool(cycles, drawn, 'baselineMs'), statistic));
  }
  ratios.sort();
  const alpha = 1 - confidence;
  const ci: [number, number] = [percentileSorted(ratios, alpha / 2), percentileSorted(ratios, 1 - alpha / 2)];
  return {
    statistic,
    ratio,
    ci,
    confidence,
    significant: ci[0] > 1 || ci[1] < 1,
    candidateStatMs,
    baselineStatMs,
    cycles: c,
    sessions: groups.length,
    resamples,
    seed,
    method: groups.length > 1 ? PAIRED_RATIO_METHOD_SESSIONS : PAIRED_RATIO_METHOD,
  };
}

/**
 * Split two run-ordered sample lists into ABBA cycles: cycle c holds samples
 * [c * perCycle, (c + 1) * perCycle) of each list, perCycle = 2 x blockRuns (the two blocks of that
 * model in the cycle). This is how `benchmarkPaired` stores samples; the lists must hold whole cycles.
 */
export function cyclesFromSamples(candidateMs: readonly number[], baselineMs: readonly number[], blockRuns: number): PairedCycle[] {
  if (!Number.isInteger(blockRuns) || blockRuns < 1) {
    throw new SlimboardError('bad_schedule', `blockRuns must be an integer >= 1, got ${blockRuns}`);
  }
  const per = 2 * blockRuns;
  if (candidateMs.length !== baselineMs.length || candidateMs.length % per !== 0) {
    throw new SlimboardError(
      'bad_schedule',
      `samples do not form whole ABBA cycles of ${per} per model: ` +
        `${candidateMs.length} candidate and ${baselineMs.length} baseline samples`,
    );
  }
  const out: PairedCycle[] = [];
  for (let i = 0; i < candidateMs.length; i += per) {
    out.push({ candidateMs: candidateMs.slice(i, i + per), baselineMs: baselineMs.slice(i, i + per) });
  }
  return out;
}

const MINUS = '\u2212';

/** A signed percent with one decimal and a unicode minus: −28.5, +1.2, +0.0. */
export function formatSignedPercent(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  if (rounded === 0) return '+0.0';
  return `${rounded < 0 ? MINUS : '+'}${Math.abs(rounded).toFixed(1)}`;
}

/**
 * A latency change as a percent with its interval: `−28.5 % [−30.1, −26.8]`, or
 * `+1.2 % [−2.0, +4.3] (not significant)` when the interval contains 1.0.
 */
export function formatRatioChange(r: Pick<TPairedRatio, 'ratio' | 'ci' | 'significant'>): string {
  const pct = (x: number) => formatSignedPercent((x - 1) * 100);
  return `${pct(r.ratio)} % [${pct(r.ci[0])}, ${pct(r.ci[1])}]${r.significant ? '' : ' (not significant)'}`;
}
