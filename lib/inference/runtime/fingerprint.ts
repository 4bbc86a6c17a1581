/**
 * The fingerprint every latency measurement carries: everything that changes the number besides
 * the code under test. Two measurements are directly comparable only when their fingerprints agree
 * on every field that the comparison does not deliberately vary (e.g. a pruned vs. a baseline model
 * differ in modelSha256 by design, so that comparison ignores it and says so).
 */
import os from 'node:os';
import { z } from 'zod';
import { onnxruntimeVersion, type ResolvedSessionOptions } from './ort';

export const ZLatencyFingerprint = z.object({
  cpuModel: z.string(),
  logicalCores: z.number().int().positive(),
  intraOpNumThreads: z.number().int().positive(),
  interOpNumThreads: z.number().int().positive(),
  executionProvider: z.string(),
  graphOptimizationLevel: z.string(),
  /** Intra-op threads spin while idle (onnxruntime default true). */
  intraOpSpinning: z.boolean(),
  onnxruntimeVersion: z.string(),
  nodeVersion: z.string(),
  /** Default-domain ONNX opset of the model (null if it imports none). */
  opset: z.number().int().nullable(),
  modelSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Shape of the image input, e.g. [1, 3, 416, 416] (batch 1, NCHW). */
  inputShape: z.array(z.number().int().nonnegative()),
});
export type TLatencyFingerprint = z.infer<typeof ZLatencyFingerprint>;

export type FingerprintField = keyof TLatencyFingerprint;
export const FINGERPRINT_FIELDS = Object.keys(ZLatencyFingerprint.shape) as FingerprintField[];

/** CPU model as the OS reports it (first core), whitespace collapsed. */
export function cpuModelName(): string {
  const cpus = os.cpus();
  return (cpus[0]?.model ?? 'unknown').replace(/\s+/g, ' ').trim();
}

export function logicalCoreCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export function makeFingerprint(input: {
  options: ResolvedSessionOptions;
  opset: number | null;
  modelSha256: string;
  inputShape: readonly number[];
}): TLatencyFingerprint {
  return {
    cpuModel: cpuModelName(),
    logicalCores: logicalCoreCount(),
    intraOpNumThreads: input.options.intraOpNumThreads,
    interOpNumThreads: input.options.interOpNumThreads,
    executionProvider: input.options.executionProviders.join('+'),
    graphOptimizationLevel: input.options.graphOptimizationLevel,
    intraOpSpinning: input.options.intraOpSpinning,
    onnxruntimeVersion,
    nodeVersion: process.versions.node,
    opset: input.opset,
    modelSha256: input.modelSha256,
    inputShape: [...input.inputShape],
  };
}

export interface FingerprintComparison {
  /** True when every compared field is equal. */
  comparable: boolean;
  /** One line per differing field: `intraOpNumThreads: 2 vs 4`. Empty when comparable. */
  differences: string[];
  /** Fields deliberately not compared (stated with any comparison shown to a user). */
  ignored: FingerprintField[];
}

function show(v: unknown): string {
  return Array.isArray(v) ? `[${v.join(',')}]` : String(v);
}

/**
 * Are two measurements comparable? Compares every fingerprint field except `ignore`.
 * Example: baseline vs. pruned latency on the same machine -> ignore ['modelSha256'].
 */
export function compareFingerprints(
  a: TLatencyFingerprint,
  b: TLatencyFingerprint,
  ignore: readonly FingerprintField[] = [],
): FingerprintComparison {
  const differences: string[] = [];
  for (const field of FINGERPRINT_FIELDS) {
    if (ignore.includes(field)) continue;
    const va = show(a[field]);
    const vb = show(b[field]);
    if (va !== vb) differences.push(`${field}: ${va} vs ${vb}`);
  }
  return { comparable: differences.length === 0, differences, ignored: [...ignore] };
}
