import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SlimboardError } from '../errors';
import { parseRunMetadata } from '../runs/run-metadata';
import { DEMO_ZOO_DIR, ZDemoZooManifest, readDemoZooManifest, type TDemoZooManifest, type TDemoZooModel } from './manifest';
import { DEMO_DATASET_SLUG, demoBackboneSlug, demoModelAdapter, demoRegistrationOrder, demoRunMetadata } from './demo-run-metadata';

/** A small manifest in the shipped format; models are added per test. */
function manifest(models: Array<Partial<TDemoZooModel> & { id: string; lineage: TDemoZooModel['lineage'] }>): TDemoZooManifest {
  return ZDemoZooManifest.parse({
    schemaVersion: 1,
    title: 'Demo zoo: test',
    createdAt: '2026-11-29T07:00:00Z',
    dataset: { name: 'Demo (synthetic shapes)', version: 'shapes-v1', seed: 20261129, val: { split: 'val', images: 300 }, train: { split: 'train', images: 4000 }, classes: ['a', 'b'] },
    evaluation: {},
    gflopsConvention: 'MACs',
    adapter: {
      kind: 'decoded-boxes-scores',
      input: { name: 'image', dtype: 'float32', layout: 'NCHW', channels: 'RGB', normalisation: 'pixel / 255 (range [0, 1]); no mean or std', heightWidthMultipleOf: 32 },
      resize: { mode: 'stretch', evalSizes: [320, 416, 608] },
      outputs: { boxes: { format: 'x1,y1,x2,y2', units: 'pixels of the S x S network input' }, scores: {} },
      postprocess: { scoreThreshold: 0.01, scoreThresholdComparison: '>', nms: 'per class', nmsIou: 0.5, maxDetectionsPerImage: 100 },
      classNames: ['a', 'b'],
      cocoCategoryIds: [1, 2],
    },
    models: models.map((m) => ({
      file: `${m.id}.onnx`,
      sha256: 'a'.repeat(64),
      bytes: 10,
      precision: 'fp32',
      backbone: 'MobileNetV1 x0.25',
      params: 10,
      gflops: { '416': 0.4 },
      recipe: { epochs: 3 },
      seed: 7,
      ap: { '416': { AP: 0.5, AP50: 0.7, AP75: 0.5 } },
      ...m,
    })),
  });
}

const base = { baseline: 'baseline', parent: null, method: 'baseline' as const, strategy: null, teacher: null };

describe('demoModelAdapter', () => {
  it('translates the manifest adapter: stretch, /255, RGB, decoded xyxy boxes in input pixels, its NMS settings and no pre-NMS cap', () => {
    const a = demoModelAdapter(manifest([{ id: 'baseline', lineage: base }]));
    expect(a.preprocess).toMatchObject({ resize: 'stretch', channelOrder: 'rgb', mean: [0, 0, 0], std: [1, 1, 1] });
    expect(a.preprocess.scale).toBeCloseTo(1 / 255, 15);
    expect(a.output).toEqual({ kind: 'decoded', boxes: 'boxes', scores: 'scores', boxFormat: 'xyxy', boxCoordinates: 'input-pixels', scoreActivation: 'none' });
    expect(a.postprocess).toMatchObject({ scoreThreshold: 0.01, nmsIouThreshold: 0.5, maxDetections: 100 });
    // 608 x 608 gives 3 * (19^2 + 38^2 + 76^2) = 22,743 candidates: the cap must be above that.
    expect(a.postprocess.preNmsTopK).toBeGreaterThan(3 * (19 ** 2 + 38 ** 2 + 76 ** 2));
    expect(a.classNames).toEqual(['a', 'b']);
    expect(a.imageInput).toBe('image');
  });

  it('EXPECTED FAILURE: a normalisation, box format or threshold comparison Slimboard cannot reproduce names the field', () => {
    const m = manifest([{ id: 'baseline', lineage: base }]);
    const withInput = (input: Record<string, unknown>) => ({ ...m, adapter: { ...m.adapter, input: { ...m.adapter.input, ...input } } });
    expect(() => demoModelAdapter(withInput({ normalisation: '(pixel - mean) / std, mean = [0.485, 0.456, 0.406]' }))).toThrow(/adapter\.input\.normalisation/);
    expect(() => demoModelAdapter(withInput({ channels: 'YUV' }))).toThrow(/adapter\.input\.channels/);
    expect(() => demoModelAdapter({ ...m, adapter: { ...m.adapter, outputs: { boxes: { format: 'cx,cy,w,h' }, scores: {} } } })).toThrow(/boxes\.format/);
    expect(() => demoModelAdapter({ ...m, adapter: { ...m.adapter, outputs: { boxes: {} } } })).toThrow(SlimboardError);
    expect(() => demoModelAdapter({ ...m, adapter: { ...m.adapter, postprocess: { ...m.adapter.postprocess, scoreThresholdComparison: '>=' } } })).toThrow(/scoreThresholdComparison/);
  });
});

describe('demoRegistrationOrder', () => {
  it('puts baseline, parent and teacher before the models that refer to them, otherwise keeps manifest order', () => {
    const m = manifest([
      { id: 'distill', lineage: { baseline: 'baseline', parent: 'baseline', method: 'distill', strategy: 'l2_distiil', teacher: 'teacher' } },
      { id: 'baseline', lineage: base },
      { id: 'prune_distill', lineage: { baseline: 'baseline', parent: 'prune', method: 'prune+distill', strategy: 'r578', teacher: 'teacher' } },
      { id: 'teacher', lineage: { ...base, baseline: null } },
      { id: 'prune', lineage: { baseline: 'baseline', parent: 'baseline', method: 'prune', strategy: 'r578', teacher: null } },
    ]);
    const order = demoRegistrationOrder(m.models).map((x) => x.id);
    expect(order).toHaveLength(5);
    const before = (a: string, b: string) => expect(order.indexOf(a)).toBeLessThan(order.indexOf(b));
    before('baseline', 'distill');
    before('teacher', 'distill');
    before('prune', 'prune_distill');
    before('teacher', 'prune_distill');
    expect(order[0]).toBe('baseline');
  });

  it('EXPECTED FAILURE: a lineage cycle is one line naming the models', () => {
    const m = manifest([
      { id: 'a', lineage: { baseline: 'b', parent: 'b', method: 'prune', strategy: 's', teacher: null } },
      { id: 'b', lineage: { baseline: 'a', parent: 'a', method: 'prune', strategy: 's', teacher: null } },
    ]);
    expect(() => demoRegistrationOrder(m.models)).toThrow(/refers back to itself \(a -> b -> a\)/);
  });
});

describe('demoRunMetadata', () => {
  const m = manifest([
    { id: 'baseline', lineage: base },
    { id: 'teacher', lineage: { ...base, baseline: null }, backbone: 'MobileNetV1 x0.5' },
    { id: 'prune_r578_distill', lineage: { baseline: 'baseline', parent: 'baseline', method: 'prune+distill', strategy: 'r578', teacher: 'teacher', prunedParams: ['p1', 'p2'], ratios: [0.5, 0.7], apBeforeFinetune416: 0.01 } },
    { id: 'quant_post', lineage: { baseline: 'baseline', parent: 'baseline', method: 'quant', strategy: 'post', teacher: null }, precision: 'int8' },
  ]);
  const adapter = demoModelAdapter(m);
  const slugs = new Map([['baseline', 'yolo-baseline-1'], ['teacher', 'yolo-teacher-2']]);

  it('a baseline names no baseline (not even itself) and validates as upload metadata', () => {
    const meta = parseRunMetadata(demoRunMetadata(m, m.models[0], adapter, (id) => slugs.get(id)));
    expect(meta).toMatchObject({ name: 'YOLOv3-MobileNetV1 x0.25 baseline', family: 'YOLOv3', backbone: 'MobileNetV1-x0.25', dataset: DEMO_DATASET_SLUG, method: 'baseline', inputSizes: [320, 416, 608] });
    expect(meta.baseline).toBeUndefined();
    expect(meta.parent).toBeUndefined();
    expect(meta.provenance).toBe('Slimboard demo zoo, trained by tools/demo-zoo, manifest createdAt 2026-11-29T07:00:00Z');
    expect(meta.training).toEqual({ recipe: { epochs: 3, precision: 'fp32', file: 'baseline.onnx' }, seed: 7 });
  });

  it('a pruned + distilled model carries baseline, parent, teacher, pruned params and ratios; other lineage keys go to the training record', () => {
    const meta = parseRunMetadata(demoRunMetadata(m, m.models[2], adapter, (id) => slugs.get(id)));
    expect(meta).toMatchObject({ method: 'prune+distill', strategy: 'r578', baseline: 'yolo-baseline-1', parent: 'yolo-baseline-1' });
    expect(meta.strategyParams).toEqual({ prunedParams: ['p1', 'p2'], prunedRatios: [0.5, 0.7], teacher: 'yolo-teacher-2' });
    expect(meta.training?.recipe).toMatchObject({ lineageDetails: { apBeforeFinetune416: 0.01 } });
  });

  it('a quantized model gets its quantization mode; the teacher is a baseline of its own', () => {
    expect(parseRunMetadata(demoRunMetadata(m, m.models[3], adapter, (id) => slugs.get(id))).strategyParams).toEqual({ quantMode: 'post' });
    const teacher = parseRunMetadata(demoRunMetadata(m, m.models[1], adapter, (id) => slugs.get(id)));
    expect(teacher).toMatchObject({ method: 'baseline', backbone: 'MobileNetV1-x0.5' });
    expect(teacher.baseline).toBeUndefined();
  });

  it('EXPECTED FAILURE: a reference to a model that is not registered names the model and the field', () => {
    expect(() => demoRunMetadata(m, m.models[2], adapter, () => undefined)).toThrow(/demo model "prune_r578_distill": its baseline "baseline" is not registered/);
  });

  it('backbone names become slugs', () => {
    expect(demoBackboneSlug('MobileNetV1 x0.25')).toBe('MobileNetV1-x0.25');
    expect(demoBackboneSlug('  ResNet50 (vd) ')).toBe('ResNet50-vd-');
  });

  it('every model of the shipped manifest yields valid upload metadata', async () => {
    const shipped = await readDemoZooManifest(path.resolve(DEMO_ZOO_DIR));
    const a = demoModelAdapter(shipped);
    const registered = new Map<string, string>();
    for (const model of demoRegistrationOrder(shipped.models)) {
      const meta = parseRunMetadata(demoRunMetadata(shipped, model, a, (id) => registered.get(id)));
      expect(meta.dataset).toBe(DEMO_DATASET_SLUG);
      registered.set(model.id, `slug-${model.id}`);
    }
    expect(registered.size).toBe(shipped.models.length);
  });
});
