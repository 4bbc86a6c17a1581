import { describe, expect, it } from 'vitest';
import { checkAdapterAgainstModel, detectAdapter, parseModelAdapter, PADDLE_YOLOV3_ANCHORS, resolveAutoYoloStrides } from './model-adapter';
import type { ValueInfo } from '../runtime/ort';

const t = (name: string, shape: Array<number | string>, type: ValueInfo['type'] = 'float32'): ValueInfo => ({ name, isTensor: true, type, shape });
const image = t('image', [1, 3, 'h', 'w']);

describe('model adapters', () => {
  it('defaults are filled in and documented values hold', () => {
    const a = parseModelAdapter({ output: { kind: 'decoded', boxes: 'b', scores: 's' } }, 'a.json');
    expect(a.preprocess).toEqual({ resize: 'letterbox', padValue: 114, interpolation: 'linear', antialias: true, scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], channelOrder: 'rgb' });
    expect(a.postprocess).toEqual({ scoreThreshold: 0.01, nmsIouThreshold: 0.45, preNmsTopK: 1000, maxDetections: 100 });
    expect(a.output).toEqual({ kind: 'decoded', boxes: 'b', scores: 's', boxFormat: 'xyxy', boxCoordinates: 'input-pixels', scoreActivation: 'none' });
  });
  it('recognises the three layouts from inputs/outputs', () => {
    expect(detectAdapter([image], [t('boxes', [1, 'n', 4]), t('scores', [1, 'n', 80])], 'm').output).toMatchObject({ kind: 'decoded', boxes: 'boxes', scores: 'scores' });
    const paddle = detectAdapter([image, t('im_shape', [1, 2]), t('scale_factor', [1, 2])], [t('multiclass_nms3_0.tmp_0', ['n', 6]), t('multiclass_nms3_0.tmp_2', ['b'], 'int32')], 'm');
    expect(paddle.output).toMatchObject({ kind: 'paddle-nms', detections: 'multiclass_nms3_0.tmp_0', imShapeInput: 'im_shape', scaleFactorInput: 'scale_factor' });
    expect(paddle.preprocess).toMatchObject({ resize: 'stretch', mean: [0.485, 0.456, 0.406] });
    const yolo = detectAdapter([image], [t('o0', [1, 255, 'a', 'b']), t('o1', [1, 255, 'c', 'd']), t('o2', [1, 255, 'e', 'f'])], 'm');
    expect(yolo.output.kind === 'yolo' && yolo.output.heads.map((h) => h.stride)).toEqual([32, 16, 8]);
    // sizes reveal the true strides (here the heads come smallest stride first)
    const fixed = resolveAutoYoloStrides(yolo, { o0: 40, o1: 20, o2: 10 }, 320);
    expect(fixed.output.kind === 'yolo' && fixed.output.heads.map((h) => [h.stride, h.anchors[0]])).toEqual([[8, PADDLE_YOLOV3_ANCHORS[0]], [16, PADDLE_YOLOV3_ANCHORS[3]], [32, PADDLE_YOLOV3_ANCHORS[6]]]);
    expect(() => resolveAutoYoloStrides(yolo, { o0: 7, o1: 20, o2: 10 }, 320)).toThrow(/do not divide input 320/);
  });
  it('EXPECTED FAILURE: no layout, bad adapter JSON, adapter that does not fit the model', () => {
    expect(() => detectAdapter([image], [t('features', [1, 4, 'h', 'w'])], 'm.onnx')).toThrow('m.onnx: outputs features[1,4,h,w] match no known adapter');
    expect(() => parseModelAdapter({ output: { kind: 'yolo', heads: [] } }, 'a.json')).toThrow(/a\.json: invalid model adapter: output\.heads/);
    expect(() => parseModelAdapter({ preprocess: { std: [1, 0, 1] }, output: { kind: 'decoded', boxes: 'b', scores: 's' } }, 'a.json')).toThrow(/std values must be > 0/);
    expect(() => parseModelAdapter({ classNames: ['a'], numClasses: 2, output: { kind: 'decoded', boxes: 'b', scores: 's' } }, 'a.json')).toThrow(/1 names but numClasses is 2/);
    const decoded = parseModelAdapter({ output: { kind: 'decoded', boxes: 'bx', scores: 's' } }, 'a.json');
    expect(() => checkAdapterAgainstModel(decoded, [image], [t('b', [1, 'n', 4]), t('s', [1, 'n', 3])], 'm.onnx')).toThrow('m.onnx: adapter names output "bx" but the model\'s outputs are b[1,n,4], s[1,n,3]');
    const yolo = parseModelAdapter({ output: { kind: 'yolo', heads: [{ output: 'h', stride: 32, anchors: [[1, 1], [2, 2]] }] } }, 'a.json');
    expect(() => checkAdapterAgainstModel(yolo, [image], [t('h', [1, 255, 'a', 'b'])], 'm.onnx')).toThrow(/255 channels, not 2 anchors/);
    expect(checkAdapterAgainstModel(yolo, [image], [t('h', [1, 16, 'a', 'b'])], 'm.onnx')).toBe(3);
    const paddle = parseModelAdapter({ output: { kind: 'paddle-nms', detections: 'd' } }, 'a.json');
    expect(() => checkAdapterAgainstModel(paddle, [image], [t('d', ['n', 6])], 'm.onnx')).toThrow(/needs input "im_shape"/);
  });
});
