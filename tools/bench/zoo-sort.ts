/**
 * Metric sorts on the zoo at scale: `/zoo` sorted by GFLOPs and by a device latency (listZooSectionPages, pages 2 to
 * 6 of every section) and `/api/zoo?limit=100` sorted by GFLOPs (listZooRows), 5 calls each after one that warms the
 * cache, median and every call. Run it in two checkouts one after the other, on the same database, for a paired
 * comparison (docs/scale.md, "Sorting by a metric"). Starts the `tools/bench/zoo-scale.ts --keep` database again, or
 * uses `--url`:
 *
 *   npx tsx tools/bench/zoo-sort.ts [--url postgresql://…/slimboard_zoo_scale]
 */
import { parseArgs } from 'node:util';
import { listZooRows, listZooSectionPages } from '../../lib/zoo/list-zoo-rows';
import { parseZooQuery } from '../../lib/zoo/query';
import { printTimings, timeRounds, type TimedCalls } from './bench-timings';
import { startKeptZooScaleDatabase } from './zoo-scale-db';
import { createPrismaClient } from '../../lib/db/client';

const { values } = parseArgs({ options: { url: { type: 'string' } } });
const kept = values.url ? null : await startKeptZooScaleDatabase();
const db = createPrismaClient(values.url ?? kept!.url);
const calls: TimedCalls = {
  '/zoo sort=gflops desc': (i) => listZooSectionPages(db, parseZooQuery({ sort: 'gflops', dir: 'desc', page: String(i + 2) })),
  '/zoo sort=latency:tesla-p4-trt': (i) => listZooSectionPages(db, parseZooQuery({ sort: 'latency:tesla-p4-trt', page: String(i + 2) })),
  '/api/zoo limit=100 sort=gflops desc': (i) =>
    listZooRows(db, parseZooQuery({ sort: 'gflops', dir: 'desc' }), { limit: 100, offset: i * 100 }),
};
await listZooSectionPages(db, parseZooQuery({ sort: 'gflops', dir: 'desc' })); // fills the per-version cache
printTimings(await timeRounds(calls, 5));
await db.$disconnect();
await kept?.stop();
