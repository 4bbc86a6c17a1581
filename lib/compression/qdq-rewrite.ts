/**
 * The QDQ rewrite of post-training int8 quantization (the format onnxruntime's quantize_static writes
 * with QuantFormat.QDQ, opset >= 13), on Slimboard's own ONNX graph core:
 *
 * - quantized nodes: Conv (any group) whose weight is a float32 initializer; Gemm and MatMul whose
 *   second input is a float32 initializer of rank 2. Nodes listed in `exclude` (by node name or first
 *   output name) stay float.
 * - weights: int8 symmetric per output channel (quant-params.ts), read through DequantizeLinear with
 *   `axis` = 0 for Conv [C_out, C_in/g, kH, kW] and Gemm with transB = 1 [N, K]; 1 for Gemm with
 *   transB = 0 and MatMul [K, N] (the output-channel axis). The float initializer is dropped when no
 *   float reader is left, which is what makes the file ~4x smaller.
 * - Conv and Gemm biases (1-D, one per output channel): int32 with scale = input scale x weight scale[c]
 *   through DequantizeLinear (axis 0), as QLinearConv needs.
 * - activations: every tensor read as the data input (input 0) of a quantized node gets one
 *   QuantizeLinear -> DequantizeLinear pair (uint8, per tensor, scale/zero point from its calibrated
 *   range), and every reader of the tensor reads the dequantized copy. The same goes upstream through
 *   data-movement ops: when a quantized tensor comes from Concat, all Concat inputs are quantized too;
 *   from Resize/Upsample/MaxPool, their data input (so YOLO's conv -> ReLU -> Resize -> Concat -> conv
 *   path is int8 end to end and the conv before the Resize also becomes a QLinearConv). onnxruntime then fuses
 *   DQ -> Conv -> (Relu) -> Q into QLinearConv where the conv's output (after a ReLU, whose Q has zero
 *   point 0 so the ReLU can go) is itself quantized; a conv whose output is not (e.g. a detection head
 *   output) runs as a float conv on dequantized values.
 */
import { SlimboardError } from '../errors';
import { attrInt, dropUnreadInitializers, indexGraph, requireGraph } from '../onnx/graph';
import { DataType, onnx, toInt, type ModelProto, type NodeProto, type TensorProto } from '../onnx/proto';
import { readFloat32, tensorDims } from '../onnx/tensor';
import type { TensorRange } from './calibrators';
import { activationParams, quantizeBias, quantizeWeightsPerChannel, type ActivationParams } from './quant-params';

export const QDQ_MIN_OPSET = 13;
const QUANTIZABLE = new Set(['Conv', 'Gemm', 'MatMul']);
/** Ops whose data input is quantized when their output is (the value passes through unchanged in scale). */
const PASS_THROUGH = new Set(['Resize', 'Upsample', 'MaxPool']);

export interface QuantizePlan {
  /** Nodes that get int8 weights, in graph order (node label: name or first output). */
  nodes: string[];
  /** Tensors to calibrate (data inputs of quantized nodes), in graph order. */
  activations: string[];
  /** Nodes of a quantizable type left in float, with the reason (excluded, weight not an initializer...). */
  skipped: Array<{ node: string; reason: string }>;
  /** Quantized node -> the data input tensor it reads. */
  inputOf: Record<string, string>;
}

const nodeKey = (n: NodeProto) => n.name || (n.output ?? [])[0] || '';

function weightAxis(node: NodeProto): number {
  if (node.opType === 'Conv') return 0;
  if (node.opType === 'Gemm') return attrInt(node, 'transB', 0) ? 0 : 1;
  return 1;
}

/** Which nodes and tensors a quantization touches. Unknown names in `exclude` are an error naming valid ones. */
export function planQuantization(model: ModelProto, exclude: readonly string[], source = '<model>'): QuantizePlan {
  const graph = requireGraph(model, source);
  const index = indexGraph(graph);
  const opset = toInt((model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0);
  if (opset < QDQ_MIN_OPSET) {
    throw new SlimboardError(
      'unsupported_opset',
      `${source}: opset ${opset}; per-channel QDQ quantization needs opset ${QDQ_MIN_OPSET} or later (re-export the model with opset >= ` +
        `13)`,
    );
  }
  const nodes = graph.node ?? [];
  const known = new Set(nodes.flatMap((n) => [n.name ?? '', (n.output ?? [])[0] ?? '']).filter(Boolean));
  for (const e of exclude) {
    if (!known.has(e)) {
      const examples = nodes
        .filter((n) => QUANTIZABLE.has(n.opType ?? ''))
        .slice(0, 3)
        .map((n) => `"${nodeKey(n)}"`)
        .join(', ');
      throw new SlimboardError(
        'bad_arguments',
        `${source}: --exclude "${e}" is neither a node name nor a node output (quantizable nodes are e.g. ${examples})`,
      );
    }
  }
  const excluded = new Set(exclude);
  const plan: QuantizePlan = { nodes: [], activations: [], skipped: [], inputOf: {} };
  const seen = new Set<string>();
  for (const n of nodes) {
    const op = n.opType ?? '';
    if (!QUANTIZABLE.has(op) || (n.domain && n.domain !== 'ai.onnx')) continue;
    const key = nodeKey(n);
    const ins = n.input ?? [];
    if (excluded.has(n.name ?? '') || excluded.has((n.output ?? [])[0] ?? '')) {
      plan.skipped.push({ node: key, reason: 'excluded' });
      continue;
    }
    const w = index.initializers.get(ins[1] ?? '');
    if (!w || toInt(w.dataType) !== DataType.FLOAT) {
      plan.skipped.push({ node: key, reason: 'weight is not a float32 initializer' });
      continue;
    }
    if (op !== 'Conv' && tensorDims(w).length !== 2) {
      plan.skipped.push({ node: key, reason: `${op} weight of rank ${tensorDims(w).length} (only rank 2 is quantized)` });
      continue;
    }
    if (!ins[0] || index.initializers.has(ins[0])) {
      plan.skipped.push({ node: key, reason: 'data input is a constant' });
      continue;
    }
    plan.nodes.push(key);
    plan.inputOf[key] = ins[0];
    if (!seen.has(ins[0])) {
      seen.add(ins[0]);
      plan.activations.push(ins[0]);
    }
  }
  // Carry quantization upstream through data-movement ops, so that the convs before them also end in a
  // Q (and fuse into QLinearConv) and onnxruntime can run Concat/Resize/MaxPool on uint8.
  const queue = [...plan.activations];
  while (queue.length) {
    const p = index.producer.get(queue.shift()!);
    const op = p?.opType ?? '';
    const ups = op === 'Concat' ? (p!.input ?? []) : PASS_THROUGH.has(op) ? [(p!.input ?? [])[0]] : [];
    for (const u of ups) {
      if (!u || seen.has(u) || index.initializers.has(u)) continue;
      seen.add(u);
      plan.activations.push(u);
      queue.push(u);
    }
  }
  return plan;
}

export interface QdqResult {
  model: ModelProto;
  /** Activation quantization parameters per tensor. */
  activations: Record<string, ActivationParams>;
  /** Quantized nodes. */
  nodes: string[];
  /** Calibrated tensor -> the name of its QuantizeLinear -> DequantizeLinear copy in the new model. */
  dequantized: Record<string, string>;
}

function scalar(name: string, type: number, value: number): TensorProto {
  const bytes =
    type === DataType.FLOAT
      ? new Uint8Array(Float32Array.of(value).buffer)
      : type === DataType.UINT8
        ? Uint8Array.of(value)
        : new Uint8Array(Int8Array.of(value).buffer);
  return onnx.TensorProto.create({ name, dims: [], dataType: type, rawData: bytes });
}

function vector(name: string, type: number, values: Float32Array | Int8Array | Int32Array, dims: readonly number[]): TensorProto {
  const rawData = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: type, rawData });
}

/**
 * Rewrite a copy of `model` per `plan` with calibrated `ranges` (one per plan.activations tensor).
 * The input model is not modified.
 */
export function rewriteQdq(input: ModelProto, plan: QuantizePlan, ranges: ReadonlyMap<string, TensorRange>, source = '<model>'): QdqResult {
  const model = onnx.ModelProto.decode(onnx.ModelProto.encode(input).finish());
  const graph = requireGraph(model, source);
  const index = indexGraph(graph);
  const used = new Set<string>();
  const unique = (base: string) => {
    let name = base;
    for (let k = 1; used.has(name) || index.producer.has(name) || index.initializers.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
  const newInits: TensorProto[] = [];
  const activations: Record<string, ActivationParams> = {};
  /** tensor -> [Q, DQ] nodes placed right after its producer (or first, for graph inputs). */
  const pairs = new Map<string, NodeProto[]>();
  const dqName = new Map<string, string>();
  for (const t of plan.activations) {
    const r = ranges.get(t);
    if (!r) throw new SlimboardError('calibration_failed', `${source}: no calibrated range for tensor "${t}"`);
    const p = activationParams(r.min, r.max);
    activations[t] = p;
    const s = unique(`${t}_scale`);
    const zp = unique(`${t}_zero_point`);
    newInits.push(scalar(s, DataType.FLOAT, p.scale), scalar(zp, DataType.UINT8, p.zeroPoint));
    const q = unique(`${t}_quantized`);
    const dq = unique(`${t}_dequantized`);
    dqName.set(t, dq);
    pairs.set(t, [
      onnx.NodeProto.create({ name: unique(`${t}_QuantizeLinear`), opType: 'QuantizeLinear', input: [t, s, zp], output: [q] }),
      onnx.NodeProto.create({ name: unique(`${t}_DequantizeLinear`), opType: 'DequantizeLinear', input: [q, s, zp], output: [dq] }),
    ]);
  }
  // Every reader of a calibrated tensor reads its dequantized copy.
  for (const n of graph.node ?? []) n.input = (n.input ?? []).map((i) => dqName.get(i) ?? i);

  const weightNodes: NodeProto[] = [];
  /** An integer initializer read through a per-channel DequantizeLinear; returns the dequantized tensor's name. */
  const dequantizeInitializer = (
    base: string,
    suffix: string,
    type: number,
    values: Int8Array | Int32Array,
    dims: readonly number[],
    scales: Float32Array,
    zeros: Int8Array | Int32Array,
    axis: number,
  ): string => {
    const [qn, sn, zn, out] = ['quantized', 'scale', 'zero_point', 'dequantized'].map((what) => unique(`${base}_${what}${suffix}`));
    newInits.push(
      vector(qn, type, values, dims),
      vector(sn, DataType.FLOAT, scales, [scales.length]),
      vector(zn, type, zeros, [zeros.length]),
    );
    const axisAttr = { name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: axis };
    weightNodes.push(
      onnx.NodeProto.create({
        name: unique(`${base}_DequantizeLinear${suffix}`),
        opType: 'DequantizeLinear',
        input: [qn, sn, zn],
        output: [out],
        attribute: [axisAttr],
      }),
    );
    return out;
  };
  const planned = new Set(plan.nodes);
  const weightDq = new Map<string, { name: string; scales: Float32Array }>();
  for (const n of graph.node ?? []) {
    if (!planned.has(nodeKey(n))) continue;
    const ins = n.input!;
    const wName = ins[1];
    const axis = weightAxis(n);
    let wq = weightDq.get(`${wName}\u0000${axis}`);
    if (!wq) {
      const w = index.initializers.get(wName)!;
      const dims = tensorDims(w);
      const { values, scales } = quantizeWeightsPerChannel(readFloat32(w), dims, axis);
      const out = dequantizeInitializer(wName, '', DataType.INT8, values, dims, scales, new Int8Array(scales.length), axis);
      wq = { name: out, scales };
      weightDq.set(`${wName}\u0000${axis}`, wq);
    }
    ins[1] = wq.name;
    const bName = n.opType === 'MatMul' ? undefined : ins[2];
    const b = bName ? index.initializers.get(bName) : undefined;
    const xOriginal = plan.activations.find((t) => dqName.get(t) === ins[0]);
    if (b && toInt(b.dataType) === DataType.FLOAT && tensorDims(b).length === 1 && tensorDims(b)[0] === wq.scales.length && xOriginal) {
      const { values, scales } = quantizeBias(readFloat32(b), activations[xOriginal].scale, wq.scales);
      ins[2] = dequantizeInitializer(
        bName!,
        `_${nodeKey(n)}`,
        DataType.INT32,
        values,
        [values.length],
        scales,
        new Int32Array(values.length),
        0,
      );
    }
  }

  // Node order: weight DQs first (they read initializers only), then each Q/DQ pair right after its producer.
  const ordered: NodeProto[] = [...weightNodes];
  const graphInputs = new Set((graph.input ?? []).map((v) => v.name ?? ''));
  for (const t of plan.activations) if (graphInputs.has(t) && !index.producer.has(t)) ordered.push(...pairs.get(t)!);
  for (const n of graph.node ?? []) {
    ordered.push(n);
    for (const o of n.output ?? []) if (pairs.has(o)) ordered.push(...pairs.get(o)!);
  }
  for (const t of plan.activations) {
    if (!graphInputs.has(t) && !index.producer.has(t))
      throw new SlimboardError('quantize_failed', `${source}: tensor "${t}" has no producer`);
  }
  graph.node = ordered;
  // The float weights the quantized ones replace, with their graph inputs (IR < 4 style), go.
  dropUnreadInitializers(graph);
  graph.initializer = [...(graph.initializer ?? []), ...newInits];
  return { model, activations, nodes: [...plan.nodes], dequantized: Object.fromEntries(dqName) };
}
