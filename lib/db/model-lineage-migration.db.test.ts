import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase } from '@/tests/setup/scratch-database';
import { applyMigrations } from './migrations';

/**
 * Migration 20261204171000_model_lineage on a database written by the schema before it: the seed's pruning
 * parameters (held by the shared Strategy rows) and quantization modes (the strategy names post / aware) move onto
 * the seed's models; a registered model gets what its own run declared and nothing else. Strategy.params is gone.
 */
const MIGRATIONS = path.resolve(import.meta.dirname, '..', '..', 'prisma', 'migrations');
const THIS = '20261204171000_model_lineage';
const SENSITY = { prunedParams: ['a.w', 'b.w'], prunedRatios: [0.1, 0.4] };

let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let before: string;
let client: pg.Client;

beforeAll(async () => {
  scratch = await createScratchDatabase({ migrate: false });
  before = await mkdtemp(path.join(os.tmpdir(), 'slimboard-migrations-'));
  for (const entry of await readdir(MIGRATIONS)) {
    if (entry < THIS || !entry.startsWith('2')) await cp(path.join(MIGRATIONS, entry), path.join(before, entry), { recursive: true });
  }
  await applyMigrations(scratch.url, before);
  client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await scratch?.drop();
  if (before) await rm(before, { recursive: true, force: true });
});

async function model(slug: string, strategy: string | null, method: string): Promise<number> {
  const r = await client.query(
    `INSERT INTO "Model" (slug, name, family, "backboneId", "datasetId", method, "strategyId", "createdAt", "updatedAt")
     SELECT $1, $1, 'YOLOv3', b.id, d.id, $3::"Method", (SELECT id FROM "Strategy" WHERE slug = $2), now(), now()
       FROM "Backbone" b, "Dataset" d WHERE b.slug = 'mnv1' AND d.slug = 'coco' RETURNING id`,
    [slug, strategy, method],
  );
  return r.rows[0].id;
}

async function registeredModel(slug: string, strategyParams: unknown): Promise<number> {
  const id = await model(slug, 'sensity', 'prune');
  await client.query(
    `INSERT INTO "RegisteredRun" (id, name, state, metadata, "fileName", door, "modelId") VALUES ($1, $2, 'done', $3, 'm.onnx', 'cli', $4)`,
    [randomUUID(), slug, JSON.stringify({ name: slug, method: 'prune', strategy: 'sensity', strategyParams }), id],
  );
  return id;
}

describe(`migration ${THIS}`, () => {
  it('moves the seed values onto the seed models; a registered model keeps only what its run declared', async () => {
    await client.query(`INSERT INTO "Dataset" (slug, name, aliases) VALUES ('coco', 'COCO', '{}')`);
    await client.query(`INSERT INTO "Backbone" (slug, name, aliases) VALUES ('mnv1', 'MobileNetV1', '{}')`);
    await client.query(
      `INSERT INTO "Strategy" (slug, method, description, params) VALUES
         ('sensity', 'prune', 's', $1), ('post', 'quant', 'p', NULL), ('l2_distiil', 'distill', 'd', '{"loss": "l2"}')`,
      [JSON.stringify(SENSITY)],
    );
    await model('seed-base', null, 'baseline');
    await model('seed-sensity', 'sensity', 'prune');
    await model('seed-post', 'post', 'quant');
    await model('seed-distill', 'l2_distiil', 'distill');
    await registeredModel('upload-none', {});
    await registeredModel('upload-own', { prunedParams: ['c.w'], prunedRatios: [0.7] });

    const result = await applyMigrations(scratch.url, MIGRATIONS);
    expect(result.applied).toContain(THIS);

    const rows = await client.query(`SELECT slug, lineage FROM "Model" ORDER BY slug`);
    expect(Object.fromEntries(rows.rows.map((r) => [r.slug, r.lineage]))).toEqual({
      'seed-base': null,
      'seed-sensity': SENSITY,
      'seed-post': { quantMode: 'post' },
      // A distillation loss is the recipe's (its description), not a model parameter.
      'seed-distill': null,
      // Declared prune/sensity with no strategyParams: none, not the published sensity ratios.
      'upload-none': null,
      'upload-own': { prunedParams: ['c.w'], prunedRatios: [0.7] },
    });
    const cols = await client.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'Strategy' AND column_name = 'params'`);
    expect(cols.rowCount).toBe(0);
  });
});
