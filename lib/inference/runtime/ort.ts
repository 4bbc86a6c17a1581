/**
 * The ONE module of Slimboard that imports onnxruntime-node. Everything else (latency harness,
 * detection pipeline, graph checks in lib/onnx) goes through this small typed API, so that the native
 * binding, its option names and its error messages are handled in one place.
 *
 * Conventions:
 * - Tensors are dense, row-major (C order); `dims` is the shape, e.g. [1, 3, H, W] for NCHW images.
 * - Errors that the user caused (not an ONNX file, a wrong input name, a wrong shape) become one-line
 *   `SlimboardError`s naming the model and the input.
 */
import ort from 'onnxruntime-node';
import { SlimboardError } from '../../errors';

/** Graph optimisation levels understood by onnxruntime ('layout' is an extension of 'extended'). */
export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'layout' | 'all';
export const GRAPH_OPTIMIZATION_LEVELS: readonly GraphOptimizationLevel[] = ['disabled', 'basic', 'extended', 'layout', 'all'];

/** Execution providers this build can use without extra downloads. Slimboard measures on 'cpu'. */
export type ExecutionProvider = 'cpu';

export interface SessionOptions {
  /** Threads used inside one operator (onnxruntime's intra-op pool). Default 1 here, not ORT's "all cores". */
  intraOpNumThreads?: number;
  /** Threads used to run independent operators in parallel (only matters with executionMode 'parallel'). Default 1. */
  interOpNumThreads?: number;
  /** Default 'all' (onnxruntime's default too). */
  graphOptimizationLevel?: GraphOptimizationLevel;
  /** Default ['cpu']. */
  executionProviders?: ExecutionProvider[];
  /** Default 'sequential'. */
  executionMode?: 'sequential' | 'parallel';
  /**
   * Whether idle intra-op threads spin-wait for work (onnxruntime's default: true, lowest latency).
   * false (config "session.intra_op.allow_spinning" = "0") frees the cores for other threads, which
   * matters when pre/post-processing workers share 2 cores with inference.
   */
  intraOpSpinning?: boolean;
}

/** The options a session was really created with: every field filled in (they go into fingerprints). */
export type ResolvedSessionOptions = Required<SessionOptions>;

export function resolveSessionOptions(options: SessionOptions = {}): ResolvedSessionOptions {
  const intra = options.intraOpNumThreads ?? 1;
  const inter = options.interOpNumThreads ?? 1;
  for (const [name, v] of [
    ['intraOpNumThreads', intra],
    ['interOpNumThreads', inter],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 256) {
      throw new SlimboardError('bad_session_options', `${name} must be an integer in [1, 256], got ${v}`);
    }
  }
  const level = options.graphOptimizationLevel ?? 'all';
  if (!GRAPH_OPTIMIZATION_LEVELS.includes(level)) {
    throw new SlimboardError(
      'bad_session_options',
      `graphOptimizationLevel must be one of ${GRAPH_OPTIMIZATION_LEVELS.join('|')}, got "${level}"`,
    );
  }
  const eps = options.executionProviders ?? ['cpu'];
  for (const ep of eps) {
    if (ep !== 'cpu') throw new SlimboardError('bad_session_options', `execution provider "${ep}" is not available (only cpu)`);
  }
  return {
    intraOpNumThreads: intra,
    interOpNumThreads: inter,
    graphOptimizationLevel: level,
    executionProviders: [...eps],
    executionMode: options.executionMode ?? 'sequential',
    intraOpSpinning: options.intraOpSpinning ?? true,
  };
}

/** Element types Slimboard feeds or reads. */
export type TensorElementType = 'float32' | 'int32' | 'int64' | 'uint8' | 'bool' | 'float16' | 'float64' | 'string' | 'other';

/** Input/output description as the model declares it; symbolic dims are strings (e.g. 'height'), unknown dims -1. */
export interface ValueInfo {
  name: string;
  isTensor: boolean;
  type: TensorElementType;
  shape: Array<number | string>;
}

/** A tensor fed to a model. Float32 is the normal case; int32/int64 for the rare integer inputs. */
export interface InputTensor {
  data: Float32Array | Int32Array | BigInt64Array;
  dims: readonly number[];
}

/** A tensor read from a model. Numeric outputs are converted to Float32Array when `asFloat32` (default). */
export interface OutputTensor {
  type: TensorElementType;
  dims: number[];
  data: Float32Array;
}

export interface Session {
  /** File path, or the label given (default '<bytes>') when created from memory. */
  readonly source: string;
  readonly options: ResolvedSessionOptions;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** Run once; returns every requested output (default: all) as Float32 tensors. */
  run(feeds: Record<string, InputTensor>, outputNames?: readonly string[]): Promise<Record<string, OutputTensor>>;
  /**
   * Bind feeds once and return a function that runs them with the least possible overhead
   * (the latency harness times this function; outputs are not converted or copied).
   */
  prepare(feeds: Record<string, InputTensor>): () => Promise<void>;
  /**
   * Reference for harness-overhead benchmarks: `runs` back-to-back raw `session.run(feeds)` calls on
   * onnxruntime's own API, timed with ONE clock read before and after; returns the total in ms.
   */
  timeBareLoop(feeds: Record<string, InputTensor>, runs: number): Promise<number>;
  release(): Promise<void>;
}

const RUN_OPTIONS: ort.InferenceSession.RunOptions = { logSeverityLevel: 4 };

/** onnxruntime-node's version string, e.g. "1.30.0". */
export const onnxruntimeVersion: string = String(
  (ort.env.versions as Record<string, string>).node ?? (ort.env.versions as Record<string, string>).common,
);

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return (
    m
      .split('\n')
      .map((s) => s.trim())
      .find((s) => s.length > 0) ?? 'unknown error'
  );
}

function elementType(t: string): TensorElementType {
  switch (t) {
    case 'float32':
    case 'int32':
    case 'int64':
    case 'uint8':
    case 'bool':
    case 'float16':
    case 'float64':
    case 'string':
      return t;
    default:
      return 'other';
  }
}

function valueInfo(m: ort.InferenceSession.ValueMetadata): ValueInfo {
  if (!m.isTensor) return { name: m.name, isTensor: false, type: 'other', shape: [] };
  return { name: m.name, isTensor: true, type: elementType(m.type), shape: m.shape.map((d) => (typeof d === 'number' ? d : d)) };
}

function toOrtTensor(name: string, source: string, t: InputTensor): ort.Tensor {
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (t.dims.some((d) => !Number.isInteger(d) || d < 0) || expected !== t.data.length) {
    throw new SlimboardError('bad_input_tensor', `${source}: input "${name}" has dims [${t.dims.join(',')}] but ${t.data.length} values`);
  }
  const type = t.data instanceof Float32Array ? 'float32' : t.data instanceof Int32Array ? 'int32' : 'int64';
  return new ort.Tensor(type, t.data, t.dims);
}

function toOutput(v: ort.OnnxValue): OutputTensor {
  const t = v as ort.Tensor;
  const type = elementType(t.type);
  const raw = t.data as ArrayLike<number | bigint>;
  let data: Float32Array;
  if (raw instanceof Float32Array) data = raw;
  else if (type === 'string' || type === 'other') data = new Float32Array(0);
  else {
    data = new Float32Array(raw.length);
    for (let i = 0; i < raw.length; i++) data[i] = Number(raw[i]);
  }
  return { type, dims: [...t.dims], data };
}

/**
 * Create a session from an ONNX file path or its bytes. Throws `SlimboardError('bad_model')` with
 * onnxruntime's first error line when the file cannot be loaded (not ONNX, truncated, unknown op...).
 */
export async function createSession(
  source: string | Uint8Array,
  options: SessionOptions = {},
  label = typeof source === 'string' ? source : '<bytes>',
): Promise<Session> {
  const resolved = resolveSessionOptions(options);
  const ortOptions: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: resolved.intraOpNumThreads,
    interOpNumThreads: resolved.interOpNumThreads,
    graphOptimizationLevel: resolved.graphOptimizationLevel,
    executionProviders: resolved.executionProviders,
    executionMode: resolved.executionMode,
    // 4 = fatal only: failures reach the caller as one-line SlimboardErrors, not as native log lines.
    logSeverityLevel: 4,
    ...(resolved.intraOpSpinning ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
  };
  let session: ort.InferenceSession;
  try {
    session =
      typeof source === 'string'
        ? await ort.InferenceSession.create(source, ortOptions)
        : await ort.InferenceSession.create(source, ortOptions);
  } catch (e) {
    throw new SlimboardError('bad_model', `${label}: onnxruntime cannot load the model: ${firstLine(e)}`, { cause: e });
  }
  const inputs = session.inputMetadata.map(valueInfo);
  const outputs = session.outputMetadata.map(valueInfo);

  const toFeeds = (feeds: Record<string, InputTensor>): Record<string, ort.Tensor> => {
    const out: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      const t = feeds[name];
      if (!t)
        throw new SlimboardError('bad_input_tensor', `${label}: missing input "${name}" (model inputs: ${session.inputNames.join(', ')})`);
      out[name] = toOrtTensor(name, label, t);
    }
    for (const name of Object.keys(feeds)) {
      if (!session.inputNames.includes(name)) {
        throw new SlimboardError(
          'bad_input_tensor',
          `${label}: model has no input "${name}" (model inputs: ${session.inputNames.join(', ')})`,
        );
      }
    }
    return out;
  };

  const runOrt = async (feeds: Record<string, ort.Tensor>, fetches?: readonly string[]) => {
    try {
      return fetches ? await session.run(feeds, [...fetches], RUN_OPTIONS) : await session.run(feeds, RUN_OPTIONS);
    } catch (e) {
      throw new SlimboardError('model_run_failed', `${label}: onnxruntime run failed: ${firstLine(e)}`, { cause: e });
    }
  };

  return {
    source: label,
    options: resolved,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputs,
    outputs,
    async run(feeds, outputNames) {
      if (outputNames) {
        for (const n of outputNames) {
          if (!session.outputNames.includes(n)) {
            throw new SlimboardError(
              'bad_output_name',
              `${label}: model has no output "${n}" (outputs: ${session.outputNames.join(', ')})`,
            );
          }
        }
      }
      const result = await runOrt(toFeeds(feeds), outputNames);
      const out: Record<string, OutputTensor> = {};
      for (const [name, v] of Object.entries(result)) out[name] = toOutput(v);
      return out;
    },
    prepare(feeds) {
      const bound = toFeeds(feeds);
      return async () => {
        await runOrt(bound);
      };
    },
    async timeBareLoop(feeds, runs) {
      const bound = toFeeds(feeds);
      const t0 = performance.now();
      for (let i = 0; i < runs; i++) await session.run(bound, RUN_OPTIONS);
      return performance.now() - t0;
    },
    async release() {
      await session.release();
    },
  };
}

/**
 * Let onnxruntime optimise a model at `level` and write the optimised graph to `outFile` (session option
 * optimizedModelFilePath), e.g. to check that a QDQ model's convolutions became QLinearConv. The file
 * may contain onnxruntime-internal ops (com.microsoft domain) and is meant for inspection only.
 */
export async function saveOptimizedModel(
  source: string | Uint8Array,
  outFile: string,
  level: GraphOptimizationLevel = 'all',
  label = typeof source === 'string' ? source : '<bytes>',
): Promise<void> {
  const options: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: level,
    executionProviders: ['cpu'],
    optimizedModelFilePath: outFile,
    logSeverityLevel: 4,
  };
  let session: ort.InferenceSession;
  try {
    session =
      typeof source === 'string' ? await ort.InferenceSession.create(source, options) : await ort.InferenceSession.create(source, options);
  } catch (e) {
    throw new SlimboardError('bad_model', `${label}: onnxruntime cannot load the model: ${firstLine(e)}`, { cause: e });
  }
  await session.release();
}
