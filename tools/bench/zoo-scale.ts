/**
 * Zoo at scale: seed a scratch database with the published catalog cloned K times, then time the zoo's read
 * paths and print p50/p95 per view, the process RSS and the row counts.
 *
 *   npx tsx tools/bench/zoo-scale.ts [--clones 100] [--rounds 20] [--port 54493] [--keep] [--reuse]
 *                                    [--http http://127.0.0.1:3000] [--server-pid PID]
 *
 * Database: DATABASE_URL's server (a throwaway database `slimboard_zoo_scale` is created there), else a private
 * embedded PostgreSQL under .slimboard/zoo-scale-pg on `--port`. `--reuse` keeps an already seeded database
 * (same clone count) instead of seeding again; `--keep` leaves the embedded server's data on disk.
 *
 * Seeding: the seed catalog is imported once (lib/zoo/import-catalog.ts), then every published model, its zoo
 * entries, measurements and artifacts are cloned K times in four INSERT … SELECT statements and one UPDATE (clone k
 * of `slug` is `slug~k`; its baseline, parent and teacher are the clones with the same k; its rows go to the same
 * sections after the originals). One clone of the seed is 30 models, 85 zoo rows and 145 measurements, so
 * K = 3,500 gives 297,585 zoo rows (the issue's 100,000-run target; but 0.5 M measurements, not 1.5 M).
 *
 * Library timings call the functions the pages call, in this process (RSS is this process's). With `--http`,
 * the same views are fetched from a running server (`npm start` on the seeded database: DATABASE_URL printed
 * below) and the response sizes are printed; `--server-pid` adds the server's RSS before and after.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { applyMigrations } from '../../lib/db/migrations';
import { PrismaClient } from '../../lib/generated/prisma/client';
import { ensureSeedImported } from '../../lib/zoo/import-catalog';
import { ZOO_SCALE_DB_NAME, zooScaleServer, zooScaleUrl } from './zoo-scale-db';
import { createPrismaClient } from '../../lib/db/client';
import { loadAverages } from './bench-timings';

const { values } = parseArgs({
  options: {
    clones: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '20' },
    port: { type: 'string', default: '54493' },
    http: { type: 'string' },
    'server-pid': { type: 'string' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
    'skip-lib': { type: 'boolean', default: false },
    /** Also time listExplorerEntries (whole zoo: minutes per call at thousands of clones). */
    explorer: { type: 'boolean', default: false },
    /** Rounds for the full export (default 3). */
    'export-rounds': { type: 'string', default: '3' },
  },
});

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const DB_NAME = ZOO_SCALE_DB_NAME;

function usage(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

const clones = Number(values.clones);
const rounds = Number(values.rounds);
if (!Number.isInteger(clones) || clones < 0 || clones > 10_000) usage('--clones must be an integer from 0 to 10000');
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 1000) usage('--rounds must be an integer from 1 to 1000');

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const fmt = (v: number) => `${v.toFixed(0).padStart(6)} ms`;
  return `p50 ${fmt(percentile(s, 50))}  p95 ${fmt(percentile(s, 95))}  max ${fmt(s.at(-1)!)}`;
}

function serverRss(pid: string | undefined): string {
  if (!pid) return '';
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    return mib(kb * 1024);
  } catch {
    return 'unknown';
  }
}

/** The server: DATABASE_URL's, or a private embedded one. Returns the URL of the scale database. */
async function openServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const fromEnv = process.env.DATABASE_URL;
  let admin: string;
  let stop = async () => undefined;
  if (fromEnv) {
    const u = new URL(fromEnv);
    u.pathname = '/postgres';
    admin = u.toString();
  } else {
    const server = zooScaleServer(Number(values.port));
    const dataExists = fs.existsSync(path.join(server.dir, 'PG_VERSION'));
    if (!(values.reuse && dataExists)) await server.init();
    await server.start();
    admin = server.url;
    stop = async () => {
      await server.stop();
      if (!values.keep) fs.rmSync(server.dir, { recursive: true, force: true });
    };
  }
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  const exists = (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME])).rowCount! > 0;
  if (exists && !values.reuse) await client.query(`DROP DATABASE ${client.escapeIdentifier(DB_NAME)} WITH (FORCE)`);
  if (!exists || !values.reuse) await client.query(`CREATE DATABASE ${client.escapeIdentifier(DB_NAME)}`);
  await client.end();
  return { url: zooScaleUrl(admin), stop };
}

/** Clone every published model (and its entries, measurements, artifacts) K times. Idempotent per k. */
async function seedClones(db: PrismaClient, k: number): Promise<void> {
  const already = await db.model.count({ where: { slug: { contains: '~' } } });
  const perClone = await db.model.count({
    where: { slug: { not: { contains: '~' } }, entries: { some: { section: { provenance: 'reported' } } } },
  });
  if (already === perClone * k) return;
  if (already > 0) throw new Error(`the database holds ${already} clones, not ${perClone * k}: run without --reuse`);
  const t0 = performance.now();
  await db.$transaction(
    async (tx) => {
      // Models first (links fixed afterwards: the clone of a baseline has the same k).
      await tx.$executeRaw`
        INSERT INTO "Model" (slug, name, family, "backboneId", "datasetId", "pretrainingId", method, "strategyId", description,
          "createdAt", "updatedAt")
        SELECT m.slug || '~' || g.k, m.name || ' #' || g.k, m.family, m."backboneId", m."datasetId", m."pretrainingId", m.method,
          m."strategyId",
               m.description, m."createdAt", m."updatedAt"
        FROM "Model" m CROSS JOIN generate_series(1, ${k}::int) AS g(k)
        WHERE strpos(m.slug, '~') = 0 AND EXISTS (SELECT 1 FROM "ZooEntry" e JOIN "ZooSection" s ON s.id = e."sectionId"
                                                  WHERE e."modelId" = m.id AND s.provenance = 'reported')`;
      await tx.$executeRaw`
        UPDATE "Model" c SET
          "baselineId" = (SELECT cl.id FROM "Model" o JOIN "Model" ol ON ol.id = o."baselineId"
                          JOIN "Model" cl ON cl.slug = ol.slug || '~' || split_part(c.slug, '~', 2) WHERE o.slug =
                            split_part(c.slug, '~', 1)),
          "parentId" = (SELECT cl.id FROM "Model" o JOIN "Model" ol ON ol.id = o."parentId"
                        JOIN "Model" cl ON cl.slug = ol.slug || '~' || split_part(c.slug, '~', 2) WHERE o.slug =
                          split_part(c.slug, '~', 1)),
          "teacherId" = (SELECT cl.id FROM "Model" o JOIN "Model" ol ON ol.id = o."teacherId"
                         JOIN "Model" cl ON cl.slug = ol.slug || '~' || split_part(c.slug, '~', 2) WHERE o.slug =
                           split_part(c.slug, '~', 1))
        WHERE strpos(c.slug, '~') > 0`;
      await tx.$executeRaw`
        INSERT INTO "ZooEntry" ("sectionId", position, "modelId", "inputSize")
        SELECT e."sectionId", e.position + split_part(c.slug, '~', 2)::int * n.rows, c.id, e."inputSize"
        FROM "ZooEntry" e
        JOIN "Model" o ON o.id = e."modelId"
        JOIN "Model" c ON split_part(c.slug, '~', 1) = o.slug AND strpos(c.slug, '~') > 0
        JOIN (SELECT "sectionId", max(position) AS rows FROM "ZooEntry" GROUP BY "sectionId") n ON n."sectionId" = e."sectionId"`;
      await tx.$executeRaw`
        INSERT INTO "Measurement" ("modelId", metric, "inputSize", "deviceId", "datasetId", value, decimals, provenance,
          "sourceId", key, "createdAt")
        SELECT c.id, x.metric, x."inputSize", x."deviceId", x."datasetId", x.value, x.decimals, x.provenance, x."sourceId",
          x.key, x."createdAt"
        FROM "Measurement" x
        JOIN "Model" o ON o.id = x."modelId"
        JOIN "Model" c ON split_part(c.slug, '~', 1) = o.slug AND strpos(c.slug, '~') > 0
        WHERE x.provenance = 'reported'`;
      await tx.$executeRaw`
        INSERT INTO "Artifact" ("modelId", kind, format, "fileName", url, "storagePath", sha256, "sizeBytes", "sourceId", "createdAt")
        SELECT c.id, a.kind, a.format, a."fileName", a.url, a."storagePath", a.sha256, a."sizeBytes", a."sourceId", a."createdAt"
        FROM "Artifact" a
        JOIN "Model" o ON o.id = a."modelId"
        JOIN "Model" c ON split_part(c.slug, '~', 1) = o.slug AND strpos(c.slug, '~') > 0`;
    },
    { timeout: 3_600_000, maxWait: 60_000 },
  );
  await db.$executeRaw`ANALYZE`;
  process.stdout.write(`seeded ${k} clones in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}

async function time(name: string, fn: () => Promise<unknown>, extra?: (r: unknown) => string): Promise<void> {
  const ms: number[] = [];
  let last: unknown;
  const n = name.startsWith('export') ? Number(values['export-rounds']) : rounds;
  if (n === 0) return; // `--export-rounds 0`: no export
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    last = await fn();
    ms.push(performance.now() - t);
  }
  process.stdout.write(`${name.padEnd(44)} ${summary(ms)}  rss ${mib(process.memoryUsage().rss)}${extra ? `  ${extra(last)}` : ''}\n`);
}

/** The library read paths, as the pages call them. Each entry: [label, call, what to print about the result]. */
async function libraryViews(db: PrismaClient): Promise<Array<[string, () => Promise<unknown>, (r: unknown) => string]>> {
  const { listZooRows, listZooRowsAfter, listZooSectionPages, loadZooMeta } = await import('../../lib/zoo/list-zoo-rows');
  const { countZooRows, selectSectionRowsAfter } = await import('../../lib/zoo/select-zoo-rows');
  const { listExplorerEntries } = await import('../../lib/zoo/list-explorer-entries');
  const { parseZooQuery } = await import('../../lib/zoo/query');
  const rowCount = (r: unknown) => `${(r as { rows: unknown[] }).rows.length} rows of ${(r as { total: number }).total}`;
  const sectionCount = (r: unknown) => {
    const p = (r as { value: { sections: Array<{ rows: unknown[] }>; total: number } }).value;
    return `${p.sections.reduce((k, s) => k + s.rows.length, 0)} rows in ${p.sections.length} sections of ${p.total}`;
  };
  const { zooExportStream } = await import('../../lib/zoo/export-stream');
  const exportAll = async (format: 'csv' | 'json') => {
    let bytes = 0;
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const stream = await zooExportStream(db, parseZooQuery({}), { format, baseUrl: 'http://127.0.0.1:3000' });
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    return { bytes, growth: peak - rssBefore };
  };
  // GET /api/zoo's first page (the keyset path: lib/zoo/zoo-cursor.ts).
  const page = (params: Record<string, string>) => () => listZooRowsAfter(db, parseZooQuery(params), null, 100);
  const deepCursor = await placeOfRow(200_000);
  /** The place a cursor keeps for the row at `offset` of the unfiltered zoo (read once, before the timings). */
  async function placeOfRow(offset: number) {
    const counts = await countZooRows(db, parseZooQuery({}), {});
    let skip = offset;
    for (const section of (await loadZooMeta(db)).sections) {
      const n = counts.get(section.slug) ?? 0;
      if (skip < n) return (await selectSectionRowsAfter(db, parseZooQuery({}), {}, section.slug, null, skip + 1)).at(-1)!.place;
      skip -= n;
    }
    return null;
  }
  return [
    ['/zoo: listZooSectionPages {}', () => listZooSectionPages(db, parseZooQuery({})), sectionCount],
    ['/zoo: listZooSectionPages page=40', () => listZooSectionPages(db, parseZooQuery({ page: '40' })), sectionCount],
    ['/zoo: listZooSectionPages sort=gflops', () => listZooSectionPages(db, parseZooQuery({ sort: 'gflops', dir: 'desc' })), sectionCount],
    ['/api/zoo: listZooRowsAfter limit=100', page({}), rowCount],
    ['/api/zoo: listZooRowsAfter limit=100 dataset=widerface', page({ dataset: 'widerface' }), rowCount],
    ['/api/zoo: listZooRowsAfter limit=100 method=prune', page({ method: 'prune' }), rowCount],
    ['/api/zoo: listZooRowsAfter limit=100 backbone=MobileNetV1', page({ backbone: 'MobileNetV1' }), rowCount],
    ['/api/zoo: listZooRowsAfter limit=100 inputSize=320', page({ inputSize: '320' }), rowCount],
    ['/api/zoo: listZooRowsAfter limit=100 q=r578', page({ q: 'r578' }), rowCount],
    ['/api/zoo: listZooRowsAfter limit=100 sort=gflops', page({ sort: 'gflops', dir: 'desc' }), rowCount],
    [
      '/api/zoo: listZooRows limit=100 deep offset (v1 cursor)',
      () => listZooRows(db, parseZooQuery({}), { offset: 200_000, limit: 100 }),
      rowCount,
    ],
    ['/api/zoo: listZooRowsAfter limit=100 deep cursor', () => listZooRowsAfter(db, parseZooQuery({}), deepCursor, 100), rowCount],
    [
      'export CSV (streamed, all rows)',
      () => exportAll('csv'),
      (r) => {
        const e = r as { bytes: number; growth: number };
        return `${mib(e.bytes)} written, rss growth during the last export ${mib(e.growth)}`;
      },
    ],
    ...(await drawnViews(db)),
    ...((values.explorer
      ? [
          [
            'listExplorerEntries (whole zoo, cached per version)',
            () => listExplorerEntries(db),
            (r: unknown) => `${(r as unknown[]).length} entries`,
          ],
        ]
      : []) as Array<[string, () => Promise<unknown>, (r: unknown) => string]>),
  ];
}

/**
 * The explorer, overview and compare reads (only what they draw, lib/zoo/explorer-view-data.ts, overview-data.ts,
 * compare-choices.ts), each twice: as served between two writes (cached per zoo version) and with the cache
 * cleared before every call (the first request after a result lands).
 */
async function drawnViews(db: PrismaClient): Promise<Array<[string, () => Promise<unknown>, (r: unknown) => string]>> {
  const { loadExplorerView } = await import('../../lib/zoo/explorer-view-data');
  const { loadOverview } = await import('../../lib/zoo/overview-data');
  const { searchCompareChoices } = await import('../../lib/zoo/compare-choices');
  const { listExplorerEntries } = await import('../../lib/zoo/list-explorer-entries');
  const { parseExplorerView } = await import('../../lib/explorer/view-state');
  const { clearZooCache } = await import('../../lib/zoo/zoo-cache');
  const reduced = (r: unknown) => {
    type TReduced = { entries: unknown[]; reduction: { inView: number; drawable: number; frontier: number; sampled: number } | null };
    const v = (r as { value: TReduced }).value;
    const x = v.reduction;
    const how = x ? ` (reduced: ${x.inView} in view, ${x.drawable} drawable, frontier ${x.frontier}, sample ${x.sampled})` : '';
    return `${v.entries.length} entries${how}`;
  };
  const compared = ['yolov3-mobilenet-v1-coco', 'yolov3-mobilenet-v1-coco-prune-r578~7', 'yolov3-r34-coco~9'];
  const compare = async () => {
    const [choices, entries] = await Promise.all([
      searchCompareChoices(db, { exclude: compared }),
      listExplorerEntries(db, { models: compared }),
    ]);
    return { choices, entries };
  };
  const views: Array<[string, () => Promise<unknown>, (r: unknown) => string]> = [
    ['/explorer?dataset=coco: loadExplorerView', () => loadExplorerView(db, parseExplorerView({ dataset: 'coco' })), reduced],
    ['/explorer?dataset=coco&x=latency', () => loadExplorerView(db, parseExplorerView({ dataset: 'coco', x: 'latency' })), reduced],
    ['/explorer?dataset=widerface', () => loadExplorerView(db, parseExplorerView({ dataset: 'widerface' })), reduced],
    [
      '/: loadOverview (chart, headline, wins on gflops, size and latency)',
      () => loadOverview(db),
      (r) => `${(r as { value: { gflops: { wins: unknown[] } } }).value.gflops.wins.length} GFLOPs wins`,
    ],
    [
      '/compare (3 models): choices + entries',
      compare,
      (r) => {
        const c = r as { choices: { total: number }; entries: unknown[] };
        return `${c.entries.length} entries, ${c.choices.total} choices`;
      },
    ],
  ];
  return views.flatMap(([name, fn, show]) => [
    [`${name} (warm)`, fn, show] as [string, () => Promise<unknown>, (r: unknown) => string],
    [`${name} (cold)`, () => (clearZooCache(), fn()), show] as [string, () => Promise<unknown>, (r: unknown) => string],
  ]);
}

const HTTP_VIEWS = [
  '/zoo',
  '/zoo?dataset=widerface',
  '/api/zoo?limit=100',
  '/api/zoo?limit=100&dataset=widerface',
  '/api/zoo?limit=100&method=prune',
  '/api/zoo?limit=100&backbone=MobileNetV1',
  '/api/zoo?limit=100&sort=gflops&dir=desc',
  '/explorer?dataset=coco',
  '/',
  '/compare?models=yolov3-mobilenet-v1-coco,yolov3-mobilenet-v1-coco-prune-r578~7,yolov3-r34-coco~9',
  '/api/jobs',
];

async function timeHttp(base: string): Promise<void> {
  const pid = values['server-pid'];
  process.stdout.write(`\nHTTP ${base} (server RSS ${serverRss(pid) || 'not given'})\n`);
  for (const view of HTTP_VIEWS) {
    const ms: number[] = [];
    let bytes = 0;
    let status = 0;
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      const res = await fetch(base + view);
      bytes = (await res.arrayBuffer()).byteLength;
      status = res.status;
      ms.push(performance.now() - t);
    }
    process.stdout.write(
      `GET ${view.padEnd(40)} ${summary(ms)}  ${status} ${(bytes / 1024).toFixed(0)} KiB${pid ? `  server rss ${serverRss(pid)}` : ''}\n`,
    );
  }
  const t = performance.now();
  const res = await fetch(`${base}/api/zoo?format=csv`);
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.byteLength;
  const seconds = ((performance.now() - t) / 1000).toFixed(1);
  const rss = pid ? `  server rss ${serverRss(pid)}` : '';
  process.stdout.write(`GET /api/zoo?format=csv (full export)          ${seconds} s  ${res.status} ${mib(bytes)}${rss}\n`);
}

const server = await openServer();
process.stdout.write(`${new Date().toISOString()}  clones ${clones}  rounds ${rounds}  load ${loadAverages()}  cpus ${os.cpus().length}\n`);
process.stdout.write(`DATABASE_URL=${server.url}\n`);
try {
  await applyMigrations(server.url, path.join(ROOT, 'prisma', 'migrations'));
  const db = createPrismaClient(server.url);
  try {
    // A reused database keeps its clones (re-importing the seed would drop the cloned rows from its sections).
    if ((await db.model.count({ where: { slug: { contains: '~' } } })) === 0) await ensureSeedImported(db, { root: ROOT });
    await seedClones(db, clones);
    const [models, entries, measurements] = await Promise.all([db.model.count(), db.zooEntry.count(), db.measurement.count()]);
    process.stdout.write(`models ${models}  zoo rows ${entries}  measurements ${measurements}\n\n`);
    if (!values['skip-lib']) {
      for (const [name, fn, extra] of await libraryViews(db)) await time(name, fn, extra);
    }
    if (values.http) await timeHttp(values.http.replace(/\/$/, ''));
  } finally {
    await db.$disconnect();
  }
} finally {
  process.stdout.write(`load ${loadAverages()}\n`);
  await server.stop();
}
