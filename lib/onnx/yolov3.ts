/**
 * Deterministic reference YOLOv3 detectors as ONNX graphs, with the layer structure and parameter
 * names of PaddleDetection's static-graph (0.x / 1.x) models:
 * - backbones: ppdet/modeling/backbones/mobilenet.py (MobileNetV1, `conv2_1_dw_weights`,
 *   `conv2_1_dw_bn_scale`...) and resnet.py + name_adapter.py (ResNet34 variant b; ResNet50-vd with
 *   deformable conv v2 in stage 5: `res5a_branch2b_conv_offset.w_0`, `bn5a_branch2b_scale`...);
 * - head: ppdet/modeling/anchor_heads/yolo_head.py (YOLOv3Head: `yolo_block.{i}.{j}.{0|1}.conv.weights`,
 *   `yolo_block.{i}.2`, `yolo_block.{i}.tip`, `yolo_transition.{i}`, `yolo_output.{i}.conv.weights/bias`),
 *   nearest x2 upsampling (Resize) and concat of [route, backbone block].
 * Input `image` is [N, 3, H, W] with symbolic N/H/W; outputs `yolo_output.0/1/2` are the raw head
 * maps [N, 3 * (num_classes + 5), H/32|H/16|H/8, W/...] (no box decoding or NMS in the graph).
 * Weights are seeded random (they serve FLOPs, size and latency, not accuracy).
 */
import { SlimboardError } from '../errors';
import { A, GraphBuilder } from './graph';
import { onnx, type ModelProto } from './proto';
import { SeededRandom } from './seeded-random';

export type Backbone = 'mobilenet_v1' | 'resnet34' | 'resnet50_vd_dcn';
export const BACKBONES: readonly Backbone[] = ['mobilenet_v1', 'resnet34', 'resnet50_vd_dcn'];

export interface YoloV3Options {
  backbone: Backbone;
  /** 80 for COCO, 20 for Pascal VOC. */
  numClasses: number;
  /** Weight seed (default 2019). */
  seed?: number;
}

/** The 18 head convolutions PaddleDetection's slim benchmark prunes (`--pruned_params`), in its order. */
export const YOLO_HEAD_PRUNED_PARAMS: readonly string[] = [0, 1, 2].flatMap((i) =>
  ['0.0', '0.1', '1.0', '1.1', '2', 'tip'].map((j) => `yolo_block.${i}.${j}.conv.weights`),
);
/** `r578`: the three output branches pruned by 0.5, 0.7 and 0.8. */
export const RATIOS_R578: readonly number[] = [...Array(6).fill(0.5), ...Array(6).fill(0.7), ...Array(6).fill(0.8)];
/** `sensity`: ratios from the sensitivity analysis of yolov3_mobilenet_v1 on COCO. */
export const RATIOS_SENSITY: readonly number[] = [0.1, 0.2, 0.2, 0.2, 0.2, 0.1, 0.2, 0.3, 0.3, 0.3, 0.2, 0.1, 0.3, 0.4, 0.4, 0.4, 0.4, 0.3];

interface Feature {
  name: string;
  channels: number;
}

class YoloBuilder {
  readonly g: GraphBuilder;
  private readonly rng: SeededRandom;

  constructor(name: string, seed: number, opset: number) {
    this.g = new GraphBuilder(name, opset);
    this.rng = new SeededRandom(seed);
  }

  /** He-normal conv weight [C_out, C_in/groups, k, k]. */
  convWeight(name: string, cOut: number, cInPerGroup: number, k: number): string {
    const fanIn = cInPerGroup * k * k;
    return this.g.weight(name, [cOut, cInPerGroup, k, k], this.rng.normals(cOut * fanIn, Math.sqrt(2 / fanIn)));
  }

  conv(
    x: Feature,
    opts: { out: number; k: number; stride?: number; groups?: number; weight: string; nodeName: string; bias?: string },
  ): Feature {
    const groups = opts.groups ?? 1;
    const stride = opts.stride ?? 1;
    const pad = (opts.k - 1) >> 1;
    const w = this.convWeight(opts.weight, opts.out, x.channels / groups, opts.k);
    const inputs = [x.name, w];
    if (opts.bias) inputs.push(this.g.weight(opts.bias, [opts.out], this.rng.normals(opts.out, 0.01)));
    const y = `${opts.nodeName}.output`;
    this.g.node(
      'Conv',
      inputs,
      [y],
      {
        kernel_shape: A.ints([opts.k, opts.k]),
        strides: A.ints([stride, stride]),
        pads: A.ints([pad, pad, pad, pad]),
        group: A.int(groups),
      },
      opts.nodeName,
    );
    return { name: y, channels: opts.out };
  }

  /** BatchNormalization (inference form) with Paddle's four parameter names. */
  batchNorm(x: Feature, names: { scale: string; offset: string; mean: string; variance: string }, nodeName: string): Feature {
    const c = x.channels;
    const s = this.g.weight(names.scale, [c], this.rng.uniforms(c, 0.9, 1.1));
    const b = this.g.weight(names.offset, [c], this.rng.normals(c, 0.05));
    const m = this.g.weight(names.mean, [c], this.rng.normals(c, 0.05));
    const v = this.g.weight(names.variance, [c], this.rng.uniforms(c, 0.9, 1.1));
    const y = `${nodeName}.output`;
    this.g.node('BatchNormalization', [x.name, s, b, m, v], [y], { epsilon: A.float(1e-5) }, nodeName);
    return { name: y, channels: c };
  }

  act(x: Feature, kind: 'relu' | 'leaky', nodeName: string): Feature {
    const y = `${nodeName}.output`;
    if (kind === 'relu') this.g.node('Relu', [x.name], [y], {}, nodeName);
    else this.g.node('LeakyRelu', [x.name], [y], { alpha: A.float(0.1) }, nodeName);
    return { name: y, channels: x.channels };
  }

  add(a: Feature, b: Feature, nodeName: string): Feature {
    const y = `${nodeName}.output`;
    this.g.node('Add', [a.name, b.name], [y], {}, nodeName);
    return { name: y, channels: a.channels };
  }
}

// ---------------------------------------------------------------- MobileNetV1 (mobilenet.py)

function mobilenetConvNorm(b: YoloBuilder, x: Feature, k: number, out: number, stride: number, groups: number, name: string): Feature {
  const c = b.conv(x, { out, k, stride, groups, weight: `${name}_weights`, nodeName: name });
  const bn = `${name}_bn`;
  const n = b.batchNorm(c, { scale: `${bn}_scale`, offset: `${bn}_offset`, mean: `${bn}_mean`, variance: `${bn}_variance` }, bn);
  return b.act(n, 'relu', `${name}_relu`);
}

function mobilenetV1(b: YoloBuilder, image: Feature): Feature[] {
  const dws = (x: Feature, f1: number, f2: number, groups: number, stride: number, name: string) => {
    const dw = mobilenetConvNorm(b, x, 3, f1, stride, groups, `${name}_dw`);
    return mobilenetConvNorm(b, dw, 1, f2, 1, 1, `${name}_sep`);
  };
  const blocks: Feature[] = [];
  let out = mobilenetConvNorm(b, image, 3, 32, 2, 1, 'conv1');
  out = dws(out, 32, 64, 32, 1, 'conv2_1');
  out = dws(out, 64, 128, 64, 2, 'conv2_2');
  out = dws(out, 128, 128, 128, 1, 'conv3_1');
  out = dws(out, 128, 256, 128, 2, 'conv3_2');
  blocks.push(out); // 1/8, 256 channels
  out = dws(out, 256, 256, 256, 1, 'conv4_1');
  out = dws(out, 256, 512, 256, 2, 'conv4_2');
  blocks.push(out); // 1/16, 512 channels
  for (let i = 1; i <= 5; i++) out = dws(out, 512, 512, 512, 1, `conv5_${i}`);
  out = dws(out, 512, 1024, 512, 2, 'conv5_6');
  out = dws(out, 1024, 1024, 1024, 1, 'conv6');
  blocks.push(out); // 1/32, 1024 channels
  return blocks;
}

// ---------------------------------------------------------------- ResNet (resnet.py, name_adapter.py)

function resnetBnName(name: string): string {
  // NameAdapter.fix_conv_norm_name: "conv1" -> "bn_conv1", else "bn" + name[3:] ("res2a_branch2a" -> "bn2a_branch2a")
  return name === 'conv1' ? `bn_${name}` : `bn${name.slice(3)}`;
}

function resnetConvNorm(
  b: YoloBuilder,
  x: Feature,
  out: number,
  k: number,
  stride: number,
  act: boolean,
  name: string,
  dcn = false,
): Feature {
  let c: Feature;
  if (!dcn) c = b.conv(x, { out, k, stride, weight: `${name}_weights`, nodeName: name });
  else {
    // deformable conv v2: offset+mask conv (k*k*3 channels, with bias), split [2k^2, k^2], sigmoid mask
    const offName = `${name}_conv_offset`;
    const om = b.conv(x, { out: k * k * 3, k, stride, weight: `${offName}.w_0`, bias: `${offName}.b_0`, nodeName: offName });
    const split = b.g.int64(`${name}_offset_mask_split`, [2], [2 * k * k, k * k]);
    const offset = `${name}_offset`;
    const maskLogits = `${name}_mask_logits`;
    b.g.node('Split', [om.name, split], [offset, maskLogits], { axis: A.int(1) }, `${name}_offset_mask_split`);
    const mask = `${name}_mask`;
    b.g.node('Sigmoid', [maskLogits], [mask], {}, `${name}_mask_sigmoid`);
    const w = b.convWeight(`${name}_weights`, out, x.channels, k);
    const pad = (k - 1) >> 1;
    const y = `${name}.output`;
    b.g.node(
      'DeformConv',
      [x.name, w, offset, '', mask],
      [y],
      {
        kernel_shape: A.ints([k, k]),
        strides: A.ints([stride, stride]),
        pads: A.ints([pad, pad, pad, pad]),
        group: A.int(1),
        offset_group: A.int(1),
      },
      name,
    );
    c = { name: y, channels: out };
  }
  const bn = resnetBnName(name);
  const n = b.batchNorm(c, { scale: `${bn}_scale`, offset: `${bn}_offset`, mean: `${bn}_mean`, variance: `${bn}_variance` }, bn);
  return act ? b.act(n, 'relu', `${name}_relu`) : n;
}

function resnetShortcut(
  b: YoloBuilder,
  x: Feature,
  out: number,
  stride: number,
  isFirst: boolean,
  depth: number,
  variantD: boolean,
  name: string,
): Feature {
  if (x.channels !== out || stride !== 1 || (depth < 50 && isFirst)) {
    if (variantD && !isFirst) {
      const pooled = `${name}_pool.output`;
      b.g.node(
        'AveragePool',
        [x.name],
        [pooled],
        { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]), pads: A.ints([0, 0, 0, 0]), ceil_mode: A.int(1) },
        `${name}_pool`,
      );
      return resnetConvNorm(b, { name: pooled, channels: x.channels }, out, 1, 1, false, name);
    }
    return resnetConvNorm(b, x, out, 1, stride, false, name);
  }
  return x;
}

function resnet(b: YoloBuilder, image: Feature, depth: 34 | 50, variantD: boolean, dcnStages: number[]): Feature[] {
  const stages = [3, 4, 6, 3];
  const filters = [64, 128, 256, 512];
  let x = image;
  const stem = variantD
    ? ([
        [32, 3, 2, 'conv1_1'],
        [32, 3, 1, 'conv1_2'],
        [64, 3, 1, 'conv1_3'],
      ] as const)
    : ([[64, 7, 2, 'conv1']] as const);
  for (const [c, k, s, n] of stem) x = resnetConvNorm(b, x, c, k, s, true, n);
  const pooled = 'pool1.output';
  b.g.node('MaxPool', [x.name], [pooled], { kernel_shape: A.ints([3, 3]), strides: A.ints([2, 2]), pads: A.ints([1, 1, 1, 1]) }, 'pool1');
  x = { name: pooled, channels: x.channels };
  const outs: Feature[] = [];
  for (let stage = 2; stage <= 5; stage++) {
    const count = stages[stage - 2];
    const ch = filters[stage - 2];
    const dcn = dcnStages.includes(stage);
    for (let i = 0; i < count; i++) {
      const name = `res${stage}${String.fromCharCode(97 + i)}`;
      const stride = i === 0 && stage !== 2 ? 2 : 1;
      const isFirst = depth < 50 ? i === 0 && stage === 2 : stage === 2;
      let residual: Feature;
      let short: Feature;
      if (depth < 50) {
        const c0 = resnetConvNorm(b, x, ch, 3, stride, true, `${name}_branch2a`);
        residual = resnetConvNorm(b, c0, ch, 3, 1, false, `${name}_branch2b`);
        short = resnetShortcut(b, x, ch, stride, isFirst, depth, variantD, `${name}_branch1`);
      } else {
        // variant b/d: stride on the 3x3 conv
        const c0 = resnetConvNorm(b, x, ch, 1, 1, true, `${name}_branch2a`);
        const c1 = resnetConvNorm(b, c0, ch, 3, stride, true, `${name}_branch2b`, dcn);
        residual = resnetConvNorm(b, c1, ch * 4, 1, 1, false, `${name}_branch2c`);
        short = resnetShortcut(b, x, ch * 4, stride, isFirst, depth, variantD, `${name}_branch1`);
      }
      x = b.act(b.add(short, residual, `${name}.add`), 'relu', `${name}.add.relu`);
    }
    if (stage >= 3) outs.push(x);
  }
  return outs;
}

// ---------------------------------------------------------------- YOLOv3 head (yolo_head.py)

function yoloConvBn(b: YoloBuilder, x: Feature, out: number, k: number, name: string): Feature {
  const c = b.conv(x, { out, k, weight: `${name}.conv.weights`, nodeName: `${name}.conv` });
  const bn = `${name}.bn`;
  const n = b.batchNorm(c, { scale: `${bn}.scale`, offset: `${bn}.offset`, mean: `${bn}.mean`, variance: `${bn}.var` }, bn);
  return b.act(n, 'leaky', `${name}.leaky`);
}

function yoloHead(b: YoloBuilder, backboneBlocks: Feature[], numClasses: number): string[] {
  const blocks = [...backboneBlocks].reverse(); // 1/32, 1/16, 1/8
  const outputs: string[] = [];
  let route: Feature | null = null;
  const scales = b.g.weight('yolo_upsample.scales', [4], Float32Array.from([1, 1, 2, 2]));
  blocks.forEach((block0, i) => {
    let block = block0;
    if (route) {
      const y = `yolo_block.${i}.concat.output`;
      b.g.node('Concat', [route.name, block.name], [y], { axis: A.int(1) }, `yolo_block.${i}.concat`);
      block = { name: y, channels: route.channels + block.channels };
    }
    const channel = 512 >> i;
    const name = `yolo_block.${i}`;
    let conv = block;
    for (let j = 0; j < 2; j++) {
      conv = yoloConvBn(b, conv, channel, 1, `${name}.${j}.0`);
      conv = yoloConvBn(b, conv, channel * 2, 3, `${name}.${j}.1`);
    }
    const r = yoloConvBn(b, conv, channel, 1, `${name}.2`);
    const tip = yoloConvBn(b, r, channel * 2, 3, `${name}.tip`);
    const outName = `yolo_output.${i}`;
    const numFilters = 3 * (numClasses + 5);
    const w = b.convWeight(`${outName}.conv.weights`, numFilters, tip.channels, 1);
    const bias = b.g.weight(`${outName}.conv.bias`, [numFilters], new Float32Array(numFilters));
    b.g.node(
      'Conv',
      [tip.name, w, bias],
      [outName],
      { kernel_shape: A.ints([1, 1]), strides: A.ints([1, 1]), pads: A.ints([0, 0, 0, 0]), group: A.int(1) },
      `${outName}.conv`,
    );
    const stride = 32 >> i;
    b.g.output(outName, ['batch', numFilters, `height/${stride}`, `width/${stride}`]);
    outputs.push(outName);
    if (i < blocks.length - 1) {
      const t = yoloConvBn(b, r, 256 >> i, 1, `yolo_transition.${i}`);
      const up = `yolo_upsample.${i}.output`;
      b.g.node(
        'Resize',
        [t.name, '', scales],
        [up],
        { mode: A.str('nearest'), coordinate_transformation_mode: A.str('asymmetric'), nearest_mode: A.str('floor') },
        `yolo_upsample.${i}`,
      );
      route = { name: up, channels: t.channels };
    }
  });
  return outputs;
}

/** Build a YOLOv3 detector; the same options always give byte-identical models. */
export function buildYoloV3(options: YoloV3Options): ModelProto {
  const { backbone, numClasses } = options;
  if (!BACKBONES.includes(backbone)) {
    throw new SlimboardError('bad_arguments', `unknown backbone "${backbone}" (expected ${BACKBONES.join('|')})`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > 10000) {
    throw new SlimboardError('bad_arguments', `number of classes must be an integer in [1, 10000], got ${numClasses}`);
  }
  const seed = options.seed ?? 2019;
  const opset = backbone === 'resnet50_vd_dcn' ? 19 : 13;
  const b = new YoloBuilder(`yolov3_${backbone}_${numClasses}`, seed, opset);
  const image = { name: b.g.input('image', ['batch', 3, 'height', 'width']), channels: 3 };
  const blocks =
    backbone === 'mobilenet_v1'
      ? mobilenetV1(b, image)
      : backbone === 'resnet34'
        ? resnet(b, image, 34, false, [])
        : resnet(b, image, 50, true, [5]);
  yoloHead(b, blocks, numClasses);
  const model = b.g.build(`YOLOv3 ${backbone}, ${numClasses} classes, PaddleDetection layer names, seeded random weights (seed ${seed})`);
  model.metadataProps = [
    onnx.StringStringEntryProto.create({ key: 'slimboard.architecture', value: 'yolov3' }),
    onnx.StringStringEntryProto.create({ key: 'slimboard.backbone', value: backbone }),
    onnx.StringStringEntryProto.create({ key: 'slimboard.num_classes', value: String(numClasses) }),
    onnx.StringStringEntryProto.create({ key: 'slimboard.seed', value: String(seed) }),
  ];
  return model;
}
