/**
 * Paired, interleaved timing of the zoo version read: the earlier fingerprint (max ids and timestamps plus
 * count(*) over the zoo's tables, commit 33f5488) against the one-row "ZooVersion" read that replaced it, on the
 * same database in one process. Run after `tools/bench/zoo-scale.ts --keep`: it starts that run's embedded server
 * (.slimboard/zoo-scale-pg, port 54493) again, or uses `--url`:
 *
 *   npx tsx tools/bench/zoo-version-read.ts [--rounds 30] [--url postgresql://…/slimboard_zoo_scale]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startKeptZooScaleDatabase } from './zoo-scale-db';
import { loadAverages } from './bench-timings';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    rounds: { type: 'string', default: '30' },
  },
});
const FINGERPRINT = `SELECT concat_ws('/',
  (SELECT max("updatedAt") FROM "Model"), (SELECT count(*) FROM "Model"),
  (SELECT max(id) FROM "ZooEntry"), (SELECT count(*) FROM "ZooEntry"),
  (SELECT max(id) FROM "Measurement"),
  (SELECT max("updatedAt") FROM "RegisteredRun"), (SELECT count(*) FROM "RegisteredRun"),
  (SELECT max("updatedAt") FROM "RunJob"), (SELECT max("measuredAt") FROM "MeasuredResult"),
  (SELECT count(*) FROM "ZooSection"), (SELECT count(*) FROM "Device")) AS v`;
const ROW = `SELECT "version"::text AS v FROM "ZooVersion" WHERE "id" = 1`;

const kept = values.url ? null : await startKeptZooScaleDatabase();
const client = new pg.Client({ connectionString: values.url ?? kept!.url });
await client.connect();
const rounds = Number(values.rounds);
const times: Record<'fingerprint' | 'row', number[]> = { fingerprint: [], row: [] };
const time = async (sql: string) => {
  const t0 = performance.now();
  await client.query(sql);
  return performance.now() - t0;
};
await time(FINGERPRINT);
await time(ROW);
for (let i = 0; i < rounds; i++) {
  // Alternate which goes first (ABBA), so drift in machine load falls on both alike.
  if (i % 2 === 0) {
    times.fingerprint.push(await time(FINGERPRINT));
    times.row.push(await time(ROW));
  } else {
    times.row.push(await time(ROW));
    times.fingerprint.push(await time(FINGERPRINT));
  }
}
await client.end();
await kept?.stop();
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
for (const [name, xs] of Object.entries(times))
  console.log(`${name.padEnd(12)} p50 ${q(xs, 0.5).toFixed(2)} ms  p95 ${q(xs, 0.95).toFixed(2)} ms  (${xs.length} rounds)`);
const ratios = times.fingerprint.map((f, i) => f / times.row[i]).sort((a, b) => a - b);
console.log(`paired ratio fingerprint / row: median ${q(ratios, 0.5).toFixed(0)}x; load ${loadAverages()}`);
