import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase } from '../../tests/setup/scratch-database';
import { isSlimboardError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import { importCatalog } from './import-catalog';
import { paddleDetectionSlimCatalog } from '../../prisma/seed/paddledetection-slim';

/** Every table's full content, in a stable order (for "the second import changed nothing"). */
async function snapshot(db: PrismaClient) {
  const order = { orderBy: { id: 'asc' as const } };
  return JSON.stringify(
    {
      sources: await db.sourceDocument.findMany(order),
      datasets: await db.dataset.findMany(order),
      backbones: await db.backbone.findMany(order),
      pretrainings: await db.pretraining.findMany(order),
      strategies: await db.strategy.findMany(order),
      devices: await db.device.findMany(order),
      models: await db.model.findMany(order),
      artifacts: await db.artifact.findMany(order),
      measurements: await db.measurement.findMany(order),
      sections: await db.zooSection.findMany(order),
      entries: await db.zooEntry.findMany(order),
    },
    (_k, v) => (typeof v === 'bigint' ? v.toString() : v),
  );
}

describe('importCatalog (fresh database)', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  beforeAll(async () => {
    scratch = await createScratchDatabase();
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('imports all 85 rows, 9 sections, one model per published download plus the VOC teacher', async () => {
    const report = await importCatalog(scratch.db, paddleDetectionSlimCatalog);
    expect(report.rows).toBe(85);
    expect(report.updated).toBe(0);
    expect(await scratch.db.zooEntry.count()).toBe(85);
    expect(await scratch.db.zooSection.count()).toBe(9);
    // 30 distinct download URLs in the document + YOLOv3-ResNet34 (VOC), known only as a teacher
    expect(await scratch.db.model.count()).toBe(31);
    expect(await scratch.db.artifact.count()).toBe(30);
    const numbers = await scratch.db.measurement.findMany();
    expect(numbers.length).toBeGreaterThan(100);
    expect(numbers.every((m) => m.provenance === 'reported' && m.sourceId !== null && m.jobId === null && m.decimals !== null)).toBe(true);
    // Lineage parameters are each model's own (Model.lineage), not the shared strategy's.
    const r578 = await scratch.db.model.findUniqueOrThrow({ where: { slug: 'yolov3-mobilenet-v1-coco-prune-r578' } });
    expect((r578.lineage as { prunedRatios: number[] }).prunedRatios).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]);
    expect((await scratch.db.model.findUniqueOrThrow({ where: { slug: 'blazeface-widerface-quant-aware' } })).lineage).toEqual({ quantMode: 'aware' });
    // A model that declares none has none: baselines, and the distilled models (their loss is the strategy's recipe).
    for (const slug of ['yolov3-mobilenet-v1-coco', 'yolov3-mobilenet-v1-voc-distill-l2']) {
      expect((await scratch.db.model.findUniqueOrThrow({ where: { slug } })).lineage, slug).toBeNull();
    }
  });

  it('a second import changes nothing (not even updatedAt)', async () => {
    const before = await snapshot(scratch.db);
    const report = await importCatalog(scratch.db, paddleDetectionSlimCatalog);
    expect(report).toMatchObject({ created: 0, updated: 0 });
    expect(await snapshot(scratch.db)).toBe(before);
  });

  it('repairs a changed number on re-import', async () => {
    const m = await scratch.db.measurement.findFirstOrThrow({ where: { metric: 'gflops', inputSize: 608, model: { slug: 'yolov3-r50vd-dcn-coco' } } });
    await scratch.db.measurement.update({ where: { id: m.id }, data: { value: 1 } });
    const report = await importCatalog(scratch.db, paddleDetectionSlimCatalog);
    expect(report.updated).toBe(1);
    expect((await scratch.db.measurement.findUniqueOrThrow({ where: { id: m.id } })).value).toBe(44.71);
  });

  it('EXPECTED FAILURE: two different printings of one number name both places', async () => {
    const bad = structuredClone(paddleDetectionSlimCatalog);
    bad.sections[2].rows[0].values.gflops = '44.70'; // the baseline, printed 44.71 in prune-coco row 1
    await expect(importCatalog(scratch.db, bad)).rejects.toThrow(/yolov3-r50vd-dcn-coco: gflops at 608 is printed as 44.71 \(prune-coco row 1\) and as 44.7 \(prune-distill-coco row 1\)/);
  });

  it('EXPECTED FAILURE: an unknown reference is a one-line SlimboardError', async () => {
    const bad = structuredClone(paddleDetectionSlimCatalog);
    bad.models[0].backbone = 'resnet-9000';
    const err = await importCatalog(scratch.db, bad).catch((e: unknown) => e);
    expect(isSlimboardError(err)).toBe(true);
    expect((err as Error).message).toBe('catalog model yolov3-r50vd-dcn-coco: unknown backbone "resnet-9000"');
  });

  it('EXPECTED FAILURE: mismatched pruned_params/pruned_ratios are rejected', async () => {
    const bad = structuredClone(paddleDetectionSlimCatalog);
    const i = bad.models.findIndex((m) => m.slug === 'yolov3-mobilenet-v1-coco-prune-r578');
    bad.models[i].lineage = { ...bad.models[i].lineage, prunedRatios: bad.models[i].lineage!.prunedRatios!.slice(1) };
    await expect(importCatalog(scratch.db, bad)).rejects.toThrow(new RegExp(`models\\.${i}\\.lineage\\.prunedRatios: prunedParams and prunedRatios must have the same length`));
  });
});
