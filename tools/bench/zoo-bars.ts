/**
 * Issue #15's speed bar over HTTP, as a visitor meets it between writes: p95 at most 300 ms at 100,000 runs for the
 * zoo's first page, `/api/zoo?limit=100` with any single filter, the explorer for one dataset, the landing page and
 * `/compare` with 3 models.
 *
 *   npx tsx tools/bench/zoo-bars.ts [--rounds 20] [--web lanes|single]
 *
 * Starts the kept scale database (tools/bench/zoo-scale.ts --keep) and the built app (`npx next build` first) as
 * `start` serves it (three lanes behind the front proxy; `--web single`: one `next start`) on port 3303. The filter
 * values and the three compared models are read from the database (a published baseline and two models declared
 * against it). Every URL is read once untimed (its first read computes or loads its view), then
 * `rounds` rounds read every URL once in turn, so a change of machine load hits all alike. Prints per URL the
 * status, p50, p95 (bench-timings quantileOf) and slowest, and p95 / 300 ms; exits 1 when a URL answers other than
 * 200. What this does not cover: the first read after a write (tools/bench/zoo-after-write.ts) and load
 * (tools/bench/zoo-load.ts).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnWebLanes, spawnWebServer, stopChild, stopWebLanes, waitForHttp, type WebLanes } from '../../lib/cli/commands/start';
import { createPrismaClient } from '../../lib/db/client';
import { quantileOf, timeAndLoad, timeRounds } from './bench-timings';
import { startKeptZooScaleDatabase } from './zoo-scale-db';

const BAR_MS = 300;
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    web: { type: 'string', default: 'lanes' },
  },
});
if (values.web !== 'lanes' && values.web !== 'single') throw new Error(`--web must be lanes or single, got ${values.web}`);
const ROOT = path.resolve(import.meta.dirname, '../..');
const PORT = 3303;
const base = `http://127.0.0.1:${PORT}`;

const kept = await startKeptZooScaleDatabase();
const db = createPrismaClient(kept.url, 2);
let web: ReturnType<typeof spawnWebServer> | null = null;
let lanes: WebLanes | null = null;
let failed = false;
try {
  const section = await db.zooSection.findFirstOrThrow({ orderBy: { position: 'asc' }, select: { slug: true } });
  // The largest run section, when registered runs have one (tools/bench/run-sections-scale.ts --keep-runs).
  const [runSection] = await db.$queryRaw<Array<{ slug: string; rows: number }>>`
    SELECT d.slug, count(*)::int AS rows FROM "RunZooRow" x JOIN "Dataset" d ON d.id = x."datasetId"
    GROUP BY d.slug ORDER BY count(*) DESC LIMIT 1`;
  // A published baseline and two models declared against it (clones' slugs, `slug~k`, are not slugs /compare takes).
  const baselineSlug = 'yolov3-mobilenet-v1-coco';
  const baseline = await db.model.findUniqueOrThrow({ where: { slug: baselineSlug }, select: { id: true } });
  const against = await db.model.findMany({
    where: { baselineId: baseline.id, NOT: { id: baseline.id } },
    orderBy: { slug: 'asc' },
    take: 2,
    select: { slug: true },
  });
  if (against.length < 2) throw new Error(`${baselineSlug} has fewer than 2 models declared against it`);
  const urls = [
    '/zoo',
    ...[
      'dataset=coco',
      'method=prune',
      'backbone=MobileNetV1',
      'inputSize=416',
      'source=reported',
      `section=${section.slug}`,
      ...(runSection ? [`section=runs-${runSection.slug}`] : []),
      'q=mobilenet',
    ].map((f) => `/api/zoo?limit=100&${f}`),
    '/explorer?dataset=coco',
    '/explorer?dataset=voc',
    '/explorer?dataset=widerface',
    '/',
    `/compare?models=${[baselineSlug, ...against.map((m) => m.slug)].join(',')}`,
  ];

  if (values.web === 'single') {
    web = spawnWebServer(ROOT, PORT, kept.url, { stdio: 'pipe' });
    await waitForHttp(`${base}/api/jobs`, web, 120_000);
  } else lanes = await spawnWebLanes(ROOT, PORT, kept.url, { stdio: 'pipe' });
  const zooRows = await db.$queryRaw<Array<{ stored: number; runs: number }>>`
    SELECT (SELECT count(*) FROM "ZooEntry")::int AS stored, (SELECT count(*) FROM "RunZooRow")::int AS runs`;
  console.log(
    `${timeAndLoad()}  (${values.web === 'single' ? 'one server' : 'three lanes behind the proxy'}; ` +
      `${zooRows[0].stored} stored zoo rows, ${zooRows[0].runs} run rows)`,
  );

  const status = new Map<string, number>();
  const read = async (u: string) => {
    const res = await fetch(base + u);
    await res.arrayBuffer();
    if (res.status !== 200) status.set(u, res.status);
  };
  for (const u of urls) {
    const t = performance.now();
    await read(u);
    console.log(`fill ${u}: ${(performance.now() - t).toFixed(0)} ms`);
  }
  const ms = await timeRounds(Object.fromEntries(urls.map((u) => [u, () => read(u)])), Number(values.rounds));
  const width = Math.min(48, Math.max(...urls.map((u) => u.length))) + 2;
  for (const u of urls) {
    const xs = ms[u];
    const [p50, p95] = [quantileOf(xs, 0.5), quantileOf(xs, 0.95)];
    const verdict = `p95/${BAR_MS} ${(p95 / BAR_MS).toFixed(2)} ${p95 <= BAR_MS ? 'met' : 'UNMET'}`;
    console.log(
      `${u.padEnd(width)} HTTP ${status.get(u) ?? 200}  p50 ${p50.toFixed(0)} ms  p95 ${p95.toFixed(0)} ms  ` +
        `max ${Math.max(...xs).toFixed(0)} ms  ${verdict}`,
    );
  }
  const worst = Math.max(...urls.map((u) => quantileOf(ms[u], 0.95)));
  console.log(`${urls.length} URLs, ${values.rounds} rounds: worst p95 ${worst.toFixed(0)} ms, ratio ${(worst / BAR_MS).toFixed(2)}`);
  console.log(timeAndLoad());
  failed = status.size > 0;
} finally {
  if (web) await stopChild(web);
  if (lanes) await stopWebLanes(lanes);
  await db.$disconnect();
  await kept.stop();
}
if (failed) process.exitCode = 1;
