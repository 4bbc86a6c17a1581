/**
 * Paired benchmark: a candidate model and its baseline measured in ONE process, on the SAME input
 * tensor, interleaved in ABBA cycles (method and statistics: ./paired-latency.ts, docs/paired-latency.md).
 *
 * Protocol, repeated for each of `sessions` session pairs, one pair after the other:
 *  1. Both sessions are created with the same options (through lib/inference/ort.ts; which model is
 *     created first alternates between pairs), each run once (timed: the first pair's is the reported
 *     cold start) and warmed up ON ITS OWN until both `warmupMinRuns` runs and `warmupMinMs` ms.
 *  2. Timed: ABBA cycles (candidate, baseline, baseline, candidate; `blockRuns` runs per block) until
 *     the pair has done its share of `minCycles` cycles and of `minMs` ms of timed running (ceil of
 *     1/sessions each). Every run is timed on its own with `performance.now()` (one clock read between
 *     runs, as in the latency harness); every raw sample is kept in run order, so cycle c holds samples
 *     [2·blockRuns·c, 2·blockRuns·(c+1)) of each model, and `schedule.cyclesPerSession` says which pair.
 *  3. The pair is released before the next is created.
 *  Result: per-model statistics, the candidate/baseline ratio with its two-stage (session, cycle)
 *  bootstrap interval, and the machine load over the timed phases (noise guard, ./machine-load.ts).
 * Why several pairs: two sessions of the same file differ by a persistent few percent (docs/paired-latency.md).
 * The sessions' memory is held one pair at a time, so a large model costs no more than before.
 * What is timed is `session.run` only, as in lib/inference/latency-harness.ts.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { formatZodIssues, SlimboardError } from '../errors';
import { makeFingerprint, ZLatencyFingerprint } from '../inference/runtime/fingerprint';
import { buildBenchmarkFeeds, findImageInput } from '../inference/runtime/latency-harness';
import { summarizeLatency } from '../inference/runtime/latency-statistics';
import { readModelIdentity } from '../inference/runtime/model-identity';
import { createSession, type Session, type SessionOptions } from '../inference/runtime/ort';
import { machineLoadBetween, noiseThresholdsFromEnv, takeLoadSnapshot, ZMachineLoad, type NoiseThresholds } from './machine-load';
import { cyclesFromSamples, pairedLatencyRatio, ZLatencyStatistic, ZPairedRatio, type TLatencyStatistic } from './paired-latency';

export const ZPairedProtocol = z.object({
  warmupMinRuns: z.number().int().min(0),
  warmupMinMs: z.number().min(0),
  /** Timed runs per block; a cycle is 4 blocks (2 per model). */
  blockRuns: z.number().int().min(1),
  /** Over all session pairs together. */
  minCycles: z.number().int().min(1),
  /** Session pairs measured one after the other (each warmed up on its own); absent in stored results from before: 1. */
  sessions: z.number().int().min(1).max(64).optional(),
  /** Minimum wall time of the timed phase (both models together). */
  minMs: z.number().min(0),
});
export type TPairedProtocol = z.infer<typeof ZPairedProtocol>;

/**
 * Standard: 6 session pairs of ≥ 5 cycles of 4 × 5 runs, ≥ 10 s timed in all, so ≥ 300 samples per model;
 * each session warmed up for ≥ 10 runs and 0.5 s.
 */
export const STANDARD_PAIRED_PROTOCOL: TPairedProtocol = {
  warmupMinRuns: 10,
  warmupMinMs: 500,
  blockRuns: 5,
  minCycles: 30,
  minMs: 10_000,
  sessions: 6,
};
/** For tests and smoke runs only (2 pairs, 16 samples per model); results say `quick: true`. */
export const QUICK_PAIRED_PROTOCOL: TPairedProtocol = {
  warmupMinRuns: 2,
  warmupMinMs: 0,
  blockRuns: 2,
  minCycles: 4,
  minMs: 0,
  sessions: 2,
};

export const ZLatencySummary = z.object({
  count: z.number().int().positive(),
  p50Ms: z.number(),
  p90Ms: z.number(),
  p99Ms: z.number(),
  meanMs: z.number(),
  stdMs: z.number(),
  minMs: z.number(),
  maxMs: z.number(),
  throughputPerS: z.number(),
});

export const ZPairedArm = z.object({
  model: z.string(),
  fingerprint: ZLatencyFingerprint,
  coldStart: z.object({ sessionCreateMs: z.number(), firstRunMs: z.number() }),
  warmup: z.object({ runs: z.number().int(), elapsedMs: z.number() }),
  summary: ZLatencySummary,
  /** Every timed sample (ms, wall clock) in run order. */
  samplesMs: z.array(z.number().nonnegative()),
  /**
   * CPU time of the whole process (user + system, all threads, from process.cpuUsage) per run, in ms, in the
   * same order. Unlike wall time it does not grow while the process waits for a core, so on a shared machine
   * it is the steadier number; it still grows with cache and memory-bandwidth contention and spin-waiting.
   */
  cpuSamplesMs: z.array(z.number().nonnegative()),
});
export type TPairedArm = z.infer<typeof ZPairedArm>;

export const ZPairedLatencyResult = z
  .object({
    kind: z.literal('paired-latency'),
    /** 1: one session pair (no `sessions` in the schedule); 2: session replicates. */
    schemaVersion: z.union([z.literal(1), z.literal(2)]),
    inputSize: z.number().int().positive(),
    protocol: ZPairedProtocol,
    quick: z.boolean(),
    schedule: z.object({
      order: z.literal('ABBA'),
      a: z.literal('candidate'),
      blockRuns: z.number().int().positive(),
      cycles: z.number().int().positive(),
      /** Cycles measured by each session pair, in order (sums to `cycles`); absent (one pair) in schema version 1. */
      cyclesPerSession: z.array(z.number().int().positive()).optional(),
    }),
    timedElapsedMs: z.number().nonnegative(),
    candidate: ZPairedArm,
    baseline: ZPairedArm,
    /** The ratio of wall-clock latency (the headline number). */
    comparison: ZPairedRatio,
    /** The same statistic on per-run process CPU time: a cross-check that is less sensitive to a busy machine. */
    cpuComparison: ZPairedRatio,
    machineLoad: ZMachineLoad,
    /**
     * Whether the verdict may be trusted: false when the machine was flagged busy or the protocol was quick.
     * Under heavy load the wall-time interval was measured to be too narrow (an A/A control excluded 1.0; see
     * docs/paired-latency.md), so a busy result's `significant` must not be shown as a win or a loss.
     */
    verdictTrusted: z.boolean(),
    measuredAt: z.string(),
  })
  .superRefine((r, ctx) => {
    const perSession = r.schedule.cyclesPerSession;
    if (perSession && perSession.reduce((a, b) => a + b, 0) !== r.schedule.cycles) {
      ctx.addIssue({ code: 'custom', path: ['schedule', 'cyclesPerSession'], message: `does not sum to ${r.schedule.cycles} cycles` });
    }
    const expected = 2 * r.schedule.blockRuns * r.schedule.cycles;
    for (const arm of ['candidate', 'baseline'] as const) {
      for (const key of ['samplesMs', 'cpuSamplesMs'] as const) {
        if (r[arm][key].length !== expected) {
          const message = `expected ${expected} samples (2 x blockRuns x cycles), got ${r[arm][key].length}`;
          ctx.addIssue({ code: 'custom', path: [arm, key], message });
        }
      }
    }
  });
export type TPairedLatencyResult = z.infer<typeof ZPairedLatencyResult>;

export interface BenchmarkPairedOptions {
  candidatePath: string;
  baselinePath: string;
  inputSize: number;
  /** Intra-op threads for both sessions (default 1). Other session options: `session`. */
  threads?: number;
  session?: Omit<SessionOptions, 'intraOpNumThreads'>;
  protocol?: TPairedProtocol;
  statistic?: TLatencyStatistic;
  /** Bootstrap resamples (default 2000, at least 1000). */
  resamples?: number;
  thresholds?: NoiseThresholds;
  signal?: AbortSignal;
  /** Called after each cycle with the fraction of the planned timed phase done (0..1). */
  onProgress?: (fraction: number) => void;
}

async function readModel(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new SlimboardError('file_not_found', `${path}: cannot read model file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

async function firstRun(run: () => Promise<void>, label: string, inputSize: number): Promise<number> {
  const t0 = performance.now();
  try {
    await run();
  } catch (e) {
    if (e instanceof SlimboardError && e.code === 'model_run_failed') {
      const why = e.message.replace(`${label}: `, '');
      throw new SlimboardError('bad_input_size', `${label}: the model cannot run at input size ${inputSize}x${inputSize} (${why})`);
    }
    throw e;
  }
  return performance.now() - t0;
}

async function warmUp(run: () => Promise<void>, p: TPairedProtocol): Promise<{ runs: number; elapsedMs: number }> {
  let runs = 0;
  const start = performance.now();
  while (runs < p.warmupMinRuns || performance.now() - start < p.warmupMinMs) {
    await run();
    runs++;
  }
  return { runs, elapsedMs: performance.now() - start };
}

interface Clocks {
  wallMs: number;
  cpuUs: number;
}

function readClocks(): Clocks {
  const wallMs = performance.now();
  const u = process.cpuUsage();
  return { wallMs, cpuUs: u.user + u.system };
}

/** Time `n` runs back to back, one read of both clocks between runs; returns the clocks at the end. */
async function timeBlock(run: () => Promise<void>, n: number, into: { wall: number[]; cpu: number[] }, start: Clocks): Promise<Clocks> {
  let prev = start;
  for (let i = 0; i < n; i++) {
    await run();
    const now = readClocks();
    into.wall.push(now.wallMs - prev.wallMs);
    into.cpu.push(Math.max(0, now.cpuUs - prev.cpuUs) / 1000);
    prev = now;
  }
  return prev;
}

/** Measure a candidate and its baseline as a pair (see the header). */
export async function benchmarkPaired(options: BenchmarkPairedOptions): Promise<TPairedLatencyResult> {
  const parsed = ZPairedProtocol.safeParse(options.protocol ?? STANDARD_PAIRED_PROTOCOL);
  if (!parsed.success) throw new SlimboardError('bad_protocol', `paired latency protocol: ${formatZodIssues(parsed.error.issues)}`);
  const protocol = parsed.data;
  const statistic = options.statistic ?? 'p50';
  if (!ZLatencyStatistic.safeParse(statistic).success) {
    throw new SlimboardError('bad_statistic', `statistic must be p50, p90 or mean, got "${statistic}"`);
  }
  const keys = Object.keys(STANDARD_PAIRED_PROTOCOL) as Array<keyof TPairedProtocol>;
  const quick = keys.some((k) => (protocol[k] ?? 1) < (STANDARD_PAIRED_PROTOCOL[k] ?? 1));
  const sessionOptions: SessionOptions = { ...options.session, intraOpNumThreads: options.threads ?? 1 };
  const [candidateBytes, baselineBytes] = await Promise.all([readModel(options.candidatePath), readModel(options.baselinePath)]);
  const ids = {
    candidate: readModelIdentity(candidateBytes, options.candidatePath),
    baseline: readModelIdentity(baselineBytes, options.baselinePath),
  };
  const pairs = protocol.sessions ?? 1;
  const cyclesPerPair = Math.ceil(protocol.minCycles / pairs);
  const msPerPair = protocol.minMs / pairs;

  const candSamples = { wall: [] as number[], cpu: [] as number[] };
  const baseSamples = { wall: [] as number[], cpu: [] as number[] };
  const cyclesPerSession: number[] = [];
  const warm = { candidate: { runs: 0, elapsedMs: 0 }, baseline: { runs: 0, elapsedMs: 0 } };
  let first: PairStart | undefined;
  let timedElapsedMs = 0;
  const loadBefore = takeLoadSnapshot();
  for (let pair = 0; pair < pairs; pair++) {
    options.signal?.throwIfAborted();
    const open = await openPair(candidateBytes, baselineBytes, options, sessionOptions, pair % 2 === 1);
    try {
      first ??= open.start;
      options.signal?.throwIfAborted();
      for (const [arm, run] of [['candidate', open.runCand], ['baseline', open.runBase]] as const) {
        const w = await warmUp(run, protocol);
        warm[arm].runs += w.runs;
        warm[arm].elapsedMs += w.elapsedMs;
      }
      const start = readClocks();
      let now = start;
      let cycles = 0;
      while (cycles < cyclesPerPair || now.wallMs - start.wallMs < msPerPair) {
        options.signal?.throwIfAborted();
        now = await timeBlock(open.runCand, protocol.blockRuns, candSamples, now);
        now = await timeBlock(open.runBase, protocol.blockRuns, baseSamples, now);
        now = await timeBlock(open.runBase, protocol.blockRuns, baseSamples, now);
        now = await timeBlock(open.runCand, protocol.blockRuns, candSamples, now);
        cycles++;
        const done = Math.min(cycles / cyclesPerPair, msPerPair > 0 ? (now.wallMs - start.wallMs) / msPerPair : 1);
        options.onProgress?.(Math.min(1, (pair + Math.min(1, done)) / pairs));
      }
      cyclesPerSession.push(cycles);
      timedElapsedMs += now.wallMs - start.wallMs;
    } finally {
      await open.release();
    }
  }
  const machineLoad = machineLoadBetween(loadBefore, takeLoadSnapshot(), options.thresholds ?? noiseThresholdsFromEnv());
  if (!first) throw new SlimboardError('bad_protocol', 'paired latency protocol: at least one session pair is needed');

  const sessionOfCycle = cyclesPerSession.flatMap((n, pair) => Array.from({ length: n }, () => pair));
  const ratioOf = (key: 'wall' | 'cpu') =>
    pairedLatencyRatio(cyclesFromSamples(candSamples[key], baseSamples[key], protocol.blockRuns), {
      statistic,
      resamples: options.resamples,
      sessionOfCycle,
    });
  const comparison = ratioOf('wall');
  const cpuComparison = ratioOf('cpu');
  const start = first;
  const arm = (which: 'candidate' | 'baseline', path: string, samples: typeof candSamples): TPairedArm => ({
    model: path,
    fingerprint: makeFingerprint({
      options: start.sessionOptions,
      opset: ids[which].opset,
      modelSha256: ids[which].sha256,
      inputShape: start.inputShape,
    }),
    coldStart: start.coldStart[which],
    warmup: warm[which],
    summary: summarizeLatency(samples.wall),
    samplesMs: samples.wall,
    cpuSamplesMs: samples.cpu,
  });
  return {
    kind: 'paired-latency',
    schemaVersion: 2,
    inputSize: options.inputSize,
    protocol,
    quick,
    schedule: { order: 'ABBA', a: 'candidate', blockRuns: protocol.blockRuns, cycles: sessionOfCycle.length, cyclesPerSession },
    timedElapsedMs,
    candidate: arm('candidate', options.candidatePath, candSamples),
    baseline: arm('baseline', options.baselinePath, baseSamples),
    comparison,
    cpuComparison,
    machineLoad,
    verdictTrusted: !machineLoad.busy && !quick,
    measuredAt: new Date().toISOString(),
  };
}

interface PairStart {
  sessionOptions: Session['options'];
  inputShape: number[];
  coldStart: Record<'candidate' | 'baseline', { sessionCreateMs: number; firstRunMs: number }>;
}

/**
 * Create one session pair on the same input tensor and run each model once (timed). `baselineFirst`
 * swaps the creation order, so neither model always gets the allocator's first pick.
 */
async function openPair(
  candidateBytes: Uint8Array,
  baselineBytes: Uint8Array,
  options: BenchmarkPairedOptions,
  sessionOptions: SessionOptions,
  baselineFirst: boolean,
): Promise<{ runCand: () => Promise<void>; runBase: () => Promise<void>; start: PairStart; release: () => Promise<void> }> {
  const sessions: Session[] = [];
  const release = async () => {
    for (const s of sessions) await s.release();
  };
  try {
    const open = async (bytes: Uint8Array, label: string) => {
      const t0 = performance.now();
      const s = await createSession(bytes, sessionOptions, label);
      sessions.push(s);
      return { session: s, sessionCreateMs: performance.now() - t0 };
    };
    let cand, base;
    if (baselineFirst) {
      base = await open(baselineBytes, options.baselinePath);
      cand = await open(candidateBytes, options.candidatePath);
    } else {
      cand = await open(candidateBytes, options.candidatePath);
      base = await open(baselineBytes, options.baselinePath);
    }
    const candFeeds = buildBenchmarkFeeds(cand.session.inputs, options.inputSize, options.candidatePath);
    const baseFeeds = buildBenchmarkFeeds(base.session.inputs, options.inputSize, options.baselinePath);
    // The very same image tensor for both (the builders fill it identically; sharing rules out any doubt).
    const candImage = findImageInput(cand.session.inputs, options.candidatePath).name;
    const baseImage = findImageInput(base.session.inputs, options.baselinePath).name;
    if (candFeeds.inputShape.join() !== baseFeeds.inputShape.join()) {
      throw new SlimboardError(
        'incomparable_models',
        `${options.candidatePath} takes [${candFeeds.inputShape.join(', ')}] but baseline ${options.baselinePath} ` +
          `takes [${baseFeeds.inputShape.join(', ')}]: a paired benchmark needs the same input`,
      );
    }
    baseFeeds.feeds[baseImage] = candFeeds.feeds[candImage];
    const runCand = cand.session.prepare(candFeeds.feeds);
    const runBase = base.session.prepare(baseFeeds.feeds);
    const candFirst = await firstRun(runCand, options.candidatePath, options.inputSize);
    const baseFirst = await firstRun(runBase, options.baselinePath, options.inputSize);
    const start: PairStart = {
      sessionOptions: cand.session.options,
      inputShape: candFeeds.inputShape,
      coldStart: {
        candidate: { sessionCreateMs: cand.sessionCreateMs, firstRunMs: candFirst },
        baseline: { sessionCreateMs: base.sessionCreateMs, firstRunMs: baseFirst },
      },
    };
    return { runCand, runBase, start, release };
  } catch (e) {
    await release();
    throw e;
  }
}
