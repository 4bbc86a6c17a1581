import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipelineFixture, NUM_SHAPE_CLASSES, tinyMetadata, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { tinyDetector } from '@/tests/pipeline/tiny-models';
import { registerRun } from './register-run';

/**
 * The same bytes through two doors: the first run declares an adapter (as the demo zoo does from its manifest),
 * the second declares none (as a plain `submit` of a copy). The second must be measured with the first's adapter,
 * and say so; an explicit adapter is never replaced.
 */
let f: PipelineFixture;
beforeAll(async () => {
  f = await createPipelineFixture('adapter_inherit');
});
afterAll(async () => {
  await f?.close();
});

const bytes = Buffer.from(tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed: 21 }));
const register = (metadata: unknown, door: 'cli' | 'api' = 'cli') =>
  registerRun(f.pipeline, { metadata, fileName: 'same.onnx', file: Readable.from([bytes]), door, tokenId: null, maxBytes: 1e8 });
const storedAdapter = async (runId: string) => (await f.query(`SELECT metadata->'adapter' AS a FROM "RegisteredRun" WHERE id = $1`, [runId]))[0].a;

describe('a run of known bytes without an adapter', () => {
  it('is measured with the adapter an earlier run of the same bytes declared, and says which run', async () => {
    const declared = tinyMetadata({ name: 'declared door' });
    const first = await register(declared, 'api');
    expect(first.adapterFrom).toBeUndefined();
    const { adapter: _none, ...withoutAdapter } = tinyMetadata({ name: 'bare door' });
    const second = await register(withoutAdapter);
    expect(second.sameFileAs).toMatchObject({ runId: first.id, linked: false });
    expect(second.adapterFrom).toEqual({ runId: first.id });
    expect(await storedAdapter(second.id)).toEqual(await storedAdapter(first.id));
    expect(await storedAdapter(second.id)).toMatchObject({ preprocess: { resize: 'stretch' } });
    // Recorded with the run, so that its numbers can say "inherited from run …" (lib/inference/detection/measured-adapter.ts).
    expect((await f.query(`SELECT "adapterFromRunId" AS r FROM "RegisteredRun" WHERE id = $1`, [second.id]))[0].r).toBe(first.id);
    expect((await f.query(`SELECT "adapterFromRunId" AS r FROM "RegisteredRun" WHERE id = $1`, [first.id]))[0].r).toBeNull();
  });

  it('an explicit adapter is kept, even when it differs', async () => {
    const own = tinyMetadata({ name: 'own adapter', adapter: { output: { kind: 'decoded', boxes: 'boxes', scores: 'scores' }, preprocess: { resize: 'letterbox' } } });
    const third = await register(own);
    expect(third.adapterFrom).toBeUndefined();
    expect(await storedAdapter(third.id)).toMatchObject({ preprocess: { resize: 'letterbox' } });
  });
});
