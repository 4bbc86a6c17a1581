import { describe, expect, it } from 'vitest';
import { getDb } from '../db/client';
import { ZRunMetadata } from '../runs/run-metadata';
import { applyBaseline, emptyDraft, searchModels } from '../runs/upload-form';
import { listDeviceNames } from './list-device-names';
import { listUploadChoices } from './list-upload-choices';

/** What the upload form and the device headers read from the imported seed (real Postgres, tests/setup/db.ts). */
describe('listUploadChoices on the imported seed', () => {
  it('offers the seed baselines with what a run inherits from them', async () => {
    const choices = await listUploadChoices(await getDb());
    const base = choices.models.find((m) => m.slug === 'yolov3-mobilenet-v1-coco');
    expect(base).toMatchObject({ family: 'YOLOv3', dataset: 'coco', method: 'baseline', strategy: null, inputSizes: [608, 416, 320] });
    expect(choices.datasets.map((d) => d.slug)).toEqual(expect.arrayContaining(['coco', 'voc', 'widerface']));
    expect(choices.strategies).toEqual(expect.arrayContaining([expect.objectContaining({ slug: 'r578', method: 'prune' })]));
    // a search finds it, and picking it gives metadata the one schema accepts (with a strategy chosen)
    expect(searchModels(choices.models, 'mobilenet coco')[0].slug).toBe('yolov3-mobilenet-v1-coco');
    const draft = applyBaseline({ ...emptyDraft(), strategy: 'r578' }, base!);
    expect(ZRunMetadata.safeParse(draft).success).toBe(true);
  });
});

describe('listDeviceNames', () => {
  it('names a worker device by what it is and keeps published devices as they are', async () => {
    const db = await getDb();
    const slug = 'd0123456789abcdef';
    await db.device.upsert({
      where: { slug },
      create: { slug, name: 'x', runtime: 'onnxruntime-node 1.30.0 (cpu)', threads: 1, cpuModel: 'AMD EPYC 7B13 64-Core Processor', logicalCores: 2, executionProvider: 'cpu' },
      update: {},
    });
    const names = await listDeviceNames(db);
    expect(names[slug].label).toBe('AMD EPYC 7B13 · 2 cores · 1 thread · CPU EP');
    expect(names[slug].title).toContain(slug);
    expect(names['tesla-p4-trt'].label).toContain('Tesla P4');
  });
});
