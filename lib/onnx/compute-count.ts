/**
 * Compute counting under three named conventions. A number is never reported without its
 * convention's name, because the same model gives three different numbers.
 *
 * Shapes: feature maps are NCHW; a conv weight is [C_out, C_in/groups, kH, kW]; a ConvTranspose
 * weight is [C_in, C_out/groups, kH, kW]. Counts are for the batch the shapes were inferred with
 * (batch 1 unless asked otherwise), i.e. per image.
 */
import { attrInt, attrInts, nodeLabel } from './graph';
import { DataType, isFloatType, toInt, type ModelProto, type NodeProto } from './proto';
import type { InferredShapes } from './shape-inference';
import { elementCount, tensorDims } from './tensor';

export type Convention = 'paddleslim' | 'macs' | 'flops';
export const CONVENTIONS: readonly Convention[] = ['paddleslim', 'macs', 'flops'];

/**
 * What each convention counts and the divisor that turns the count into its reported "G" unit.
 *
 * - `paddleslim`: the convention of PaddleSlim's `flops()` (paddleslim/analysis/flops.py, only_conv)
 *   and therefore of PaddleDetection's published GFLOPs column. Per convolution node (Conv, and the
 *   same convolution in quantized form: ConvInteger, QLinearConv):
 *   `H_out * W_out * C_out * (C_in / groups) * kH * kW` multiply-accumulates, times N.
 *   Grouped and depthwise convolutions are included; the bias is NOT counted (Paddle adds it with a
 *   separate elementwise_add op); BatchNorm, activations, pooling, resize, concat, ConvTranspose,
 *   deformable convolution (Paddle's `deformable_conv` is not a `conv2d` op) and Gemm/MatMul count 0.
 *   The total is divided by 1024^3 = 2^30 and called GFLOPs.
 *   Golden: six 3x3 convolutions (3->8, then 8->8) on 16x16, as in PaddleSlim's own test:
 *   16*16*8*27 + 5 * 16*16*8*72 = 55,296 + 737,280 = 792,576.
 * - `macs`: multiply-accumulates of Conv, ConvInteger, QLinearConv, DeformConv (as a conv of the same
 *   shape; the bilinear sampling of offsets is not counted), ConvTranspose
 *   (`N * H_in * W_in * C_in * (C_out / groups) * kH * kW`), Gemm (`M * N * K`) and MatMul,
 *   MatMulInteger, QLinearMatMul (`batch * M * N * K`). No bias. Divided by 10^9 (GMACs).
 * - `flops`: 2 x the `macs` count, plus one operation per output element of each elementwise op in
 *   ELEMENTWISE_OPS (activations, Add/Sub/Mul/Div/..., BatchNormalization as one fused scale-and-shift
 *   per element). Pooling, resize, concat, reshapes, quantize/dequantize and conv biases count 0.
 *   Divided by 10^9 (GFLOPs, decimal).
 */
export const CONVENTION_RULES: Record<Convention, { divisor: number; unit: string; rule: string }> = {
  paddleslim: {
    divisor: 1024 ** 3,
    unit: 'GFLOPs (PaddleSlim: conv MACs / 2^30)',
    rule: 'multiply-accumulates of Conv only (grouped/depthwise included, no bias, nothing else), divided by 1024^3',
  },
  macs: {
    divisor: 1e9,
    unit: 'GMACs (10^9)',
    rule: 'multiply-accumulates of Conv, ConvTranspose, Gemm, MatMul and DeformConv, divided by 10^9',
  },
  flops: {
    divisor: 1e9,
    unit: 'GFLOPs (10^9)',
    rule: '2 x MACs plus one per output element of elementwise ops, divided by 10^9',
  },
};

export const ELEMENTWISE_OPS: ReadonlySet<string> = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Mod', 'PRelu',
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Clip', 'HardSigmoid', 'HardSwish', 'Mish', 'Softplus', 'Softsign', 'Elu', 'Selu', 'Celu', 'Gelu',
  'ThresholdedRelu', 'Exp', 'Log', 'Sqrt', 'Abs', 'Neg', 'Erf', 'Reciprocal', 'Sin', 'Cos', 'BatchNormalization',
]);

const CONV_OPS = new Set(['Conv', 'ConvInteger', 'QLinearConv']);

/** Index of the weight input of a convolution-like node. */
function convWeightIndex(op: string): number {
  return op === 'QLinearConv' ? 3 : 1;
}

export interface NodeCompute {
  /** Multiply-accumulates under the `macs` rule (0 for ops it does not count). */
  macs: number;
  /** Multiply-accumulates that PaddleSlim counts (Conv family only). */
  paddleslimMacs: number;
  /** Elementwise operations (one per output element of an ELEMENTWISE_OPS node). */
  elementwiseOps: number;
  /** Kernel, stride and groups of convolution-like nodes. */
  kernel?: number[];
  stride?: number[];
  groups?: number;
}

/** Count one node given inferred shapes. Unknown (-1) dims count as 0 and set `unknown`. */
export function countNode(node: NodeProto, shapes: InferredShapes): NodeCompute & { unknown: boolean } {
  const op = node.opType ?? '';
  const shapeOf = (name: string | undefined) => (name ? shapes.tensors.get(name)?.shape : undefined);
  const outShape = shapeOf((node.output ?? [])[0]) ?? [];
  const result: NodeCompute & { unknown: boolean } = { macs: 0, paddleslimMacs: 0, elementwiseOps: 0, unknown: false };
  const known = (s: number[]) => s.every((d) => d >= 0);
  if (CONV_OPS.has(op) || op === 'DeformConv' || op === 'ConvTranspose') {
    const w = shapeOf((node.input ?? [])[convWeightIndex(op)]);
    const x = shapeOf((node.input ?? [])[0]);
    if (!w || !x) return result;
    const groups = attrInt(node, 'group', 1);
    const kernel = w.slice(2);
    result.kernel = kernel;
    result.stride = attrInts(node, 'strides') ?? kernel.map(() => 1);
    result.groups = groups;
    if (!known(outShape) || !known(x)) {
      result.unknown = true;
      return result;
    }
    const kProd = elementCount(kernel);
    if (op === 'ConvTranspose') {
      // each input element is multiplied into C_out/groups * kH * kW outputs
      result.macs = elementCount(x) * w[1] * kProd;
    } else {
      // each output element is a dot product of length C_in/groups * kH * kW
      result.macs = elementCount(outShape) * w[1] * kProd;
      if (CONV_OPS.has(op)) result.paddleslimMacs = result.macs;
    }
    return result;
  }
  if (op === 'Gemm') {
    const a = shapeOf((node.input ?? [])[0]);
    if (!a || !known(a) || !known(outShape)) return { ...result, unknown: true };
    const k = attrInt(node, 'transA', 0) ? a[0] : a[1];
    result.macs = elementCount(outShape) * k;
    return result;
  }
  if (op === 'MatMul' || op === 'MatMulInteger' || op === 'QLinearMatMul') {
    const a = shapeOf((node.input ?? [])[0]);
    if (!a || !known(a) || !known(outShape)) return { ...result, unknown: true };
    result.macs = elementCount(outShape) * a[a.length - 1];
    return result;
  }
  if (ELEMENTWISE_OPS.has(op)) {
    if (!known(outShape)) return { ...result, unknown: true };
    result.elementwiseOps = elementCount(outShape);
  }
  return result;
}

/** The count of one node under a convention (raw operations, not yet divided). */
export function conventionCount(c: NodeCompute, convention: Convention): number {
  switch (convention) {
    case 'paddleslim':
      return c.paddleslimMacs;
    case 'macs':
      return c.macs;
    case 'flops':
      return 2 * c.macs + c.elementwiseOps;
  }
}

/** Inputs of these ops at these positions are not weights (scales, zero points, shapes, bounds). */
const NON_WEIGHT_INPUTS: Record<string, number[]> = {
  Resize: [1, 2, 3],
  Upsample: [1],
  QuantizeLinear: [1, 2],
  DequantizeLinear: [1, 2],
  QLinearConv: [1, 2, 4, 5, 6, 7],
  QLinearMatMul: [1, 2, 4, 5, 6, 7],
  ConvInteger: [2, 3],
  MatMulInteger: [2, 3],
  Clip: [1, 2],
  Pad: [1, 2, 3],
  Reshape: [1],
  Expand: [1],
  Tile: [1],
  Slice: [1, 2, 3, 4],
  Gather: [1],
  Squeeze: [1],
  Unsqueeze: [1],
  Split: [1],
  ReduceSum: [1],
  ReduceMean: [1],
  TopK: [1],
};

/**
 * The initializers that are weights, with their element counts. An initializer is a weight when some
 * node reads it in a weight position (not a scale, zero point, shape, bound or index input) and its
 * type is floating point or a quantized 8/4-bit integer; int16/int32/int64 tensors are excluded
 * (shape constants, int32 quantized biases).
 */
export function weightInitializers(model: ModelProto): Map<string, number> {
  const graph = model.graph;
  const out = new Map<string, number>();
  if (!graph) return out;
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const weightSlot = new Set<string>();
  for (const node of graph.node ?? []) {
    const skip = NON_WEIGHT_INPUTS[node.opType ?? ''] ?? [];
    (node.input ?? []).forEach((name, i) => {
      if (name && inits.has(name) && !skip.includes(i)) weightSlot.add(name);
    });
  }
  const quantInt = new Set<number>([DataType.INT8, DataType.UINT8, DataType.INT4, DataType.UINT4]);
  for (const name of weightSlot) {
    const t = inits.get(name)!;
    const type = toInt(t.dataType);
    if (isFloatType(type) || quantInt.has(type)) out.set(name, elementCount(tensorDims(t)));
  }
  return out;
}

export interface LayerRow {
  name: string;
  op: string;
  inputShapes: number[][];
  outputShapes: number[][];
  kernel?: number[];
  stride?: number[];
  groups?: number;
  /** Multiply-accumulates under the `macs` rule. */
  macs: number;
  /** This node's count under the chosen convention (raw operations, undivided). */
  count: number;
  /** Weight elements this node reads (an initializer shared by two nodes is listed under both). */
  params: number;
}

export interface ComputeTotals {
  convention: Convention;
  /** Raw operation count under the convention. */
  count: number;
  /** count / divisor of the convention (the number to report, e.g. 20.64 "GFLOPs" for paddleslim). */
  gflops: number;
  unit: string;
  /** Nodes whose output shape depends on data and were counted as 0. */
  unknownNodes: string[];
  layers: LayerRow[];
}

export function countCompute(model: ModelProto, shapes: InferredShapes, convention: Convention): ComputeTotals {
  const weights = weightInitializers(model);
  const layers: LayerRow[] = [];
  let count = 0;
  const unknownNodes: string[] = [];
  for (const node of model.graph?.node ?? []) {
    const c = countNode(node, shapes);
    if (c.unknown) unknownNodes.push(nodeLabel(node));
    const n = conventionCount(c, convention);
    count += n;
    const shapeOf = (name: string) => shapes.tensors.get(name)?.shape ?? [];
    layers.push({
      name: node.name || (node.output ?? [])[0] || '',
      op: node.opType ?? '',
      inputShapes: (node.input ?? []).filter((i) => i && !weights.has(i)).map(shapeOf),
      outputShapes: (node.output ?? []).filter((o) => o).map(shapeOf),
      kernel: c.kernel,
      stride: c.stride,
      groups: c.groups,
      macs: c.macs,
      count: n,
      params: (node.input ?? []).reduce((s, i) => s + (weights.get(i) ?? 0), 0),
    });
  }
  const rule = CONVENTION_RULES[convention];
  return { convention, count, gflops: count / rule.divisor, unit: rule.unit, unknownNodes, layers };
}
