/**
 * Shape inference for a concrete input size. Every tensor of the graph gets a fully known shape
 * (NCHW for images: [N, C, H, W]); symbolic H/W of a dynamic-size detector are bound to the size
 * asked for, the batch to 1. Small integer tensors (Shape -> Gather -> Concat -> Reshape chains) are
 * evaluated along the way so that computed shapes resolve. Dims that depend on data (NonZero,
 * NonMaxSuppression) are -1. Anything the model cannot take (a concat of 39x39 with 40x40, a
 * kernel larger than its padded input) is a one-line SlimboardError naming the node.
 *
 * Each op type has one handler in OP_HANDLERS (a per-op table; supporting an op is one function and one
 * table entry). A handler gets the node, its input infos and the opset (OpContext) and returns the
 * output infos in the node's output order.
 */
import { SlimboardError } from '../errors';
import { attrFloat, attrInt, attrInts, attrString, attrTensor, findAttr, indexGraph, nodeLabel, requireGraph } from './graph';
import { DataType, toInt, type ModelProto, type NodeProto } from './proto';
import { elementCount, readNumbers, tensorDims } from './tensor';
import { ELEMENTWISE_UNARY_OPS } from './elementwise-ops';

/** Shape and element type of one value; `value` holds the contents of small tensors when known. */
export interface TensorInfo {
  shape: number[];
  elemType: number;
  value?: number[];
}

export interface ShapeOptions {
  /** Square input size (H = W = inputSize) bound to symbolic height/width of 4-D image inputs. */
  inputSize?: number;
  /** Explicit height/width; overrides inputSize. */
  height?: number;
  width?: number;
  /** Batch size bound to a symbolic first dim (default 1). */
  batch?: number;
}

export interface InferredShapes {
  tensors: Map<string, TensorInfo>;
  /** Resolved shapes of the graph inputs, e.g. { image: [1, 3, 608, 608] }. */
  inputs: Record<string, number[]>;
  opset: number;
}

const VALUE_LIMIT = 4096;

/** Ops whose output has the input's shape: the elementwise ones, and these that mix elements (normalisations, softmax, cumulative sums). */
const UNARY_SAME = new Set([
  ...ELEMENTWISE_UNARY_OPS,
  'Softmax',
  'LogSoftmax',
  'Hardmax',
  'LRN',
  'InstanceNormalization',
  'LayerNormalization',
  'BatchNormalization',
  'MeanVarianceNormalization',
  'Trilu',
  'CumSum',
]);
const BINARY_BROADCAST = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Mod', 'PRelu', 'BitShift']);
const COMPARE = new Set(['Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'And', 'Or', 'Xor']);
const REDUCE = new Set([
  'ReduceMean',
  'ReduceSum',
  'ReduceMax',
  'ReduceMin',
  'ReduceProd',
  'ReduceL1',
  'ReduceL2',
  'ReduceSumSquare',
  'ReduceLogSum',
  'ReduceLogSumExp',
]);

function fail(source: string, node: NodeProto, msg: string): never {
  throw new SlimboardError('shape_error', `${source}: ${nodeLabel(node)}: ${msg}`);
}

/** Numpy-style broadcast of shapes; -1 (data-dependent) wins over 1 and stays unknown. */
export function broadcastShapes(shapes: number[][], onError: (msg: string) => never): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + i] ?? 1;
      if (v === 1) continue;
      if (d === 1 || d === -1) d = v === -1 && d !== 1 ? d : v;
      else if (v !== -1 && v !== d) onError(`shapes [${shapes.map((x) => x.join(',')).join('] and [')}] cannot be broadcast`);
    }
    out.push(d);
  }
  return out;
}

/** Output length of a sliding window (Conv, Pool): floor or ceil of (in + pads - dilated kernel) / stride + 1. */
export function windowOutput(
  inSize: number,
  kernel: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  dilation: number,
  ceilMode = false,
): number {
  const span = inSize + padBegin + padEnd - dilation * (kernel - 1) - 1;
  if (span < 0) return 0;
  return (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
}

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

function strides(shape: number[]): number[] {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** Binds symbolic input dims and runs the graph's nodes in order. */
export function inferShapes(model: ModelProto, options: ShapeOptions = {}, source = '<model>'): InferredShapes {
  const graph = requireGraph(model, source);
  const index = indexGraph(graph);
  const opsetEntry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = opsetEntry ? toInt(opsetEntry.version) : 13;
  const tensors = new Map<string, TensorInfo>();
  const height = options.height ?? options.inputSize;
  const width = options.width ?? options.inputSize;
  const batch = options.batch ?? 1;
  for (const [name, v] of [
    ['input size (height)', height],
    ['input size (width)', width],
  ] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > 16384)) {
      throw new SlimboardError('bad_input_size', `${source}: ${name} must be an integer in [1, 16384], got ${v}`);
    }
  }

  for (const t of graph.initializer ?? []) {
    const shape = tensorDims(t);
    const info: TensorInfo = { shape, elemType: toInt(t.dataType) };
    if (elementCount(shape) <= VALUE_LIMIT && toInt(t.dataType) !== DataType.STRING) {
      try {
        info.value = readNumbers(t);
      } catch {
        /* sub-byte or exotic types: shape only */
      }
    }
    tensors.set(t.name ?? '', info);
  }

  const inputs: Record<string, number[]> = {};
  for (const vi of graph.input ?? []) {
    const name = vi.name ?? '';
    if (index.initializers.has(name)) continue;
    const tt = vi.type?.tensorType;
    if (!tt) throw new SlimboardError('bad_model', `${source}: graph input "${name}" is not a tensor`);
    const dims = tt.shape?.dim ?? [];
    const elemType = toInt(tt.elemType);
    const image = dims.length === 4;
    const shape = dims.map((d, i) => {
      const fixed = toInt(d.dimValue);
      const want = image && i === 2 ? height : image && i === 3 ? width : undefined;
      if (fixed > 0) {
        if (want !== undefined && want !== fixed) {
          throw new SlimboardError(
            'bad_input_size',
            `${source}: input "${name}" has a fixed ${i === 2 ? 'height' : 'width'} of ${fixed}; it cannot take input size ${want}`,
          );
        }
        return fixed;
      }
      if (i === 0) return batch;
      if (want !== undefined) return want;
      throw new SlimboardError(
        'bad_input_size',
        `${source}: input "${name}" dim ${i} ("${d.dimParam ?? '?'}") is symbolic; give --input-size for image inputs [N, C, H, W]`,
      );
    });
    inputs[name] = shape;
    tensors.set(name, { shape, elemType });
  }

  for (const node of graph.node ?? []) {
    const ins: Array<TensorInfo | undefined> = (node.input ?? []).map((n) => {
      if (!n) return undefined;
      const t = tensors.get(n);
      if (!t) fail(source, node, `input "${n}" is not produced by any earlier node, initializer or graph input`);
      return t;
    });
    const outs = inferNode(node, ins, opset, (m) => fail(source, node, m));
    (node.output ?? []).forEach((o, i) => {
      if (o && outs[i]) tensors.set(o, outs[i]);
    });
  }
  for (const o of graph.output ?? []) {
    if (!tensors.has(o.name ?? ''))
      throw new SlimboardError('bad_model', `${source}: graph output "${o.name}" is not produced by any node`);
  }
  void index;
  return { tensors, inputs, opset };
}

function need(ins: Array<TensorInfo | undefined>, i: number, err: (m: string) => never): TensorInfo {
  const t = ins[i];
  if (!t) err(`missing input ${i}`);
  return t;
}

function valueOf(t: TensorInfo | undefined, what: string, err: (m: string) => never): number[] {
  if (!t) err(`missing ${what}`);
  if (!t.value) err(`${what} is computed at run time from data; shapes cannot be inferred statically`);
  return t.value;
}

function withValue(shape: number[], elemType: number, compute: () => number[] | undefined): TensorInfo {
  const info: TensorInfo = { shape, elemType };
  if (shape.every((d) => d >= 0) && elementCount(shape) <= VALUE_LIMIT) {
    const v = compute();
    if (v) info.value = v;
  }
  return info;
}

/** Broadcast-index evaluation of an elementwise op over small constant tensors. */
function elementwise(ins: TensorInfo[], outShape: number[], f: (xs: number[]) => number): number[] | undefined {
  if (ins.some((t) => !t.value)) return undefined;
  const n = elementCount(outShape);
  const os = strides(outShape);
  const out = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const xs = ins.map((t) => {
      let off = 0;
      const st = strides(t.shape);
      for (let d = 0; d < t.shape.length; d++) {
        const od = outShape.length - t.shape.length + d;
        const coord = Math.floor(k / os[od]) % outShape[od];
        off += (t.shape[d] === 1 ? 0 : coord) * st[d];
      }
      return t.value![off];
    });
    out[k] = f(xs);
  }
  return out;
}

function convLike(node: NodeProto, x: TensorInfo, w: TensorInfo, err: (m: string) => never, transpose = false): number[] {
  if (x.shape.length < 3) err(`input must be [N, C, spatial...], got [${x.shape.join(',')}]`);
  const spatial = x.shape.length - 2;
  if (w.shape.length !== x.shape.length) err(`weight [${w.shape.join(',')}] does not match input rank ${x.shape.length}`);
  const group = attrInt(node, 'group', 1);
  const kernel = attrInts(node, 'kernel_shape') ?? w.shape.slice(2);
  const stride = attrInts(node, 'strides') ?? new Array(spatial).fill(1);
  const dil = attrInts(node, 'dilations') ?? new Array(spatial).fill(1);
  const pads = attrInts(node, 'pads') ?? new Array(2 * spatial).fill(0);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const cIn = x.shape[1];
  if (!transpose) {
    if (cIn !== -1 && w.shape[1] * group !== cIn)
      err(`input has ${cIn} channels but weight [${w.shape.join(',')}] with group ${group} expects ${w.shape[1] * group}`);
    if (w.shape[0] % group !== 0) err(`${w.shape[0]} output channels not divisible by group ${group}`);
  } else if (cIn !== -1 && w.shape[0] !== cIn)
    err(`input has ${cIn} channels but ConvTranspose weight [${w.shape.join(',')}] expects ${w.shape[0]}`);
  const out = [x.shape[0], transpose ? w.shape[1] * group : w.shape[0]];
  const outputShape = attrInts(node, 'output_shape');
  const outputPadding = attrInts(node, 'output_padding') ?? new Array(spatial).fill(0);
  for (let i = 0; i < spatial; i++) {
    const inSize = x.shape[2 + i];
    let o: number;
    if (transpose) {
      if (outputShape) o = outputShape[outputShape.length - spatial + i];
      else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') o = inSize * stride[i];
      else o = stride[i] * (inSize - 1) + outputPadding[i] + (kernel[i] - 1) * dil[i] + 1 - pads[i] - pads[spatial + i];
    } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') o = Math.ceil(inSize / stride[i]);
    else if (autoPad === 'VALID') o = windowOutput(inSize, kernel[i], stride[i], 0, 0, dil[i]);
    else o = windowOutput(inSize, kernel[i], stride[i], pads[i], pads[spatial + i], dil[i]);
    if (inSize !== -1 && o < 1)
      err(
        `spatial size ${inSize} is too small for kernel ${kernel[i]} (stride ${stride[i]}, pads ${pads[i]}+${pads[spatial + i]}): input ` +
          `size too small for this model`,
      );
    out.push(inSize === -1 ? -1 : o);
  }
  return out;
}

function poolShape(node: NodeProto, x: TensorInfo, err: (m: string) => never): number[] {
  const spatial = x.shape.length - 2;
  const kernel = attrInts(node, 'kernel_shape');
  if (!kernel) err('kernel_shape is required');
  const stride = attrInts(node, 'strides') ?? new Array(spatial).fill(1);
  const dil = attrInts(node, 'dilations') ?? new Array(spatial).fill(1);
  const pads = attrInts(node, 'pads') ?? new Array(2 * spatial).fill(0);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const ceil = attrInt(node, 'ceil_mode', 0) === 1;
  const out = [x.shape[0], x.shape[1]];
  for (let i = 0; i < spatial; i++) {
    const inSize = x.shape[2 + i];
    let o: number;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') o = Math.ceil(inSize / stride[i]);
    else if (autoPad === 'VALID') o = windowOutput(inSize, kernel[i], stride[i], 0, 0, dil[i], ceil);
    else o = windowOutput(inSize, kernel[i], stride[i], pads[i], pads[spatial + i], dil[i], ceil);
    if (inSize !== -1 && o < 1)
      err(`spatial size ${inSize} is too small for pooling window ${kernel[i]}: input size too small for this model`);
    out.push(inSize === -1 ? -1 : o);
  }
  return out;
}

type Fail = (m: string) => never;

/** What an op's shape handler sees: the node, its input infos, the opset, and two helpers. */
interface OpContext {
  node: NodeProto;
  op: string;
  ins: Array<TensorInfo | undefined>;
  opset: number;
  /** The first input (an error when absent). */
  x: () => TensorInfo;
  /** A tensor of t's shape, with t's or the given element type. */
  same: (t: TensorInfo, elemType?: number) => TensorInfo;
}
type OpHandler = (ctx: OpContext, err: Fail) => TensorInfo[];

/** Unary ops whose output has the input shape (UNARY_SAME). */
function inferUnarySame(ctx: OpContext): TensorInfo[] {
  const { op, x, same } = ctx;
  const a = x();
  const out = withValue([...a.shape], a.elemType, () => {
    if (!a.value) return undefined;
    if (op === 'Identity') return [...a.value];
    if (op === 'Neg') return a.value.map((v) => -v);
    if (op === 'Floor') return a.value.map(Math.floor);
    if (op === 'Ceil') return a.value.map(Math.ceil);
    if (op === 'Abs') return a.value.map(Math.abs);
    if (op === 'Sqrt') return a.value.map(Math.sqrt);
    return undefined;
  });
  const extra = op === 'Dropout' ? [same(a, DataType.BOOL)] : [];
  return [out, ...extra];
}

/** Broadcasting binary and comparison ops (BINARY_BROADCAST, COMPARE). */
function inferBroadcast(ctx: OpContext, err: Fail): TensorInfo[] {
  const { op, ins } = ctx;
  const list = ins.filter((t): t is TensorInfo => !!t);
  if (list.length === 0) err('no inputs');
  const shape = broadcastShapes(
    list.map((t) => t.shape),
    err,
  );
  const elemType = COMPARE.has(op) ? DataType.BOOL : list[0].elemType;
  const isInt = elemType === DataType.INT64 || elemType === DataType.INT32;
  const f: Record<string, (xs: number[]) => number> = {
    Add: (v) => v.reduce((a, b) => a + b),
    Sum: (v) => v.reduce((a, b) => a + b),
    Sub: (v) => v[0] - v[1],
    Mul: (v) => v.reduce((a, b) => a * b),
    Div: (v) => (isInt ? Math.trunc(v[0] / v[1]) : v[0] / v[1]),
    Max: (v) => Math.max(...v),
    Min: (v) => Math.min(...v),
    Equal: (v) => Number(v[0] === v[1]),
    Greater: (v) => Number(v[0] > v[1]),
    Less: (v) => Number(v[0] < v[1]),
    Pow: (v) => v[0] ** v[1],
  };
  return [withValue(shape, elemType, () => (f[op] ? elementwise(list, shape, f[op]) : undefined))];
}

/** Reductions (REDUCE). */
function inferReduce(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, op, ins, opset, x } = ctx;
  const a = x();
  const keep = attrInt(node, 'keepdims', 1) === 1;
  const axesFromInput = (op === 'ReduceSum' && opset >= 13) || opset >= 18;
  let axes = axesFromInput ? (ins[1] ? valueOf(ins[1], 'axes', err) : undefined) : attrInts(node, 'axes');
  if (!axes || axes.length === 0) axes = attrInt(node, 'noop_with_empty_axes', 0) ? [] : a.shape.map((_, i) => i);
  const ax = new Set(axes.map((v) => normAxis(v, a.shape.length)));
  const shape: number[] = [];
  a.shape.forEach((d, i) => {
    if (!ax.has(i)) shape.push(d);
    else if (keep) shape.push(1);
  });
  return [{ shape, elemType: a.elemType }];
}

/** Conv, DeformConv. */
function inferConv(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, ins, x } = ctx;
  const a = x();
  const w = need(ins, 1, err);
  return [{ shape: convLike(node, a, w, err), elemType: a.elemType }];
}

/** ConvInteger. */
function inferConvInteger(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, ins, x } = ctx;
  const a = x();
  return [{ shape: convLike(node, a, need(ins, 1, err), err), elemType: DataType.INT32 }];
}

/** QLinearConv. */
function inferQLinearConv(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, ins, x } = ctx;
  const a = x();
  const w = need(ins, 3, err);
  const yzp = ins[7];
  return [{ shape: convLike(node, a, w, err), elemType: yzp ? yzp.elemType : a.elemType }];
}

/** ConvTranspose. */
function inferConvTranspose(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, ins, x } = ctx;
  const a = x();
  return [{ shape: convLike(node, a, need(ins, 1, err), err, true), elemType: a.elemType }];
}

/** MaxPool, AveragePool, LpPool. */
function inferMaxPool(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, op, x } = ctx;
  const a = x();
  const y: TensorInfo = { shape: poolShape(node, a, err), elemType: a.elemType };
  return op === 'MaxPool' ? [y, { shape: y.shape, elemType: DataType.INT64 }] : [y];
}

/** GlobalAveragePool, GlobalMaxPool, GlobalLpPool. */
function inferGlobalAveragePool(ctx: OpContext): TensorInfo[] {
  const { x } = ctx;
  const a = x();
  return [{ shape: a.shape.map((d, i) => (i < 2 ? d : 1)), elemType: a.elemType }];
}

/** QuantizeLinear. */
function inferQuantizeLinear(ctx: OpContext): TensorInfo[] {
  const { node, ins, x, same } = ctx;
  const a = x();
  const zp = ins[2];
  return [same(a, zp ? zp.elemType : toInt(findAttr(node, 'output_dtype')?.i) || DataType.UINT8)];
}

/** DequantizeLinear. */
function inferDequantizeLinear(ctx: OpContext, err: Fail): TensorInfo[] {
  const { ins, x, same } = ctx;
  const a = x();
  const scale = need(ins, 1, err);
  return [same(a, scale.elemType)];
}

/** DynamicQuantizeLinear. */
function inferDynamicQuantizeLinear(ctx: OpContext): TensorInfo[] {
  const { x, same } = ctx;
  const a = x();
  return [same(a, DataType.UINT8), { shape: [], elemType: DataType.FLOAT }, { shape: [], elemType: DataType.UINT8 }];
}

/** Cast, CastLike. */
function inferCast(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, op, ins, x } = ctx;
  const a = x();
  const to = op === 'Cast' ? attrInt(node, 'to', a.elemType) : need(ins, 1, err).elemType;
  const isInt = to !== DataType.FLOAT && to !== DataType.DOUBLE && to !== DataType.FLOAT16;
  return [withValue([...a.shape], to, () => (a.value ? a.value.map((v) => (isInt ? Math.trunc(v) : v)) : undefined))];
}

/** Concat. */
function inferConcat(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, ins } = ctx;
  const list = ins.filter((t): t is TensorInfo => !!t);
  if (list.length === 0) err('no inputs');
  const rank = list[0].shape.length;
  const axis = normAxis(attrInt(node, 'axis', 0), rank);
  if (axis < 0 || axis >= rank) err(`axis ${attrInt(node, 'axis', 0)} out of range for rank ${rank}`);
  for (const t of list) {
    if (t.shape.length !== rank) err(`inputs have different ranks`);
    for (let d = 0; d < rank; d++) {
      if (d !== axis && t.shape[d] !== list[0].shape[d] && t.shape[d] !== -1 && list[0].shape[d] !== -1) {
        err(
          `input shapes [${list[0].shape.join(',')}] and [${t.shape.join(',')}] differ outside the concat axis ${axis}: the input size ` +
            `does not fit this model (try a multiple of its largest stride, e.g. 32)`,
        );
      }
    }
  }
  const shape = [...list[0].shape];
  shape[axis] = list.some((t) => t.shape[axis] === -1) ? -1 : list.reduce((s, t) => s + t.shape[axis], 0);
  return [
    withValue(shape, list[0].elemType, () => {
      if (rank !== 1 || list.some((t) => !t.value)) return undefined;
      return list.flatMap((t) => t.value!);
    }),
  ];
}

/** Resize, Upsample. */
function inferResize(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, op, ins, opset, x } = ctx;
  const a = x();
  let sizes: number[] | undefined;
  let scales: number[] | undefined;
  if (op === 'Upsample' && opset < 9) scales = findAttr(node, 'scales')?.floats?.map(Number);
  else if (op === 'Upsample' || opset < 11) scales = valueOf(ins[1], 'scales', err);
  else {
    const s = ins[2];
    const z = ins[3];
    if (z && elementCount(z.shape) > 0) sizes = valueOf(z, 'sizes', err);
    else if (s && elementCount(s.shape) > 0) scales = valueOf(s, 'scales', err);
    else err('neither scales nor sizes is given');
  }
  const axes = attrInts(node, 'axes') ?? a.shape.map((_, i) => i);
  const shape = [...a.shape];
  if (sizes) {
    if (sizes.length !== axes.length) err(`sizes has ${sizes.length} values for ${axes.length} axes`);
    axes.forEach((ax, i) => (shape[normAxis(ax, a.shape.length)] = sizes![i]));
  } else if (scales) {
    if (scales.length !== axes.length) err(`scales has ${scales.length} values for ${axes.length} axes`);
    axes.forEach((ax, i) => {
      const k = normAxis(ax, a.shape.length);
      shape[k] = a.shape[k] === -1 ? -1 : Math.floor(a.shape[k] * scales![i] + 1e-9);
    });
  }
  return [{ shape, elemType: a.elemType }];
}

/** Reshape. */
function inferReshape(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, ins, x } = ctx;
  const a = x();
  const target = valueOf(ins[1], 'shape', err);
  const allowZero = attrInt(node, 'allowzero', 0) === 1;
  const shape = target.map((d, i) => (d === 0 && !allowZero ? a.shape[i] : d));
  const known = elementCount(a.shape);
  const neg = shape.indexOf(-1);
  if (neg >= 0) {
    const rest = elementCount(shape.filter((_, i) => i !== neg));
    if (a.shape.includes(-1)) shape[neg] = -1;
    else {
      if (rest === 0 || known % rest !== 0) err(`cannot reshape [${a.shape.join(',')}] to [${target.join(',')}]`);
      shape[neg] = known / rest;
    }
  } else if (!a.shape.includes(-1) && elementCount(shape) !== known)
    err(`cannot reshape [${a.shape.join(',')}] (${known} elements) to [${shape.join(',')}]`);
  return [withValue(shape, a.elemType, () => (a.value ? [...a.value] : undefined))];
}

/** Flatten. */
function inferFlatten(ctx: OpContext): TensorInfo[] {
  const { node, x } = ctx;
  const a = x();
  const axis = normAxis(attrInt(node, 'axis', 1), a.shape.length);
  return [{ shape: [elementCount(a.shape.slice(0, axis)), elementCount(a.shape.slice(axis))], elemType: a.elemType }];
}

/** Transpose. */
function inferTranspose(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, x } = ctx;
  const a = x();
  const perm = attrInts(node, 'perm') ?? a.shape.map((_, i) => a.shape.length - 1 - i);
  if (perm.length !== a.shape.length) err(`perm [${perm.join(',')}] does not match rank ${a.shape.length}`);
  return [{ shape: perm.map((p) => a.shape[p]), elemType: a.elemType }];
}

/** Squeeze, Unsqueeze. */
function inferSqueeze(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, op, ins, opset, x } = ctx;
  const a = x();
  const axes = opset >= 13 ? (ins[1] ? valueOf(ins[1], 'axes', err) : undefined) : attrInts(node, 'axes');
  let shape: number[];
  if (op === 'Squeeze') {
    const ax = new Set((axes ?? a.shape.map((d, i) => (d === 1 ? i : -99)).filter((i) => i >= 0)).map((v) => normAxis(v, a.shape.length)));
    shape = a.shape.filter((_, i) => !ax.has(i));
  } else {
    if (!axes) err('axes is required');
    const rank = a.shape.length + axes.length;
    const ax = new Set(axes.map((v) => normAxis(v, rank)));
    shape = [];
    let j = 0;
    for (let i = 0; i < rank; i++) shape.push(ax.has(i) ? 1 : a.shape[j++]);
  }
  return [withValue(shape, a.elemType, () => (a.value ? [...a.value] : undefined))];
}

/** Shape. */
function inferShape(ctx: OpContext): TensorInfo[] {
  const { node, x } = ctx;
  const a = x();
  const rank = a.shape.length;
  let start = attrInt(node, 'start', 0);
  let end = findAttr(node, 'end') ? attrInt(node, 'end', rank) : rank;
  start = Math.min(Math.max(normAxis(start, rank), 0), rank);
  end = Math.min(Math.max(normAxis(end, rank), 0), rank);
  const dims = a.shape.slice(start, Math.max(start, end));
  return [{ shape: [dims.length], elemType: DataType.INT64, value: dims.includes(-1) ? undefined : dims }];
}

/** Size. */
function inferSize(ctx: OpContext): TensorInfo[] {
  const { x } = ctx;
  const a = x();
  return [{ shape: [], elemType: DataType.INT64, value: a.shape.includes(-1) ? undefined : [elementCount(a.shape)] }];
}

/** Constant. */
function inferConstant(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node } = ctx;
  const t = attrTensor(node, 'value');
  if (t)
    return [
      { shape: tensorDims(t), elemType: toInt(t.dataType), value: elementCount(tensorDims(t)) <= VALUE_LIMIT ? readNumbers(t) : undefined },
    ];
  const ints = attrInts(node, 'value_ints');
  if (ints) return [{ shape: [ints.length], elemType: DataType.INT64, value: ints }];
  if (findAttr(node, 'value_int')) return [{ shape: [], elemType: DataType.INT64, value: [attrInt(node, 'value_int', 0)] }];
  const floats = findAttr(node, 'value_floats')?.floats;
  if (floats) return [{ shape: [floats.length], elemType: DataType.FLOAT, value: floats.map(Number) }];
  if (findAttr(node, 'value_float')) return [{ shape: [], elemType: DataType.FLOAT, value: [attrFloat(node, 'value_float', 0)] }];
  return err('unsupported Constant attribute');
}

/** ConstantOfShape. */
function inferConstantOfShape(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, ins } = ctx;
  const shape = valueOf(ins[0], 'shape', err);
  const t = attrTensor(node, 'value');
  const v = t ? readNumbers(t)[0] : 0;
  const elemType = t ? toInt(t.dataType) : DataType.FLOAT;
  return [withValue(shape, elemType, () => new Array(elementCount(shape)).fill(v))];
}

/** Gather. */
function inferGather(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, ins, x } = ctx;
  const a = x();
  const idx = need(ins, 1, err);
  const axis = normAxis(attrInt(node, 'axis', 0), a.shape.length);
  const shape = [...a.shape.slice(0, axis), ...idx.shape, ...a.shape.slice(axis + 1)];
  return [
    withValue(shape, a.elemType, () => {
      if (!a.value || !idx.value) return undefined;
      const outer = elementCount(a.shape.slice(0, axis));
      const inner = elementCount(a.shape.slice(axis + 1));
      const n = a.shape[axis];
      const out: number[] = [];
      for (let o = 0; o < outer; o++)
        for (const i0 of idx.value) {
          const i = i0 < 0 ? i0 + n : i0;
          if (i < 0 || i >= n) err(`index ${i0} out of range for axis of size ${n}`);
          for (let k = 0; k < inner; k++) out.push(a.value[(o * n + i) * inner + k]);
        }
      return out;
    }),
  ];
}

/** Slice. */
function inferSlice(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, ins, opset, x } = ctx;
  const a = x();
  const rank = a.shape.length;
  let starts: number[];
  let ends: number[];
  let axes: number[];
  let steps: number[];
  if (opset < 10) {
    starts = attrInts(node, 'starts') ?? [];
    ends = attrInts(node, 'ends') ?? [];
    axes = attrInts(node, 'axes') ?? starts.map((_, i) => i);
    steps = starts.map(() => 1);
  } else {
    starts = valueOf(ins[1], 'starts', err);
    ends = valueOf(ins[2], 'ends', err);
    axes = ins[3] ? valueOf(ins[3], 'axes', err) : starts.map((_, i) => i);
    steps = ins[4] ? valueOf(ins[4], 'steps', err) : starts.map(() => 1);
  }
  const shape = [...a.shape];
  const ranges = a.shape.map((d) => ({ start: 0, step: 1, count: d }));
  axes.forEach((ax0, i) => {
    const ax = normAxis(ax0, rank);
    const d = a.shape[ax];
    if (d === -1) {
      shape[ax] = -1;
      return;
    }
    const step = steps[i];
    if (step === 0) err('slice step 0');
    const clampS = (v: number) => (v < 0 ? v + d : v);
    let s = clampS(starts[i]);
    let e = ends[i] >= Number.MAX_SAFE_INTEGER / 2 ? d : ends[i] <= -Number.MAX_SAFE_INTEGER / 2 ? -1 : clampS(ends[i]);
    if (step > 0) {
      s = Math.min(Math.max(s, 0), d);
      e = Math.min(Math.max(e, 0), d);
      shape[ax] = Math.max(0, Math.ceil((e - s) / step));
    } else {
      s = Math.min(Math.max(s, -1), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
      shape[ax] = Math.max(0, Math.ceil((s - e) / -step));
    }
    ranges[ax] = { start: s, step, count: shape[ax] };
  });
  return [
    withValue(shape, a.elemType, () => {
      if (!a.value) return undefined;
      const st = strides(a.shape);
      const out: number[] = [];
      const n = elementCount(shape);
      const os = strides(shape);
      for (let k = 0; k < n; k++) {
        let off = 0;
        for (let d = 0; d < rank; d++) off += (ranges[d].start + (Math.floor(k / os[d]) % shape[d]) * ranges[d].step) * st[d];
        out.push(a.value[off]);
      }
      return out;
    }),
  ];
}

/** Split. */
function inferSplit(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, ins, opset, x } = ctx;
  const a = x();
  const axis = normAxis(attrInt(node, 'axis', 0), a.shape.length);
  const nOut = (node.output ?? []).length;
  let split = opset >= 13 ? (ins[1] ? valueOf(ins[1], 'split', err) : undefined) : attrInts(node, 'split');
  if (!split) {
    const d = a.shape[axis];
    const chunk = Math.ceil(d / nOut);
    split = Array.from({ length: nOut }, (_, i) => Math.max(0, Math.min(chunk, d - i * chunk)));
  }
  if (split.reduce((s, v) => s + v, 0) !== a.shape[axis] && a.shape[axis] !== -1)
    err(`split [${split.join(',')}] does not sum to ${a.shape[axis]}`);
  return split.map((s) => {
    const shape = [...a.shape];
    shape[axis] = s;
    return { shape, elemType: a.elemType };
  });
}

/** Pad. */
function inferPad(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, ins, opset, x } = ctx;
  const a = x();
  const pads = opset >= 11 ? valueOf(ins[1], 'pads', err) : (attrInts(node, 'pads') ?? []);
  const axes = opset >= 18 && ins[3] ? valueOf(ins[3], 'axes', err).map((v) => normAxis(v, a.shape.length)) : a.shape.map((_, i) => i);
  const shape = [...a.shape];
  axes.forEach((ax, i) => (shape[ax] = a.shape[ax] === -1 ? -1 : a.shape[ax] + pads[i] + pads[axes.length + i]));
  return [{ shape, elemType: a.elemType }];
}

/** Expand. */
function inferExpand(ctx: OpContext, err: Fail): TensorInfo[] {
  const { ins, x } = ctx;
  const a = x();
  const target = valueOf(ins[1], 'shape', err);
  return [{ shape: broadcastShapes([a.shape, target], err), elemType: a.elemType }];
}

/** Tile. */
function inferTile(ctx: OpContext, err: Fail): TensorInfo[] {
  const { ins, x } = ctx;
  const a = x();
  const reps = valueOf(ins[1], 'repeats', err);
  return [{ shape: a.shape.map((d, i) => (d === -1 ? -1 : d * reps[i])), elemType: a.elemType }];
}

/** Where. */
function inferWhere(ctx: OpContext, err: Fail): TensorInfo[] {
  const { ins } = ctx;
  const list = [need(ins, 0, err), need(ins, 1, err), need(ins, 2, err)];
  const shape = broadcastShapes(
    list.map((t) => t.shape),
    err,
  );
  return [withValue(shape, list[1].elemType, () => elementwise(list, shape, (v) => (v[0] ? v[1] : v[2])))];
}

/** Range. */
function inferRange(ctx: OpContext, err: Fail): TensorInfo[] {
  const { ins } = ctx;
  const [s, l, d] = [0, 1, 2].map((i) => valueOf(ins[i], 'range bound', err)[0]);
  const n = Math.max(Math.ceil((l - s) / d), 0);
  return [withValue([n], need(ins, 0, err).elemType, () => Array.from({ length: n }, (_, i) => s + i * d))];
}

/** Gemm. */
function inferGemm(ctx: OpContext, err: Fail): TensorInfo[] {
  const { node, ins, x } = ctx;
  const a = x();
  const b = need(ins, 1, err);
  const ta = attrInt(node, 'transA', 0);
  const tb = attrInt(node, 'transB', 0);
  const [m, k1] = ta ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [k2, n] = tb ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (k1 !== k2 && k1 !== -1 && k2 !== -1) err(`inner dims differ: A [${a.shape.join(',')}], B [${b.shape.join(',')}]`);
  return [{ shape: [m, n], elemType: a.elemType }];
}

/** MatMul, MatMulInteger, QLinearMatMul. */
function inferMatMul(ctx: OpContext, err: Fail): TensorInfo[] {
  const { op, ins, x } = ctx;
  const a = x();
  const b = need(ins, op === 'QLinearMatMul' ? 3 : 1, err);
  const as = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const bs = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const k1 = as[as.length - 1];
  const k2 = bs[bs.length - 2];
  if (k1 !== k2 && k1 !== -1 && k2 !== -1) err(`inner dims differ: [${a.shape.join(',')}] x [${b.shape.join(',')}]`);
  const batchDims = broadcastShapes([as.slice(0, -2), bs.slice(0, -2)], err);
  const shape = [...batchDims];
  if (a.shape.length > 1) shape.push(as[as.length - 2]);
  if (b.shape.length > 1) shape.push(bs[bs.length - 1]);
  const elemType = op === 'MatMulInteger' ? DataType.INT32 : op === 'QLinearMatMul' ? (ins[7]?.elemType ?? a.elemType) : a.elemType;
  return [{ shape, elemType }];
}

/** ArgMax, ArgMin. */
function inferArgMax(ctx: OpContext): TensorInfo[] {
  const { node, x } = ctx;
  const a = x();
  const axis = normAxis(attrInt(node, 'axis', 0), a.shape.length);
  const keep = attrInt(node, 'keepdims', 1) === 1;
  const shape = a.shape.flatMap((d, i) => (i !== axis ? [d] : keep ? [1] : []));
  return [{ shape, elemType: DataType.INT64 }];
}

/** TopK. */
function inferTopK(ctx: OpContext): TensorInfo[] {
  const { node, ins, x } = ctx;
  const a = x();
  const k = ins[1]?.value ? ins[1].value[0] : -1;
  const axis = normAxis(attrInt(node, 'axis', -1), a.shape.length);
  const shape = [...a.shape];
  shape[axis] = k;
  return [
    { shape, elemType: a.elemType },
    { shape: [...shape], elemType: DataType.INT64 },
  ];
}

/** NonZero. */
function inferNonZero(ctx: OpContext): TensorInfo[] {
  const { x } = ctx;
  const a = x();
  return [{ shape: [a.shape.length, -1], elemType: DataType.INT64 }];
}

/** NonMaxSuppression. */
function inferNonMaxSuppression(): TensorInfo[] {
  return [{ shape: [-1, 3], elemType: DataType.INT64 }];
}

/** DepthToSpace, SpaceToDepth. */
function inferDepthToSpace(ctx: OpContext): TensorInfo[] {
  const { node, op, x } = ctx;
  const a = x();
  const b = attrInt(node, 'blocksize', 1);
  const [n, c, h, w] = a.shape;
  return [{ shape: op === 'DepthToSpace' ? [n, c / (b * b), h * b, w * b] : [n, c * b * b, h / b, w / b], elemType: a.elemType }];
}

/** Shape inference per op type (ONNX default domain); each op appears once (checked when the table is built). */
const OP_HANDLERS: Record<string, OpHandler> = buildOpTable([
  [[...UNARY_SAME], inferUnarySame],
  [[...BINARY_BROADCAST, ...COMPARE], inferBroadcast],
  [[...REDUCE], inferReduce],
  [['Conv', 'DeformConv'], inferConv],
  [['ConvInteger'], inferConvInteger],
  [['QLinearConv'], inferQLinearConv],
  [['ConvTranspose'], inferConvTranspose],
  [['MaxPool', 'AveragePool', 'LpPool'], inferMaxPool],
  [['GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool'], inferGlobalAveragePool],
  [['QuantizeLinear'], inferQuantizeLinear],
  [['DequantizeLinear'], inferDequantizeLinear],
  [['DynamicQuantizeLinear'], inferDynamicQuantizeLinear],
  [['Cast', 'CastLike'], inferCast],
  [['Concat'], inferConcat],
  [['Resize', 'Upsample'], inferResize],
  [['Reshape'], inferReshape],
  [['Flatten'], inferFlatten],
  [['Transpose'], inferTranspose],
  [['Squeeze', 'Unsqueeze'], inferSqueeze],
  [['Shape'], inferShape],
  [['Size'], inferSize],
  [['Constant'], inferConstant],
  [['ConstantOfShape'], inferConstantOfShape],
  [['Gather'], inferGather],
  [['Slice'], inferSlice],
  [['Split'], inferSplit],
  [['Pad'], inferPad],
  [['Expand'], inferExpand],
  [['Tile'], inferTile],
  [['Where'], inferWhere],
  [['Range'], inferRange],
  [['Gemm'], inferGemm],
  [['MatMul', 'MatMulInteger', 'QLinearMatMul'], inferMatMul],
  [['ArgMax', 'ArgMin'], inferArgMax],
  [['TopK'], inferTopK],
  [['NonZero'], inferNonZero],
  [['NonMaxSuppression'], inferNonMaxSuppression],
  [['DepthToSpace', 'SpaceToDepth'], inferDepthToSpace],
]);

function buildOpTable(entries: Array<[string[], OpHandler]>): Record<string, OpHandler> {
  const table: Record<string, OpHandler> = {};
  for (const [ops, handler] of entries) {
    for (const op of ops) {
      if (Object.hasOwn(table, op)) throw new Error(`shape inference: op ${op} is registered twice`);
      table[op] = handler;
    }
  }
  return table;
}

function inferNode(node: NodeProto, ins: Array<TensorInfo | undefined>, opset: number, err: Fail): TensorInfo[] {
  const op = node.opType ?? '';
  const domain = node.domain ?? '';
  if (domain !== '' && domain !== 'ai.onnx') err(`unknown op "${domain}::${op}" (custom domain): shapes cannot be inferred`);
  // Own keys only: an op named like an Object.prototype member ("constructor") is unknown too.
  if (!Object.hasOwn(OP_HANDLERS, op)) err(`unknown op "${op}": shape inference does not support it`);
  const ctx: OpContext = {
    node,
    op,
    ins,
    opset,
    x: () => need(ins, 0, err),
    same: (t, elemType = t.elemType) => ({ shape: [...t.shape], elemType }),
  };
  return OP_HANDLERS[op](ctx, err);
}

/** True when some 4-D graph input has a symbolic (or 0) height or width, i.e. needs an input size. */
export function hasSymbolicImageSize(model: ModelProto): boolean {
  const inits = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  return (model.graph?.input ?? []).some((vi) => {
    if (inits.has(vi.name)) return false;
    const dims = vi.type?.tensorType?.shape?.dim ?? [];
    return dims.length === 4 && (toInt(dims[2].dimValue) <= 0 || toInt(dims[3].dimValue) <= 0);
  });
}
