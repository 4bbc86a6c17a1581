import { randomUUID } from 'node:crypto';
import pg from 'pg';
import fc from 'fast-check';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { createPipelineFixture, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { parseZooQuery } from './query';
import { RUN_SECTION_PREFIX, selectSectionPage, selectSectionRowsAfter, selectZooRowKeys } from './select-zoo-rows';

/**
 * RunZooRow (prisma/migrations/20261207150000_run_zoo_rows): the run sections' rows, written only by triggers. By
 * definition a run section holds, for every registered run whose model no ZooEntry lists, one row per input size in
 * its metadata.inputSizes that is a positive integer of int range, with the model's family, its baseline group (the
 * baseline's slug, else its own) and variant (0 for a baseline), and the run's creation in ms. `definition()`
 * computes that here, in TypeScript, from the source tables; after every kind of write the table must equal it.
 */

let f: PipelineFixture;
let db: PrismaClient;
let datasetId: number;
let otherDatasetId: number;
let backboneId: number;

beforeAll(async () => {
  f = await createPipelineFixture('run_zoo_rows');
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: f.url }) });
  await f.query(`INSERT INTO "Dataset" (slug, name, aliases) VALUES ('other', 'Other set', '{}')`);
  [{ id: datasetId }] = await f.query(`SELECT id FROM "Dataset" WHERE slug = 'shapes'`);
  [{ id: otherDatasetId }] = await f.query(`SELECT id FROM "Dataset" WHERE slug = 'other'`);
  [{ id: backboneId }] = await f.query(`SELECT id FROM "Backbone" WHERE slug = 'tinynet'`);
});
afterAll(async () => {
  await db?.$disconnect();
  await f?.close();
});
/** Runs, zoo entries and sections gone, and every model but the fixture's baseline. */
async function emptyZoo(): Promise<void> {
  await f.query(`DELETE FROM "RegisteredRun"`);
  await f.query(`DELETE FROM "ZooEntry"`);
  await f.query(`DELETE FROM "ZooSection"`);
  await f.query(`UPDATE "Model" SET "baselineId" = NULL`);
  await f.query(`DELETE FROM "Model" WHERE slug <> 'tiny-baseline'`);
}
beforeEach(emptyZoo);

async function model(slug: string, family: string, baselineSlug: string | null = null, dataset = datasetId): Promise<number> {
  const [{ id }] = await f.query(
    `INSERT INTO "Model" (slug, name, family, "backboneId", "datasetId", method, "baselineId", "updatedAt")
     VALUES ($1, $1, $2, $3, $4, $5, (SELECT id FROM "Model" WHERE slug = $6), now()) RETURNING id`,
    [slug, family, backboneId, dataset, baselineSlug ? 'prune' : 'baseline', baselineSlug],
  );
  return id;
}

async function run(modelId: number | null, inputSizes: unknown, createdAt = '2026-12-01T10:00:00.123'): Promise<string> {
  const id = randomUUID();
  await f.query(
    `INSERT INTO "RegisteredRun" (id, name, state, metadata, "fileName", door, "modelId", "createdAt")
     VALUES ($1, 'r', 'done', $2, 'm.onnx', 'api', $3, $4)`,
    [id, JSON.stringify({ inputSizes }), modelId, createdAt],
  );
  return id;
}

async function listIn(modelId: number, inputSize = 64): Promise<void> {
  await f.query(
    `INSERT INTO "ZooSection" (slug, title, position, provenance, columns) VALUES ('stored', 'Stored', 1, 'measured', '{model}')
     ON CONFLICT (slug) DO NOTHING`,
  );
  await f.query(
    `INSERT INTO "ZooEntry" ("sectionId", position, "modelId", "inputSize")
     SELECT s.id, coalesce((SELECT max(position) FROM "ZooEntry"), 0) + 1, $1, $2 FROM "ZooSection" s WHERE s.slug = 'stored'`,
    [modelId, inputSize],
  );
}

const rowText = (r: {
  runId: string;
  ord: number;
  modelId: number;
  datasetId: number;
  inputSize: number;
  family: string;
  groupSlug: string;
  variant: number;
  createdMs: number;
}) =>
  `${r.runId} #${r.ord} model ${r.modelId} set ${r.datasetId} size ${r.inputSize} ${r.family}/${r.groupSlug}/${r.variant} at ${r.createdMs}`;

/** The table's rows, as text, sorted. */
async function table(): Promise<string[]> {
  const rows = await f.query(`SELECT * FROM "RunZooRow"`);
  return rows.map(rowText).sort();
}

/** What the table must hold, computed from RegisteredRun, Model and ZooEntry. */
async function definition(): Promise<string[]> {
  const runs = await f.query<{ id: string; modelId: number | null; metadata: { inputSizes?: unknown }; ms: number }>(
    `SELECT id, "modelId", metadata, (extract(epoch FROM "createdAt") * 1000)::float8 AS ms FROM "RegisteredRun"`,
  );
  const models = new Map(
    (
      await f.query<{ id: number; slug: string; family: string; baselineId: number | null; datasetId: number }>(`SELECT * FROM "Model"`)
    ).map((m) => [m.id, m]),
  );
  const listed = new Set((await f.query<{ modelId: number }>(`SELECT "modelId" FROM "ZooEntry"`)).map((e) => e.modelId));
  const out: string[] = [];
  for (const r of runs) {
    const m = r.modelId === null ? undefined : models.get(r.modelId);
    if (!m || listed.has(m.id)) continue;
    const sizes = Array.isArray(r.metadata.inputSizes) ? r.metadata.inputSizes : [];
    sizes.forEach((size, i) => {
      if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0 || size > 2 ** 31 - 1) return;
      const baseline = m.baselineId === null ? undefined : models.get(m.baselineId);
      out.push(
        rowText({
          runId: r.id,
          ord: i + 1,
          modelId: m.id,
          datasetId: m.datasetId,
          inputSize: size,
          family: m.family,
          groupSlug: baseline?.slug ?? m.slug,
          variant: m.baselineId === null ? 0 : 1,
          createdMs: r.ms,
        }),
      );
    });
  }
  return out.sort();
}

describe('RunZooRow', () => {
  it('holds one row per valid input size of a run, with its model family, baseline group and creation (golden)', async () => {
    const base = await model('yolo-base', 'YOLOv3');
    const pruned = await model('yolo-pruned', 'YOLOv3', 'yolo-base');
    const r1 = await run(pruned, [320, 0, 416.5, '608', 608, -1, 4_000_000_000, null]);
    const r2 = await run(base, 'not a list');
    await run(null, [320]);
    const rows = await f.query(`SELECT * FROM "RunZooRow" ORDER BY ord`);
    // 2026-12-01T10:00:00.123 as epoch ms: 56 years to 2026 (14 leap days) and 334 days of 2026, 20,788 days in all,
    // × 86,400,000, + 10 h × 3,600,000 + 123.
    const ms = 20_788 * 86_400_000 + 36_000_000 + 123;
    expect(rows.map(rowText)).toEqual([
      rowText({
        runId: r1,
        ord: 1,
        modelId: pruned,
        datasetId,
        inputSize: 320,
        family: 'YOLOv3',
        groupSlug: 'yolo-base',
        variant: 1,
        createdMs: ms,
      }),
      rowText({
        runId: r1,
        ord: 5,
        modelId: pruned,
        datasetId,
        inputSize: 608,
        family: 'YOLOv3',
        groupSlug: 'yolo-base',
        variant: 1,
        createdMs: ms,
      }),
    ]);
    expect(rows.some((r) => r.runId === r2)).toBe(false);
  });

  it('follows every kind of write that changes a row (ZooEntry, Model, RegisteredRun, deletes, TRUNCATE)', async () => {
    const base = await model('b', 'F');
    const pruned = await model('p', 'F', 'b');
    const other = await model('o', 'G');
    const runs = [await run(base, [64, 96]), await run(pruned, [64]), await run(other, [128])];
    const steps: Array<[string, () => Promise<unknown>, (rows: string[]) => void]> = [
      ['registered', async () => undefined, (rows) => expect(rows).toHaveLength(4)],
      ['a ZooEntry lists the pruned model', () => listIn(pruned), (rows) => expect(rows.join()).not.toContain(`model ${pruned} `)],
      [
        'its entry moves to another model',
        () => f.query(`UPDATE "ZooEntry" SET "modelId" = $1`, [other]),
        (rows) => {
          expect(rows.join()).toContain(`model ${pruned} `);
          expect(rows.join()).not.toContain(`model ${other} `);
        },
      ],
      ['the entry deleted', () => f.query(`DELETE FROM "ZooEntry"`), (rows) => expect(rows).toHaveLength(4)],
      [
        'listed again, then ZooEntry truncated',
        async () => {
          await listIn(other);
          await f.query(`TRUNCATE "ZooEntry"`);
        },
        (rows) => expect(rows).toHaveLength(4),
      ],
      [
        'the family renamed',
        () => f.query(`UPDATE "Model" SET family = 'F2' WHERE id = $1`, [pruned]),
        (rows) => expect(rows.filter((r) => r.includes(' F2/b/1 '))).toHaveLength(1),
      ],
      [
        'the baseline slug renamed',
        () => f.query(`UPDATE "Model" SET slug = 'b2' WHERE id = $1`, [base]),
        (rows) => expect(rows.filter((r) => r.includes('/b2/'))).toHaveLength(3),
      ],
      [
        'the baseline link removed',
        () => f.query(`UPDATE "Model" SET "baselineId" = NULL WHERE id = $1`, [pruned]),
        (rows) => expect(rows.filter((r) => r.includes(' F2/p/0 '))).toHaveLength(1),
      ],
      [
        'the model moved to another dataset',
        () => f.query(`UPDATE "Model" SET "datasetId" = $1 WHERE id = $2`, [otherDatasetId, other]),
        (rows) => expect(rows.filter((r) => r.includes(` set ${otherDatasetId} `))).toHaveLength(1),
      ],
      [
        'a run asks for other sizes',
        () => f.query(`UPDATE "RegisteredRun" SET metadata = '{"inputSizes": [32, 48, 64]}' WHERE id = $1`, [runs[2]]),
        (rows) => expect(rows.filter((r) => r.startsWith(runs[2]))).toHaveLength(3),
      ],
      ['a run re-dated', () => f.query(`UPDATE "RegisteredRun" SET "createdAt" = '2025-01-01' WHERE id = $1`, [runs[0]]), () => undefined],
      [
        'an update that changes nothing of it',
        () => f.query(`UPDATE "RegisteredRun" SET state = 'failed'`),
        (rows) => expect(rows).toHaveLength(6),
      ],
      [
        'a run loses its model',
        () => f.query(`UPDATE "RegisteredRun" SET "modelId" = NULL WHERE id = $1`, [runs[1]]),
        (rows) => expect(rows.join()).not.toContain(runs[1]),
      ],
      ['a run deleted', () => f.query(`DELETE FROM "RegisteredRun" WHERE id = $1`, [runs[2]]), (rows) => expect(rows).toHaveLength(2)],
      [
        'a model deleted (its run keeps no model)',
        async () => {
          await f.query(`UPDATE "Model" SET "baselineId" = NULL`);
          await f.query(`DELETE FROM "Model" WHERE id = $1`, [base]);
        },
        (rows) => expect(rows).toEqual([]),
      ],
    ];
    for (const [what, write, check] of steps) {
      await write();
      const rows = await table();
      expect(rows, what).toEqual(await definition());
      check(rows);
    }
  });

  it('two transactions that refresh one run take turns, and the second rebuilds from what the first committed', async () => {
    const m = await model('concurrent', 'F');
    const r = await run(m, [64]);
    const [a, b] = [new pg.Client({ connectionString: f.url }), new pg.Client({ connectionString: f.url })];
    await a.connect();
    await b.connect();
    try {
      await a.query('BEGIN');
      await a.query(`UPDATE "Model" SET family = 'G' WHERE id = $1`, [m]);
      // Another transaction changes the run itself meanwhile: it waits for the first one, then succeeds.
      const second = b.query(`UPDATE "RegisteredRun" SET metadata = '{"inputSizes": [64, 96]}' WHERE id = $1`, [r]);
      await new Promise((done) => setTimeout(done, 200));
      await a.query('COMMIT');
      await second;
    } finally {
      await a.query('ROLLBACK').catch(() => undefined);
      await a.end();
      await b.end();
    }
    const rows = await table();
    expect(rows).toEqual(await definition());
    expect(rows.filter((row) => row.includes(' G/concurrent/0 '))).toHaveLength(2);
  });

  it('equals its definition after any sequence of writes (property)', async () => {
    const op = fc.oneof(
      // A run registers a model of its own (one run per model), a baseline or a variant of another model.
      fc.record({
        kind: fc.constant('run' as const),
        family: fc.constantFrom('A', 'B'),
        baseline: fc.option(fc.nat(7), { nil: null }),
        sizes: fc.array(fc.oneof(fc.integer({ min: -2, max: 700 }), fc.constant(1.5)), { maxLength: 3 }),
      }),
      fc.record({ kind: fc.constant('list' as const), model: fc.nat(7) }),
      fc.record({ kind: fc.constant('unlist' as const), model: fc.nat(7) }),
      fc.record({ kind: fc.constant('family' as const), model: fc.nat(7), family: fc.constantFrom('A', 'B', 'C') }),
      fc.record({ kind: fc.constant('relink' as const), model: fc.nat(7), baseline: fc.option(fc.nat(7), { nil: null }) }),
      fc.record({ kind: fc.constant('rename' as const), model: fc.nat(7) }),
      fc.record({ kind: fc.constant('deleteRun' as const), at: fc.nat(5) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        await emptyZoo();
        const slugs = ['m0', 'm1', 'm2', 'm3'];
        const models = [await model('m0', 'A'), await model('m1', 'A', 'm0'), await model('m2', 'B'), await model('m3', 'B', 'm2')];
        const pick = (i: number) => i % models.length;
        const runIds = [
          await run(models[0], [64, 96]),
          await run(models[1], [64]),
          await run(models[2], [128]),
          await run(models[3], [96]),
        ];
        for (const [step, o] of ops.entries()) {
          if (o.kind === 'run') {
            slugs.push(`r${step}`);
            // `slugs` keeps first names: after a rename, a variant of that model is registered without a baseline.
            models.push(await model(slugs.at(-1)!, o.family, o.baseline === null ? null : slugs[pick(o.baseline)]));
            runIds.push(await run(models.at(-1)!, o.sizes));
          } else if (o.kind === 'list') await listIn(models[pick(o.model)], 1000 + step);
          else if (o.kind === 'unlist') await f.query(`DELETE FROM "ZooEntry" WHERE "modelId" = $1`, [models[pick(o.model)]]);
          else if (o.kind === 'family') await f.query(`UPDATE "Model" SET family = $1 WHERE id = $2`, [o.family, models[pick(o.model)]]);
          else if (o.kind === 'relink' && (o.baseline === null || pick(o.baseline) !== pick(o.model)))
            await f.query(`UPDATE "Model" SET "baselineId" = $1 WHERE id = $2`, [
              o.baseline === null ? null : models[pick(o.baseline)],
              models[pick(o.model)],
            ]);
          else if (o.kind === 'rename')
            await f.query(`UPDATE "Model" SET slug = slug || '-renamed' WHERE id = $1`, [models[pick(o.model)]]);
          else if (o.kind === 'deleteRun' && runIds.length > 0)
            await f.query(`DELETE FROM "RegisteredRun" WHERE id = $1`, [runIds[o.at % runIds.length]]);
        }
        expect(await table()).toEqual(await definition());
      }),
      { numRuns: 40 },
    );
  });

  it('numbers a run section 1..n in display order, the same whether read alone or with the whole zoo', async () => {
    const base = await model('base', 'YOLOv3');
    await model('pruned', 'YOLOv3', 'base');
    const pruned = (await f.query(`SELECT id FROM "Model" WHERE slug = 'pruned'`))[0].id;
    const blaze = await model('blaze', 'BlazeFace');
    await run(pruned, [320, 416], '2026-12-01T10:00:00');
    await run(base, [416], '2026-12-02T10:00:00');
    await run(blaze, [640], '2026-12-03T10:00:00');
    await run(await model('later', 'YOLOv3', 'base'), [320], '2026-11-01T10:00:00');
    const later = (await f.query(`SELECT id FROM "Model" WHERE slug = 'later'`))[0].id;
    const section = `${RUN_SECTION_PREFIX}shapes`;
    const query = parseZooQuery({ section });
    const alone = await selectSectionPage(db, query, {}, section, { offset: 0, limit: 100 });
    // BlazeFace before YOLOv3; in the base group the baseline first, then by run creation, then input size order.
    expect(alone.map((k) => [k.position, k.modelId, k.inputSize])).toEqual([
      [1, blaze, 640],
      [2, base, 416],
      [3, later, 320],
      [4, pruned, 320],
      [5, pruned, 416],
    ]);
    const whole = await selectZooRowKeys(db, parseZooQuery({}), {}, { offset: 0, limit: 100 });
    expect(whole.filter((k) => k.sectionSlug === section)).toEqual(alone);
    const paged = await selectSectionPage(db, query, {}, section, { offset: 2, limit: 2 });
    expect(paged).toEqual(alone.slice(2, 4));
    // A cursor's next page counts the rows up to its place, then numbers on.
    const [, second] = await selectSectionRowsAfter(db, query, {}, section, null, 2);
    const next = await selectSectionRowsAfter(db, query, {}, section, second.place, 10);
    expect(next.map((r) => r.key)).toEqual(alone.slice(2));
    const filtered = await selectSectionRowsAfter(db, parseZooQuery({ section, q: 'pruned' }), {}, section, second.place, 10);
    expect(filtered.map((r) => r.key)).toEqual(alone.slice(3));
  });
});
