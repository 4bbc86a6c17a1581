import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { createPipelineFixture, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { markJobProgress } from '@/lib/jobs/job-bookkeeping';
import { readZooVersion } from './zoo-cache';

/**
 * The zoo version (prisma/migrations/20261205060000_zoo_version): bumped once per committing transaction that wrote
 * a table the zoo reads, visible only with that transaction's data, untouched by reads and by rolled-back writes.
 */

let f: PipelineFixture;
let db: PrismaClient;
let other: pg.Client;

beforeAll(async () => {
  f = await createPipelineFixture('zooversion');
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: f.url }) });
  other = new pg.Client({ connectionString: f.url });
  await other.connect();
});

afterAll(async () => {
  await other?.end();
  await db?.$disconnect();
  await f?.close();
});

const version = async () => BigInt(await readZooVersion(db));

describe('zoo version', () => {
  it('each write to a table the zoo reads bumps it by one; reads do not', async () => {
    const writes: Array<[string, string]> = [
      ['Dataset insert', `INSERT INTO "Dataset" (slug, name, aliases) VALUES ('v-set', 'Version set', '{}')`],
      ['Model update', `UPDATE "Model" SET description = 'changed' WHERE slug = 'tiny-baseline'`],
      [
        'Measurement insert',
        `INSERT INTO "Measurement" ("modelId", metric, "inputSize", value, decimals, provenance, key, "createdAt")
         SELECT id, 'gflops', 64, 1.5, 2, 'reported', 'version-test', now() FROM "Model" WHERE slug = 'tiny-baseline'`,
      ],
      ['Measurement delete', `DELETE FROM "Measurement" WHERE metric = 'gflops' AND "inputSize" = 64`],
      ['Backbone update', `UPDATE "Backbone" SET name = 'TinyNet v2' WHERE slug = 'tinynet'`],
      ['DemoZooState insert', `INSERT INTO "DemoZooState" (id, "manifestPath", "checkedAt") VALUES (1, 'm.json', now())`],
    ];
    for (const [what, sql] of writes) {
      const before = await version();
      await f.query(`SELECT count(*) FROM "Model"`);
      expect(await version(), `${what}: a read`).toBe(before);
      await f.query(sql);
      expect(await version(), what).toBe(before + 1n);
    }
  });

  it('a transaction of many writes to many tables bumps once, at commit; another session sees it only then', async () => {
    const before = await version();
    const client = await f.pipeline.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO "Dataset" (slug, name, aliases) SELECT 'bulk-' || i, 'Bulk ' || i, '{}' FROM generate_series(1, 500) i`,
      );
      await client.query(`UPDATE "Model" SET description = 'bulk' WHERE slug = 'tiny-baseline'`);
      const seen = await other.query(`SELECT "version"::text AS v FROM "ZooVersion"`);
      expect(BigInt(seen.rows[0].v)).toBe(before);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await version()).toBe(before + 1n);
  });

  it('a rolled-back write leaves it unchanged; TRUNCATE bumps it', async () => {
    const before = await version();
    const client = await f.pipeline.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO "Dataset" (slug, name, aliases) VALUES ('rolled-back', 'Rolled back', '{}')`);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await version()).toBe(before);
    await f.query(`TRUNCATE "DemoZooState"`);
    expect(await version()).toBe(before + 1n);
  });

  it("a job's progress does not bump it; its state does (prisma/migrations/20261206030000_zoo_version_job_progress)", async () => {
    await f.query(
      `INSERT INTO "RegisteredRun" (id, name, state, metadata, "fileName", door)
       VALUES ('00000000-0000-4000-8000-00000000a001', 'progress', 'running', '{}', 'p.onnx', 'cli')`,
    );
    await f.query(
      `INSERT INTO "RunJob" (id, "runId", kind, queue, "inputSize", state)
       VALUES ('progress-job', '00000000-0000-4000-8000-00000000a001', 'evaluate', 'evaluate', 64, 'running')`,
    );
    const before = await version();
    for (const p of [0.1, 0.5, 0.9]) await markJobProgress(f.pipeline.pool, 'progress-job', p);
    expect((await f.query(`SELECT progress FROM "RunJob" WHERE id = 'progress-job'`))[0].progress).toBe(0.9);
    expect(await version()).toBe(before);
    await f.query(`UPDATE "RunJob" SET state = 'done', progress = 1 WHERE id = 'progress-job'`);
    expect(await version()).toBe(before + 1n);
  });
});
