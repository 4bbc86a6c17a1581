import { describe, expect, it } from 'vitest';
import { parseModelAdapter } from '../inference/detection/model-adapter';
import type { UploadModelChoice } from '../zoo/list-upload-choices';
import {
  applyBaseline,
  describeAdapter,
  emptyDraft,
  inputSizeOptions,
  paramsToPruneRows,
  pruneRowsToParams,
  searchModels,
  tokenHelp,
  withField,
} from './upload-form';
import { ZRunMetadata } from './run-metadata';

const MOBILENET: UploadModelChoice = {
  slug: 'yolov3-mobilenet-v1-coco',
  name: 'YOLOv3-MobileNetV1',
  family: 'YOLOv3',
  backbone: 'mobilenetv1',
  backboneName: 'MobileNetV1',
  dataset: 'coco',
  datasetName: 'COCO',
  pretraining: 'imagenet',
  method: 'baseline',
  strategy: null,
  inputSizes: [608, 416, 320],
};
const SENSITY: UploadModelChoice = { ...MOBILENET, slug: 'yolov3-mobilenet-v1-coco-sensity', method: 'prune', strategy: 'sensity', name: 'YOLOv3-MobileNetV1 sensity' };
const VOC: UploadModelChoice = { ...MOBILENET, slug: 'yolov3-mobilenet-v1-voc', dataset: 'voc', datasetName: 'Pascal VOC', pretraining: null };

describe('the form builds metadata the one schema accepts', () => {
  it('a baseline pick plus the selects give valid metadata, with nothing typed as JSON', () => {
    let d = emptyDraft();
    d = withField(d, 'strategy', 'r578');
    d = applyBaseline(d, MOBILENET);
    expect(d).toMatchObject({ baseline: 'yolov3-mobilenet-v1-coco', family: 'YOLOv3', backbone: 'mobilenetv1', dataset: 'coco', pretraining: 'imagenet', inputSizes: [608, 416, 320] });
    expect(d.name).toBe('YOLOv3-MobileNetV1 r578 (mine)');
    d = withField(d, 'strategyParams', pruneRowsToParams([{ param: 'yolo_block.0.0.0.conv.weights', ratio: '0.5' }]));
    const parsed = ZRunMetadata.parse(d);
    expect(parsed.strategyParams).toEqual({ prunedParams: ['yolo_block.0.0.0.conv.weights'], prunedRatios: [0.5] });
    expect(parsed.measurements).toEqual({ analyse: true, benchmark: true, evaluate: true });
  });
  it('keeps a typed name and chosen sizes; a baseline-method run gets no baseline key', () => {
    const d = applyBaseline({ ...emptyDraft(), name: 'mine', inputSizes: [320] }, MOBILENET);
    expect(d.name).toBe('mine');
    expect(d.inputSizes).toEqual([320]);
    expect(applyBaseline({ ...emptyDraft(), method: 'baseline' }, MOBILENET).baseline).toBeUndefined();
  });
  it('an unknown pretraining is left out rather than sent invalid', () => {
    expect(applyBaseline(emptyDraft(), { ...MOBILENET, pretraining: 'something-else' }).pretraining).toBeUndefined();
    expect(applyBaseline(emptyDraft(), VOC).pretraining).toBeUndefined();
  });
  it('withField removes empty values and keeps key order', () => {
    const d = withField(withField({ a: 1, b: 2 }, 'a', ''), 'c', 3);
    expect(Object.keys(d)).toEqual(['b', 'c']);
    expect(withField({ inputSizes: [320] }, 'inputSizes', [])).toEqual({ inputSizes: [] });
  });
  it('an incomplete draft is refused by the schema with the field named', () => {
    const r = ZRunMetadata.safeParse(emptyDraft());
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues.map((i) => i.path))).toContain('family');
  });
});

describe('strategy parameter rows', () => {
  it('round-trip through strategyParams', () => {
    const rows = [{ param: 'a.w', ratio: '0.1' }, { param: 'b.w', ratio: '0.7' }];
    expect(paramsToPruneRows(pruneRowsToParams(rows))).toEqual(rows);
  });
  it('empty names are ignored; an empty ratio becomes NaN, which the schema refuses', () => {
    expect(pruneRowsToParams([{ param: ' ', ratio: '0.3' }])).toEqual({});
    const p = pruneRowsToParams([{ param: 'a.w', ratio: '' }]);
    expect(Number.isNaN(p.prunedRatios?.[0])).toBe(true);
    expect(ZRunMetadata.safeParse({ ...applyBaseline(emptyDraft(), MOBILENET), strategyParams: p }).success).toBe(false);
  });
  it('malformed params read as no rows', () => {
    expect(paramsToPruneRows(undefined)).toEqual([]);
    expect(paramsToPruneRows({ prunedParams: 'x' })).toEqual([]);
  });
});

describe('baseline search', () => {
  const all = [SENSITY, VOC, MOBILENET];
  it('matches every word, baselines first', () => {
    expect(searchModels(all, 'mobilenet coco').map((m) => m.slug)).toEqual(['yolov3-mobilenet-v1-coco', 'yolov3-mobilenet-v1-coco-sensity']);
    expect(searchModels(all, 'mobilenet').map((m) => m.slug)).toEqual(['yolov3-mobilenet-v1-coco', 'yolov3-mobilenet-v1-voc', 'yolov3-mobilenet-v1-coco-sensity']);
    expect(searchModels(all, 'VOC').map((m) => m.slug)).toEqual(['yolov3-mobilenet-v1-voc']);
    expect(searchModels(all, 'sensity').map((m) => m.slug)).toEqual(['yolov3-mobilenet-v1-coco-sensity']);
  });
  it('an empty or unmatched query finds nothing it should not', () => {
    expect(searchModels(all, 'resnet')).toEqual([]);
    expect(searchModels(all, '', 2)).toHaveLength(2);
  });
  it('input size options include the baseline\'s sizes, largest first', () => {
    expect(inputSizeOptions({ ...MOBILENET, inputSizes: [800] })).toEqual([800, 640, 608, 512, 416, 320]);
    expect(inputSizeOptions(null)).toEqual([640, 608, 512, 416, 320]);
  });
});

describe('adapter preview and token help', () => {
  it('describes an auto-detected adapter in words', () => {
    const lines = describeAdapter(parseModelAdapter({ name: 'auto:decoded', output: { kind: 'decoded', boxes: 'boxes', scores: 'scores' } }, 'x'));
    expect(lines[0]).toBe('auto:decoded (decoded)');
    expect(lines[1]).toBe('pre-processing: letterbox (pad 114) resize, linear kernel (antialiased), RGB, pixels ×1/255');
    expect(lines[2]).toContain('"boxes"');
  });
  it('the token sentence says what to run and what to paste', () => {
    expect(tokenHelp('missing')).toMatch(/npm run -s slimboard -- token create --name YOUR_NAME.*paste the token/);
    expect(tokenHelp('refused', 'API token is not valid')).toMatch(/^The server refused the API token \(API token is not valid\)\. Run/);
  });
});
