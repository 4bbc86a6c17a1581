import { describe, expect, it } from 'vitest';
import { COCO_PRUNING, makeEntry } from './__fixtures__/entries';
import { headlineNumbers } from './overview';

describe('headlineNumbers', () => {
  it('golden: the COCO pruning fixture has 6 models in 12 variants, 1 dataset, 1 device, all published', () => {
    // models: R50-vd-dcn baseline/sensity/r578 (608 only) + MobileNetV1 baseline/sensity/r578 (3 sizes) = 6 models, 3 + 9 = 12 variants
    const h = headlineNumbers(COCO_PRUNING);
    expect(h).toEqual({
      models: 6,
      variants: 12,
      datasets: ['coco'],
      devices: [{ device: 'tesla-p4-trt', deviceLabel: 'Tesla P4 (TensorRT)' }],
      publishedModels: 6,
      measuredModels: 0,
    });
  });
  it('a model with any measured entry counts as measured; DEGENERATE: no entries', () => {
    const m = [makeEntry({ modelId: 'x', inputSize: 320, source: 'measured' }), makeEntry({ modelId: 'x', inputSize: 416 })];
    expect(headlineNumbers(m)).toMatchObject({ models: 1, measuredModels: 1, publishedModels: 0 });
    expect(headlineNumbers([])).toEqual({ models: 0, variants: 0, datasets: [], devices: [], publishedModels: 0, measuredModels: 0 });
  });
});
