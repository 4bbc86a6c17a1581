import { describe, expect, it } from 'vitest';
import { adapterOriginLabel, describeAdapter, describeNormalisation, measuredAdapterOf, readMeasuredAdapter } from './measured-adapter';
import { IMAGENET_MEAN, IMAGENET_STD, parseModelAdapter, PADDLE_YOLOV3_ANCHORS } from './model-adapter';

const yolo = parseModelAdapter(
  {
    preprocess: { resize: 'stretch', interpolation: 'cubic', mean: IMAGENET_MEAN, std: IMAGENET_STD },
    output: {
      kind: 'yolo',
      heads: [
        { output: 'h32', stride: 32, anchors: PADDLE_YOLOV3_ANCHORS.slice(6) },
        { output: 'h16', stride: 16, anchors: PADDLE_YOLOV3_ANCHORS.slice(3, 6) },
        { output: 'h8', stride: 8, anchors: PADDLE_YOLOV3_ANCHORS.slice(0, 3) },
      ],
    },
  },
  'yolo.json',
);
const decoded = parseModelAdapter({ output: { kind: 'decoded', boxes: 'boxes', scores: 'scores' } }, 'decoded.json');

describe('describeAdapter: every setting that changes an accuracy number, in one line', () => {
  it('golden: the demo zoo style YOLOv3 adapter (stretch, cubic, ImageNet, three heads)', () => {
    expect(describeAdapter(yolo)).toBe(
      'stretch, cubic · /255, ImageNet mean/std · RGB NCHW · yolo, 3 heads (strides 32/16/8), conf ≥ 0.005 · score ≥ 0.01, NMS IoU 0.45, top 100',
    );
  });

  it('golden: all defaults (letterbox with pad 114, antialiased bilinear, /255, decoded boxes)', () => {
    expect(describeAdapter(decoded)).toBe(
      'letterbox (pad 114), linear antialiased · /255 · RGB NCHW · decoded xyxy boxes (input-pixels), scores as given · score ≥ 0.01, NMS IoU 0.45, top 100',
    );
  });

  it('paddle-nms: no thresholds of Slimboard apply except the detection cap', () => {
    const a = parseModelAdapter({ preprocess: { resize: 'stretch' }, output: { kind: 'paddle-nms', detections: 'out' } }, 'p.json');
    expect(describeAdapter(a)).toBe('stretch, linear antialiased · /255 · RGB NCHW · paddle-nms (NMS inside the model) · top 100');
  });

  it('normalisation: other numbers are printed as given; a scale that is not 1/255 is named', () => {
    const p = parseModelAdapter({ preprocess: { scale: 1, mean: [1, 2, 3], std: [4, 5, 6], channelOrder: 'bgr' }, output: { kind: 'decoded', boxes: 'b', scores: 's' } }, 'x');
    expect(describeNormalisation(p.preprocess)).toBe('×1, mean [1, 2, 3], std [4, 5, 6]');
    expect(describeAdapter(p)).toContain('BGR NCHW');
  });

  it('adapters that differ in any accuracy-relevant setting get different descriptions', () => {
    const base = { preprocess: {}, postprocess: {}, output: { kind: 'decoded', boxes: 'b', scores: 's' } } as const;
    const variants = [
      base,
      { ...base, preprocess: { resize: 'stretch' } },
      { ...base, preprocess: { interpolation: 'cubic' } },
      { ...base, preprocess: { antialias: false } },
      { ...base, preprocess: { padValue: 0 } },
      { ...base, preprocess: { mean: IMAGENET_MEAN, std: IMAGENET_STD } },
      { ...base, preprocess: { channelOrder: 'bgr' } },
      { ...base, postprocess: { scoreThreshold: 0.001 } },
      { ...base, postprocess: { nmsIouThreshold: 0.6 } },
      { ...base, postprocess: { maxDetections: 300 } },
      { ...base, output: { ...base.output, boxFormat: 'cxcywh' } },
      { ...base, output: { ...base.output, scoreActivation: 'sigmoid' } },
    ];
    const texts = variants.map((v) => describeAdapter(parseModelAdapter(v, 'v')));
    expect(new Set(texts).size).toBe(variants.length);
  });
});

describe('measuredAdapterOf / adapterOriginLabel', () => {
  it('declared, inherited (names the run) and auto-detected (names what was found)', () => {
    const declared = measuredAdapterOf({ declaredAdapter: true, adapterFromRunId: null }, yolo);
    expect(declared).toEqual({ origin: 'declared', adapter: yolo });
    expect(adapterOriginLabel(declared)).toBe('declared');
    const inherited = measuredAdapterOf({ declaredAdapter: true, adapterFromRunId: '0a1b2c3d-1111-2222-3333-444455556666' }, yolo);
    expect(adapterOriginLabel(inherited)).toBe('inherited from run 0a1b2c3d of the same bytes');
    const auto = measuredAdapterOf({ declaredAdapter: false, adapterFromRunId: null }, yolo);
    expect(auto.origin).toBe('auto-detected');
    expect(adapterOriginLabel(auto)).toBe('auto-detected: yolo, 3 heads (strides 32/16/8), conf ≥ 0.005');
  });

  it('reads back what it stored (JSON round trip); anything else reads as none', () => {
    const stored = JSON.parse(JSON.stringify(measuredAdapterOf({ declaredAdapter: true, adapterFromRunId: 'r1' }, decoded)));
    expect(readMeasuredAdapter(stored)).toEqual({ origin: 'inherited', fromRunId: 'r1', adapter: decoded });
    expect(readMeasuredAdapter(undefined)).toBeNull();
    expect(readMeasuredAdapter({ origin: 'guessed', adapter: decoded })).toBeNull();
    expect(readMeasuredAdapter('auto:yolo')).toBeNull();
  });
});
