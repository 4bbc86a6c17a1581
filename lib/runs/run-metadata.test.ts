import { describe, expect, it } from 'vitest';
import { queueName } from '../jobs/job-definitions';
import { scalarsFromResult } from './publish-measurements';
import { parseRunMetadata, parseRunMetadataJson } from './run-metadata';
import { checkUploadFileName } from './upload-file-name';

const good = {
  name: 'YOLOv3-MobileNetV1 r578',
  family: 'YOLOv3',
  backbone: 'mobilenet_v1',
  dataset: 'coco',
  method: 'prune',
  strategy: 'r578',
  strategyParams: { prunedParams: ['a.weights', 'b.weights'], prunedRatios: [0.5, 0.7] },
  baseline: 'yolov3-mobilenet-v1-coco',
  inputSizes: [320, 416, 608],
};

describe('ZRunMetadata (shared by the form, POST /api/runs and submit)', () => {
  it('accepts good metadata and fills the measurement defaults', () => {
    expect(parseRunMetadata(good).measurements).toEqual({ analyse: true, benchmark: true, evaluate: true });
  });
  it('EXPECTED FAILURE: pruned params and ratios of different lengths, naming the field', () => {
    expect(() => parseRunMetadata({ ...good, strategyParams: { prunedParams: ['a'], prunedRatios: [0.1, 0.2] } })).toThrow(/strategyParams\.prunedRatios: prunedParams and prunedRatios must have the same length/);
  });
  it('EXPECTED FAILURE: a ratio outside [0, 1)', () => {
    expect(() => parseRunMetadata({ ...good, strategyParams: { prunedParams: ['a'], prunedRatios: [1] } })).toThrow(/strategyParams\.prunedRatios\.0/);
  });
  it('EXPECTED FAILURE: a compressed model without a baseline', () => {
    const { baseline: _b, ...rest } = good;
    expect(() => parseRunMetadata(rest)).toThrow(/baseline: a compressed model must name the baseline/);
  });
  it('EXPECTED FAILURE: unknown fields, duplicate sizes, bad JSON', () => {
    expect(() => parseRunMetadata({ ...good, colour: 'red' })).toThrow(/colour|unrecognized/i);
    expect(() => parseRunMetadata({ ...good, inputSizes: [320, 320] })).toThrow(/inputSizes: input sizes must be distinct/);
    expect(() => parseRunMetadataJson('{"name": ', 'meta.json')).toThrow(/^meta\.json: not valid JSON/);
  });
  it('EXPECTED FAILURE: a bad adapter is refused with the adapter schema message', () => {
    expect(() => parseRunMetadata({ ...good, adapter: { output: { kind: 'magic' } } })).toThrow(/adapter\.output/);
  });
});

describe('checkUploadFileName', () => {
  it('keeps plain names', () => {
    expect(checkUploadFileName('my model (r578).onnx')).toBe('my model (r578).onnx');
  });
  it('keeps names in any script', () => {
    for (const n of ['模型-ü.onnx', 'modèle [v2] #3.onnx', 'Ωmega.ONNX']) expect(checkUploadFileName(n)).toBe(n);
  });
  it('EXPECTED FAILURE: path-like names', () => {
    for (const n of ['../x.onnx', 'a/b.onnx', 'a\\b.onnx', '..onnx', 'x\u0000.onnx', 'x\u202egpj.onnx', 'x\u0085.onnx']) {
      expect(() => checkUploadFileName(n)).toThrow(/looks like a path/);
    }
    expect(() => checkUploadFileName(' x.onnx')).toThrow(/no leading or trailing spaces/);
    expect(() => checkUploadFileName('model.pt')).toThrow(/must end in \.onnx/);
  });
});

describe('scalarsFromResult', () => {
  it('maps each kind to its zoo metrics (hand-checked)', () => {
    // 1,500,000 bytes -> 1.5 MB (10^6), GFLOPs passed through.
    expect(scalarsFromResult('analyse', 416, { gflops: 9.66, bytes: 1_500_000 })).toEqual([
      { metric: 'gflops', inputSize: 416, value: 9.66 },
      { metric: 'model_size_mb', inputSize: null, value: 1.5 },
    ]);
    // With a weight count (analyze --json "params"): passed through, no input size.
    expect(scalarsFromResult('analyse', 416, { gflops: 9.66, bytes: 1_500_000, params: 965_589 })[2]).toEqual({ metric: 'params', inputSize: null, value: 965_589 });
    expect(scalarsFromResult('benchmark', 320, { summary: { p50Ms: 12.5, meanMs: 13 } })).toEqual([{ metric: 'latency_ms', inputSize: 320, value: 12.5 }]);
    // COCO AP 0.2925 -> 29.25 percentage points.
    expect(scalarsFromResult('evaluate', 608, { metrics: { AP: 0.2925 } })[0]).toMatchObject({ metric: 'box_ap', value: expect.closeTo(29.25, 12) });
    expect(scalarsFromResult('evaluate', 640, { metrics: { easy: 0.9, medium: 0.8, hard: 0.5 } }).map((s) => s.metric)).toEqual(['wider_easy', 'wider_medium', 'wider_hard']);
  });
  it('EXPECTED FAILURE: an output without the expected numbers', () => {
    expect(() => scalarsFromResult('analyse', 320, { gflops: Number.NaN, bytes: 1 })).toThrow(/lacks gflops/);
    expect(() => scalarsFromResult('evaluate', 320, { metrics: {} })).toThrow(/no AP, mAP/);
    // Only the typed field counts: a p50 anywhere else (the old guessed paths) is a contract error.
    expect(() => scalarsFromResult('benchmark', 320, { p50Ms: 12.5, stats: { p50: 12.5 } })).toThrow(/lacks summary\.p50Ms/);
    expect(() => scalarsFromResult('evaluate', 320, { AP: 0.3 })).toThrow(/no AP, mAP.*no metrics object/);
    // VOC mAP 0.5 -> 50 points.
    expect(scalarsFromResult('evaluate', 320, { metrics: { mAP: 0.5 } })).toEqual([{ metric: 'voc_map', inputSize: 320, value: 50 }]);
  });
});

describe('queueName', () => {
  it('targets benchmarks at a device queue, everything else at the kind', () => {
    expect(queueName('benchmark', 'd0123456789abcdef')).toBe('benchmark-d0123456789abcdef');
    expect(queueName('benchmark', null)).toBe('benchmark');
    expect(queueName('evaluate', 'd0123456789abcdef')).toBe('evaluate');
  });
});
