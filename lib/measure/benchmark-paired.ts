/**
 * Paired benchmark: a candidate model and its baseline measured in ONE process, on the SAME input
 * tensor, interleaved in ABBA cycles (method and statistics: ./paired-latency.ts, docs/paired-latency.md).
 *
 * Protocol:
 *  1. Both sessions are created with the same options (through lib/inference/ort.ts), each run once
 *     (cold start, timed) and warmed up ON ITS OWN until both `warmupMinRuns` runs and `warmupMinMs` ms.
 *  2. Timed: ABBA cycles (candidate, baseline, baseline, candidate; `blockRuns` runs per block) until
 *     both `minCycles` cycles and `minMs` ms of timed running. Every run is timed on its own with
 *     `performance.now()` (one clock read between runs, as in the latency harness); every raw sample of
 *     both models is kept, in run order, so cycle c holds samples [2·blockRuns·c, 2·blockRuns·(c+1)).
 *  3. Result: per-model statistics, the candidate/baseline ratio with its bootstrap interval, and the
 *     machine load over the timed phase (noise guard, ./machine-load.ts).
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
  minCycles: z.number().int().min(1),
  /** Minimum wall time of the timed phase (both models together). */
  minMs: z.number().min(0),
});
export type TPairedProtocol = z.infer<typeof ZPairedProtocol>;

/** Standard: ≥ 30 cycles of 4 × 5 runs and ≥ 10 s timed, so ≥ 300 samples per model. */
export const STANDARD_PAIRED_PROTOCOL: TPairedProtocol = {
  warmupMinRuns: 10,
  warmupMinMs: 1000,
  blockRuns: 5,
  minCycles: 30,
  minMs: 10_000,
};
/** For tests and smoke runs only (16 samples per model); results say `quick: true`. */
export const QUICK_PAIRED_PROTOCOL: TPairedProtocol = { warmupMinRuns: 2, warmupMinMs: 0, blockRuns: 2, minCycles: 4, minMs: 0 };

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
    schemaVersion: z.literal(1),
    inputSize: z.number().int().positive(),
    protocol: ZPairedProtocol,
    quick: z.boolean(),
    schedule: z.object({
      order: z.literal('ABBA'),
      a: z.literal('candidate'),
      blockRuns: z.number().int().positive(),
      cycles: z.number().int().positive(),
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
  const quick = keys.some((k) => protocol[k] < STANDARD_PAIRED_PROTOCOL[k]);
  const sessionOptions: SessionOptions = { ...options.session, intraOpNumThreads: options.threads ?? 1 };
  const [candidateBytes, baselineBytes] = await Promise.all([readModel(options.candidatePath), readModel(options.baselinePath)]);
  const ids = {
    candidate: readModelIdentity(candidateBytes, options.candidatePath),
    baseline: readModelIdentity(baselineBytes, options.baselinePath),
  };

  const sessions: Session[] = [];
  try {
    const open = async (bytes: Uint8Array, label: string) => {
      const t0 = performance.now();
      const s = await createSession(bytes, sessionOptions, label);
      sessions.push(s);
      return { session: s, sessionCreateMs: performance.now() - t0 };
    };
    const cand = await open(candidateBytes, options.candidatePath);
    const base = await open(baselineBytes, options.baselinePath);

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
    options.signal?.throwIfAborted();
    const candWarm = await warmUp(runCand, protocol);
    options.signal?.throwIfAborted();
    const baseWarm = await warmUp(runBase, protocol);

    const candSamples = { wall: [] as number[], cpu: [] as number[] };
    const baseSamples = { wall: [] as number[], cpu: [] as number[] };
    const loadBefore = takeLoadSnapshot();
    const start = readClocks();
    let now = start;
    let cycles = 0;
    while (cycles < protocol.minCycles || now.wallMs - start.wallMs < protocol.minMs) {
      options.signal?.throwIfAborted();
      now = await timeBlock(runCand, protocol.blockRuns, candSamples, now);
      now = await timeBlock(runBase, protocol.blockRuns, baseSamples, now);
      now = await timeBlock(runBase, protocol.blockRuns, baseSamples, now);
      now = await timeBlock(runCand, protocol.blockRuns, candSamples, now);
      cycles++;
      const done = Math.min(cycles / protocol.minCycles, protocol.minMs > 0 ? (now.wallMs - start.wallMs) / protocol.minMs : 1);
      options.onProgress?.(Math.min(1, done));
    }
    const timedElapsedMs = now.wallMs - start.wallMs;
    const machineLoad = machineLoadBetween(loadBefore, takeLoadSnapshot(), options.thresholds ?? noiseThresholdsFromEnv());

    const ratioOf = (key: 'wall' | 'cpu') =>
      pairedLatencyRatio(cyclesFromSamples(candSamples[key], baseSamples[key], protocol.blockRuns), {
        statistic,
        resamples: options.resamples,
      });
    const comparison = ratioOf('wall');
    const cpuComparison = ratioOf('cpu');
    type Warm = { runs: number; elapsedMs: number };
    type Samples = typeof candSamples;
    const arm = (path: string, s: typeof cand, first: number, warm: Warm, samples: Samples, id: typeof ids.candidate): TPairedArm => ({
      model: path,
      fingerprint: makeFingerprint({
        options: s.session.options,
        opset: id.opset,
        modelSha256: id.sha256,
        inputShape: candFeeds.inputShape,
      }),
      coldStart: { sessionCreateMs: s.sessionCreateMs, firstRunMs: first },
      warmup: warm,
      summary: summarizeLatency(samples.wall),
      samplesMs: samples.wall,
      cpuSamplesMs: samples.cpu,
    });
    return {
      kind: 'paired-latency',
      schemaVersion: 1,
      inputSize: options.inputSize,
      protocol,
      quick,
      schedule: { order: 'ABBA', a: 'candidate', blockRuns: protocol.blockRuns, cycles },
      timedElapsedMs,
      candidate: arm(options.candidatePath, cand, candFirst, candWarm, candSamples, ids.candidate),
      baseline: arm(options.baselinePath, base, baseFirst, baseWarm, baseSamples, ids.baseline),
      comparison,
      cpuComparison,
      machineLoad,
      verdictTrusted: !machineLoad.busy && !quick,
      measuredAt: new Date().toISOString(),
    };
  } finally {
    for (const s of sessions) await s.release();
  }
}
