import { z } from 'zod';

/**
 * The explorer's input: one model at one input size (a "variant").
 *
 * The zoo stores a model once with per-input-size metrics (the same weights evaluated at 608/416/320);
 * the explorer flattens that to one entry per (model, input size). `lib/explorer/from-zoo.ts` builds
 * these from the zoo's rows, tests and the browser benchmark build them directly.
 *
 * Conventions:
 * - accuracy values are percentage points (COCO Box AP 39.1, not 0.391), as the seed prints them;
 * - costs carry their unit in the name; a missing number is `null`, never 0;
 * - `baselineModelId` is the declared baseline (same family, backbone, dataset, pretraining), whose
 *   entry at the SAME input size is the comparison point.
 */

export const METHODS = ['baseline', 'prune', 'distill', 'prune_distill', 'quant', 'nas'] as const;
export const ZMethod = z.enum(METHODS);
export type TMethod = z.infer<typeof ZMethod>;

export const SOURCES = ['published', 'measured'] as const;
export const ZSource = z.enum(SOURCES);
export type TSource = z.infer<typeof ZSource>;

export const METRIC_KEYS = ['boxAp', 'vocMap', 'widerEasy', 'widerMedium', 'widerHard'] as const;
export const ZMetricKey = z.enum(METRIC_KEYS);
export type TMetricKey = z.infer<typeof ZMetricKey>;

/**
 * A measured change against the declared baseline with its 95 % interval and verdict. Latency: `value`,
 * `low`, `high` are the ratio candidate/baseline (< 1 is faster). Accuracy: ΔAP in percentage points.
 * `trusted` is false when the machine was busy or the protocol was quick (latency only; accuracy is always
 * trusted: the detections are deterministic).
 */
export const ZPairedInterval = z.object({
  value: z.number(),
  low: z.number(),
  high: z.number(),
  significant: z.boolean(),
  trusted: z.boolean(),
  /** Display text, e.g. `−28.5 % [−30.1, −26.8]` or `ΔAP −0.4 [−0.9, +0.1]`. */
  text: z.string(),
});
export type TPairedInterval = z.infer<typeof ZPairedInterval>;

/** One device's latency for one entry, in milliseconds per image. */
export const ZLatency = z.object({
  /** Stable device key, e.g. `tesla-p4-trt`, `kirin-970`. */
  device: z.string().min(1),
  /** Human label, e.g. `Tesla P4 (TensorRT)`. */
  deviceLabel: z.string().min(1),
  /** Published number, or measured by a Slimboard job (drawn as a diamond on the latency axis). */
  source: ZSource,
  /**
   * Published rows print one "ms/image" number whose statistic the seed does not state: it goes in
   * `reportedMs` and serves every percentile choice (the tooltip says so). Measured rows carry real
   * percentiles over `samplesMs`.
   */
  reportedMs: z.number().positive().nullable(),
  p50Ms: z.number().positive().nullable(),
  p90Ms: z.number().positive().nullable(),
  p99Ms: z.number().positive().nullable(),
  meanMs: z.number().positive().nullable(),
  /** Raw per-image samples (ms) where measured; empty for published numbers. */
  samplesMs: z.array(z.number().nonnegative()),
  /** Where the number comes from: the source document, or the job that measured it. */
  provenance: z.string().min(1),
  /**
   * Measured latency with a paired benchmark against the declared baseline (lib/zoo/paired-latency-view.ts):
   * candidate/baseline ratio of p50 with its 95 % interval. Absent for published numbers and unpaired ones.
   */
  paired: ZPairedInterval.optional(),
});
export type TLatency = z.infer<typeof ZLatency>;

export const ZExplorerEntry = z.object({
  modelId: z.string().min(1),
  /** Display name, e.g. `YOLOv3-MobileNetV1 r578 distilled`. */
  name: z.string().min(1),
  family: z.string().min(1),
  backbone: z.string().min(1),
  /** Dataset key: `coco`, `voc`, `widerface`, or a user dataset's slug. */
  dataset: z.string().min(1),
  method: ZMethod,
  strategy: z.string().min(1),
  pretraining: z.string().nullable(),
  teacher: z.object({ name: z.string().min(1), accuracy: z.number().nullable() }).nullable(),
  /** The model's own lineage parameters (Model.lineage: prunedParams and prunedRatios, teacher, quantMode); null when none. */
  strategyParams: z.record(z.string(), z.unknown()).nullable(),
  source: ZSource,
  /** Provenance of the accuracy and cost numbers (e.g. `reported: PaddleDetection slim benchmark`). */
  provenance: z.string().min(1),
  baselineModelId: z.string().nullable(),
  inputSize: z.number().int().positive(),
  gflops: z.number().positive().nullable(),
  /** How `gflops` counts (e.g. `PaddleSlim: multiply-adds of conv and fc`). */
  gflopsConvention: z.string().nullable(),
  paramsM: z.number().positive().nullable(),
  sizeMB: z.number().positive().nullable(),
  accuracy: z.partialRecord(ZMetricKey, z.number()),
  /** Measured accuracy deltas against the declared baseline with a paired-bootstrap interval (ΔAP, points). */
  accuracyIntervals: z.partialRecord(ZMetricKey, ZPairedInterval).optional(),
  latency: z.array(ZLatency),
});
export type TExplorerEntry = z.infer<typeof ZExplorerEntry>;

/** `modelId@inputSize`: the identity of a point, a table row and a CSV line. */
export function entryKey(entry: Pick<TExplorerEntry, 'modelId' | 'inputSize'>): string {
  return `${entry.modelId}@${entry.inputSize}`;
}
