import { Readable } from 'node:stream';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { getModelPage } from '@/lib/zoo/get-model';
import { listExplorerEntries } from '@/lib/zoo/list-explorer-entries';
import { createPipelineFixture, NUM_SHAPE_CLASSES, tinyMetadata, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { tinyDetector } from '@/tests/pipeline/tiny-models';
import { registerRun } from './register-run';

/**
 * Per-model lineage through the one registration path: the run's strategyParams become the model's own
 * (Model.lineage), shown on its page; two models of the same strategy name never share parameters, and a model
 * that declares none shows none (issue 13: an upload declared prune/sensity without strategyParams showed the
 * published ratios). A compressed model registered with parent, method and parameters (h16's compress jobs) too.
 */
let f: PipelineFixture;
let db: PrismaClient;
beforeAll(async () => {
  f = await createPipelineFixture('lineage');
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: f.url }) });
});
afterAll(async () => {
  await db?.$disconnect();
  await f?.close();
});

let seed = 40;
const register = async (metadata: unknown) => {
  const bytes = Buffer.from(tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed: seed++ }));
  return registerRun(f.pipeline, { metadata, fileName: 'm.onnx', file: Readable.from([bytes]), door: 'cli', tokenId: null, maxBytes: 1e8 });
};
const lineageOf = async (slug: string) => (await f.query(`SELECT lineage FROM "Model" WHERE slug = $1`, [slug]))[0].lineage;

describe('a registered model shows only its own lineage', () => {
  it('same strategy name, different ratios: each model keeps its own; one without any shows none', async () => {
    const first = await register(tinyMetadata({ name: 'first sensity', strategy: 'sensity', strategyParams: { prunedParams: ['head.w'], prunedRatios: [0.1] } }));
    const second = await register(tinyMetadata({ name: 'second sensity', strategy: 'sensity', strategyParams: { prunedParams: ['head.w', 'neck.w'], prunedRatios: [0.13, 0.7] } }));
    const bare = await register(tinyMetadata({ name: 'bare sensity', strategy: 'sensity', strategyParams: {} }));

    expect(await lineageOf(first.modelSlug)).toEqual({ prunedParams: ['head.w'], prunedRatios: [0.1] });
    expect(await lineageOf(second.modelSlug)).toEqual({ prunedParams: ['head.w', 'neck.w'], prunedRatios: [0.13, 0.7] });
    expect(await lineageOf(bare.modelSlug)).toBeNull();

    const [p1, p2, p3] = await Promise.all([first, second, bare].map((r) => getModelPage(db, r.modelSlug)));
    expect(p1!.strategy?.slug).toBe('sensity');
    expect(p2!.lineageParams).toEqual({ prunedParams: ['head.w', 'neck.w'], prunedRatios: [0.13, 0.7] });
    expect(p3!.strategy?.slug).toBe('sensity');
    expect(p3!.lineageParams).toBeNull();
    // The strategy row is shared and carries no parameters at all.
    expect(Object.keys((await f.query(`SELECT * FROM "Strategy" WHERE slug = 'sensity'`))[0])).not.toContain('params');

    // The explorer and compare read the same per-model values.
    const entries = await listExplorerEntries(db);
    const paramsOf = (slug: string) => entries.find((e) => e.modelId === slug)?.strategyParams ?? null;
    expect(paramsOf(second.modelSlug)).toEqual({ prunedParams: ['head.w', 'neck.w'], prunedRatios: [0.13, 0.7] });
    expect(paramsOf(bare.modelSlug)).toBeNull();
  });

  it('a quantized model registered from a parent (as the compress jobs do) stores its mode and parent', async () => {
    const parent = await register(tinyMetadata({ name: 'parent', strategy: 'r50' }));
    const quant = await register(tinyMetadata({ name: 'quantized', method: 'quant', strategy: 'post', parent: parent.modelSlug, strategyParams: { quantMode: 'post' } }));
    expect(await lineageOf(quant.modelSlug)).toEqual({ quantMode: 'post' });
    const page = await getModelPage(db, quant.modelSlug);
    expect(page!.lineage.map((m) => m.slug)).toEqual(['tiny-baseline', parent.modelSlug, quant.modelSlug]);
    expect(page!.lineageParams).toEqual({ quantMode: 'post' });
  });
});
