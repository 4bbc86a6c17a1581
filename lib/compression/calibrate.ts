/**
 * Calibration: run the float model on N images with the tensors to calibrate added as graph outputs
 * (onnxruntime-node via lib/inference/ort.ts), and reduce what they held to one range per tensor with a
 * calibrator (calibrators.ts). Images go through the adapter's preprocessing (resize, normalisation) at
 * the given input size, exactly as the detection pipeline feeds them. Pass 1 collects min/max; the
 * histogram methods run the images a second time (pass 2) with the histogram range fixed by pass 1.
 */
import { SlimboardError } from '../errors';
import { preprocessImageFile } from '../inference/image/image-preprocess';
import { findImageInput } from '../inference/runtime/latency-harness';
import type { TModelAdapter } from '../inference/detection/model-adapter';
import { createSession, type Session } from '../inference/runtime/ort';
import { encodeModel } from '../onnx/model-file';
import { DataType, onnx, type ModelProto } from '../onnx/proto';
import { AbsHistogram, calibratedRange, needsHistogram, RangeStats, type CalibrationOptions, type TensorRange } from './calibrators';

export interface CollectRangesOptions extends CalibrationOptions {
  model: ModelProto;
  source: string;
  /** Tensors to calibrate (graph inputs allowed). */
  tensors: readonly string[];
  images: readonly string[];
  inputSize: number;
  adapter: Pick<TModelAdapter, 'preprocess' | 'imageInput'>;
  threads?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface CollectedRanges {
  ranges: Map<string, TensorRange>;
  /** Observed min/max per tensor (pass 1). */
  observed: Map<string, TensorRange>;
  passes: number;
  elapsedMs: number;
}

/** A copy of `model` whose outputs also include `tensors` (those that are not graph inputs). */
export function withIntermediateOutputs(model: ModelProto, tensors: readonly string[]): ModelProto {
  const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
  const graph = copy.graph!;
  const have = new Set([...(graph.output ?? []), ...(graph.input ?? [])].map((v) => v.name ?? ''));
  for (const t of tensors) {
    if (have.has(t)) continue;
    graph.output = [...(graph.output ?? []), onnx.ValueInfoProto.create({ name: t, type: { tensorType: { elemType: DataType.FLOAT } } })];
    have.add(t);
  }
  return copy;
}

export async function collectRanges(o: CollectRangesOptions): Promise<CollectedRanges> {
  if (o.images.length === 0) throw new SlimboardError('bad_arguments', 'calibration needs at least one image');
  const t0 = performance.now();
  const augmented = withIntermediateOutputs(o.model, o.tensors);
  const session = await createSession(encodeModel(augmented), { intraOpNumThreads: o.threads ?? 1 }, `${o.source} (calibration copy)`);
  try {
    const imageName = o.adapter.imageInput ?? findImageInput(session.inputs, o.source).name;
    const others = session.inputNames.filter((n) => n !== imageName);
    if (others.length)
      throw new SlimboardError(
        'calibration_failed',
        `${o.source}: calibration feeds only the image input "${imageName}"; the model also needs ${others.join(', ')}`,
      );
    const fetched = o.tensors.filter((t) => t !== imageName);
    const stats = new Map(o.tensors.map((t) => [t, new RangeStats(t)]));
    const passes = needsHistogram(o.method) ? 2 : 1;
    const total = passes * o.images.length;
    let done = 0;
    const each = async (visit: (t: string, values: Float32Array) => void) => {
      for (const file of o.images) {
        const x = await preprocessImageFile(file, o.adapter, o.inputSize);
        const out = await runImage(session, imageName, x.tensor, o.inputSize, fetched);
        if (stats.has(imageName)) visit(imageName, x.tensor);
        for (const t of fetched) visit(t, out[t]);
        o.onProgress?.(++done, total);
      }
    };
    await each((t, v) => stats.get(t)!.update(v));
    const hists = new Map<string, AbsHistogram>();
    if (passes === 2) {
      for (const [t, s] of stats) hists.set(t, new AbsHistogram(s.absMax));
      await each((t, v) => hists.get(t)!.add(v));
    }
    const ranges = new Map<string, TensorRange>();
    const observed = new Map<string, TensorRange>();
    for (const [t, s] of stats) {
      ranges.set(t, calibratedRange(s, hists.get(t), o));
      observed.set(t, { min: s.count ? s.min : 0, max: s.count ? s.max : 0 });
    }
    return { ranges, observed, passes, elapsedMs: performance.now() - t0 };
  } finally {
    await session.release();
  }
}

async function runImage(
  session: Session,
  imageName: string,
  data: Float32Array,
  size: number,
  fetched: readonly string[],
): Promise<Record<string, Float32Array>> {
  const values: Record<string, Float32Array> = {};
  if (fetched.length === 0) return values;
  const out = await session.run({ [imageName]: { data, dims: [1, 3, size, size] } }, fetched);
  for (const t of fetched) values[t] = out[t].data;
  return values;
}
