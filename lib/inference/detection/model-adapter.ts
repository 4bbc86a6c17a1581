/**
 * Model adapters: how to feed a detector and how to read its outputs, declared as DATA (JSON,
 * validated by `ZModelAdapter`). An adapter file is what `evaluate --adapter FILE` reads; without
 * one, `detectAdapter` recognises the three common layouts from the model's inputs and outputs.
 *
 * Kinds (`output.kind`):
 * - "decoded":    boxes [1, N, 4] (or [N, 4]) + scores [1, N, C] (or [N, C]). Boxes in model-input
 *                 pixels (or normalised to [0, 1] of the input with boxCoordinates "normalized"),
 *                 format xyxy / xywh / cxcywh. Slimboard applies score threshold + class-aware NMS.
 * - "paddle-nms": PaddleDetection inference export with NMS inside: inputs image, im_shape [1, 2]
 *                 (= resized h, w) and scale_factor [1, 2] (= [scaleY, scaleX]); output [N, 6] rows
 *                 (class, score, x1, y1, x2, y2) already in ORIGINAL image pixels; rows with class < 0
 *                 are padding. No NMS is applied again.
 * - "yolo":       raw YOLOv3 heads [1, A * (5 + C), H/s, W/s], per anchor channels (tx, ty, tw, th, obj,
 *                 cls_0..cls_{C-1}), decoded like PaddleDetection's yolo_box: cx = (gx + sigmoid(tx) *
 *                 scaleXY - (scaleXY - 1) / 2) * s, w = exp(tw) * anchorW, score = sigmoid(obj) *
 *                 sigmoid(cls), candidates with sigmoid(obj) < confThreshold dropped; then NMS.
 */
import { z } from 'zod';
import { SlimboardError, formatZodIssues } from '../../errors';
import type { ValueInfo } from '../runtime/ort';

const ZTriple = z.tuple([z.number(), z.number(), z.number()]);

export const ZPreprocess = z.object({
  /** 'letterbox' keeps the aspect ratio and pads (centred); 'stretch' resizes to exactly S x S. */
  resize: z.enum(['letterbox', 'stretch']).default('letterbox'),
  /** Byte value of the padding (letterbox only), before normalisation. */
  padValue: z.number().int().min(0).max(255).default(114),
  /**
   * 'linear': Slimboard's own bilinear with half-pixel centres (torch align_corners=False, PIL,
   * OpenCV INTER_LINEAR). 'cubic': Slimboard's own OpenCV INTER_CUBIC (half-pixel, A = -0.75, no
   * antialiasing, clamped to bytes' range; PaddleDetection's YOLOv3 reader). See
   * lib/inference/image-resample.ts. 'nearest' | 'lanczos3': libvips (sharp) kernels on libvips' grid.
   */
  interpolation: z.enum(['nearest', 'linear', 'cubic', 'lanczos3']).default('linear'),
  /**
   * 'linear' only: when shrinking, average over the whole footprint (PIL BILINEAR, torch
   * antialias=True) instead of the two nearest pixels (OpenCV INTER_LINEAR, torch antialias=False).
   */
  antialias: z.boolean().default(true),
  /** (byte * scale - mean[c]) / std[c], per channel of the model's channel order. */
  scale: z
    .number()
    .positive()
    .default(1 / 255),
  mean: ZTriple.default([0, 0, 0]),
  std: ZTriple.refine((s) => s.every((v) => v > 0), 'std values must be > 0').default([1, 1, 1]),
  channelOrder: z.enum(['rgb', 'bgr']).default('rgb'),
});

export const ZPostprocess = z.object({
  /** Candidates below this score are dropped before NMS (COCO evaluation usually uses 0.001-0.01). */
  scoreThreshold: z.number().min(0).max(1).default(0.01),
  /** Class-aware NMS IoU threshold (suppress when IoU > threshold). */
  nmsIouThreshold: z.number().min(0).max(1).default(0.45),
  /** Per-class candidates before NMS (PaddleDetection nms_top_k). */
  preNmsTopK: z.number().int().positive().default(1000),
  /** Detections kept per image after NMS (COCO maxDets = 100). */
  maxDetections: z.number().int().positive().default(100),
});

const ZDecodedOutput = z.object({
  kind: z.literal('decoded'),
  boxes: z.string().min(1),
  scores: z.string().min(1),
  boxFormat: z.enum(['xyxy', 'xywh', 'cxcywh']).default('xyxy'),
  boxCoordinates: z.enum(['input-pixels', 'normalized']).default('input-pixels'),
  /** Applied to the scores tensor before thresholding. */
  scoreActivation: z.enum(['none', 'sigmoid', 'softmax']).default('none'),
});

const ZPaddleNmsOutput = z.object({
  kind: z.literal('paddle-nms'),
  /** The [N, 6] output. */
  detections: z.string().min(1),
  imShapeInput: z.string().min(1).default('im_shape'),
  scaleFactorInput: z.string().min(1).default('scale_factor'),
});

const ZYoloHead = z.object({
  output: z.string().min(1),
  stride: z.number().int().positive(),
  /** [w, h] in model-input pixels, one per anchor of this head. */
  anchors: z.array(z.tuple([z.number().positive(), z.number().positive()])).min(1),
});

const ZYoloOutput = z.object({
  kind: z.literal('yolo'),
  heads: z.array(ZYoloHead).min(1),
  scaleXY: z.number().positive().default(1),
  /** PaddleDetection yolo_box conf_thresh: candidates with sigmoid(obj) below it are dropped. */
  confThreshold: z.number().min(0).max(1).default(0.005),
});

export const ZModelAdapter = z.object({
  /** Optional name for messages. */
  name: z.string().optional(),
  /** The NCHW image input (default: the only float input of rank 4). */
  imageInput: z.string().optional(),
  /** Class names in model order; matched to dataset category names. Without it, model class i is the
   * dataset's i-th category in ascending id order (PaddleDetection's clsid2catid). */
  classNames: z.array(z.string()).min(1).optional(),
  /** Number of model classes (required with kind paddle-nms unless classNames is given). */
  numClasses: z.number().int().positive().optional(),
  preprocess: ZPreprocess.default(ZPreprocess.parse({})),
  postprocess: ZPostprocess.default(ZPostprocess.parse({})),
  output: z.discriminatedUnion('kind', [ZDecodedOutput, ZPaddleNmsOutput, ZYoloOutput]),
});

export type TModelAdapter = z.infer<typeof ZModelAdapter>;
export type TModelAdapterInput = z.input<typeof ZModelAdapter>;
export type TYoloOutput = z.infer<typeof ZYoloOutput>;
export type TDecodedOutput = z.infer<typeof ZDecodedOutput>;

/** PaddleDetection YOLOv3 anchors (model-input pixels) with masks [[6,7,8],[3,4,5],[0,1,2]] for s = 32, 16, 8. */
export const PADDLE_YOLOV3_ANCHORS: ReadonlyArray<[number, number]> = [
  [10, 13],
  [16, 30],
  [33, 23],
  [30, 61],
  [62, 45],
  [59, 119],
  [116, 90],
  [156, 198],
  [373, 326],
];
export const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

/** Validate an adapter (parsed JSON). `label` names the file in the error. */
export function parseModelAdapter(value: unknown, label: string): TModelAdapter {
  const r = ZModelAdapter.safeParse(value);
  if (!r.success) throw new SlimboardError('bad_adapter', `${label}: invalid model adapter: ${formatZodIssues(r.error.issues)}`);
  const a = r.data;
  if (a.classNames && a.numClasses !== undefined && a.classNames.length !== a.numClasses) {
    throw new SlimboardError('bad_adapter', `${label}: classNames has ${a.classNames.length} names but numClasses is ${a.numClasses}`);
  }
  return a;
}

function describe(values: readonly ValueInfo[]): string {
  return values.map((v) => `${v.name}[${v.shape.join(',')}]`).join(', ');
}

/**
 * Check that an adapter fits a model's declared inputs and outputs; throw one line if not.
 * Returns the number of classes the outputs imply when known statically (else undefined).
 */
export function checkAdapterAgainstModel(
  adapter: TModelAdapter,
  inputs: readonly ValueInfo[],
  outputs: readonly ValueInfo[],
  label: string,
): number | undefined {
  const out = (name: string) => {
    const o = outputs.find((v) => v.name === name);
    if (!o)
      throw new SlimboardError(
        'adapter_mismatch',
        `${label}: adapter names output "${name}" but the model's outputs are ${describe(outputs)}`,
      );
    return o;
  };
  const inp = (name: string) => {
    if (!inputs.some((v) => v.name === name))
      throw new SlimboardError(
        'adapter_mismatch',
        `${label}: adapter needs input "${name}" but the model's inputs are ${describe(inputs)}`,
      );
  };
  if (adapter.imageInput) inp(adapter.imageInput);
  const o = adapter.output;
  if (o.kind === 'decoded') {
    const b = out(o.boxes);
    const s = out(o.scores);
    const last = b.shape[b.shape.length - 1];
    if (typeof last === 'number' && last !== 4)
      throw new SlimboardError('adapter_mismatch', `${label}: boxes output "${o.boxes}" must end in 4, has [${b.shape.join(',')}]`);
    const c = s.shape[s.shape.length - 1];
    return typeof c === 'number' && c > 0 ? c : undefined;
  }
  if (o.kind === 'paddle-nms') {
    const d = out(o.detections);
    const last = d.shape[d.shape.length - 1];
    if (typeof last === 'number' && last !== 6)
      throw new SlimboardError(
        'adapter_mismatch',
        `${label}: detections output "${o.detections}" must be [N,6], has [${d.shape.join(',')}]`,
      );
    inp(o.imShapeInput);
    inp(o.scaleFactorInput);
    return adapter.classNames?.length ?? adapter.numClasses;
  }
  let classes: number | undefined;
  for (const h of o.heads) {
    const v = out(h.output);
    const ch = v.shape[1];
    if (v.shape.length !== 4)
      throw new SlimboardError(
        'adapter_mismatch',
        `${label}: YOLO head "${h.output}" must be [1, A*(5+C), H, W], has [${v.shape.join(',')}]`,
      );
    if (typeof ch === 'number') {
      const a = h.anchors.length;
      if (ch % a !== 0 || ch / a <= 5)
        throw new SlimboardError('adapter_mismatch', `${label}: YOLO head "${h.output}" has ${ch} channels, not ${a} anchors x (5 + C)`);
      const c = ch / a - 5;
      if (classes !== undefined && classes !== c)
        throw new SlimboardError('adapter_mismatch', `${label}: YOLO heads disagree on the class count (${classes} vs ${c})`);
      classes = c;
    }
  }
  return classes;
}

/**
 * Recognise a model's output layout when no adapter file is given:
 * - inputs im_shape + scale_factor and an output [N, 6]        -> paddle-nms (stretch, cubic, ImageNet mean/std)
 * - an output [.., N, 4] and an output [.., N, C] with same N  -> decoded (letterbox, /255)
 * - 1-3 outputs of rank 4 whose channels are 3 x (5 + C)      -> yolo, PaddleDetection anchors by stride
 *   (strides need the spatial size: taken from `strideHint` (input size / output size) at run time,
 *   here ordered largest first as PaddleDetection exports them: 32, 16, 8)
 * Throws `no_adapter` naming the outputs when nothing fits.
 */
export function detectAdapter(inputs: readonly ValueInfo[], outputs: readonly ValueInfo[], label: string): TModelAdapter {
  const names = inputs.map((i) => i.name);
  const last = (v: ValueInfo) => v.shape[v.shape.length - 1];
  const six = outputs.find((o) => o.shape.length === 2 && last(o) === 6);
  if (names.includes('im_shape') && names.includes('scale_factor') && six) {
    return parseModelAdapter(
      {
        name: 'auto:paddle-nms',
        // PaddleDetection YOLOv3 reader: Resize target [S, S], keep_ratio False, interp 2 (cubic); NormalizeImage ImageNet.
        preprocess: { resize: 'stretch', interpolation: 'cubic', mean: IMAGENET_MEAN, std: IMAGENET_STD },
        output: { kind: 'paddle-nms', detections: six.name },
      },
      label,
    );
  }
  const four = outputs.filter((o) => o.shape.length >= 2 && o.shape.length <= 3 && last(o) === 4);
  if (four.length === 1) {
    const b = four[0];
    const s = outputs.find((o) => o !== b && o.shape.length === b.shape.length && typeof last(o) === 'number' && (last(o) as number) > 0);
    if (s) return parseModelAdapter({ name: 'auto:decoded', output: { kind: 'decoded', boxes: b.name, scores: s.name } }, label);
  }
  const heads = outputs.filter(
    (o) => o.shape.length === 4 && typeof o.shape[1] === 'number' && (o.shape[1] as number) % 3 === 0 && (o.shape[1] as number) / 3 > 5,
  );
  if (heads.length >= 1 && heads.length <= 3 && heads.length === outputs.length) {
    const strides = [32, 16, 8].slice(0, heads.length);
    const masks = [
      [6, 7, 8],
      [3, 4, 5],
      [0, 1, 2],
    ];
    return parseModelAdapter(
      {
        name: 'auto:yolo',
        output: {
          kind: 'yolo',
          heads: heads.map((h, i) => ({ output: h.name, stride: strides[i], anchors: masks[i].map((m) => PADDLE_YOLOV3_ANCHORS[m]) })),
        },
      },
      label,
    );
  }
  throw new SlimboardError(
    'no_adapter',
    `${label}: outputs ${describe(outputs)} match no known adapter (decoded boxes[N,4]+scores[N,C]; paddle-nms [N,6] with ` +
      `im_shape/scale_factor inputs; yolo heads [1,3*(5+C),H,W]); pass --adapter FILE`,
  );
}

/**
 * An auto-detected YOLO adapter guesses strides 32, 16, 8 in output order. Once the real output
 * sizes are known (first run), re-assign: stride = inputH / head height, and PaddleDetection's
 * anchor masks by stride rank (largest stride -> largest anchors). Adapters from a file are returned
 * unchanged (their strides are checked in decoding).
 */
export function resolveAutoYoloStrides(adapter: TModelAdapter, headHeights: Record<string, number>, inputH: number): TModelAdapter {
  const o = adapter.output;
  if (o.kind !== 'yolo' || adapter.name !== 'auto:yolo') return adapter;
  const withStride = o.heads.map((h) => ({ ...h, stride: inputH / headHeights[h.output] }));
  if (withStride.some((h) => !Number.isInteger(h.stride) || h.stride < 1)) {
    throw new SlimboardError(
      'no_adapter',
      `YOLO-like outputs ${o.heads.map((h) => `${h.output}(${headHeights[h.output]} rows)`).join(', ')} do not divide input ${inputH}; ` +
        `pass --adapter FILE`,
    );
  }
  const rank = [...withStride].sort((a, b) => b.stride - a.stride);
  const masks = [
    [6, 7, 8],
    [3, 4, 5],
    [0, 1, 2],
  ];
  const heads = withStride.map((h) => ({
    ...h,
    anchors: masks[rank.indexOf(h)].map((m) => [...PADDLE_YOLOV3_ANCHORS[m]] as [number, number]),
  }));
  return { ...adapter, output: { ...o, heads } };
}
