/**
 * Fold inference-form BatchNormalization into the Conv before it, as onnxruntime's quantization
 * pre-processing (its Conv+BatchNorm fusion) does before int8 quantization. A file that keeps BatchNorm as
 * its own node (PyTorch exported in PRESERVE mode, Paddle programs, the demo zoo's fp32 files) would
 * otherwise be quantized as Conv -> BatchNorm in float, and onnxruntime could not fuse a QLinearConv: the
 * Conv's output is not quantized, the BatchNorm's is.
 *
 * Conventions (ONNX BatchNormalization, inference mode): Y = scale * (X - mean) / sqrt(var + epsilon) + B,
 * per channel (axis 1). With s = scale / sqrt(var + epsilon) per output channel o of the Conv:
 *   W'[o, ...] = W[o, ...] * s[o]          b'[o] = (b[o] - mean[o]) * s[o] + B[o]      (b = 0 without a bias)
 * computed in float64 and stored as float32, so the folded Conv computes the pair's function up to float32
 * rounding (ORT evaluates the pair in float32 too).
 *
 * A pair is folded only when it is safe to: the BatchNorm has one output (not training mode) and reads the
 * output of a default-domain Conv that nothing else reads (not a graph output); its four parameters and the
 * Conv's weight (and bias, when present) are float32 initializers of matching length. Anything else is left
 * as it is and listed in `skipped` with the reason. The Conv takes the BatchNorm's output name, so its
 * consumers are untouched; initializers no node reads any more are removed; a weight or bias another node
 * also reads is copied under a new name instead of being changed.
 */
import { attrFloat, attrInt, dropUnreadInitializers, indexGraph, nodeLabel, requireGraph } from './graph';
import { DataType, toInt, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from './proto';
import { makeFloatTensor, readFloat32, tensorDims } from './tensor';

export interface FoldBatchNormResult {
  /** Conv node labels whose output BatchNorm was folded into them. */
  folded: string[];
  /** BatchNorm nodes left in place, with why. */
  skipped: Array<{ node: string; reason: string }>;
}

const isDefaultDomain = (n: NodeProto) => !n.domain || n.domain === 'ai.onnx';

function floatInit(inits: Map<string, TensorProto>, name: string | undefined, length: number): Float32Array | string {
  if (!name) return 'an input is missing';
  const t = inits.get(name);
  if (!t) return `"${name}" is not an initializer`;
  if (toInt(t.dataType) !== DataType.FLOAT) return `"${name}" is not float32`;
  const v = readFloat32(t);
  if (v.length !== length) return `"${name}" has ${v.length} values for ${length} channels`;
  return v;
}

/** A name not yet used by any value, node output or initializer of the graph. */
function freshName(taken: Set<string>, base: string): string {
  let name = `${base}_bn_folded`;
  for (let i = 2; taken.has(name); i++) name = `${base}_bn_folded_${i}`;
  taken.add(name);
  return name;
}

/**
 * Fold every safe Conv -> BatchNormalization pair of `model` in place (see the file comment). Pure apart from
 * mutating `model`; returns what was folded and skipped.
 */
export function foldBatchNorm(model: ModelProto, source: string): FoldBatchNormResult {
  const graph = requireGraph(model, source);
  const result: FoldBatchNormResult = { folded: [], skipped: [] };
  const bns = (graph.node ?? []).filter((n) => n.opType === 'BatchNormalization' && isDefaultDomain(n));
  if (bns.length === 0) return result;
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const taken = new Set<string>([
    ...(graph.initializer ?? []).map((t) => t.name ?? ''),
    ...(graph.input ?? []).map((v) => v.name ?? ''),
    ...(graph.node ?? []).flatMap((n) => n.output ?? []),
  ]);
  // Initializers a fold stopped reading (the BatchNorm's parameters): removed at the end when nothing reads them.
  const released = new Set<string>();
  for (const bn of bns) {
    // Index again per pair: an earlier fold renamed outputs and dropped a node.
    const index = indexGraph(graph);
    const skip = (reason: string) => result.skipped.push({ node: nodeLabel(bn), reason });
    const outputs = (bn.output ?? []).filter((o) => o);
    if (outputs.length !== 1 || attrInt(bn, 'training_mode', 0) !== 0) {
      skip('training mode (more than one output)');
      continue;
    }
    const x = (bn.input ?? [])[0] ?? '';
    const conv = index.producer.get(x);
    if (!conv || conv.opType !== 'Conv' || !isDefaultDomain(conv)) {
      skip('its input is not the output of a Conv');
      continue;
    }
    if ((index.consumers.get(x) ?? []).length !== 1 || graphOutputs.has(x)) {
      skip(`the Conv's output "${x}" is also read elsewhere`);
      continue;
    }
    const wName = (conv.input ?? [])[1];
    const wInit = wName ? index.initializers.get(wName) : undefined;
    if (!wInit || toInt(wInit.dataType) !== DataType.FLOAT) {
      skip(`the Conv's weight is not a float32 initializer`);
      continue;
    }
    const wDims = tensorDims(wInit);
    const channels = wDims[0];
    const params = [1, 2, 3, 4].map((i) => floatInit(index.initializers, (bn.input ?? [])[i], channels));
    const bad = params.find((p): p is string => typeof p === 'string');
    if (bad !== undefined) {
      skip(bad);
      continue;
    }
    const [scale, shift, mean, variance] = params as Float32Array[];
    const bName = (conv.input ?? [])[2] || undefined;
    let bias: Float32Array | null = null;
    if (bName) {
      const b = floatInit(index.initializers, bName, channels);
      if (typeof b === 'string') {
        skip(`the Conv's bias: ${b}`);
        continue;
      }
      bias = b;
    }
    const epsilon = attrFloat(bn, 'epsilon', 1e-5);
    const w = readFloat32(wInit);
    const perChannel = w.length / channels;
    const newW = new Float32Array(w.length);
    const newB = new Float32Array(channels);
    for (let o = 0; o < channels; o++) {
      const s = scale[o] / Math.sqrt(variance[o] + epsilon);
      for (let j = o * perChannel; j < (o + 1) * perChannel; j++) newW[j] = w[j] * s;
      newB[o] = ((bias ? bias[o] : 0) - mean[o]) * s + shift[o];
    }
    const shared = (name: string) => (index.consumers.get(name) ?? []).some((n) => n !== conv);
    const wOut = shared(wName!) ? freshName(taken, wName!) : wName!;
    const bOut = bName && !shared(bName) ? bName : freshName(taken, bName ?? `${wName}_bias`);
    replaceInitializer(graph, wOut, makeFloatTensor(wOut, wDims, newW));
    replaceInitializer(graph, bOut, makeFloatTensor(bOut, [channels], newB));
    const inputs = [...(conv.input ?? [])];
    inputs[1] = wOut;
    inputs[2] = bOut;
    conv.input = inputs;
    conv.output = [outputs[0]];
    for (const name of (bn.input ?? []).slice(1)) released.add(name);
    if (wOut !== wName) released.add(wName!);
    if (bName && bOut !== bName) released.add(bName);
    graph.node = (graph.node ?? []).filter((n) => n !== bn);
    graph.valueInfo = (graph.valueInfo ?? []).filter((v) => v.name !== x);
    result.folded.push(nodeLabel(conv));
  }
  dropUnreadInitializers(graph, released);
  return result;
}

function replaceInitializer(graph: GraphProto, name: string, tensor: TensorProto): void {
  const list = graph.initializer ?? [];
  const at = list.findIndex((t) => t.name === name);
  if (at >= 0) list[at] = tensor;
  else list.push(tensor);
  graph.initializer = list;
}
