/**
 * The first requests after a write, at scale: every cache keyed by the zoo version is empty then
 * (lib/zoo/zoo-cache.ts), so `/explorer`, `/` and `/compare` recompute their data. Two parts, in the library (no
 * HTTP, no render), on the `tools/bench/zoo-scale.ts --keep` database (started again) or `--url`:
 *
 * 1. "cold": how long the computation takes, with the cache cleared before each call, `--rounds` times:
 *    - explorer: explorerViewData for `?dataset=coco` (a reduced view at this size);
 *    - overview: loadOverview with nothing cached (its chart, headline and wins on GFLOPs, size and the first
 *      device's latency);
 *    - compare: listExplorerEntries for 3 models (and so their baselines).
 * 2. "after a write": what a reader gets. Each round makes a real write (a no-op UPDATE of a dataset row, which
 *    bumps the zoo version), then times the first loadOverview and loadExplorerView (the pages' doors: the last
 *    value, marked stale, when the new one is not ready within FRESH_WAIT_MS) and how long until they are fresh
 *    (polled every 100 ms).
 *
 * For a before/after comparison of part 1 run it in both checkouts alternately (docs/scale.md, "Cold requests after
 * a write").
 *
 *   npx tsx tools/bench/zoo-cold.ts [--rounds 3] [--url postgresql://…/slimboard_zoo_scale]
 */
import { parseArgs } from 'node:util';
import { parseExplorerView } from '../../lib/explorer/view-state';
import { explorerViewData, loadExplorerView } from '../../lib/zoo/explorer-view-data';
import { listExplorerEntries } from '../../lib/zoo/list-explorer-entries';
import { loadOverview } from '../../lib/zoo/overview-data';
import { clearZooCache, FRESH_WAIT_MS, type TZooVersioned } from '../../lib/zoo/zoo-cache';
import { printTimings, timeAndLoad, timeRounds, type TimedCalls } from './bench-timings';
import { startKeptZooScaleDatabase, ZOO_NO_OP_WRITE_SQL } from './zoo-scale-db';
import { createPrismaClient } from '../../lib/db/client';

const { values } = parseArgs({ options: { url: { type: 'string' }, rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);
const kept = values.url ? null : await startKeptZooScaleDatabase();
const db = createPrismaClient(values.url ?? kept!.url);
const compared = (
  await db.model.findMany({ where: { method: { not: 'baseline' } }, select: { slug: true }, orderBy: { id: 'desc' }, take: 3 })
).map((m) => m.slug);
const explorerView = parseExplorerView(new URLSearchParams('dataset=coco'));

const pages: TimedCalls = {
  'explorer ?dataset=coco': () => explorerViewData(db, explorerView),
  'overview /': () => loadOverview(db),
  [`compare ${compared.length} models`]: () => listExplorerEntries(db, { models: compared }),
};
printTimings(await timeRounds(pages, rounds, () => clearZooCache()), { label: 'cold median' });

// Part 2: both doors hold a value of the version before the write (the first read of a key waits for it).
const doors: Record<string, () => Promise<TZooVersioned<unknown>>> = {
  'overview /': () => loadOverview(db),
  'explorer ?dataset=coco': () => loadExplorerView(db, explorerView),
};
console.log(`\nafter a write (a reader waits at most FRESH_WAIT_MS = ${FRESH_WAIT_MS} ms for the new version):`);
for (const read of Object.values(doors)) await read();
for (let round = 0; round < rounds; round++) {
  await db.$executeRawUnsafe(ZOO_NO_OP_WRITE_SQL);
  for (const [name, read] of Object.entries(doors)) {
    const t = performance.now();
    const first = await read();
    const firstMs = performance.now() - t;
    let got = first;
    while (got.stale) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      got = await read();
    }
    const freshMs = performance.now() - t;
    console.log(
      `${name.padEnd(24)} first read ${firstMs.toFixed(0)} ms (${first.stale ? `stale: version ${first.version}` : 'fresh'}), ` +
        `fresh (version ${got.version}) after ${freshMs.toFixed(0)} ms`,
    );
  }
}
console.log(timeAndLoad());
await db.$disconnect();
await kept?.stop();
