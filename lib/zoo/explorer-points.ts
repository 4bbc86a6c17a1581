import type { Db } from '../db/client';
import { Prisma } from '../generated/prisma/client';
import type { TCostAxis } from '../explorer/axes';
import type { TMethod, TMetricKey } from '../explorer/entry';
import { METRICS, type TMetricKind } from './metrics';
import { zooRowsSql } from './select-zoo-rows';
import { cachedByZooVersion, cachedOrLastByZooVersion } from './zoo-cache';

/**
 * The explorer's points in SQL, for views too big to send whole (lib/zoo/explorer-view-data.ts).
 *
 * A point is a VARIANT: one model at one input size (every zoo row of it, whatever its section), as
 * lib/explorer/from-zoo.ts merges rows into entries. Its value on an axis is the model's stored Measurement of that
 * metric (at that input size when the metric depends on it; on that device for latency; for accuracy, on the
 * model's own dataset), a reported number before a measured one, then the latest: the number the entry shows
 * when a model has one number per metric, which is the case for every published and measured model.
 *
 * Latency in SQL is the stored number: the published ms/image, or a measured run's p50. Points picked on the
 * latency axis are picked by that number whatever percentile the view shows.
 */

/** The explorer draws at most this many points; a bigger view is reduced (frontier, baselines, a sample). */
export const EXPLORER_POINT_BUDGET = 2000;

/** Explorer metric key -> the stored metric. */
export const METRIC_KIND_OF: Record<TMetricKey, TMetricKind> = {
  boxAp: 'box_ap',
  vocMap: 'voc_map',
  widerEasy: 'wider_easy',
  widerMedium: 'wider_medium',
  widerHard: 'wider_hard',
};

/** Explorer cost axis -> the stored metric (params and size do not depend on the input size). */
export const COST_KIND_OF: Record<TCostAxis, TMetricKind> = {
  gflops: 'gflops',
  params: 'params',
  size: 'model_size_mb',
  latency: 'latency_ms',
};

/** Datasets with at least one zoo row, in the order of their first row (section, position), as the explorer lists them. */
export function listExplorerDatasets(db: Db): Promise<string[]> {
  return cachedByZooVersion(db, 'explorer-datasets', async () => {
    const rows = await db.$queryRaw<Array<{ slug: string }>>`
      SELECT d.slug FROM (${zooRowsSql()}) AS z JOIN "Model" m ON m.id = z."modelId" JOIN "Dataset" d ON d.id = m."datasetId"
      GROUP BY d.slug ORDER BY min(ARRAY[z."sectionPosition", z.position]), d.slug`;
    return rows.map((r) => r.slug);
  });
}

/**
 * The explorer's datasets as last computed, for its not-found boundary (app/explorer/not-found.tsx). Next.js renders
 * that boundary with every explorer page, so a fresh list would hold the end of every first page after a write
 * while the list is recomputed (0.6 s at 100,000 runs: docs/scale.md, "The explorer's not-found boundary"). A
 * list of links on an error page may lag a write: once computed, the last list is given at once and the new one is
 * computed in the background (lib/zoo/zoo-cache.ts).
 */
export async function lastExplorerDatasets(db: Db): Promise<string[]> {
  const last = await cachedOrLastByZooVersion(db, 'explorer-datasets-last', listExplorerDatasets, { freshWaitMs: 0, slowComputeMs: 0 });
  return last.value;
}

/** How many variants (model × input size) a dataset has. */
export function countDatasetVariants(db: Db, dataset: string): Promise<number> {
  return cachedByZooVersion(db, `explorer-variants:${dataset}`, async () => {
    const rows = await db.$queryRaw<Array<{ n: number }>>`
      SELECT count(*)::int AS n FROM (
        SELECT DISTINCT z."modelId", z."inputSize" FROM (${zooRowsSql()}) AS z
        JOIN "Model" m ON m.id = z."modelId" JOIN "Dataset" d ON d.id = m."datasetId"
        WHERE d.slug = ${dataset}) AS v`;
    return rows[0].n;
  });
}

/**
 * What a dataset's points carry, for resolving a view's defaults without its entries: the accuracy metrics stored
 * for its models (explorer keys, in METRIC_KIND_OF order) and the latency devices, in the order of the first zoo row
 * that has one (lib/explorer/axes.ts devicesForDataset's first-seen order, up to ties inside a row).
 */
export function datasetAxes(db: Db, dataset: string): Promise<{ metrics: TMetricKey[]; devices: string[] }> {
  return cachedByZooVersion(db, `explorer-axes:${dataset}`, async () => {
    const [kinds, devices] = await Promise.all([
      db.$queryRaw<Array<{ kind: string }>>`
        SELECT DISTINCT x.metric::text AS kind FROM "Measurement" x JOIN "Model" m ON m.id = x."modelId"
        JOIN "Dataset" d ON d.id = m."datasetId"
        WHERE d.slug = ${dataset} AND x.metric::text = ANY(${Object.values(METRIC_KIND_OF)}::text[])
          AND (x."datasetId" IS NULL OR x."datasetId" = m."datasetId")`,
      db.$queryRaw<Array<{ slug: string }>>`
        SELECT dv.slug FROM (${zooRowsSql()}) AS z JOIN "Model" m ON m.id = z."modelId" JOIN "Dataset" d ON d.id = m."datasetId"
        JOIN "Measurement" x ON x."modelId" = z."modelId" AND x.metric = 'latency_ms' AND x."inputSize" = z."inputSize"
        JOIN "Device" dv ON dv.id = x."deviceId"
        WHERE d.slug = ${dataset}
        GROUP BY dv.slug ORDER BY min(ARRAY[z."sectionPosition", z.position]), dv.slug`,
    ]);
    const have = new Set(kinds.map((k) => k.kind));
    return {
      metrics: (Object.keys(METRIC_KIND_OF) as TMetricKey[]).filter((k) => have.has(METRIC_KIND_OF[k])),
      devices: devices.map((d) => d.slug),
    };
  });
}

/** A view's selection, resolved (every default filled in). */
export interface TPointSelection {
  dataset: string;
  x: TCostAxis;
  y: TMetricKey;
  /** Latency axis only. */
  device: string | null;
  sizes: number[] | null;
  methods: TMethod[] | null;
  source: 'all' | 'published' | 'measured';
}

/** How a reduced view was chosen: the view's variants, which of them can be drawn, and what was kept. */
export interface TExplorerReduction {
  budget: number;
  /** Variants of the dataset passing the view's filters. */
  inView: number;
  /** Of those, the ones with both the cost and the metric. */
  drawable: number;
  /** Frontier points kept (distinct (cost, accuracy) pairs: an exact duplicate of a frontier point is sampled or not). */
  frontier: number;
  /** Variants of baseline models kept (the declared baselines of the frontier first). */
  baselines: number;
  /** Drawable variants of baseline models. */
  baselinesInView: number;
  /** The rest, a uniform sample (by a hash of the variant, so the same view always shows the same sample). */
  sampled: number;
}

/** One stored number per variant (or per model, for metrics that do not depend on the input size). */
export function valueSql(kind: TMetricKind, deviceSlug: string | null): Prisma.Sql {
  const perSize = METRICS[kind].perInputSize;
  // One number per (model, input size), or per model (no size key: a bare 0 in ORDER BY would be a column position).
  const key = perSize ? Prisma.sql`x."modelId", x."inputSize"` : Prisma.sql`x."modelId"`;
  const device =
    kind === 'latency_ms' ? Prisma.sql`AND x."deviceId" = (SELECT id FROM "Device" WHERE slug = ${deviceSlug ?? ''})` : Prisma.empty;
  const dataset = METRICS[kind].isAccuracy
    ? Prisma.sql`AND (x."datasetId" IS NULL OR x."datasetId" = (SELECT "datasetId" FROM "Model" WHERE id = x."modelId"))`
    : Prisma.empty;
  return Prisma.sql`
    SELECT DISTINCT ON (${key}) x."modelId", ${perSize ? Prisma.sql`x."inputSize"` : Prisma.sql`NULL::int`} AS "inputSize",
           x.value
    FROM "Measurement" x
    WHERE x.metric = ${kind}::"MetricKind" ${device} ${dataset}
    ORDER BY ${key}, (x.provenance = 'reported') DESC, x."createdAt" DESC, x.id DESC`;
}

/** Join condition of a value table (valueSql) named `t` on the variant row `row` (its "modelId" and "inputSize"). */
export function valueOn(t: 'c' | 'a', kind: TMetricKind, row: 'v' | 'b' = 'v'): Prisma.Sql {
  const [tt, r] = [Prisma.raw(t), Prisma.raw(row)];
  return METRICS[kind].perInputSize
    ? Prisma.sql`${tt}."modelId" = ${r}."modelId" AND ${tt}."inputSize" = ${r}."inputSize"`
    : Prisma.sql`${tt}."modelId" = ${r}."modelId"`;
}

/**
 * The variants a reduced view shows, at most `budget`: the Pareto frontier of the view's drawable points (the
 * same rule as lib/explorer/frontier.ts on the stored values: sorted by cost, then accuracy descending, a point is
 * on it when it is more accurate than every cheaper point), the declared baselines of the frontier points (at the same
 * input size), other baselines' variants (at most a quarter of the budget), then a uniform sample of the rest.
 * The explorer then computes the frontier again on the entries it gets, with the "no win from noise" rule
 * (lib/explorer/intervals.ts), which SQL does not apply.
 */
export async function selectViewVariants(
  db: Db,
  sel: TPointSelection,
  budget = EXPLORER_POINT_BUDGET,
): Promise<{ variants: Array<{ modelId: number; inputSize: number }>; reduction: TExplorerReduction }> {
  const rows = await db.$queryRaw<
    Array<{ inView: number; modelId: number | null; inputSize: number | null; grp: number; drawable: number; baselinesInView: number }>
  >(viewVariantsSql(sel, budget));
  // Kept in that order: the frontier, the frontier's baselines, other baselines, the rest; inside a group by a hash
  // of the variant (a uniform sample, the same for the same view).
  const kept = rows.filter((r): r is typeof r & { modelId: number; inputSize: number } => r.modelId !== null && r.inputSize !== null);
  const count = (grps: number[]) => kept.filter((r) => grps.includes(r.grp)).length;
  return {
    variants: kept.map((r) => ({ modelId: r.modelId, inputSize: r.inputSize })),
    reduction: {
      budget,
      inView: rows[0]?.inView ?? 0,
      drawable: kept[0]?.drawable ?? 0,
      frontier: count([0]),
      baselines: count([1, 2]),
      baselinesInView: kept[0]?.baselinesInView ?? 0,
      sampled: count([3]),
    },
  };
}

/** selectViewVariants' query: one row per kept variant (group, counts), or one row of counts when none is drawable. */
export function viewVariantsSql(sel: TPointSelection, budget: number): Prisma.Sql {
  const costKind = COST_KIND_OF[sel.x];
  const accKind = METRIC_KIND_OF[sel.y];
  // Baselines no frontier point names take at most a quarter of the budget; the ones past it join the sample.
  const otherBaselinesCap = Math.floor(budget / 4);
  const filters: Prisma.Sql[] = [Prisma.sql`d.slug = ${sel.dataset}`];
  if (sel.sizes) filters.push(Prisma.sql`z."inputSize" = ANY(${sel.sizes}::int[])`);
  if (sel.methods) filters.push(Prisma.sql`m.method::text = ANY(${sel.methods}::text[])`);
  const source =
    sel.source === 'published' ? Prisma.sql`WHERE published` : sel.source === 'measured' ? Prisma.sql`WHERE NOT published` : Prisma.empty;
  return Prisma.sql`
    WITH v0 AS (
      SELECT z."modelId", z."inputSize", bool_or(z.source = 'reported') AS published
      FROM (${zooRowsSql()}) AS z JOIN "Model" m ON m.id = z."modelId" JOIN "Dataset" d ON d.id = m."datasetId"
      WHERE ${Prisma.join(filters, ' AND ')}
      GROUP BY z."modelId", z."inputSize"
    ), v AS (SELECT * FROM v0 ${source}),
    cost AS (${valueSql(costKind, sel.device)}),
    acc AS (${valueSql(accKind, null)}),
    pts AS (
      SELECT v."modelId", v."inputSize", c.value AS cost, a.value AS acc, m."baselineId"
      FROM v JOIN "Model" m ON m.id = v."modelId"
      JOIN cost c ON ${valueOn('c', costKind)}
      JOIN acc a ON ${valueOn('a', accKind)}
      WHERE c.value > 0
    ),
    marked AS (
      SELECT *, (best IS NULL OR acc > best) AS frontier FROM (
        SELECT *, max(acc) OVER (ORDER BY cost, acc DESC, "modelId", "inputSize" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS best
        FROM pts) AS r
    ),
    bases AS (SELECT DISTINCT k."baselineId" AS id FROM "Model" k WHERE k."baselineId" IS NOT NULL AND k."baselineId" <> k.id),
    fb AS (SELECT DISTINCT "baselineId", "inputSize" FROM marked WHERE frontier AND "baselineId" IS NOT NULL),
    grouped AS (
      SELECT p."modelId", p."inputSize", (b.id IS NOT NULL) AS baseline,
             CASE WHEN p.frontier THEN 0 WHEN fb."baselineId" IS NOT NULL THEN 1 WHEN b.id IS NOT NULL THEN 2 ELSE 3 END AS grp,
             md5(p."modelId"::text || '@' || p."inputSize"::text) AS hash
      FROM marked p LEFT JOIN bases b ON b.id = p."modelId"
      LEFT JOIN fb ON fb."baselineId" = p."modelId" AND fb."inputSize" = p."inputSize"
    ),
    ranked AS (SELECT *, row_number() OVER (PARTITION BY grp ORDER BY hash, "modelId", "inputSize") AS rn FROM grouped)
    SELECT c.n AS "inView", g."modelId", g."inputSize", g.grp, g.drawable, g."baselinesInView"
    FROM (SELECT count(*)::int AS n FROM v) AS c
    LEFT JOIN LATERAL (
      SELECT "modelId", "inputSize", grp, (count(*) OVER ())::int AS drawable,
             (count(*) FILTER (WHERE baseline) OVER ())::int AS "baselinesInView"
      FROM ranked
      ORDER BY CASE WHEN grp = 2 AND rn > ${otherBaselinesCap} THEN 3 ELSE grp END, hash, "modelId", "inputSize"
      LIMIT ${budget}) AS g ON true`;
}
