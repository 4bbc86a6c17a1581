/**
 * Channel pruning with PaddleSlim's semantics (paddleslim/prune/pruner.py, criterion.py,
 * idx_selector.py), over any ONNX graph:
 * - for each listed convolution weight W [C_out, C_in/groups, kH, kW] (in the order given), remove
 *   `round(C_out * ratio)` output channels (Python's round: half to even, as `int(round(...))`), the
 *   ones with the smallest L1 norm `sum |W[c, :, :, :]|` (ties: lower channel index first). The norm
 *   is taken over the input channels that are still there after earlier pruning, as PaddleSlim
 *   prunes sequentially.
 * - The removal is propagated through the graph, both ways, by one rule per operator: conv bias and
 *   BatchNorm parameters; activations, Resize/Upsample, pooling, Q/DQ; Concat (with channel offsets);
 *   Add/Mul/... of two feature maps (the other operand's producer is pruned with the same channels,
 *   PaddleSlim's "group"); depthwise convolutions (their filters and `group` shrink and the channels
 *   pass through); and finally the input channels (axis 1) of every consuming convolution.
 * - A weight already pruned on its output axis by an earlier entry's group is skipped (as PaddleSlim
 *   does), reported with `skippedBecause`.
 * Anything the rules cannot carry (a Reshape of a pruned tensor, a grouped non-depthwise conv, a graph
 * output) is a one-line SlimboardError. The result keeps every output name and shape and is checked
 * by shape inference before it is returned.
 */
import { SlimboardError } from '../errors';
import { attrInt, attrInts, indexGraph, nodeLabel, requireGraph, setAttrInt, type GraphIndex } from './graph';
import { DataType, isFloatType, onnx, toInt, type ModelProto, type NodeProto, type TensorProto } from './proto';
import { hasSymbolicImageSize, inferShapes, type InferredShapes } from './shape-inference';
import { elementCount, makeInt64Tensor, readFloat32, readNumbers, sliceTensor, tensorDims } from './tensor';
import { ELEMENTWISE_UNARY_OPS } from './elementwise-ops';

export interface PruneOptions {
  /** Conv weight initializer names, e.g. "yolo_block.0.0.0.conv.weights". */
  params: readonly string[];
  /** Ratios in [0, 1), same length and order as params. */
  ratios: readonly number[];
  /** Input size used to resolve shapes of dynamic-size models while pruning (default 320; fixed-size models use their own). */
  inputSize?: number;
}

export interface PrunedParam {
  param: string;
  ratio: number;
  channelsBefore: number;
  channelsAfter: number;
  /** Output channels removed: round(channelsBefore * ratio), or 0 when skipped. */
  prunedChannels: number;
  /** Other tensors changed by this entry's group (bias, BatchNorm, consumers' input channels...). */
  affectedTensors: number;
  skippedBecause?: string;
}

export interface PruneResult {
  model: ModelProto;
  pruned: PrunedParam[];
}

/** Python 3 `round(x)` to an integer: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Number of channels PaddleSlim removes for `channels` and `ratio`: int(round(channels * ratio)). */
export function prunedChannelCount(channels: number, ratio: number): number {
  return roundHalfEven(channels * ratio);
}

/**
 * Indices of the `count` smallest scores (ascending by score, ties by index), returned sorted by index.
 * `scores[c]` is the L1 norm of channel c; NaN scores sort last.
 */
export function smallestIndices(scores: ArrayLike<number>, count: number): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  const key = (i: number) => (Number.isNaN(scores[i]) ? Infinity : scores[i]);
  order.sort((a, b) => key(a) - key(b) || a - b);
  return order.slice(0, count).sort((a, b) => a - b);
}

/** One tensor axis losing some channels; `idx` are ascending indices in the ORIGINAL tensor. */
interface Item {
  tensor: string;
  axis: number;
  idx: number[];
}

interface Walk {
  items: Map<string, Item>;
  depthwise: Set<NodeProto>;
}

/** Ops pruned channels pass through: the elementwise ones, and Cast (a type change, element by element). */
const UNARY_PASS = new Set([...ELEMENTWISE_UNARY_OPS, 'Cast']);
const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'PRelu', 'Where']);
const POOL = new Set(['MaxPool', 'AveragePool', 'LpPool', 'GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool', 'LRN']);

function key(tensor: string, axis: number): string {
  return `${tensor}\u0000${axis}`;
}

class PruneWalker {
  constructor(
    private readonly index: GraphIndex,
    private readonly shapes: InferredShapes,
    private readonly graphInputs: Set<string>,
    private readonly graphOutputs: Set<string>,
    private readonly source: string,
  ) {}

  private shape(name: string): number[] {
    const s = this.shapes.tensors.get(name)?.shape;
    if (!s) throw new SlimboardError('prune_failed', `${this.source}: no shape known for tensor "${name}"`);
    return s;
  }

  private fail(node: NodeProto, msg: string): never {
    throw new SlimboardError('prune_failed', `${this.source}: cannot prune through ${nodeLabel(node)}: ${msg}`);
  }

  /** Collect every tensor axis that loses channels when `start` does. */
  walk(start: Item): Walk {
    const items = new Map<string, Item>();
    const depthwise = new Set<NodeProto>();
    const queue: Item[] = [];
    const push = (it: Item) => {
      const k = key(it.tensor, it.axis);
      const prev = items.get(k);
      if (prev) {
        if (prev.idx.length !== it.idx.length || prev.idx.some((v, i) => v !== it.idx[i])) {
          throw new SlimboardError(
            'prune_failed',
            `${this.source}: tensor "${it.tensor}" would lose two different channel sets on axis ${it.axis} (conflicting branches)`,
          );
        }
        return;
      }
      items.set(k, it);
      queue.push(it);
    };
    push(start);
    while (queue.length) {
      const it = queue.shift()!;
      if (this.graphOutputs.has(it.tensor)) {
        throw new SlimboardError(
          'prune_failed',
          `${this.source}: pruning "${start.tensor}" would change the channels of graph output "${it.tensor}"`,
        );
      }
      if (this.graphInputs.has(it.tensor)) {
        throw new SlimboardError(
          'prune_failed',
          `${this.source}: pruning "${start.tensor}" would change the channels of graph input "${it.tensor}"`,
        );
      }
      const producer = this.index.producer.get(it.tensor);
      if (producer) this.rule(producer, it, depthwise).forEach(push);
      for (const c of this.index.consumers.get(it.tensor) ?? []) this.rule(c, it, depthwise).forEach(push);
    }
    return { items, depthwise };
  }

  /** The items implied, at one node, by `it` (a tensor this node reads or writes). */
  private rule(node: NodeProto, it: Item, depthwise: Set<NodeProto>): Item[] {
    const op = node.opType ?? '';
    const ins = node.input ?? [];
    const outs = node.output ?? [];
    const inPorts = ins.map((n, i) => (n === it.tensor ? i : -1)).filter((i) => i >= 0);
    const isOut = outs.includes(it.tensor);
    const { axis, idx } = it;
    const at = (tensor: string | undefined, ax: number): Item[] => (tensor ? [{ tensor, axis: ax, idx }] : []);
    const vecIfPerChannel = (tensor: string | undefined, n: number): Item[] => {
      if (!tensor) return [];
      const s = this.shape(tensor);
      return s.length === 1 && s[0] === n && n > 1 ? at(tensor, 0) : [];
    };

    if (op === 'Conv' || op === 'QLinearConv' || op === 'DeformConv' || op === 'ConvInteger') {
      const [X, W, B] = op === 'QLinearConv' ? [0, 3, 8] : op === 'DeformConv' ? [0, 1, 3] : [0, 1, 2];
      const perOut = op === 'QLinearConv' ? [4, 5] : [];
      const w = this.shape(ins[W]);
      const g = attrInt(node, 'group', 1);
      const isDepthwise = g > 1 && w[1] === 1 && w[0] === g;
      const outSide = (): Item[] => [
        ...at(ins[W], 0),
        ...at(ins[B], 0),
        ...at(outs[0], 1),
        ...perOut.flatMap((p) => vecIfPerChannel(ins[p], w[0])),
      ];
      const fromOut =
        (isOut && axis === 1) ||
        (inPorts.includes(W) && axis === 0) ||
        (inPorts.includes(B) && axis === 0) ||
        perOut.some((p) => inPorts.includes(p));
      const fromIn = (inPorts.includes(X) && axis === 1) || (inPorts.includes(W) && axis === 1);
      if (op === 'DeformConv' && (inPorts.includes(2) || inPorts.includes(4)))
        this.fail(node, 'the offset/mask channels of a deformable conv cannot be pruned');
      if (fromOut) {
        if (isDepthwise) {
          depthwise.add(node);
          return [...outSide(), ...at(ins[X], 1)];
        }
        return outSide();
      }
      if (fromIn) {
        if (g === 1) return [...at(ins[W], 1), ...at(ins[X], 1)];
        if (isDepthwise) {
          depthwise.add(node);
          return [...outSide(), ...at(ins[X], 1)];
        }
        this.fail(node, `grouped convolution (group ${g}) that is not depthwise`);
      }
      this.fail(node, `unsupported axis ${axis} of "${it.tensor}"`);
    }
    if (op === 'ConvTranspose') {
      if (attrInt(node, 'group', 1) !== 1) this.fail(node, 'grouped ConvTranspose');
      if ((inPorts.includes(0) && axis === 1) || (inPorts.includes(1) && axis === 0)) return [...at(ins[0], 1), ...at(ins[1], 0)];
      if ((isOut && axis === 1) || (inPorts.includes(1) && axis === 1) || (inPorts.includes(2) && axis === 0))
        return [...at(outs[0], 1), ...at(ins[1], 1), ...at(ins[2], 0)];
      this.fail(node, `unsupported axis ${axis} of "${it.tensor}"`);
    }
    if (op === 'BatchNormalization' || op === 'InstanceNormalization') {
      const params = op === 'BatchNormalization' ? [1, 2, 3, 4] : [1, 2];
      if (axis !== 1 && !(params.some((p) => inPorts.includes(p)) && axis === 0)) this.fail(node, `channel axis must be 1, got ${axis}`);
      return [...at(ins[0], 1), ...at(outs[0], 1), ...params.flatMap((p) => at(ins[p], 0))];
    }
    if (UNARY_PASS.has(op)) {
      if (inPorts.length && inPorts[0] !== 0) return []; // e.g. Clip min/max scalars
      return [...at(ins[0], axis), ...at(outs[0], axis)];
    }
    if (op === 'Softmax' || op === 'LogSoftmax') {
      const rank = this.shape(ins[0]).length;
      const sAxis = attrInt(node, 'axis', -1);
      if ((sAxis + rank) % rank === axis) this.fail(node, `softmax over the pruned axis ${axis}`);
      return [...at(ins[0], axis), ...at(outs[0], axis)];
    }
    if (POOL.has(op)) {
      if (axis > 1) this.fail(node, `pooling over the pruned axis ${axis}`);
      return [...at(ins[0], axis), ...at(outs[0], axis)];
    }
    if (op === 'Resize' || op === 'Upsample') {
      if (!isOut && inPorts[0] !== 0) this.fail(node, 'its scales/sizes input cannot be pruned');
      const xs = this.shape(ins[0]);
      const ys = this.shape(outs[0]);
      if (xs[axis] !== ys[axis]) this.fail(node, `it resizes the pruned axis ${axis}`);
      return [...at(ins[0], axis), ...at(outs[0], axis)];
    }
    if (op === 'QuantizeLinear' || op === 'DequantizeLinear') {
      if (!isOut && inPorts[0] !== 0) return [];
      const xs = this.shape(ins[0]);
      const qAxis = (attrInt(node, 'axis', 1) + xs.length) % xs.length;
      const perAxis = qAxis === axis ? [...vecIfPerChannel(ins[1], xs[axis]), ...vecIfPerChannel(ins[2], xs[axis])] : [];
      return [...at(ins[0], axis), ...at(outs[0], axis), ...perAxis];
    }
    if (BINARY.has(op)) {
      const outShape = this.shape(outs[0]);
      const R = outShape.length;
      const srcShape = this.shape(it.tensor);
      const outAxis = isOut ? axis : axis + (R - srcShape.length);
      const res: Item[] = at(outs[0], outAxis);
      ins.forEach((name, q) => {
        if (!name) return;
        const s = this.shape(name);
        const a = outAxis - (R - s.length);
        if (a < 0 || s[a] === 1) return; // broadcast along this axis: nothing to remove
        if (op === 'Where' && q === 0 && s[a] === 1) return;
        res.push({ tensor: name, axis: a, idx });
      });
      return res;
    }
    if (op === 'Concat') {
      const rank = this.shape(outs[0]).length;
      const cAxis = (attrInt(node, 'axis', 0) + rank) % rank;
      if (axis !== cAxis) return [...ins.flatMap((n) => at(n, axis)), ...at(outs[0], axis)];
      const sizes = ins.map((n) => this.shape(n)[cAxis]);
      const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
      if (isOut) {
        const res: Item[] = [];
        ins.forEach((n, i) => {
          const part = idx.filter((v) => v >= offsets[i] && v < offsets[i] + sizes[i]).map((v) => v - offsets[i]);
          if (part.length) res.push({ tensor: n, axis, idx: part });
        });
        return res;
      }
      if (inPorts.length > 1) this.fail(node, `"${it.tensor}" is concatenated with itself`);
      return [{ tensor: outs[0], axis, idx: idx.map((v) => v + offsets[inPorts[0]]) }];
    }
    if (op === 'Transpose') {
      const rank = this.shape(ins[0]).length;
      const perm = attrInts(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
      return isOut ? at(ins[0], perm[axis]) : at(outs[0], perm.indexOf(axis));
    }
    if (op === 'Split') {
      const rank = this.shape(ins[0]).length;
      const sAxis = (attrInt(node, 'axis', 0) + rank) % rank;
      if (axis === sAxis) this.fail(node, `it splits the pruned axis ${axis}`);
      if (!isOut && inPorts[0] !== 0) return [];
      return [...at(ins[0], axis), ...outs.flatMap((o) => at(o, axis))];
    }
    if (op === 'Slice') {
      if (!isOut && inPorts[0] !== 0) this.fail(node, 'its starts/ends cannot be pruned');
      const xs = this.shape(ins[0]);
      const ys = this.shape(outs[0]);
      if (xs[axis] !== ys[axis]) this.fail(node, `it slices the pruned axis ${axis}`);
      return [...at(ins[0], axis), ...at(outs[0], axis)];
    }
    if (op === 'Flatten') {
      const xs = this.shape(ins[0]);
      const fAxis = attrInt(node, 'axis', 1);
      if (fAxis === 1 && elementCount(xs.slice(2)) === 1 && axis === 1) return [...at(ins[0], 1), ...at(outs[0], 1)];
      this.fail(node, 'it flattens the pruned axis together with others');
    }
    if (op === 'Gemm') {
      const ta = attrInt(node, 'transA', 0);
      const tb = attrInt(node, 'transB', 0);
      const aK = ta ? 0 : 1;
      const bK = tb ? 1 : 0;
      if ((inPorts.includes(0) && axis === aK) || (inPorts.includes(1) && axis === bK)) return [...at(ins[0], aK), ...at(ins[1], bK)];
      this.fail(node, 'only the reduced (K) axis of a Gemm can be pruned');
    }
    if (op === 'MatMul') {
      const a = this.shape(ins[0]);
      const b = this.shape(ins[1]);
      if (b.length >= 2 && ((inPorts.includes(0) && axis === a.length - 1) || (inPorts.includes(1) && axis === b.length - 2))) {
        return [...at(ins[0], a.length - 1), ...at(ins[1], b.length - 2)];
      }
      this.fail(node, 'only the reduced axis of a MatMul can be pruned');
    }
    if (op === 'Shape' || op === 'Size') return []; // the shape is read at run time
    this.fail(node, `no pruning rule for op "${op}" (tensor "${it.tensor}", axis ${axis})`);
  }
}

/**
 * L1 norm of each output channel (axis 0) of a conv weight: float weights as stored, 8-bit weights read
 * through their DequantizeLinear as |q - zero_point| x |scale|.
 */
export function filterL1Norms(weight: TensorProto, index: GraphIndex, source: string): Float64Array {
  return channelL1(weight, index, new Map(), source);
}

/** L1 norm of each output channel (axis 0) of a conv weight, over the entries still present. */
function channelL1(weight: TensorProto, index: GraphIndex, removed: Map<string, Set<number>>, source: string): Float64Array {
  const dims = tensorDims(weight);
  const name = weight.name ?? '';
  const type = toInt(weight.dataType);
  let values: ArrayLike<number>;
  let scale: (c: number) => number = () => 1;
  let zero: (c: number) => number = () => 0;
  if (type === DataType.FLOAT) values = readFloat32(weight);
  else if (type === DataType.INT8 || type === DataType.UINT8 || isFloatType(type)) {
    values = readNumbers(weight);
    const dq = (index.consumers.get(name) ?? []).find((n) => n.opType === 'DequantizeLinear' && (n.input ?? [])[0] === name);
    if (dq) {
      const sc = index.initializers.get((dq.input ?? [])[1] ?? '');
      const zp = index.initializers.get((dq.input ?? [])[2] ?? '');
      const s = sc ? readNumbers(sc) : [1];
      const z = zp ? readNumbers(zp) : [0];
      scale = (c) => s[s.length === 1 ? 0 : c];
      zero = (c) => z[z.length === 1 ? 0 : c];
    }
  } else
    throw new SlimboardError('prune_failed', `${source}: weight "${name}" has type ${type}; only float and 8-bit weights can be ranked`);
  const out = new Float64Array(dims[0]);
  const inner = elementCount(dims.slice(1));
  const innerDims = dims.slice(1);
  const removedAxes = innerDims.map((_, i) => removed.get(key(name, i + 1)));
  const st = innerDims.map((_, i) => elementCount(innerDims.slice(i + 1)));
  for (let c = 0; c < dims[0]; c++) {
    let s = 0;
    const z = zero(c);
    for (let k = 0; k < inner; k++) {
      let skip = false;
      for (let a = 0; a < innerDims.length && !skip; a++) {
        const r = removedAxes[a];
        if (r && r.has(Math.floor(k / st[a]) % innerDims[a])) skip = true;
      }
      if (!skip) s += Math.abs(values[c * inner + k] - z);
    }
    out[c] = s * Math.abs(scale(c));
  }
  return out;
}

/** Initializers read as convolution weights (directly or through a DequantizeLinear), sorted by name. */
export function convWeightNames(index: GraphIndex): string[] {
  const names: string[] = [];
  for (const [name, consumers] of index.consumers) {
    if (!index.initializers.has(name)) continue;
    if (consumers.some((n) => isConvWeight(n, name, index))) names.push(name);
  }
  return names.sort();
}

function isConvWeight(node: NodeProto, name: string, index: GraphIndex): boolean {
  const ins = node.input ?? [];
  const op = node.opType ?? '';
  if ((op === 'Conv' || op === 'DeformConv' || op === 'ConvInteger') && ins[1] === name) return true;
  if (op === 'QLinearConv' && ins[3] === name) return true;
  if (op === 'DequantizeLinear' && ins[0] === name) {
    const out = (node.output ?? [])[0];
    return (index.consumers.get(out ?? '') ?? []).some((n) => isConvWeight(n, out ?? '', index));
  }
  return false;
}

/** Validate the request the way the CLI needs: one clear line per problem. */
export function validatePruneRequest(model: ModelProto, options: PruneOptions, source: string): void {
  const { params, ratios } = options;
  if (params.length === 0) throw new SlimboardError('bad_arguments', 'no parameters to prune (give --params a,b,...)');
  if (params.length !== ratios.length) {
    throw new SlimboardError(
      'bad_arguments',
      `${params.length} parameters but ${ratios.length} ratios: the lists must have the same length`,
    );
  }
  ratios.forEach((r, i) => {
    if (!Number.isFinite(r) || r < 0 || r >= 1)
      throw new SlimboardError('bad_arguments', `ratio ${i + 1} ("${params[i]}") must be in [0, 1), got ${r}`);
  });
  const seen = new Set<string>();
  const index = indexGraph(requireGraph(model, source));
  for (const p of params) {
    if (seen.has(p)) throw new SlimboardError('bad_arguments', `parameter "${p}" is listed twice`);
    seen.add(p);
    if (!index.initializers.has(p)) {
      const convs = convWeightNames(index);
      throw new SlimboardError(
        'unknown_param',
        `${source}: parameter "${p}" does not exist in the model (${convs.length} conv weights, e.g. ${convs
          .slice(0, 3)
          .map((n) => `"${n}"`)
          .join(', ')})`,
      );
    }
    const consumers = index.consumers.get(p) ?? [];
    if (!consumers.some((n) => isConvWeight(n, p, index)))
      throw new SlimboardError('bad_arguments', `${source}: parameter "${p}" is not a convolution weight`);
    if (tensorDims(index.initializers.get(p)!).length < 3)
      throw new SlimboardError('bad_arguments', `${source}: parameter "${p}" is not a convolution weight`);
  }
}

/**
 * Prune a copy of `model`. The input model is not modified.
 */
export function pruneChannels(input: ModelProto, options: PruneOptions, source = '<model>'): PruneResult {
  validatePruneRequest(input, options, source);
  const model = onnx.ModelProto.decode(onnx.ModelProto.encode(input).finish());
  const graph = requireGraph(model, source);
  unshareParameters(graph);
  const index = indexGraph(graph);
  const inputSize = options.inputSize ?? (hasSymbolicImageSize(model) ? 320 : undefined);
  const shapes = inferShapes(model, { inputSize }, source);
  const graphInputs = new Set((graph.input ?? []).map((v) => v.name ?? '').filter((n) => !index.initializers.has(n)));
  const graphOutputs = new Set((graph.output ?? []).map((v) => v.name ?? ''));
  const walker = new PruneWalker(index, shapes, graphInputs, graphOutputs, source);

  /** removed[tensor|axis] = original indices removed on that axis, over all entries. */
  const removed = new Map<string, Set<number>>();
  const depthwise = new Set<NodeProto>();
  const pruned: PrunedParam[] = [];

  options.params.forEach((param, i) => {
    const ratio = options.ratios[i];
    const weight = index.initializers.get(param)!;
    const channels = tensorDims(weight)[0];
    const already = removed.get(key(param, 0));
    if (already && already.size > 0) {
      pruned.push({
        param,
        ratio,
        channelsBefore: channels - already.size,
        channelsAfter: channels - already.size,
        prunedChannels: 0,
        affectedTensors: 0,
        skippedBecause: 'its output channels were already pruned with an earlier parameter of the same group',
      });
      return;
    }
    const count = prunedChannelCount(channels, ratio);
    if (count >= channels)
      throw new SlimboardError('bad_arguments', `${source}: ratio ${ratio} would remove all ${channels} channels of "${param}"`);
    const scores = channelL1(weight, index, removed, source);
    const idx = smallestIndices(scores, count);
    let affected = 0;
    if (count > 0) {
      const w = walker.walk({ tensor: param, axis: 0, idx });
      for (const it of w.items.values()) {
        const k = key(it.tensor, it.axis);
        const set = removed.get(k) ?? new Set<number>();
        for (const v of it.idx) set.add(v);
        removed.set(k, set);
      }
      w.depthwise.forEach((n) => depthwise.add(n));
      affected = w.items.size - 1;
    }
    pruned.push({
      param,
      ratio,
      channelsBefore: channels,
      channelsAfter: channels - count,
      prunedChannels: count,
      affectedTensors: affected,
    });
  });

  applyRemovals(model, index, removed, depthwise, shapes, source);
  // Validate: the pruned graph must infer and keep every output shape.
  const after = inferShapes(model, { inputSize }, source);
  for (const o of graph.output ?? []) {
    const a = shapes.tensors.get(o.name ?? '')?.shape ?? [];
    const b = after.tensors.get(o.name ?? '')?.shape ?? [];
    if (a.join(',') !== b.join(','))
      throw new SlimboardError('prune_failed', `${source}: output "${o.name}" changed shape from [${a}] to [${b}]`);
  }
  return { model, pruned };
}

/** One tensor axis that loses channels together with a pruned conv weight; `idx` are indices in the original tensor. */
export interface ChannelGroupItem {
  tensor: string;
  axis: number;
  idx: readonly number[];
}

/** Everything that loses channels when one conv weight loses some output channels (PaddleSlim's group). */
export interface ChannelGroup {
  items: ChannelGroupItem[];
  /** Weights of depthwise convolutions the channels pass through (their filters go with the channels). */
  depthwiseWeights: Set<string>;
}

export interface ChosenRemoval {
  param: string;
  idx: number[];
  affectedTensors: number;
}

export interface ChosenRemovalResult {
  model: ModelProto;
  removed: ChosenRemoval[];
  /** Params whose chosen channels cannot be removed (the walk failed), with the one-line reason. */
  refused: Array<{ param: string; idx: number[]; reason: string }>;
}

/**
 * Remove exactly chosen output channels of conv weights from a copy of `input`, with the same
 * propagation rules as pruneChannels. For each param in order, `choose(param, walk)` returns the output
 * channels to remove ([] for none); it may call `walk(idx)` to see the group those channels belong to
 * (walk throws a SlimboardError when they cannot be removed). A param whose walk fails is listed in
 * `refused` and the others go on. Used by the pruning audit (filters that are zero but still in the graph).
 */
export function removeChosenChannels(
  input: ModelProto,
  params: readonly string[],
  choose: (param: string, walk: (idx: readonly number[]) => ChannelGroup) => number[],
  options: { inputSize?: number } = {},
  source = '<model>',
): ChosenRemovalResult {
  const model = onnx.ModelProto.decode(onnx.ModelProto.encode(input).finish());
  const graph = requireGraph(model, source);
  unshareParameters(graph);
  const index = indexGraph(graph);
  const inputSize = options.inputSize ?? (hasSymbolicImageSize(model) ? 320 : undefined);
  const shapes = inferShapes(model, { inputSize }, source);
  const graphInputs = new Set((graph.input ?? []).map((v) => v.name ?? '').filter((n) => !index.initializers.has(n)));
  const graphOutputs = new Set((graph.output ?? []).map((v) => v.name ?? ''));
  const walker = new PruneWalker(index, shapes, graphInputs, graphOutputs, source);
  const removed = new Map<string, Set<number>>();
  const depthwise = new Set<NodeProto>();
  const result: ChosenRemovalResult = { model, removed: [], refused: [] };
  const walks = new Map<string, Walk>();
  const walkOf = (param: string, idx: readonly number[]): Walk => {
    const k = `${param}\u0000${idx.join(',')}`;
    let w = walks.get(k);
    if (!w) {
      w = walker.walk({ tensor: param, axis: 0, idx: [...idx] });
      walks.set(k, w);
    }
    return w;
  };
  for (const param of params) {
    const weight = index.initializers.get(param);
    if (!weight) throw new SlimboardError('unknown_param', `${source}: parameter "${param}" does not exist in the model`);
    let idx: number[] = [];
    try {
      idx = [
        ...new Set(
          choose(param, (i) => {
            const w = walkOf(param, i);
            return { items: [...w.items.values()], depthwiseWeights: new Set([...w.depthwise].map((n) => (n.input ?? [])[1] ?? '')) };
          }),
        ),
      ].sort((a, b) => a - b);
      if (idx.length === 0) continue;
      if (idx.length >= tensorDims(weight)[0]) {
        result.refused.push({ param, idx, reason: `all ${idx.length} output channels would go` });
        continue;
      }
      const w = walkOf(param, idx);
      for (const it of w.items.values()) {
        const k = key(it.tensor, it.axis);
        const set = removed.get(k) ?? new Set<number>();
        for (const v of it.idx) set.add(v);
        removed.set(k, set);
      }
      w.depthwise.forEach((n) => depthwise.add(n));
      result.removed.push({ param, idx, affectedTensors: w.items.size - 1 });
    } catch (e) {
      if (!(e instanceof SlimboardError)) throw e;
      result.refused.push({ param, idx, reason: e.message });
    }
  }
  if (result.removed.length === 0) return result;
  applyRemovals(model, index, removed, depthwise, shapes, source);
  const after = inferShapes(model, { inputSize }, source);
  for (const o of graph.output ?? []) {
    const a = shapes.tensors.get(o.name ?? '')?.shape ?? [];
    const b = after.tensors.get(o.name ?? '')?.shape ?? [];
    if (a.join(',') !== b.join(','))
      throw new SlimboardError('prune_failed', `${source}: output "${o.name}" changed shape from [${a}] to [${b}]`);
  }
  return result;
}

const PARAM_SLOTS: Record<string, number[]> = {
  Conv: [1, 2],
  ConvTranspose: [1, 2],
  DeformConv: [1, 3],
  QLinearConv: [3, 4, 5, 8],
  BatchNormalization: [1, 2, 3, 4],
  InstanceNormalization: [1, 2],
  DequantizeLinear: [0, 1, 2],
  PRelu: [1],
};

/**
 * Exporters deduplicate equal initializers (e.g. PyTorch shares one all-zero folded bias between many
 * convs, sometimes through Identity nodes). Pruning one conv must not shrink its neighbours, so every
 * initializer read in a parameter slot by more than one node, or through an Identity, gets one private
 * copy per reader (the first reader keeps the original name).
 */
export function unshareParameters(graph: NonNullable<ModelProto['graph']>): void {
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  // Identity(initializer) -> an initializer under the Identity's output name.
  const kept: NodeProto[] = [];
  for (const n of graph.node ?? []) {
    const src = (n.input ?? [])[0] ?? '';
    const out = (n.output ?? [])[0] ?? '';
    if (n.opType === 'Identity' && inits.has(src) && !(graph.output ?? []).some((o) => o.name === out)) {
      const copy = onnx.TensorProto.decode(onnx.TensorProto.encode(inits.get(src)!).finish());
      copy.name = out;
      graph.initializer!.push(copy);
      inits.set(out, copy);
      continue;
    }
    kept.push(n);
  }
  graph.node = kept;
  const seen = new Map<string, number>();
  for (const n of graph.node) {
    const slots = PARAM_SLOTS[n.opType ?? ''] ?? [];
    n.input = (n.input ?? []).map((name, i) => {
      if (!name || !inits.has(name) || !slots.includes(i)) return name;
      const count = seen.get(name) ?? 0;
      seen.set(name, count + 1);
      if (count === 0) return name;
      const copyName = `${name}__copy${count}`;
      const copy = onnx.TensorProto.decode(onnx.TensorProto.encode(inits.get(name)!).finish());
      copy.name = copyName;
      graph.initializer!.push(copy);
      inits.set(copyName, copy);
      return copyName;
    });
  }
  // Initializers only the removed Identity nodes read are no longer needed.
  const used = new Set((graph.node ?? []).flatMap((n) => n.input ?? []));
  for (const o of graph.output ?? []) used.add(o.name ?? '');
  graph.initializer = graph.initializer!.filter((t) => used.has(t.name ?? ''));
}

function applyRemovals(
  model: ModelProto,
  index: GraphIndex,
  removed: Map<string, Set<number>>,
  depthwise: Set<NodeProto>,
  shapes: InferredShapes,
  source: string,
): void {
  const graph = model.graph!;
  const byTensor = new Map<string, Array<{ axis: number; idx: Set<number> }>>();
  for (const [k, idx] of removed) {
    const [tensor, axis] = k.split('\u0000');
    const list = byTensor.get(tensor) ?? [];
    list.push({ axis: Number(axis), idx });
    byTensor.set(tensor, list);
  }
  const newInits = new Map<string, TensorProto>();
  for (const [tensor, list] of byTensor) {
    const init = index.initializers.get(tensor);
    if (!init) continue;
    let t = init;
    for (const { axis, idx } of list) {
      const n = tensorDims(t)[axis];
      const keep = Array.from({ length: n }, (_, i) => i).filter((i) => !idx.has(i));
      t = sliceTensor(t, axis, keep);
    }
    newInits.set(tensor, t);
  }
  graph.initializer = (graph.initializer ?? []).map((t) => newInits.get(t.name ?? '') ?? t);
  // Constant Resize `sizes` that name a pruned channel count.
  for (const node of graph.node ?? []) {
    if (node.opType === 'Resize') {
      const sizesName = (node.input ?? [])[3];
      const out = (node.output ?? [])[0] ?? '';
      const sizesInit = sizesName ? index.initializers.get(sizesName) : undefined;
      const outRemovals = byTensor.get(out);
      if (sizesInit && outRemovals) {
        const sizes = readNumbers(sizesInit);
        const axes = attrInts(node, 'axes') ?? sizes.map((_, i) => i);
        for (const { axis, idx } of outRemovals) {
          const j = axes.indexOf(axis);
          if (j >= 0) sizes[j] -= idx.size;
        }
        if ((index.consumers.get(sizesName!) ?? []).length > 1)
          throw new SlimboardError('prune_failed', `${source}: Resize sizes "${sizesName}" is shared by several nodes`);
        graph.initializer = graph.initializer!.map((t) => (t.name === sizesName ? makeInt64Tensor(sizesName!, [sizes.length], sizes) : t));
      }
    }
  }
  for (const node of depthwise) {
    const xName = (node.input ?? [])[0] ?? '';
    const channels = shapes.tensors.get(xName)!.shape[1] - (removed.get(key(xName, 1))?.size ?? 0);
    setAttrInt(node, 'group', channels);
  }
  // Stale intermediate shapes would mislead onnxruntime: drop value_info of changed tensors.
  graph.valueInfo = (graph.valueInfo ?? []).filter((v) => !byTensor.has(v.name ?? ''));
}
