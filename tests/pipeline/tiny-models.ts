import { encodeModel } from '@/lib/onnx/model-file';
import { DataType, onnx } from '@/lib/onnx/proto';
import { makeFloatTensor, makeInt64Tensor } from '@/lib/onnx/tensor';

/**
 * Small, real ONNX files for pipeline tests (each loads in onnxruntime-node).
 *
 * `tinyDetector`: image [1,3,H,W] float -> Conv(k=32, s=32) to (4 + C) channels -> per cell
 * boxes [N,4] and scores [N,C] (sigmoid), N = (H/32)(W/32). Boxes are x1,y1,x2,y2 in input pixels with
 * (x1,y1) = sigmoid(a)·(W,H)/2 and (x2,y2) = (x1,y1) + sigmoid(b)·(W,H)/2, so x1 < x2 and y1 < y2 always.
 * That is the "decoded boxes + scores" adapter layout. H and W are symbolic (any multiple of 32).
 * Options make the bad inputs of the pipeline's test list:
 * - `nan`: scores are computed as log(-1) -> NaN.
 * - `vectorInput`: the input is [1,16] float (not an image tensor).
 */
export interface TinyDetectorOptions {
  numClasses?: number;
  nan?: boolean;
  vectorInput?: boolean;
  /** Seed for the deterministic weights (changes the bytes, not the structure). */
  seed?: number;
  /** The image input has this fixed H = W instead of symbolic dims. */
  fixedSize?: number;
  /** One pooled output [1,3] instead of boxes/scores: matches no detection adapter. */
  pooledOutput?: boolean;
  /**
   * A prunable stem before the head: image -> Conv 1x1 (3 -> `stem` channels, `stem.conv.weights`) -> Relu -> head.
   * Without it the only conv feeds the outputs directly, which channel pruning must refuse.
   */
  stem?: number;
}

function seeded(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 0.02;
  }
  return out;
}

function valueInfo(name: string, elemType: number, dims: Array<number | string>) {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
}

function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, number | number[]> = {}) {
  const attribute = Object.entries(attrs).map(([name, v]) =>
    Array.isArray(v)
      ? onnx.AttributeProto.create({ name, ints: v, type: onnx.AttributeProto.AttributeType.INTS })
      : onnx.AttributeProto.create({ name, i: v, type: onnx.AttributeProto.AttributeType.INT }),
  );
  return onnx.NodeProto.create({ opType, input: inputs, output: outputs, name: `${opType}_${outputs[0]}`, attribute });
}

export function tinyDetector(o: TinyDetectorOptions = {}): Uint8Array {
  const C = o.numClasses ?? 3;
  const seed = o.seed ?? 7;
  if (o.pooledOutput) {
    const graph = onnx.GraphProto.create({
      name: 'classifier_like',
      input: [valueInfo('image', DataType.FLOAT, [1, 3, 'height', 'width'])],
      output: [valueInfo('pooled', DataType.FLOAT, [1, 3])],
      node: [node('GlobalAveragePool', ['image'], ['gap']), node('Flatten', ['gap'], ['pooled'])],
    });
    return encodeModel(onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: '', version: 13 }], graph, producerName: 'slimboard-tests' }));
  }
  if (o.vectorInput) {
    const graph = onnx.GraphProto.create({
      name: 'not_an_image_model',
      input: [valueInfo('features', DataType.FLOAT, [1, 16])],
      output: [valueInfo('y', DataType.FLOAT, [1, 16])],
      node: [node('Relu', ['features'], ['y'])],
    });
    return encodeModel(onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: '', version: 13 }], graph, producerName: 'slimboard-tests' }));
  }
  const K = 4 + C;
  const S = o.stem ?? 3;
  const weight = makeFloatTensor('head.conv.weights', [K, S, 32, 32], seeded(K * S * 32 * 32, seed));
  const bias = makeFloatTensor('head.conv.bias', [K], seeded(K, seed + 1));
  const stemNodes = o.stem
    ? [node('Conv', ['image', 'stem.conv.weights', 'stem.conv.bias'], ['stem_conv'], { kernel_shape: [1, 1] }), node('Relu', ['stem_conv'], ['stem'])]
    : [];
  const nodes = [
    ...stemNodes,
    node('Conv', [o.stem ? 'stem' : 'image', 'head.conv.weights', 'head.conv.bias'], ['head'], { kernel_shape: [32, 32], strides: [32, 32] }),
    node('Transpose', ['head'], ['cells'], { perm: [0, 2, 3, 1] }),
    node('Reshape', ['cells', 'flat_shape'], ['flat']),
    node('Split', ['flat', 'split_sizes'], ['box_logits', 'class_logits'], { axis: 1 }),
    node('Sigmoid', ['box_logits'], ['box_unit']),
    node('Shape', ['image'], ['image_shape']),
    node('Gather', ['image_shape', 'hw_index'], ['hw']),
    node('Cast', ['hw'], ['hw_f'], { to: DataType.FLOAT }),
    node('Mul', ['hw_f', 'half'], ['half_wh']),
    node('Split', ['box_unit', 'two_two'], ['corner_unit', 'extent_unit'], { axis: 1 }),
    node('Mul', ['corner_unit', 'half_wh'], ['corner']),
    node('Mul', ['extent_unit', 'half_wh'], ['extent']),
    node('Add', ['corner', 'extent'], ['far_corner']),
    node('Concat', ['corner', 'far_corner'], ['boxes'], { axis: 1 }),
  ];
  const initializer = [
    // Stem weights in [0, 1): filters with different L1 norms, so which ones pruning removes is well defined.
    ...(o.stem ? [makeFloatTensor('stem.conv.weights', [S, 3, 1, 1], seeded(S * 3, seed + 2).map((v) => v * 50 + 0.5)), makeFloatTensor('stem.conv.bias', [S], new Float32Array(S))] : []),
    weight,
    bias,
    makeInt64Tensor('flat_shape', [2], [-1, K]),
    makeInt64Tensor('split_sizes', [2], [4, C]),
    // Gather indices [3, 2] pick (W, H) from NCHW so that box x scales by W and y by H: [W, H, W, H].
    makeInt64Tensor('hw_index', [2], [3, 2]),
    makeInt64Tensor('two_two', [2], [2, 2]),
    makeFloatTensor('half', [1], Float32Array.of(0.5)),
  ];
  if (o.nan) {
    // log(-(sigmoid(x) + 1)) is log of a negative number: NaN for every score.
    nodes.push(node('Sigmoid', ['class_logits'], ['class_unit']));
    nodes.push(node('Add', ['class_unit', 'one'], ['shifted']));
    nodes.push(node('Neg', ['shifted'], ['negative']));
    nodes.push(node('Log', ['negative'], ['scores']));
    initializer.push(makeFloatTensor('one', [1], Float32Array.of(1)));
  } else {
    nodes.push(node('Sigmoid', ['class_logits'], ['scores']));
  }
  const graph = onnx.GraphProto.create({
    name: 'tiny_detector',
    input: [valueInfo('image', DataType.FLOAT, [1, 3, o.fixedSize ?? 'height', o.fixedSize ?? 'width'])],
    output: [valueInfo('boxes', DataType.FLOAT, ['num_boxes', 4]), valueInfo('scores', DataType.FLOAT, ['num_boxes', C])],
    node: nodes,
    initializer,
  });
  return encodeModel(onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: '', version: 13 }], graph, producerName: 'slimboard-tests' }));
}
