/**
 * Metric sorts on the zoo at scale: `/zoo` sorted by GFLOPs and by a device latency (listZooSectionPages, pages 2 to
 * 6 of every section) and `/api/zoo?limit=100` sorted by GFLOPs (listZooRows), 5 calls each after one that warms the
 * cache, median and every call. Run it in two checkouts one after the other, on the same database, for a paired
 * comparison (docs/scale.md, "Sorting by a metric"). Starts the `tools/bench/zoo-scale.ts --keep` database again, or
 * uses `--url`:
 *
 *   npx tsx tools/bench/zoo-sort.ts [--url postgresql://…/slimboard_zoo_scale]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../lib/generated/prisma/client';
import { listZooRows, listZooSectionPages } from '../../lib/zoo/list-zoo-rows';
import { parseZooQuery } from '../../lib/zoo/query';
import { startKeptZooScaleDatabase } from './zoo-scale-db';

const { values } = parseArgs({ options: { url: { type: 'string' } } });
const kept = values.url ? null : await startKeptZooScaleDatabase();
const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: values.url ?? kept!.url }) });
const calls: Record<string, (i: number) => Promise<unknown>> = {
  '/zoo sort=gflops desc': (i) => listZooSectionPages(db, parseZooQuery({ sort: 'gflops', dir: 'desc', page: String(i + 2) })),
  '/zoo sort=latency:tesla-p4-trt': (i) => listZooSectionPages(db, parseZooQuery({ sort: 'latency:tesla-p4-trt', page: String(i + 2) })),
  '/api/zoo limit=100 sort=gflops desc': (i) =>
    listZooRows(db, parseZooQuery({ sort: 'gflops', dir: 'desc' }), { limit: 100, offset: i * 100 }),
};
const ms: Record<string, number[]> = Object.fromEntries(Object.keys(calls).map((k) => [k, []]));
await listZooSectionPages(db, parseZooQuery({ sort: 'gflops', dir: 'desc' })); // fills the per-version cache
for (let i = 0; i < 5; i++)
  for (const [name, call] of Object.entries(calls)) {
    const t = performance.now();
    await call(i);
    ms[name].push(performance.now() - t);
  }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, xs] of Object.entries(ms))
  console.log(`${name.padEnd(38)} median ${median(xs).toFixed(0)} ms  [${xs.map((x) => x.toFixed(0)).join(' ')}]`);
console.log(
  `${new Date().toISOString()}  load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
await db.$disconnect();
await kept?.stop();
