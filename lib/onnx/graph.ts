/**
 * Small helpers over the ONNX graph: reading node attributes, indexing producers and consumers,
 * and a builder used by the reference graphs and by tests to write tiny hand-checkable models.
 */
import { SlimboardError } from '../errors';
import {
  DataType,
  onnx,
  toInt,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './proto';
import { makeFloatTensor, makeInt64Tensor } from './tensor';

export function nodeLabel(node: NodeProto): string {
  return node.name ? `${node.opType} node "${node.name}"` : `${node.opType} node (output "${(node.output ?? [])[0] ?? '?'}")`;
}

export function findAttr(node: NodeProto, name: string): AttributeProto | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}

export function attrInt(node: NodeProto, name: string, fallback: number): number {
  const a = findAttr(node, name);
  return a ? toInt(a.i) : fallback;
}

export function attrFloat(node: NodeProto, name: string, fallback: number): number {
  const a = findAttr(node, name);
  return a ? Number(a.f ?? 0) : fallback;
}

export function attrInts(node: NodeProto, name: string): number[] | undefined {
  const a = findAttr(node, name);
  return a ? (a.ints ?? []).map(toInt) : undefined;
}

export function attrString(node: NodeProto, name: string, fallback: string): string {
  const a = findAttr(node, name);
  if (!a || !a.s) return fallback;
  return typeof a.s === 'string' ? a.s : new TextDecoder().decode(a.s);
}

export function attrTensor(node: NodeProto, name: string): TensorProto | undefined {
  return findAttr(node, name)?.t ?? undefined;
}

/** Attribute values for the builder; the wrapper names the ONNX attribute type explicitly. */
export type AttrValue =
  { int: number } | { ints: number[] } | { float: number } | { floats: number[] } | { str: string } | { tensor: TensorProto };
export const A = {
  int: (v: number): AttrValue => ({ int: v }),
  ints: (v: number[]): AttrValue => ({ ints: v }),
  float: (v: number): AttrValue => ({ float: v }),
  floats: (v: number[]): AttrValue => ({ floats: v }),
  str: (v: string): AttrValue => ({ str: v }),
  tensor: (v: TensorProto): AttrValue => ({ tensor: v }),
};

function toAttribute(name: string, v: AttrValue): AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('int' in v) return onnx.AttributeProto.create({ name, type: T.INT, i: v.int });
  if ('ints' in v) return onnx.AttributeProto.create({ name, type: T.INTS, ints: v.ints });
  if ('float' in v) return onnx.AttributeProto.create({ name, type: T.FLOAT, f: v.float });
  if ('floats' in v) return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: v.floats });
  if ('str' in v) return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(v.str) });
  return onnx.AttributeProto.create({ name, type: T.TENSOR, t: v.tensor });
}

export function setAttrInt(node: NodeProto, name: string, value: number): void {
  const a = findAttr(node, name);
  if (a) a.i = value;
  else node.attribute = [...(node.attribute ?? []), toAttribute(name, { int: value })];
}

function valueInfo(name: string, elemType: number, dims: ReadonlyArray<number | string>): ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

/**
 * Builds a ModelProto node by node. Tensor names are the ONNX value names; initializers are float32
 * unless made with `int64`. Default opset 13 (Resize with scales, Split/Squeeze with axes inputs).
 */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  private readonly names = new Set<string>();

  constructor(
    readonly graphName: string,
    readonly opset = 13,
  ) {}

  input(name: string, dims: ReadonlyArray<number | string>, elemType: number = DataType.FLOAT): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, dims: ReadonlyArray<number | string>, elemType: number = DataType.FLOAT): string {
    this.outputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** A float32 initializer, e.g. a conv weight [C_out, C_in/groups, kH, kW]. */
  weight(name: string, dims: readonly number[], values: Float32Array): string {
    this.initializers.push(makeFloatTensor(name, dims, values));
    return name;
  }

  int64(name: string, dims: readonly number[], values: readonly number[]): string {
    this.initializers.push(makeInt64Tensor(name, dims, values));
    return name;
  }

  /** Add a node; returns its first output name. Node names must be unique. */
  node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, name?: string, domain?: string): string {
    const nodeName = name ?? `${opType}_${this.nodes.length}`;
    if (this.names.has(nodeName)) throw new Error(`GraphBuilder: duplicate node name ${nodeName}`);
    this.names.add(nodeName);
    this.nodes.push(
      onnx.NodeProto.create({
        name: nodeName,
        opType,
        domain: domain ?? '',
        input: inputs,
        output: outputs,
        attribute: Object.entries(attrs).map(([k, v]) => toAttribute(k, v)),
      }),
    );
    return outputs[0];
  }

  build(docString = ''): ModelProto {
    return onnx.ModelProto.create({
      irVersion: this.opset >= 21 ? 10 : this.opset >= 19 ? 9 : 8,
      producerName: 'slimboard',
      producerVersion: '0.1.0',
      docString,
      opsetImport: [{ domain: '', version: this.opset }],
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
  }
}

/** Producer and consumer index of a graph (by value name). */
export interface GraphIndex {
  producer: Map<string, NodeProto>;
  consumers: Map<string, NodeProto[]>;
  initializers: Map<string, TensorProto>;
}

export function indexGraph(graph: GraphProto): GraphIndex {
  const producer = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  for (const n of graph.node ?? []) {
    for (const o of n.output ?? []) if (o) producer.set(o, n);
    for (const i of n.input ?? []) {
      if (!i) continue;
      const list = consumers.get(i);
      if (list) {
        if (!list.includes(n)) list.push(n);
      } else consumers.set(i, [n]);
    }
  }
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  return { producer, consumers, initializers };
}

export function requireGraph(model: ModelProto, source: string): GraphProto {
  if (!model.graph) throw new SlimboardError('bad_model', `${source}: model has no graph`);
  return model.graph;
}

/**
 * Remove the initializers that no node reads and that are not graph outputs (only those named in `candidates`,
 * when given), with their graph input entries (files below IR version 4 list initializers as inputs too).
 * Returns the names removed.
 */
export function dropUnreadInitializers(graph: GraphProto, candidates?: ReadonlySet<string>): Set<string> {
  const read = new Set<string>((graph.node ?? []).flatMap((n) => n.input ?? []));
  for (const o of graph.output ?? []) read.add(o.name ?? '');
  const unread = new Set(
    (graph.initializer ?? []).map((t) => t.name ?? '').filter((n) => !read.has(n) && (!candidates || candidates.has(n))),
  );
  if (unread.size === 0) return unread;
  graph.initializer = (graph.initializer ?? []).filter((t) => !unread.has(t.name ?? ''));
  graph.input = (graph.input ?? []).filter((v) => !unread.has(v.name ?? ''));
  return unread;
}
