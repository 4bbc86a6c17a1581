/**
 * Per-layer quantization error (onnxruntime's qdq_loss_debug idea, "activation matching"): for every
 * calibrated tensor t, compare what the float model computes for t with the dequantized copy of t in
 * the QDQ model, on the same images. The QDQ value carries the error of everything upstream plus t's
 * own rounding, so the ranking shows where the error grows. Per tensor, over all its elements on all
 * images:
 *   relativeError = ||f - q||_2 / ||f||_2,  sqnrDb = 20 log10(||f||_2 / ||f - q||_2),  maxAbsError = max |f - q|.
 * A tensor that is zero everywhere in float has relativeError 0 when q is zero too, else Infinity.
 */
import { SlimboardError } from '../errors';
import { preprocessImageFile } from '../inference/image/image-preprocess';
import { findImageInput } from '../inference/runtime/latency-harness';
import type { TModelAdapter } from '../inference/detection/model-adapter';
import { createSession } from '../inference/runtime/ort';
import { encodeModel } from '../onnx/model-file';
import type { ModelProto } from '../onnx/proto';
import { withIntermediateOutputs } from './calibrate';

export interface ErrorAccumulator {
  signal: number;
  noise: number;
  maxAbs: number;
  count: number;
}

export interface TensorError {
  tensor: string;
  relativeError: number;
  sqnrDb: number;
  maxAbsError: number;
  elements: number;
}

export function newAccumulator(): ErrorAccumulator {
  return { signal: 0, noise: 0, maxAbs: 0, count: 0 };
}

/** Add one image's float values `f` and quantized values `q` (same length) of a tensor. */
export function accumulateError(acc: ErrorAccumulator, f: ArrayLike<number>, q: ArrayLike<number>): void {
  if (f.length !== q.length)
    throw new SlimboardError('bad_arguments', `float and quantized tensors differ in length (${f.length} vs ${q.length})`);
  let s = acc.signal;
  let n = acc.noise;
  let m = acc.maxAbs;
  for (let i = 0; i < f.length; i++) {
    const d = f[i] - q[i];
    s += f[i] * f[i];
    n += d * d;
    const a = Math.abs(d);
    if (a > m) m = a;
  }
  acc.signal = s;
  acc.noise = n;
  acc.maxAbs = m;
  acc.count += f.length;
}

export function finishError(tensor: string, acc: ErrorAccumulator): TensorError {
  const rel = acc.signal > 0 ? Math.sqrt(acc.noise / acc.signal) : acc.noise > 0 ? Infinity : 0;
  const sqnr = acc.noise > 0 ? 10 * Math.log10(acc.signal / acc.noise) : Infinity;
  return { tensor, relativeError: rel, sqnrDb: sqnr, maxAbsError: acc.maxAbs, elements: acc.count };
}

/** Worst first (largest relative error; ties by name). */
export function rankErrors(errors: readonly TensorError[]): TensorError[] {
  return [...errors].sort((a, b) => b.relativeError - a.relativeError || a.tensor.localeCompare(b.tensor));
}

export interface LayerErrorOptions {
  floatModel: ModelProto;
  qdqModel: ModelProto;
  /** Calibrated tensor -> its dequantized copy in qdqModel. */
  dequantized: Record<string, string>;
  images: readonly string[];
  inputSize: number;
  adapter: Pick<TModelAdapter, 'preprocess' | 'imageInput'>;
  threads?: number;
  source: string;
}

export async function layerErrors(o: LayerErrorOptions): Promise<TensorError[]> {
  const tensors = Object.keys(o.dequantized);
  const options = { intraOpNumThreads: o.threads ?? 1 };
  const fs = await createSession(encodeModel(withIntermediateOutputs(o.floatModel, tensors)), options, `${o.source} (float)`);
  const qs = await createSession(
    encodeModel(withIntermediateOutputs(o.qdqModel, Object.values(o.dequantized))),
    options,
    `${o.source} (QDQ)`,
  );
  try {
    const imageName = o.adapter.imageInput ?? findImageInput(fs.inputs, o.source).name;
    const acc = new Map(tensors.map((t) => [t, newAccumulator()]));
    const floatFetch = tensors.filter((t) => t !== imageName);
    for (const file of o.images) {
      const x = await preprocessImageFile(file, o.adapter, o.inputSize);
      const feeds = { [imageName]: { data: x.tensor, dims: [1, 3, o.inputSize, o.inputSize] } };
      const f = floatFetch.length ? await fs.run(feeds, floatFetch) : {};
      const q = await qs.run(feeds, Object.values(o.dequantized));
      for (const t of tensors) accumulateError(acc.get(t)!, t === imageName ? x.tensor : f[t].data, q[o.dequantized[t]].data);
    }
    return rankErrors(tensors.map((t) => finishError(t, acc.get(t)!)));
  } finally {
    await fs.release();
    await qs.release();
  }
}
