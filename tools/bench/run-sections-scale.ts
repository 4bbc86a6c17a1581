/**
 * The zoo's run sections at 100,000 runs. The scale seed (tools/bench/zoo-scale.ts) clones published models into
 * stored sections, and tools/bench/jobs-scale.ts adds runs without models, so a `runs-<dataset>` section (one row per
 * run and input size, kept in RunZooRow by triggers, `position` a row_number computed at read time over its
 * display-order index: lib/zoo/select-zoo-rows.ts zooRowsSql) was never read at scale. This adds `--runs` registered
 * runs of COCO models (3 input sizes each, so 3 rows a run; 50 families; one run created a minute, newest first) to
 * the `tools/bench/zoo-scale.ts --keep` database, times the reads that show them, cold (zoo cache cleared before each
 * call: the first request after a write) and warm, and removes them again unless `--keep-runs`.
 *
 *   npx tsx tools/bench/run-sections-scale.ts [--runs 100000] [--rounds 5] [--keep-runs]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createPrismaClient } from '../../lib/db/client';
import { listZooRowsAfter, listZooSectionPages, loadZooMeta } from '../../lib/zoo/list-zoo-rows';
import { parseZooQuery } from '../../lib/zoo/query';
import { countZooRows, RUN_SECTION_PREFIX, selectSectionRowsAfter } from '../../lib/zoo/select-zoo-rows';
import { clearZooCache } from '../../lib/zoo/zoo-cache';
import { printTimings, timeAndLoad, timeRounds, type TimedCalls } from './bench-timings';
import { startKeptZooScaleDatabase } from './zoo-scale-db';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '5' },
    'keep-runs': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const kept = await startKeptZooScaleDatabase();
const pool = new pg.Pool({ connectionString: kept.url, max: 2 });
const db = createPrismaClient(kept.url);
const SECTION = `${RUN_SECTION_PREFIX}coco`;

async function seed(): Promise<void> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "RegisteredRun" WHERE name LIKE 'run-scale-%'`);
  if (rows[0].n === runs) return;
  await remove();
  const t = performance.now();
  await pool.query(
    `INSERT INTO "Model" (slug, name, family, "backboneId", "datasetId", method, "updatedAt")
     SELECT 'run-scale-' || i, 'Run scale ' || i, 'Family ' || (i % 50), (SELECT min(id) FROM "Backbone"),
            (SELECT id FROM "Dataset" WHERE slug = 'coco'), 'prune', now()
     FROM generate_series(1, $1::int) i`,
    [runs],
  );
  await pool.query(
    `INSERT INTO "RegisteredRun" (id, name, state, metadata, "fileName", door, "modelId", "createdAt", "updatedAt")
     SELECT md5('run-scale-' || i)::uuid, 'run-scale-' || i, 'done', '{"inputSizes": [320, 416, 608]}'::jsonb, 'model.onnx',
            'api', m.id, now() - i * interval '1 minute', now()
     FROM generate_series(1, $1::int) i JOIN "Model" m ON m.slug = 'run-scale-' || i`,
    [runs],
  );
  // RunZooRow too (filled by the triggers), so that every timing plans with its statistics, not autovacuum's timing;
  // and vacuumed, as autovacuum leaves it within a minute of a bulk insert: a sort over a whole run section reads its
  // covering index as an index-only scan, which skips the table only on pages the visibility map marks all-visible.
  await pool.query(`ANALYZE "Model"; ANALYZE "RegisteredRun"`);
  await pool.query(`VACUUM ANALYZE "RunZooRow"`);
  console.log(`seeded ${runs} runs with models in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

async function remove(): Promise<void> {
  const t = performance.now();
  const runsGone = await pool.query(`DELETE FROM "RegisteredRun" WHERE name LIKE 'run-scale-%'`);
  const modelsGone = await pool.query(`DELETE FROM "Model" WHERE slug LIKE 'run-scale-%'`);
  if (runsGone.rowCount || modelsGone.rowCount)
    console.log(`removed ${runsGone.rowCount} runs and ${modelsGone.rowCount} models in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

/** The place a cursor keeps for the section's row at `offset` (read once, before the timings). */
async function placeOfRow(offset: number) {
  const got = await selectSectionRowsAfter(db, parseZooQuery({ section: SECTION }), {}, SECTION, null, offset + 1);
  return got.at(-1)!.place;
}

try {
  await seed();
  const counts = await countZooRows(db, parseZooQuery({}), {});
  const meta = await loadZooMeta(db);
  console.log(`${timeAndLoad()}; ${SECTION}: ${counts.get(SECTION)} rows; sections ${meta.sections.length}`);
  const deep = await placeOfRow(200_000);
  const q = (params: Record<string, string>) => parseZooQuery(params);
  const calls: TimedCalls = {
    '/api/zoo?section=runs-coco&limit=100': () => listZooRowsAfter(db, q({ section: SECTION }), null, 100),
    '/api/zoo?section=runs-coco&limit=100, 200,000 rows deep': () => listZooRowsAfter(db, q({ section: SECTION }), deep, 100),
    '/api/zoo?section=runs-coco&limit=100&sort=model': () => listZooRowsAfter(db, q({ section: SECTION, sort: 'model' }), null, 100),
    '/api/zoo?section=runs-coco&limit=100&sort=gflops': () => listZooRowsAfter(db, q({ section: SECTION, sort: 'gflops' }), null, 100),
    '/zoo?section=runs-coco': () => listZooSectionPages(db, q({ section: SECTION })),
    '/zoo?section=runs-coco&page=500': () => listZooSectionPages(db, q({ section: SECTION, page: '500' })),
    '/zoo (every section)': () => listZooSectionPages(db, q({})),
  };
  const rounds = Number(values.rounds);
  console.log('cold: the zoo cache cleared before each call');
  printTimings(await timeRounds(calls, rounds, () => clearZooCache()));
  console.log('warm: cached per zoo version');
  printTimings(await timeRounds(calls, rounds));
} finally {
  if (!values['keep-runs']) await remove();
  await db.$disconnect();
  await pool.end();
  await kept.stop();
}
