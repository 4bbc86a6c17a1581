/**
 * Subnormal (denormal) float32 weights: a classic cause of a real latency difference between two models
 * with the same architecture. x86 CPUs handle subnormal operands in microcode, up to ~100x slower per
 * operation, unless flush-to-zero / denormals-are-zero is on. When a paired benchmark finds a tight
 * interval that excludes 1.0 for same-architecture models, count subnormals before suspecting the tool.
 *
 * float32 classes (IEEE 754 binary32): zero (±0), subnormal (0 < |x| < 2^-126 ≈ 1.1754944e-38),
 * normal, and non-finite (±Inf, NaN). Pure; `modelSubnormals` reads FLOAT initializers of the main graph.
 */
import type { ModelProto } from '../onnx/proto';
import { DataType, toInt } from '../onnx/proto';
import { readFloat32 } from '../onnx/tensor';

/** Smallest positive normal float32, 2^-126. */
export const FLOAT32_MIN_NORMAL = 2 ** -126;

export interface Float32Classes {
  total: number;
  zero: number;
  subnormal: number;
  nonFinite: number;
}

export function classifyFloat32(values: ArrayLike<number>): Float32Classes {
  const out: Float32Classes = { total: values.length, zero: 0, subnormal: 0, nonFinite: 0 };
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x === 0) out.zero++;
    else if (!Number.isFinite(x)) out.nonFinite++;
    else if (Math.abs(x) < FLOAT32_MIN_NORMAL) out.subnormal++;
  }
  return out;
}

export interface ModelSubnormals extends Float32Classes {
  tensorsWithSubnormals: Array<{ name: string; subnormal: number; total: number }>;
}

/** Float32 classes over every FLOAT initializer of the model's main graph, in total and per tensor that has subnormals. */
export function modelSubnormals(model: ModelProto): ModelSubnormals {
  const sum: Float32Classes = { total: 0, zero: 0, subnormal: 0, nonFinite: 0 };
  const tensorsWithSubnormals: Array<{ name: string; subnormal: number; total: number }> = [];
  for (const t of model.graph?.initializer ?? []) {
    if (toInt(t.dataType) !== DataType.FLOAT) continue;
    const c = classifyFloat32(readFloat32(t));
    sum.total += c.total;
    sum.zero += c.zero;
    sum.subnormal += c.subnormal;
    sum.nonFinite += c.nonFinite;
    if (c.subnormal > 0) tensorsWithSubnormals.push({ name: t.name ?? '?', subnormal: c.subnormal, total: c.total });
  }
  return { ...sum, tensorsWithSubnormals };
}
