/**
 * Post-training int8 quantization of an ONNX file, end to end: plan (qdq-rewrite.ts), calibrate on N
 * images of a COCO-format dataset split (calibrate.ts), rewrite to QDQ, write atomically, then check
 * that onnxruntime-node loads and runs the result and which convolution kernels its optimised graph
 * uses (QLinearConv / ConvInteger = int8 kernels; Conv = float). Optional: the per-tensor error report
 * (layer-error.ts) and the accuracy-budget mode (budget.ts: greedy fallback of the worst nodes to float,
 * evaluated with the COCO evaluator on another split).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SlimboardError } from '../errors';
import { openCocoDatasetDir } from '../inference/detection/coco-dataset-dir';
import { preprocessImageFile } from '../inference/image/image-preprocess';
import { findImageInput } from '../inference/runtime/latency-harness';
import type { TModelAdapter } from '../inference/detection/model-adapter';
import { createSession, saveOptimizedModel, type GraphOptimizationLevel } from '../inference/runtime/ort';
import { foldBatchNorm, type FoldBatchNormResult } from '../onnx/fold-batchnorm';
import { encodeModel, readModelFile, writeFileAtomic } from '../onnx/model-file';
import { evaluateDetectorOnCoco } from '../inference/detection/evaluate-detector';
import { greedyFallback, type BudgetResult } from './budget';
import { collectRanges } from './calibrate';
import { DEFAULT_PERCENTILE, type CalibrationMethod, type TensorRange } from './calibrators';
import { layerErrors, type TensorError } from './layer-error';
import { planQuantization, rewriteQdq } from './qdq-rewrite';
import type { ActivationParams } from './quant-params';

export interface QuantizeModelOptions {
  modelPath: string;
  outPath: string;
  calibDataset: string;
  calibSplit?: string;
  calibImages: number;
  inputSize: number;
  method: CalibrationMethod;
  percentile?: number;
  exclude?: readonly string[];
  adapter: TModelAdapter;
  threads?: number;
  /**
   * Accuracy-budget mode: after calibration, keep the nodes whose input tensor has the largest float-vs-QDQ
   * error in float, one more per step, until AP on `dataset` (evaluated at inputSize) is within `ap` of fp32.
   */
  budget?: { ap: number; dataset: string; split?: string; maxSteps: number };
  /** Images (the first calibration images) for the per-layer error report; 0 or undefined: no report. */
  errorImages?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface QuantizeReport {
  source: string;
  out: string;
  method: CalibrationMethod;
  percentile: number | null;
  scheme: string;
  calibration: { dataset: string; images: number; inputSize: number; passes: number; elapsedMs: number };
  /**
   * BatchNormalization nodes folded into the Conv before them first (lib/onnx/fold-batchnorm.ts, as onnxruntime's
   * quantization pre-processing): Conv labels folded, and BatchNorms left in float with why.
   */
  batchNorm: FoldBatchNormResult;
  quantizedNodes: number;
  skippedNodes: Array<{ node: string; reason: string }>;
  activations: Array<{ tensor: string; observed: TensorRange; range: TensorRange } & ActivationParams>;
  fp32Bytes: number;
  int8Bytes: number;
  /** int8Bytes / fp32Bytes. */
  sizeRatio: number;
  onnxruntime: {
    runs: boolean;
    optimizationLevel: GraphOptimizationLevel;
    /** Op type counts of convolution-like nodes in onnxruntime's optimised graph. */
    optimizedConvOps: Record<string, number>;
    /** QLinearConv + ConvInteger (any domain). */
    int8Convs: number;
  };
  /** Float vs QDQ activation error per calibrated tensor, worst first (layer-error.ts); null when not asked. */
  layerErrors: { images: number; tensors: TensorError[] } | null;
  /** Accuracy-budget mode: the greedy fallback steps and the nodes left in float; null when not asked. */
  budget: BudgetResult | null;
}

export const SCHEME =
  'QDQ (opset >= 13): weights int8 symmetric per output channel (scale max|w|/127); activations uint8 asymmetric per tensor; conv biases ' +
  'int32';

const CONV_LIKE = /conv/i;

/** Op type counts (all domains) of the convolution-like nodes of onnxruntime's optimised graph of `model`. */
export async function optimizedConvOps(model: Uint8Array | string, level: GraphOptimizationLevel = 'all'): Promise<Record<string, number>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slimboard-ortopt-'));
  try {
    const file = path.join(dir, 'optimized.onnx');
    await saveOptimizedModel(model, file, level);
    const m = readModelFile(file).model;
    const counts: Record<string, number> = {};
    for (const n of m.graph?.node ?? []) {
      const op = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : (n.opType ?? '');
      if (CONV_LIKE.test(n.opType ?? '')) counts[op] = (counts[op] ?? 0) + 1;
    }
    return counts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function int8ConvCount(ops: Record<string, number>): number {
  return Object.entries(ops)
    .filter(([op]) => /QLinearConv|ConvInteger/.test(op))
    .reduce((s, [, n]) => s + n, 0);
}

export async function quantizeModelFile(o: QuantizeModelOptions): Promise<QuantizeReport> {
  if (!Number.isInteger(o.calibImages) || o.calibImages < 1)
    throw new SlimboardError('bad_arguments', `--calib-images must be a positive integer, got ${o.calibImages}`);
  const loaded = readModelFile(o.modelPath);
  // Everything below (calibration, error report, budget steps) works on the folded graph: the same function.
  const batchNorm = foldBatchNorm(loaded.model, o.modelPath);
  const plan = planQuantization(loaded.model, o.exclude ?? [], o.modelPath);
  if (plan.nodes.length === 0)
    throw new SlimboardError(
      'quantize_failed',
      `${o.modelPath}: nothing to quantize (no Conv/Gemm/MatMul with float32 initializer weights left after --exclude)`,
    );
  const ds = openCocoDatasetDir(o.calibDataset, o.calibSplit);
  if (ds.images.length < o.calibImages) {
    throw new SlimboardError(
      'bad_arguments',
      `${ds.annotationsPath}: ${ds.images.length} images, fewer than --calib-images ${o.calibImages}`,
    );
  }
  const images = ds.images.slice(0, o.calibImages).map((i) => i.file);
  const calib = await collectRanges({
    model: loaded.model,
    source: o.modelPath,
    tensors: plan.activations,
    images,
    inputSize: o.inputSize,
    adapter: o.adapter,
    method: o.method,
    percentile: o.percentile,
    threads: o.threads,
    onProgress: o.onProgress,
  });
  const full = rewriteQdq(loaded.model, plan, calib.ranges, o.modelPath);
  const errorImages = Math.min(o.errorImages ?? 0, images.length);
  // Budget mode ranks nodes by the error of the tensor they read, so it needs the report.
  const rankImages = o.budget ? Math.max(errorImages, Math.min(8, images.length)) : errorImages;
  const errors =
    rankImages > 0
      ? await layerErrors({
          floatModel: loaded.model,
          qdqModel: full.model,
          dequantized: full.dequantized,
          images: images.slice(0, rankImages),
          inputSize: o.inputSize,
          adapter: o.adapter,
          threads: o.threads,
          source: o.modelPath,
        })
      : null;
  let finalPlan = plan;
  let q = full;
  let budget: BudgetResult | null = null;
  if (o.budget) {
    const b = o.budget;
    const session = { intraOpNumThreads: o.threads ?? 1 };
    const apOf = async (file: string) =>
      (
        await evaluateDetectorOnCoco({
          modelPath: file,
          datasetDir: b.dataset,
          split: b.split,
          inputSize: o.inputSize,
          adapter: o.adapter,
          session,
        })
      ).metrics.AP;
    const err = new Map((errors ?? []).map((e) => [e.tensor, e.relativeError]));
    const errOf = (node: string) => err.get(plan.inputOf[node]) ?? 0;
    const ranked = [...plan.nodes].sort((x, y) => errOf(y) - errOf(x) || x.localeCompare(y));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'slimboard-ptq-budget-'));
    try {
      const fp32Ap = await apOf(o.modelPath);
      budget = await greedyFallback(fp32Ap, ranked, b.ap, b.maxSteps, async (float) => {
        const stepPlan = planQuantization(loaded.model, [...(o.exclude ?? []), ...float], o.modelPath);
        const m = rewriteQdq(loaded.model, stepPlan, calib.ranges, o.modelPath);
        const file = path.join(dir, 'step.onnx');
        writeFileAtomic(file, encodeModel(m.model));
        return apOf(file);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    finalPlan = planQuantization(loaded.model, [...(o.exclude ?? []), ...budget.float], o.modelPath);
    q = rewriteQdq(loaded.model, finalPlan, calib.ranges, o.modelPath);
  }
  const bytes = encodeModel(q.model);
  // Check before writing: onnxruntime loads the QDQ model and runs one calibration image.
  const session = await createSession(bytes, { intraOpNumThreads: o.threads ?? 1 }, `${o.outPath} (quantized)`);
  try {
    const imageName = o.adapter.imageInput ?? findImageInput(session.inputs, o.outPath).name;
    const x = await preprocessImageFile(images[0], o.adapter, o.inputSize);
    const out = await session.run({ [imageName]: { data: x.tensor, dims: [1, 3, o.inputSize, o.inputSize] } });
    for (const [name, t] of Object.entries(out)) {
      if (t.data.some((v) => !Number.isFinite(v)))
        throw new SlimboardError('quantize_failed', `${o.outPath}: quantized model output "${name}" has non-finite values`);
    }
  } finally {
    await session.release();
  }
  writeFileAtomic(o.outPath, bytes);
  const level: GraphOptimizationLevel = 'all';
  const ops = await optimizedConvOps(bytes, level);
  return {
    source: o.modelPath,
    out: o.outPath,
    method: o.method,
    percentile: o.method === 'percentile' ? (o.percentile ?? DEFAULT_PERCENTILE) : null,
    scheme: SCHEME,
    calibration: {
      dataset: ds.annotationsPath,
      images: images.length,
      inputSize: o.inputSize,
      passes: calib.passes,
      elapsedMs: calib.elapsedMs,
    },
    batchNorm,
    quantizedNodes: q.nodes.length,
    skippedNodes: finalPlan.skipped,
    activations: finalPlan.activations.map((t) => ({
      tensor: t,
      observed: calib.observed.get(t)!,
      range: calib.ranges.get(t)!,
      ...q.activations[t],
    })),
    fp32Bytes: loaded.sizeBytes,
    int8Bytes: bytes.length,
    sizeRatio: bytes.length / loaded.sizeBytes,
    onnxruntime: { runs: true, optimizationLevel: level, optimizedConvOps: ops, int8Convs: int8ConvCount(ops) },
    layerErrors: errors && errorImages > 0 ? { images: rankImages, tensors: errors } : null,
    budget,
  };
}
