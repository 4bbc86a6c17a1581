/**
 * The first request after a write, at scale: every cache keyed by the zoo version is empty then (lib/zoo/zoo-cache.ts),
 * so `/explorer`, `/` and `/compare` recompute their data. This times what those pages load, with the cache cleared
 * before each call (clearZooCache: the same as a new version), `--rounds` times, in the library (no HTTP, no render):
 *   - explorer: loadExplorerView for `?dataset=coco` (a reduced view at this size);
 *   - overview: the landing page's loads (app/page.tsx): its chart, headline and wins on GFLOPs, size and the first
 *     device's latency;
 *   - compare: listExplorerEntries for 3 models (and so their baselines).
 * Starts the `tools/bench/zoo-scale.ts --keep` database again, or uses `--url`. For a before/after comparison run it
 * in both checkouts alternately (docs/scale.md, "Cold requests after a write").
 *
 *   npx tsx tools/bench/zoo-cold.ts [--rounds 3] [--url postgresql://…/slimboard_zoo_scale]
 */
import { parseArgs } from 'node:util';
import { DEFAULT_VIEW, parseExplorerView, type TExplorerView } from '../../lib/explorer/view-state';
import { loadExplorerView } from '../../lib/zoo/explorer-view-data';
import { listExplorerEntries } from '../../lib/zoo/list-explorer-entries';
import { overviewHeadline, overviewWins } from '../../lib/zoo/overview-data';
import { clearZooCache } from '../../lib/zoo/zoo-cache';
import { printTimings, timeRounds, type TimedCalls } from './bench-timings';
import { startKeptZooScaleDatabase } from './zoo-scale-db';
import { createPrismaClient } from '../../lib/db/client';

const { values } = parseArgs({ options: { url: { type: 'string' }, rounds: { type: 'string', default: '3' } } });
const kept = values.url ? null : await startKeptZooScaleDatabase();
const db = createPrismaClient(values.url ?? kept!.url);
const OVERVIEW_VIEW: TExplorerView = { ...DEFAULT_VIEW, dataset: 'coco', x: 'gflops', y: 'boxAp', sizes: [608] };
const compared = (
  await db.model.findMany({ where: { method: { not: 'baseline' } }, select: { slug: true }, orderBy: { id: 'desc' }, take: 3 })
).map((m) => m.slug);

const pages: TimedCalls = {
  'explorer ?dataset=coco': () => loadExplorerView(db, parseExplorerView(new URLSearchParams('dataset=coco'))),
  'overview /': async () => {
    const [, head] = await Promise.all([
      loadExplorerView(db, OVERVIEW_VIEW),
      overviewHeadline(db),
      overviewWins(db, 'gflops'),
      overviewWins(db, 'size'),
    ]);
    await Promise.all(head.devices.slice(0, 1).map((d) => overviewWins(db, 'latency', d.device)));
  },
  [`compare ${compared.length} models`]: () => listExplorerEntries(db, { models: compared }),
};
printTimings(await timeRounds(pages, Number(values.rounds), () => clearZooCache()), { label: 'cold median' });
await db.$disconnect();
await kept?.stop();
