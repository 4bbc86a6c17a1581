/**
 * The jobs list at 100,000 runs: GET /api/jobs and the jobs page call listJobs (lib/jobs/list-jobs.ts), which the
 * zoo scale seed does not exercise (it clones published models, not registered runs). This adds `--runs` registered
 * runs with 3 measuring jobs each (one run in 500 still measuring, 2 % failed, the rest done; one finished job a
 * minute, newest first) to the `tools/bench/zoo-scale.ts --keep` database, times listJobs (all jobs, and one run's)
 * `--rounds` times after one warm-up call, prints medians and every call, and removes the runs again unless
 * `--keep-jobs`. The runs have no model, so the zoo's rows are unchanged.
 *
 *   npx tsx tools/bench/jobs-scale.ts [--runs 100000] [--rounds 9] [--keep-jobs] [--url postgresql://…/slimboard_zoo_scale]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { listJobs } from '../../lib/jobs/list-jobs';
import { printTimings, timeRounds, type TimedCalls } from './bench-timings';
import { startKeptZooScaleDatabase } from './zoo-scale-db';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    runs: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '9' },
    'keep-jobs': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const rounds = Number(values.rounds);
const kept = values.url ? null : await startKeptZooScaleDatabase();
const pool = new pg.Pool({ connectionString: values.url ?? kept!.url, max: 2 });

/** Run i's id: a fixed uuid per index, so a second seeding finds the first. */
const RUN_ID = `md5('jobs-scale-' || i)::uuid`;

async function seed(): Promise<void> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "RegisteredRun" WHERE name LIKE 'jobs-scale-%'`);
  if (rows[0].n === runs) return;
  await removeSeeded();
  const t = performance.now();
  await pool.query(
    `INSERT INTO "RegisteredRun" (id, name, state, metadata, "fileName", door, "createdAt", "updatedAt")
     SELECT ${RUN_ID}, 'jobs-scale-' || i, CASE WHEN i % 500 = 0 THEN 'running' WHEN i % 50 = 1 THEN 'failed' ELSE 'done' END::"RunState",
            '{}', 'model.onnx', 'api', now() - make_interval(mins => 3 * i), now() - make_interval(mins => 3 * i)
     FROM generate_series(1, $1::int) i`,
    [runs],
  );
  await pool.query(
    `INSERT INTO "RunJob" (id, "runId", kind, queue, "inputSize", dataset, state, attempts, progress,
                          "createdAt", "startedAt", "finishedAt", "updatedAt")
     SELECT 'jobs-scale-' || i || '-' || k.kind, ${RUN_ID}, k.kind::"JobKind", k.kind, 416, 'coco',
            (CASE WHEN i % 500 = 0
                  THEN (CASE WHEN k.kind = 'analyse' THEN 'done' WHEN k.kind = 'evaluate' THEN 'running' ELSE 'queued' END)
                  WHEN i % 50 = 1 AND k.kind = 'evaluate' THEN 'failed' WHEN i % 50 = 1 THEN 'cancelled' ELSE 'done' END
            )::"RunJobState",
            1, CASE WHEN i % 500 = 0 AND k.kind <> 'analyse' THEN 0.5 ELSE 1 END,
            now() - make_interval(mins => 3 * i), now() - make_interval(mins => 3 * i),
            CASE WHEN i % 500 = 0 AND k.kind <> 'analyse' THEN NULL ELSE now() - make_interval(mins => 3 * i - k.n) END,
            now() - make_interval(mins => 3 * i - k.n)
     FROM generate_series(1, $1::int) i, (VALUES ('analyse', 0), ('evaluate', 1), ('benchmark', 2)) k(kind, n)`,
    [runs],
  );
  await pool.query(`ANALYZE "RunJob"`);
  await pool.query(`ANALYZE "RegisteredRun"`);
  console.log(`seeded ${runs} runs and ${3 * runs} jobs in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

async function removeSeeded(): Promise<void> {
  await pool.query(`DELETE FROM "RegisteredRun" WHERE name LIKE 'jobs-scale-%'`); // jobs go with them (ON DELETE CASCADE)
}

await seed();
const oneRun = (await pool.query<{ id: string }>(`SELECT md5('jobs-scale-7')::uuid::text AS id`)).rows[0].id;
const calls: TimedCalls = {
  'listJobs (GET /api/jobs)': () => listJobs(pool),
  'listJobs ?run=<one run>': () => listJobs(pool, { runId: oneRun }),
};
const first = await listJobs(pool);
console.log(`counts ${JSON.stringify(first.counts)}; ${first.jobs.length} jobs listed, first ${first.jobs[0]?.state}`);
for (const call of Object.values(calls)) await call(0); // warm-up
printTimings(await timeRounds(calls, rounds), { decimals: 1 });
if (!values['keep-jobs']) await removeSeeded();
await pool.end();
await kept?.stop();
