/**
 * Measures the shipped demo zoo end to end on a private database, as `npm start` would, and prints
 * `demo table` (Box AP, VOC mAP, WIDER FACE easy/medium/hard per model and size) with the wall time.
 *
 *   SLIMBOARD_DATA_DIR=/tmp/demo-full SLIMBOARD_PG_PORT=54495 SLIMBOARD_BENCH_QUICK=1 \
 *     nice -n 10 npx tsx tools/bench/demo-extra-datasets.ts [--workers 1]
 *
 * SLIMBOARD_BENCH_QUICK=1 keeps the latency part short (its numbers are then not for publishing); the accuracy
 * numbers do not depend on it. The database and data dir persist: a second call measures only what is missing.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { closeDb, getDatabaseUrl, getDb } from '../../lib/db/client';
import { DEMO_ZOO_DIR } from '../../lib/demo-zoo/manifest';
import { formatDemoTable, loadDemoTable } from '../../lib/demo-zoo/demo-table';
import { registerDemoZoo } from '../../lib/demo-zoo/register-demo-zoo';
import { getEnv } from '../../lib/env';
import { openPipeline } from '../../lib/jobs/pipeline';
import { ensureSeedImported } from '../../lib/zoo/import-catalog';

const { values } = parseArgs({ options: { workers: { type: 'string', default: '1' } } });
const root = path.resolve(import.meta.dirname, '..', '..');
const t0 = performance.now();
const db = await getDb();
await ensureSeedImported(db, { root });
const url = await getDatabaseUrl();
const pipeline = await openPipeline({ databaseUrl: url, supervise: false, poolSize: 3 });
const report = await registerDemoZoo(pipeline, { zooDir: path.join(root, DEMO_ZOO_DIR), dataDir: getEnv().dataDir, maxBytes: 2 ** 31 });
console.log(`registered: ${report.models.filter((m) => m.status === 'registered').length}, jobs queued ${report.jobsQueued}`);
const runIds = report.models.map((m) => m.runId).filter((id): id is string => id !== null);
const workers = Array.from({ length: Number(values.workers) }, () =>
  spawn(process.execPath, ['--import', 'tsx', path.join(root, 'workers', 'main.ts')], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['ignore', 'ignore', 'inherit'],
  }),
);
for (;;) {
  const r = await pipeline.pool.query<{ left: number }>(
    `SELECT count(*)::int AS left FROM "RunJob" WHERE "runId" = ANY($1::uuid[]) AND state NOT IN ('done', 'failed')`,
    [runIds],
  );
  if (r.rows[0].left === 0) break;
  await new Promise((res) => setTimeout(res, 5000));
}
for (const w of workers) w.kill('SIGTERM');
const minutes = (performance.now() - t0) / 60_000;
console.log(formatDemoTable(await loadDemoTable(db)));
console.log(
  `wall ${minutes.toFixed(1)} min, ${os.cpus().length} logical cores, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
await pipeline.close();
await closeDb();
