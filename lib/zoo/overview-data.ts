import type { Db } from '../db/client';
import { Prisma } from '../generated/prisma/client';
import { DATASET_METRICS, type TCostAxis } from '../explorer/axes';
import { entryKey, type TExplorerEntry } from '../explorer/entry';
import type { THeadline } from '../explorer/overview';
import { DEFAULT_VIEW, type TExplorerView } from '../explorer/view-state';
import { biggestWins, type TWin } from '../explorer/wins';
import { deviceName } from './device-name';
import { COST_KIND_OF, datasetAxes, listExplorerDatasets, METRIC_KIND_OF, valueOn, valueSql } from './explorer-points';
import { explorerViewData, type TExplorerViewData } from './explorer-view-data';
import { listExplorerEntries } from './list-explorer-entries';
import type { TMetricKind } from './metrics';
import { zooRowsSql } from './select-zoo-rows';
import { cachedByZooVersion, cachedOrLastByZooVersion, type TZooVersioned } from './zoo-cache';
import { zooViewOffload } from './views-process';
import { zooViewSnapshots } from './zoo-view-snapshots';

/**
 * The landing page's numbers in SQL: the headline counts over every variant (model × input size) of the zoo, and
 * the "biggest wins" computed by lib/explorer/wins.ts on the entries of a bounded set of candidates that SQL picks.
 */

/** The landing page's chart: COCO, GFLOPs vs Box AP, 608 px. */
export const OVERVIEW_VIEW: TExplorerView = { ...DEFAULT_VIEW, dataset: 'coco', x: 'gflops', y: 'boxAp', sizes: [608] };

/** Everything the landing page shows, from one zoo version. */
export interface TOverview {
  chart: TExplorerViewData;
  head: THeadline;
  gflops: { wins: TWin[]; entries: TExplorerEntry[] };
  size: { wins: TWin[]; entries: TExplorerEntry[] };
  /** The wins on latency on the first device with latency (none when no device has any). */
  latency: Array<{ device: string; deviceLabel: string; wins: TWin[]; entries: TExplorerEntry[] }>;
}

/**
 * The landing page's data as one value (lib/zoo/zoo-cache.ts cachedOrLastByZooVersion): at 100,000 runs it takes
 * seconds after a write (docs/scale.md), so a reader then is given the last finished overview, marked stale, and the
 * page says from when it is, instead of waiting. A small zoo computes in under SLOW_COMPUTE_MS and is always waited for.
 * Kept in the database (lib/zoo/zoo-view-snapshots.ts): a restarted server answers at once.
 */
export function loadOverview(db: Db): Promise<TZooVersioned<TOverview>> {
  return cachedOrLastByZooVersion(db, 'overview', computeOverview, {
    store: zooViewSnapshots(db),
    offload: zooViewOffload({ kind: 'overview' }),
  });
}

/** The landing page's data as of the zoo's current version (uncached: loadOverview caches it). */
export async function computeOverview(db: Db): Promise<TOverview> {
  // The wins of all three axes in one query, once the headline names the first device with latency.
  const heading = overviewHeadline(db);
  const [chart, head, wins] = await Promise.all([
    explorerViewData(db, OVERVIEW_VIEW),
    heading,
    heading.then((h) => {
      const first = h.devices[0];
      return first
        ? overviewWinsOn(db, ['gflops', 'size', 'latency'], first.device).then(({ latency, ...w }) => ({
            ...w,
            latency: [{ ...first, ...latency }],
          }))
        : overviewWinsOn(db, ['gflops', 'size']).then((w) => ({ ...w, latency: [] }));
    }),
  ]);
  return { chart, head, ...wins };
}

/** lib/explorer/overview.ts headlineNumbers over every entry, counted in the database (same definitions). */
export function overviewHeadline(db: Db): Promise<THeadline> {
  return cachedByZooVersion(db, 'overview-headline', async () => {
    const [counts, datasets, devices] = await Promise.all([
      db.$queryRaw<Array<{ models: number; variants: number; measured: number }>>`
        WITH v AS (
          SELECT z."modelId", z."inputSize", bool_or(z.source = 'reported') AS published FROM (${zooRowsSql()}) AS z
          GROUP BY z."modelId", z."inputSize"
        ), m AS (SELECT "modelId", bool_or(NOT published) AS measured FROM v GROUP BY "modelId")
        SELECT (SELECT count(*)::int FROM m) AS models, (SELECT count(*)::int FROM v) AS variants,
               (SELECT count(*)::int FROM m WHERE measured) AS measured`,
      listExplorerDatasets(db),
      db.$queryRaw<Array<{ slug: string }>>`
        SELECT dv.slug FROM (${zooRowsSql()}) AS z
        JOIN "Measurement" x ON x."modelId" = z."modelId" AND x.metric = 'latency_ms' AND x."inputSize" = z."inputSize"
        JOIN "Device" dv ON dv.id = x."deviceId"
        GROUP BY dv.slug ORDER BY min(ARRAY[z."sectionPosition", z.position]), dv.slug`,
    ]);
    const rows = await db.device.findMany({ where: { slug: { in: devices.map((d) => d.slug) } } });
    const label = new Map(rows.map((d) => [d.slug, deviceName(d).label]));
    const { models, variants, measured } = counts[0];
    return {
      models,
      variants,
      datasets,
      devices: devices.map((d) => ({ device: d.slug, deviceLabel: label.get(d.slug) ?? d.slug })),
      publishedModels: models - measured,
      measuredModels: measured,
    };
  });
}

/** How many candidates SQL hands to lib/explorer/wins.ts per axis (the page shows 8). */
export const WIN_CANDIDATES = 300;

/** The biggest wins on one axis and the entries they refer to (lib/explorer/wins.ts). */
export type TAxisWins = { wins: TWin[]; entries: TExplorerEntry[] };

/** The wins per axis asked for (overviewWinsOn). */
export type TWinsByAxis<A extends TCostAxis> = Record<A, TAxisWins>;

/** The biggest wins on one axis (overviewWinsOn with that axis alone). */
export async function overviewWins(db: Db, axis: TCostAxis, device: string | null = null): Promise<TAxisWins> {
  return (await overviewWinsOn(db, [axis], device))[axis];
}

/**
 * The biggest wins on each of `axes`, and the entries they refer to. SQL ranks, per axis, every variant with a
 * declared baseline at the same input size by its cost cut on the stored numbers, among those losing at most 1 point
 * of the dataset's first metric, and keeps the best WIN_CANDIDATES; biggestWins then applies its exact rules (the
 * paired latency interval for measured latency, one row per model) to those and their baselines. The axes share one
 * query: the variants and their accuracy are read once for all of them (each axis alone read them again, about a
 * third of the overview's database time at 100,000 runs: docs/scale.md, "One query for the wins").
 */
export function overviewWinsOn<A extends TCostAxis>(db: Db, axes: readonly A[], device: string | null = null): Promise<TWinsByAxis<A>> {
  return cachedByZooVersion(db, `overview-wins:${axes.join(',')}:${device ?? ''}`, async () => {
    const datasets = await listExplorerDatasets(db);
    const kinds = await winAccuracyKinds(db, datasets);
    const candidates = await db.$queryRaw<TWinCandidate[]>(
      winCandidatesSql(
        datasets,
        kinds,
        axes.map((a) => COST_KIND_OF[a]),
        device,
      ),
    );
    // The entries of every axis's candidates and their baselines in one read (three reads at once contended for the
    // event loop: docs/scale.md, "What the browser is sent"), then each axis keeps its own (an entry does not depend on
    // the scope it was read in; zoo order is kept).
    const variants = new Map<string, { modelId: number; inputSize: number }>();
    for (const c of candidates) {
      variants.set(`${c.modelId}@${c.inputSize}`, { modelId: c.modelId, inputSize: c.inputSize });
      variants.set(`${c.baselineId}@${c.inputSize}`, { modelId: c.baselineId, inputSize: c.inputSize });
    }
    const all = variants.size > 0 ? await listExplorerEntries(db, { variants: [...variants.values()] }) : [];
    const out = {} as TWinsByAxis<A>;
    axes.forEach((axis, i) => {
      const keys = new Set(
        candidates.filter((c) => c.axis === i).flatMap((c) => [`${c.modelSlug}@${c.inputSize}`, `${c.baselineSlug}@${c.inputSize}`]),
      );
      const entries = all.filter((e) => keys.has(entryKey(e)));
      out[axis] = { wins: biggestWins(entries, { axis, device }), entries };
    });
    return out;
  });
}

/** A row of winCandidatesSql. */
export interface TWinCandidate {
  axis: number;
  modelId: number;
  baselineId: number;
  inputSize: number;
  modelSlug: string;
  baselineSlug: string;
}

/** Per dataset, the stored metric a win may lose at most 1 point of: its first metric ('' when it has none). */
export function winAccuracyKinds(db: Db, datasets: readonly string[]): Promise<string[]> {
  // Datasets without known metrics (registered ones) ask the database, all at once.
  return Promise.all(
    datasets.map(async (d) => {
      const first = DATASET_METRICS[d]?.[0] ?? (await datasetAxes(db, d)).metrics[0];
      return first ? METRIC_KIND_OF[first] : '';
    }),
  );
}

/**
 * The win candidates' query (see overviewWinsOn): columns axis (the index into `costKinds`), modelId, baselineId,
 * inputSize and the two models' slugs (TWinCandidate), at most WIN_CANDIDATES per axis, each axis's best first. Each
 * variant and its accuracy (the dataset's metric `kinds[i]` for `datasets[i]`) are looked up once (base), its cost
 * once per axis (pv); then a variant is paired with its baseline's row at the same input size and axis by a window
 * (one sort of pv; a self-join of pv was planned as a nested loop, rows estimated 1, and ran for minutes at 100,000
 * models).
 */
export function winCandidatesSql(
  datasets: string[],
  kinds: string[],
  costKinds: readonly TMetricKind[],
  device: string | null,
): Prisma.Sql {
  const costs = costKinds.map((kind, i) => {
    const c = Prisma.raw(`cost_${i}`);
    return {
      cte: Prisma.sql`${c} AS MATERIALIZED (${valueSql(kind, device)})`,
      pv: Prisma.sql`
        SELECT ${i}::int AS axis, b."modelId", b."inputSize", b."baselineId", c.value AS cost, b.acc
        FROM base b JOIN ${c} c ON ${valueOn('c', kind, 'b')}`,
    };
  });
  return Prisma.sql`
    WITH v AS MATERIALIZED (SELECT DISTINCT z."modelId", z."inputSize" FROM (${zooRowsSql()}) AS z),
    dk AS (SELECT * FROM unnest(${datasets}::text[], ${kinds}::text[]) AS t(slug, kind)),
    acc AS MATERIALIZED (
      SELECT DISTINCT ON (x."modelId", x."inputSize") x."modelId", x."inputSize", x.value
      FROM "Measurement" x JOIN "Model" mm ON mm.id = x."modelId" JOIN "Dataset" d ON d.id = mm."datasetId"
      JOIN dk ON dk.slug = d.slug AND x.metric::text = dk.kind
      WHERE x."datasetId" IS NULL OR x."datasetId" = mm."datasetId"
      ORDER BY x."modelId", x."inputSize", (x.provenance = 'reported') DESC, x."createdAt" DESC, x.id DESC
    ),
    base AS MATERIALIZED (
      SELECT v."modelId", v."inputSize", m."baselineId", a.value AS acc
      FROM v JOIN "Model" m ON m.id = v."modelId" JOIN acc a ON a."modelId" = v."modelId" AND a."inputSize" = v."inputSize"
    ),
    ${Prisma.join(
      costs.map((c) => c.cte),
      ', ',
    )},
    pv AS MATERIALIZED (${Prisma.join(
      costs.map((c) => c.pv),
      ' UNION ALL ',
    )}),
    -- Each variant once as itself (keyed by its own model) and once as a candidate (keyed by its baseline): the
    -- baseline's numbers reach its candidates through a window over (axis, key, input size), not a self-join of pv.
    roles AS (
      SELECT axis, "modelId" AS key, "inputSize", "modelId", cost, acc, true AS self FROM pv
      UNION ALL
      SELECT axis, "baselineId", "inputSize", "modelId", cost, acc, false FROM pv WHERE "baselineId" <> "modelId"
    ),
    paired AS (
      SELECT *, max(cost) FILTER (WHERE self) OVER w AS "baseCost", max(acc) FILTER (WHERE self) OVER w AS "baseAcc"
      FROM roles WINDOW w AS (PARTITION BY axis, key, "inputSize")
    ),
    ranked AS (
      SELECT axis, "modelId", key AS "baselineId", "inputSize",
             row_number() OVER (PARTITION BY axis
                                ORDER BY ("baseCost" - cost) / "baseCost" DESC, acc - "baseAcc" DESC, "modelId", "inputSize") AS rank
      FROM paired
      WHERE NOT self AND "baseCost" > 0 AND cost < "baseCost" AND acc - "baseAcc" >= -1 - 1e-9
    )
    SELECT r.axis, r."modelId", r."baselineId", r."inputSize", m.slug AS "modelSlug", b.slug AS "baselineSlug"
    FROM ranked r JOIN "Model" m ON m.id = r."modelId" JOIN "Model" b ON b.id = r."baselineId"
    WHERE r.rank <= ${WIN_CANDIDATES} ORDER BY r.axis, r.rank`;
}
