/**
 * Slimboard's latency harness: one protocol for every latency number the app shows.
 *
 * Protocol (also in the README):
 *  1. Cold start: the session is created (timed: sessionCreateMs) and run once (timed: firstRunMs).
 *     onnxruntime's native library is loaded when lib/inference/runtime/ort.ts is imported, before this.
 *  2. Warm-up: runs until BOTH at least `warmupMinRuns` runs and `warmupMinMs` ms have passed
 *     (default 10 runs and 2 s). Not recorded as samples.
 *  3. Timed: runs until BOTH at least `timedMinRuns` runs and `timedMinMs` ms (default 100 and 10 s),
 *     every run timed on its own with the monotonic clock `performance.now()`; raw samples kept.
 *  4. Statistics: p50/p90/p99 (linear interpolation), mean, population std, min, max, throughput
 *     (= 1000 / mean, runs per second) over the timed samples; see latency-statistics.ts.
 * Batch 1, fixed input shape [1, C, S, S] (square input size S), same deterministic input every run.
 * What is timed is `session.run` only (the model graph): image decoding, preprocessing and any
 * JavaScript post-processing are NOT included; NMS is included only when it is inside the graph
 * (the result says which, from the graph's op types).
 */
import { readFile } from 'node:fs/promises';
import { SlimboardError } from '../../errors';
import { createSession, type InputTensor, type SessionOptions, type ValueInfo } from './ort';
import { makeFingerprint, type TLatencyFingerprint } from './fingerprint';
import { graphContainsNms, readModelIdentity } from './model-identity';
import { summarizeLatency, type LatencySummary } from './latency-statistics';
import {
  machineLoadBetween,
  noiseThresholdsFromEnv,
  takeLoadSnapshot,
  type NoiseThresholds,
  type TMachineLoad,
} from '../../measure/machine-load';
import os from 'node:os';

export interface LatencyProtocol {
  warmupMinRuns: number;
  warmupMinMs: number;
  timedMinRuns: number;
  timedMinMs: number;
}

/** The protocol of every published Slimboard number. */
export const STANDARD_PROTOCOL: LatencyProtocol = { warmupMinRuns: 10, warmupMinMs: 2000, timedMinRuns: 100, timedMinMs: 10_000 };
/** For tests and quick looks only: numbers taken with it are flagged `quick: true`. */
export const QUICK_PROTOCOL: LatencyProtocol = { warmupMinRuns: 2, warmupMinMs: 0, timedMinRuns: 10, timedMinMs: 0 };

export interface LatencyMeasurement {
  model: string;
  fingerprint: TLatencyFingerprint;
  protocol: LatencyProtocol;
  quick: boolean;
  batch: 1;
  coldStart: { sessionCreateMs: number; firstRunMs: number };
  warmup: { runs: number; elapsedMs: number };
  timed: { runs: number; elapsedMs: number };
  summary: LatencySummary;
  /** Raw timed samples in run order (ms). */
  samplesMs: number[];
  postprocessing: { nmsInGraph: boolean; javascriptPostprocessingIncluded: false; statement: string };
  /** 1-minute load average before and after: a busy machine makes numbers noisy. */
  loadAverage1m: { before: number; after: number };
  /** Noise guard over the timed phase: other processes' CPU, steal, load, `busy` flag (lib/measure/machine-load.ts). */
  machineLoad: TMachineLoad;
  measuredAt: string;
}

/** Deterministic pseudo-random values in [0, 1) (32-bit LCG, Numerical Recipes constants). */
export function fillDeterministic(out: Float32Array, seed = 12345): Float32Array {
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296;
  }
  return out;
}

/** Size of the image a model's input takes: [channels, height, width]; numbers where fixed, null where dynamic. */
function imageDims(info: ValueInfo): [number | null, number | null, number | null] {
  const d = info.shape.map((x) => (typeof x === 'number' && x > 0 ? x : null));
  return [d[1], d[2], d[3]];
}

/** Find the image input: the float input of rank 4 (NCHW). */
export function findImageInput(inputs: readonly ValueInfo[], label: string): ValueInfo {
  const candidates = inputs.filter((i) => i.isTensor && i.type === 'float32' && i.shape.length === 4);
  if (candidates.length === 0) {
    throw new SlimboardError(
      'no_image_input',
      `${label}: no float32 input of rank 4 (NCHW image); inputs: ${inputs.map((i) => `${i.name}[${i.shape.join(',')}]`).join(', ')}`,
    );
  }
  if (candidates.length > 1) {
    throw new SlimboardError(
      'ambiguous_image_input',
      `${label}: several rank-4 float inputs (${candidates.map((c) => c.name).join(', ')}); cannot tell which is the image`,
    );
  }
  return candidates[0];
}

/**
 * Feeds for a benchmark run at input size S: image [1, C, S, S] with deterministic values in [0, 1);
 * PaddleDetection's `im_shape` = [[S, S]] and `scale_factor` = [[1, 1]]; any other input must have a
 * fully fixed shape and gets zeros.
 */
export function buildBenchmarkFeeds(
  inputs: readonly ValueInfo[],
  inputSize: number,
  label: string,
): { feeds: Record<string, InputTensor>; inputShape: number[] } {
  if (!Number.isInteger(inputSize) || inputSize < 1 || inputSize > 8192) {
    throw new SlimboardError('bad_input_size', `input size must be an integer in [1, 8192], got ${inputSize}`);
  }
  const image = findImageInput(inputs, label);
  const [c, h, w] = imageDims(image);
  if ((h !== null && h !== inputSize) || (w !== null && w !== inputSize)) {
    throw new SlimboardError(
      'bad_input_size',
      `${label}: input "${image.name}" has fixed size ${h ?? '?'}x${w ?? '?'}, cannot take ${inputSize}x${inputSize}`,
    );
  }
  const channels = c ?? 3;
  const inputShape = [1, channels, inputSize, inputSize];
  const feeds: Record<string, InputTensor> = {
    [image.name]: { data: fillDeterministic(new Float32Array(channels * inputSize * inputSize)), dims: inputShape },
  };
  for (const info of inputs) {
    if (info.name === image.name) continue;
    if (/im_shape|image_shape/i.test(info.name)) {
      feeds[info.name] = { data: new Float32Array([inputSize, inputSize]), dims: [1, 2] };
    } else if (/scale_factor/i.test(info.name)) {
      feeds[info.name] = { data: new Float32Array([1, 1]), dims: [1, 2] };
    } else {
      const dims = info.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : NaN));
      if (dims.some((d) => Number.isNaN(d)) || (info.type !== 'float32' && info.type !== 'int32' && info.type !== 'int64')) {
        throw new SlimboardError(
          'unsupported_input',
          `${label}: cannot build a benchmark value for input "${info.name}" (${info.type}[${info.shape.join(',')}])`,
        );
      }
      const n = dims.reduce((a, b) => a * b, 1);
      const data = info.type === 'float32' ? new Float32Array(n) : info.type === 'int32' ? new Int32Array(n) : new BigInt64Array(n);
      feeds[info.name] = { data, dims };
    }
  }
  return { feeds, inputShape };
}

export interface MeasureLatencyOptions {
  inputSize: number;
  session?: SessionOptions;
  protocol?: LatencyProtocol;
  /** Thresholds of the busy flag; default: the SLIMBOARD_NOISE_* settings. */
  thresholds?: NoiseThresholds;
  /** Called after each phase (cold, warmup, timed) for progress display. */
  onPhase?: (phase: 'cold' | 'warmup' | 'timed', runs: number) => void;
}

function checkProtocol(p: LatencyProtocol): void {
  for (const [k, v] of Object.entries(p)) {
    if (!Number.isFinite(v) || v < 0)
      throw new SlimboardError('bad_protocol', `latency protocol ${k} must be a finite number >= 0, got ${v}`);
  }
  if (p.timedMinRuns < 1) throw new SlimboardError('bad_protocol', 'latency protocol timedMinRuns must be >= 1');
}

/**
 * One phase of the protocol: call `run` until at least `minRuns` runs AND `minMs` ms have passed.
 * With `keepSamples`, each run is timed on its own with ONE clock read between runs (the end of run i
 * is the start of run i+1), so the harness adds only a clock read, an array push and a comparison per
 * run; the samples then tile the phase exactly (their sum is `elapsedMs`).
 */
export async function runPhase(
  run: () => Promise<void>,
  minRuns: number,
  minMs: number,
  keepSamples: boolean,
): Promise<{ runs: number; elapsedMs: number; samplesMs: number[] }> {
  const samplesMs: number[] = [];
  let runs = 0;
  const start = performance.now();
  let prev = start;
  while (runs < minRuns || prev - start < minMs) {
    await run();
    const now = performance.now();
    if (keepSamples) samplesMs.push(now - prev);
    prev = now;
    runs++;
  }
  return { runs, elapsedMs: prev - start, samplesMs };
}

/** Measure one model at one input size under the protocol above. */
export async function measureLatency(modelPath: string, options: MeasureLatencyOptions): Promise<LatencyMeasurement> {
  const protocol = options.protocol ?? STANDARD_PROTOCOL;
  checkProtocol(protocol);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(modelPath);
  } catch (e) {
    throw new SlimboardError('file_not_found', `${modelPath}: cannot read model file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const identity = readModelIdentity(bytes, modelPath);
  const loadBefore = os.loadavg()[0];

  const t0 = performance.now();
  const session = await createSession(bytes, options.session, modelPath);
  const sessionCreateMs = performance.now() - t0;
  try {
    const { feeds, inputShape } = buildBenchmarkFeeds(session.inputs, options.inputSize, modelPath);
    const run = session.prepare(feeds);

    const t1 = performance.now();
    try {
      await run();
    } catch (e) {
      if (e instanceof SlimboardError && e.code === 'model_run_failed') {
        throw new SlimboardError(
          'bad_input_size',
          `${modelPath}: the model cannot run at input size ${options.inputSize}x${options.inputSize} ` +
            `(${e.message.replace(`${modelPath}: `, '')})`,
        );
      }
      throw e;
    }
    const firstRunMs = performance.now() - t1;
    options.onPhase?.('cold', 1);

    const warm = await runPhase(run, protocol.warmupMinRuns, protocol.warmupMinMs, false);
    options.onPhase?.('warmup', warm.runs);
    const loadSnapshot = takeLoadSnapshot();
    const timed = await runPhase(run, protocol.timedMinRuns, protocol.timedMinMs, true);
    const machineLoad = machineLoadBetween(loadSnapshot, takeLoadSnapshot(), options.thresholds ?? noiseThresholdsFromEnv());
    const samplesMs = timed.samplesMs;
    options.onPhase?.('timed', samplesMs.length);

    const nmsInGraph = graphContainsNms(identity);
    return {
      model: modelPath,
      fingerprint: makeFingerprint({ options: session.options, opset: identity.opset, modelSha256: identity.sha256, inputShape }),
      protocol,
      quick:
        protocol.timedMinRuns < STANDARD_PROTOCOL.timedMinRuns ||
        protocol.timedMinMs < STANDARD_PROTOCOL.timedMinMs ||
        protocol.warmupMinRuns < STANDARD_PROTOCOL.warmupMinRuns ||
        protocol.warmupMinMs < STANDARD_PROTOCOL.warmupMinMs,
      batch: 1,
      coldStart: { sessionCreateMs, firstRunMs },
      warmup: { runs: warm.runs, elapsedMs: warm.elapsedMs },
      timed: { runs: timed.runs, elapsedMs: timed.elapsedMs },
      summary: summarizeLatency(samplesMs),
      samplesMs,
      postprocessing: {
        nmsInGraph,
        javascriptPostprocessingIncluded: false,
        statement: nmsInGraph
          ? 'session.run only; the graph contains NMS, so NMS is included; no JavaScript pre/post-processing'
          : 'session.run only; no NMS in the graph and no JavaScript pre/post-processing: raw model outputs',
      },
      loadAverage1m: { before: loadBefore, after: os.loadavg()[0] },
      machineLoad,
      measuredAt: new Date().toISOString(),
    };
  } finally {
    await session.release();
  }
}
