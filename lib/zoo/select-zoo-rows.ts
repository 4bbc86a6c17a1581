import type { Db } from '../db/client';
import { Prisma } from '../generated/prisma/client';
import { COCO_DETAIL_COLUMNS } from './columns';
import { METRICS, metricOfColumn } from './metrics';
import type { TZooQuery } from './query';

/**
 * Which zoo rows a query selects, in display order, computed in PostgreSQL (filters, search, sort, pages): the
 * keys of the rows only (section, position, model, input size). lib/zoo/list-zoo-rows.ts builds full rows
 * (TZooRow) for one page of keys, so the work per request is bounded by the page size, not by the zoo.
 *
 * A zoo row is either a stored ZooEntry (published tables, the demo zoo) or a row of a registered run that no
 * stored section lists: one section per dataset, `runs-<dataset slug>`, one row per input size the run asked
 * for (ZRunMetadata.inputSizes), ordered by family, baseline group (the baseline first), then run age. Run rows are
 * kept in RunZooRow by the database's triggers (prisma/migrations/20261207150000_run_zoo_rows), indexed in that order.
 *
 * Sort values follow lib/zoo/columns.ts `sortValue`: rows without a value last in both directions, ties in
 * source order. Text compares with the database's collation (the in-memory sort used localeCompare).
 * Indexes: prisma/migrations/20261204173000_zoo_indexes and RunZooRow_display_order_idx.
 */

/** place_run of stored rows (the nil UUID). */
const NO_RUN = '00000000-0000-0000-0000-000000000000';

/** A run section's dataset, looked up before the query (sectionMatchingSql). */
export interface RunSectionDataset {
  id: number;
  slug: string;
  /** RUN_SECTION_POSITION + the dataset's index by slug. */
  sectionPosition: number;
  /**
   * Only the rows after this run row's place (ZooRowPlace['place']) in source order: a cursor's next page without a
   * sort. Their positions start from a count of the rows up to it (an index-only count) instead of numbering every
   * row before it (230 ms for a page 200,000 rows deep, against tens of ms).
   */
  after?: ZooRowPlace['place'];
  /**
   * At most this many rows (from the start, or after `after`) can reach the page: set when nothing but the section
   * filters and nothing sorts. The rows are then read in a subquery with that LIMIT, so PostgreSQL plans it as an index
   * scan that stops. Without it, it plans the numbering for every row (a query with ORDER BY above a subquery plans
   * the subquery for full retrieval), and chose a sort of all 300,000 rows whenever the index's order was far from
   * the table's (500 ms instead of 2 ms for a page).
   */
  rowsNeeded?: number;
}

/** A run section's display order: RunZooRow_display_order_idx after its dataset (rows aliased `x`). */
const RUN_DISPLAY_ORDER = Prisma.raw('x.family, x."groupSlug", x.variant, x."createdMs", x."runId", x.ord');

/**
 * Each dataset's index by slug (`idx`, from 0), computed once per dataset: a run section's position is
 * RUN_SECTION_POSITION + idx (a subquery per row cost 0.7 s at 300,000 run rows).
 */
const DATASET_INDEX_SQL = Prisma.sql`(SELECT id, slug, (row_number() OVER (ORDER BY slug COLLATE "C") - 1)::int AS idx FROM "Dataset")`;

/** Slug prefix of the sections built from registered runs. */
export const RUN_SECTION_PREFIX = 'runs-';
/** Positions of run sections: after every stored section (plus the dataset's index by slug). */
export const RUN_SECTION_POSITION = 100_000;

export interface ZooRowKey {
  sectionSlug: string;
  sectionPosition: number;
  position: number;
  modelId: number;
  inputSize: number;
}

/** Ids that the alias-aware filters resolve to (small tables, read in JS: lib/zoo/query.ts matching rules). */
export interface ZooFilterIds {
  backboneIds?: number[];
  datasetIds?: number[];
  strategyIds?: number[];
  /** `strategy=baseline` also asked for: models without a strategy. */
  strategyBaseline?: boolean;
}

const norm = (s: string) => s.trim().toLowerCase();

/** Resolve backbone/dataset/strategy filters (slug, name or alias, case-insensitive) to ids. */
export async function resolveFilterIds(db: Db, q: TZooQuery): Promise<ZooFilterIds> {
  const matches = (wanted: string[], cands: Array<string | null>) =>
    wanted.some((w) => cands.some((c) => c !== null && norm(c) === norm(w)));
  const out: ZooFilterIds = {};
  if (q.backbone?.length) {
    const all = await db.backbone.findMany({ select: { id: true, slug: true, name: true, aliases: true } });
    out.backboneIds = all.filter((b) => matches(q.backbone!, [b.slug, b.name, ...b.aliases])).map((b) => b.id);
  }
  if (q.dataset?.length) {
    const all = await db.dataset.findMany({ select: { id: true, slug: true, name: true, aliases: true } });
    out.datasetIds = all.filter((d) => matches(q.dataset!, [d.slug, d.name, ...d.aliases])).map((d) => d.id);
  }
  if (q.strategy?.length) {
    const all = await db.strategy.findMany({ select: { id: true, slug: true } });
    out.strategyIds = all.filter((s) => matches(q.strategy!, [s.slug])).map((s) => s.id);
    out.strategyBaseline = q.strategy.some((s) => norm(s) === 'baseline');
  }
  return out;
}

/**
 * Every row (stored entries and run rows; only these sections' when given) with the section's provenance and
 * source: columns sectionSlug, sectionPosition, source, sourceId, position, modelId, inputSize, and the row's place
 * in its section as values that do not change when other rows come or go (ZOO_PLACE_COLUMNS: a cursor resumes
 * after them). Within a section, ordering by the place columns is ordering by `position`: a stored row's place is
 * ('', '', 0, 0, position, NO_RUN, 0); a run row's is what its `position` (a row_number computed at read time over
 * RunZooRow's display-order index) ranks by: (family, baseline group, baseline first, run creation in ms, 0, run id,
 * the input size's index in the run). Queries order a section by the place columns, not by `position`: PostgreSQL
 * cannot tell that a row_number follows its window's order, so ordering by it would number and sort every run row.
 */
export function zooRowsSql(sections?: string[], storedSectionId?: number | null, runDataset?: RunSectionDataset): Prisma.Sql {
  // A known section id lets PostgreSQL read that section in ("sectionId", position) index order and stop at the page.
  const storedWhere =
    storedSectionId !== undefined
      ? Prisma.sql`WHERE e."sectionId" = ${storedSectionId ?? -1}::int`
      : sections
        ? Prisma.sql`WHERE s.slug = ANY(${sections}::text[])`
        : Prisma.empty;
  const runDatasets = sections?.filter((s) => s.startsWith(RUN_SECTION_PREFIX)).map((s) => s.slice(RUN_SECTION_PREFIX.length));
  const runWhere = runDatasets
    ? Prisma.sql`WHERE x."datasetId" = ANY(ARRAY(SELECT id FROM "Dataset" WHERE slug = ANY(${runDatasets}::text[])))`
    : Prisma.empty;
  // RunZooRow holds the run sections' rows (written by the database: prisma/migrations/20261207150000_run_zoo_rows);
  // its display-order index gives the window its order, so a page in that order reads its rows and stops.
  const runs = runDataset
    ? // One run section: its dataset a constant, so that PostgreSQL knows the index order is the section's order (with
      // a dataset id from a subquery, or the dataset's slug from a join, it sorted all 300,000 rows for a page).
      Prisma.sql`
    SELECT ${RUN_SECTION_PREFIX + runDataset.slug}::text, ${runDataset.sectionPosition}::int, 'measured'::text, NULL::int,
           ${runDataset.after ? Prisma.sql`${runRowsUpTo(runDataset.id, runDataset.after)} +` : Prisma.empty}
             row_number() OVER (ORDER BY ${RUN_DISPLAY_ORDER})::int,
           x."modelId", x."inputSize", x.family, x."groupSlug", x.variant, x."createdMs", 0, x."runId", x.ord
    FROM (SELECT * FROM "RunZooRow" x WHERE x."datasetId" = ${runDataset.id}::int
            ${runDataset.after ? Prisma.sql`AND ${RUN_PLACE} > ${runPlaceSql(runDataset.after)}` : Prisma.empty}
          ORDER BY ${RUN_DISPLAY_ORDER}
          ${runDataset.rowsNeeded !== undefined ? Prisma.sql`LIMIT ${runDataset.rowsNeeded}` : Prisma.empty}) x`
    : Prisma.sql`
    SELECT ${RUN_SECTION_PREFIX} || d.slug, ${RUN_SECTION_POSITION}::int + d.idx,
           'measured'::text, NULL::int, rz.position, rz."modelId", rz."inputSize",
           rz.family, rz."groupSlug", rz.variant, rz."createdMs", 0, rz."runId", rz.ord
    FROM (SELECT x.*, row_number() OVER (PARTITION BY x."datasetId" ORDER BY ${RUN_DISPLAY_ORDER})::int AS position
          FROM "RunZooRow" x ${runWhere}) rz
    JOIN ${DATASET_INDEX_SQL} d ON d.id = rz."datasetId"`;
  const stored = Prisma.sql`
    SELECT s.slug AS "sectionSlug", s.position AS "sectionPosition", s.provenance::text AS source, s."sourceId" AS "sourceId",
           e.position AS position, e."modelId" AS "modelId", e."inputSize" AS "inputSize",
           ''::text AS place_family, ''::text AS place_group, 0 AS place_variant, 0::double precision AS place_created_ms,
           e.position AS place_seq, ${NO_RUN}::uuid AS place_run, 0::int AS place_ord
    FROM "ZooEntry" e JOIN "ZooSection" s ON s.id = e."sectionId"
    ${storedWhere}`;
  if (runDatasets && runDatasets.length === 0) return stored;
  // Only run sections asked for: the stored rows' branch would add nothing.
  if (runDatasets && runDatasets.length === sections!.length) return withColumnNames(runs);
  return Prisma.sql`${stored} UNION ALL ${runs}`;
}

/**
 * Every zoo row's model, input size and source ('reported' or 'measured'), without sections or positions: the facets'
 * rows. The same rows as zooRowsSql(), read without numbering the run rows or joining their datasets.
 */
export function zooRowSourcesSql(): Prisma.Sql {
  return Prisma.sql`
    SELECT e."modelId", e."inputSize", s.provenance::text AS source FROM "ZooEntry" e JOIN "ZooSection" s ON s.id = e."sectionId"
    UNION ALL
    SELECT x."modelId", x."inputSize", 'measured'::text FROM "RunZooRow" x`;
}

/** A run row's place in its section, as a row value: (family, baseline group, variant, created ms, run id, ord). */
const RUN_PLACE = Prisma.sql`(${RUN_DISPLAY_ORDER})`;

/** A cursor's place as a RUN_PLACE value (a run row's place_seq is always 0 and is left out). */
function runPlaceSql(p: ZooRowPlace['place']): Prisma.Sql {
  return Prisma.sql`(${p[0]}::text, ${p[1]}::text, ${p[2]}::int, ${p[3]}::double precision, ${p[5]}::uuid, ${p[6]}::int)`;
}

/** How many rows of a run section come up to and with `p` (a row comparison on the display-order index). */
function runRowsUpTo(datasetId: number, p: ZooRowPlace['place']): Prisma.Sql {
  return Prisma.sql`(
    SELECT count(*) FROM "RunZooRow" x WHERE x."datasetId" = ${datasetId}::int AND ${RUN_PLACE} <= ${runPlaceSql(p)})::int`;
}

/** The run rows' SELECT with zooRowsSql's column names (they come from the stored branch when both are present). */
function withColumnNames(runs: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT * FROM (${runs}) AS run_rows ("sectionSlug", "sectionPosition", source, "sourceId", position, "modelId", "inputSize",
      place_family, place_group, place_variant, place_created_ms, place_seq, place_run, place_ord)`;
}

/** The submitter of a measured row's run (ZRunInfo.submitter), lower-cased; null for published rows. */
const SUBMITTER_SQL = Prisma.sql`(
  SELECT lower(CASE WHEN EXISTS (SELECT 1 FROM "DemoZooRun" z WHERE z."runId" = run.id) THEN 'demo zoo' ELSE run.owner END)
  FROM "RegisteredRun" run
  WHERE run."modelId" = z_rows."modelId" AND z_rows.source = 'measured')`;

/** `%` and `_` in a search text match themselves. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function whereSql(q: TZooQuery, ids: ZooFilterIds): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (ids.backboneIds) parts.push(Prisma.sql`m."backboneId" = ANY(${ids.backboneIds}::int[])`);
  if (ids.datasetIds) parts.push(Prisma.sql`m."datasetId" = ANY(${ids.datasetIds}::int[])`);
  if (ids.strategyIds) {
    parts.push(
      ids.strategyBaseline
        ? Prisma.sql`(m."strategyId" = ANY(${ids.strategyIds}::int[]) OR m."strategyId" IS NULL)`
        : Prisma.sql`m."strategyId" = ANY(${ids.strategyIds}::int[])`,
    );
  }
  // Compared as the enum (ZZooQuery allows only its values): `m.method::text` hid the column's statistics, and at
  // 205,000 models PostgreSQL took a third of them for a few hundred and read every match before the page (140 ms).
  if (q.method?.length) parts.push(Prisma.sql`m.method = ANY(${q.method}::"Method"[])`);
  if (q.inputSize?.length) parts.push(Prisma.sql`z_rows."inputSize" = ANY(${q.inputSize}::int[])`);
  if (q.source?.length) parts.push(Prisma.sql`z_rows.source = ANY(${q.source}::text[])`);
  if (q.section?.length) parts.push(Prisma.sql`lower(z_rows."sectionSlug") = ANY(${q.section.map(norm)}::text[])`);
  if (q.submitter?.length) parts.push(Prisma.sql`${SUBMITTER_SQL} = ANY(${q.submitter.map(norm)}::text[])`);
  if (q.q) {
    const p = likePattern(q.q.trim());
    parts.push(Prisma.sql`(m.name ILIKE ${p} OR m.slug ILIKE ${p} OR m.family ILIKE ${p})`);
  }
  return parts.length ? Prisma.sql`WHERE ${Prisma.join(parts, ' AND ')}` : Prisma.empty;
}

/** [numeric sort value, text sort value] of the query's sort column (both NULL without `sort`), and which one it is. */
function sortSql(sort: string | undefined): { num: Prisma.Sql; text: Prisma.Sql; kind: 'num' | 'text' | null } {
  const none = { num: Prisma.sql`NULL::double precision`, text: Prisma.sql`NULL::text`, kind: null };
  const text = (t: Prisma.Sql) => ({ num: none.num, text: t, kind: 'text' as const });
  const num = (n: Prisma.Sql) => ({ num: n, text: none.text, kind: 'num' as const });
  switch (sort) {
    case undefined:
      return none;
    case 'model':
      return text(Prisma.sql`m.name`);
    case 'backbone':
      return text(Prisma.sql`(SELECT name FROM "Backbone" WHERE id = m."backboneId")`);
    case 'dataset':
      return text(Prisma.sql`(SELECT name FROM "Dataset" WHERE id = m."datasetId")`);
    case 'pretraining':
      return text(Prisma.sql`(SELECT name FROM "Pretraining" WHERE id = m."pretrainingId")`);
    case 'method':
      return text(Prisma.sql`m.method::text`);
    case 'strategy':
      return text(Prisma.sql`coalesce((SELECT slug FROM "Strategy" WHERE id = m."strategyId"), 'baseline')`);
    case 'inputSize':
      return num(Prisma.sql`z_rows."inputSize"::double precision`);
    case 'teacher':
      return text(Prisma.sql`(SELECT name FROM "Model" WHERE id = m."teacherId")`);
    case 'download':
      return text(Prisma.sql`(SELECT a."fileName" FROM "Artifact" a WHERE a."modelId" = m.id
                              ORDER BY (a.url IS NULL), (a.sha256 IS NULL), a.id LIMIT 1)`);
  }
  const detail = COCO_DETAIL_COLUMNS.find((c) => c.id === sort);
  if (detail) {
    const key = { ap50: 'AP50', ap75: 'AP75', apSmall: 'APs', apMedium: 'APm', apLarge: 'APl' }[detail.key];
    return num(Prisma.sql`(
      SELECT CASE WHEN jsonb_typeof(mr.metrics -> 'metrics' -> ${key}) = 'number' AND (mr.metrics -> 'metrics' ->>
        ${key})::double precision >= 0
                  THEN (mr.metrics -> 'metrics' ->> ${key})::double precision * 100 END
      FROM "MeasuredResult" mr JOIN "RegisteredRun" rr ON rr.id = mr."runId"
      WHERE z_rows.source = 'measured' AND rr."modelId" = m.id AND mr.kind = 'evaluate' AND mr."inputSize" = z_rows."inputSize"
        AND (mr.metrics -> 'metrics') ? 'AP50'
      ORDER BY mr."measuredAt" DESC LIMIT 1)`);
  }
  const metric = metricOfColumn(sort);
  if (!metric) return none;
  const info = METRICS[metric.kind];
  const size = info.perInputSize ? Prisma.sql`x."inputSize" = z_rows."inputSize"` : Prisma.sql`x."inputSize" IS NULL`;
  const device =
    metric.kind === 'latency_ms'
      ? Prisma.sql`AND x."deviceId" = (SELECT id FROM "Device" WHERE slug = ${metric.deviceSlug})`
      : Prisma.empty;
  const dataset = info.isAccuracy ? Prisma.sql`AND (x."datasetId" IS NULL OR x."datasetId" = m."datasetId")` : Prisma.empty;
  return num(Prisma.sql`(
    SELECT x.value FROM "Measurement" x
    WHERE x."modelId" = m.id AND x.metric = ${metric.kind}::"MetricKind" AND ${size} ${device} ${dataset}
      AND x.provenance::text = z_rows.source AND (z_rows.source = 'measured' OR x."sourceId" = z_rows."sourceId")
    ORDER BY x."createdAt" DESC, x.id DESC LIMIT 1)`);
}

/** Rows matching the query, with their sort values (`sort_num`, `sort_text`). */
function matchingSql(
  q: TZooQuery,
  ids: ZooFilterIds,
  sections?: string[],
  storedSectionId?: number | null,
  runDataset?: RunSectionDataset,
): Prisma.Sql {
  const s = sortSql(q.sort);
  return Prisma.sql`
    SELECT z_rows."sectionSlug", z_rows."sectionPosition", z_rows.position, z_rows."modelId", z_rows."inputSize",
           z_rows.source, z_rows."sourceId", ${s.num} AS sort_num, ${s.text} AS sort_text,
           z_rows.place_family, z_rows.place_group, z_rows.place_variant, z_rows.place_created_ms, z_rows.place_seq,
           z_rows.place_run, z_rows.place_ord
    FROM (${zooRowsSql(sections, storedSectionId, runDataset)}) AS z_rows
    -- Every row has its model (foreign keys), so LEFT JOIN selects what JOIN would; on the primary key, PostgreSQL
    -- drops it when nothing reads m (counts without filters: 300,000 fewer lookups).
    LEFT JOIN "Model" m ON m.id = z_rows."modelId"
    ${whereSql(q, ids)}`;
}

/** Source order within a section (the place columns: see zooRowsSql; a stored section's reduce to `position`). */
const PLACE_ORDER = Prisma.raw('place_family, place_group, place_variant, place_created_ms, place_seq, place_run, place_ord');

/**
 * The same order within one section of a known kind, by exactly the columns its index holds: a stored section's rows
 * by `place_seq` (the others are constants), a run section's without `place_seq` (0 for every run row). A constant
 * among the ORDER BY columns is not seen as one through the run rows' window, and PostgreSQL then weighed an
 * incremental sort on top of the index against a sort of every row, and at times chose the latter (526 ms for a
 * page of a 300,000-row run section, instead of 2 ms).
 */
const STORED_PLACE_ORDER = Prisma.raw('place_seq');
const RUN_PLACE_ORDER = Prisma.raw('place_family, place_group, place_variant, place_created_ms, place_run, place_ord');

function orderSql(q: TZooQuery, placeOrder: Prisma.Sql = PLACE_ORDER): Prisma.Sql {
  // Source order alone lets PostgreSQL read a section's rows in index order ("ZooEntry"(sectionId, position), or
  // RunZooRow's display order) and stop.
  if (!q.sort) return placeOrder;
  const desc = q.dir === 'desc';
  return Prisma.sql`
    CASE WHEN ${desc} THEN NULL ELSE sort_num END ASC NULLS LAST, CASE WHEN ${desc} THEN sort_num END DESC NULLS LAST,
    CASE WHEN ${desc} THEN NULL ELSE sort_text END ASC NULLS LAST, CASE WHEN ${desc} THEN sort_text END DESC NULLS LAST,
    ${placeOrder}`;
}

/** One page of matching rows across sections (sections in order, sorted inside each), for GET /api/zoo and exports. */
export async function selectZooRowKeys(
  db: Db,
  q: TZooQuery,
  ids: ZooFilterIds,
  page: { offset: number; limit: number },
): Promise<ZooRowKey[]> {
  return db.$queryRaw<ZooRowKey[]>`
    SELECT "sectionSlug", "sectionPosition", position, "modelId", "inputSize" FROM (${matchingSql(q, ids)}) AS matching
    ORDER BY "sectionPosition", ${orderSql(q)}
    LIMIT ${page.limit} OFFSET ${page.offset}`;
}

/**
 * Every matching row's key, packed: one entry per section that has a match (sections in order), holding one int
 * array per key column in the query's row order (selectZooRowKeys's order). A streamed export of 300,000 rows holds
 * three arrays of small integers instead of 300,000 key objects (about 7 MB instead of well over 100 MB while the
 * rows come in). The three aggregates share one ORDER BY, so PostgreSQL sorts each section once.
 */
export interface ZooSectionKeys {
  sectionSlug: string;
  sectionPosition: number;
  positions: number[];
  modelIds: number[];
  inputSizes: number[];
}

export function selectPackedZooRowKeys(db: Db, q: TZooQuery, ids: ZooFilterIds): Promise<ZooSectionKeys[]> {
  const order = orderSql(q);
  return db.$queryRaw<ZooSectionKeys[]>`
    SELECT "sectionSlug", "sectionPosition", array_agg(position ORDER BY ${order}) AS positions,
           array_agg("modelId" ORDER BY ${order}) AS "modelIds", array_agg("inputSize" ORDER BY ${order}) AS "inputSizes"
    FROM (${matchingSql(q, ids)}) AS matching
    GROUP BY "sectionSlug", "sectionPosition"
    ORDER BY "sectionPosition"`;
}

/** The keys of rows [from, to) of one packed section. */
export function unpackZooRowKeys(s: ZooSectionKeys, from: number, to: number): ZooRowKey[] {
  const keys: ZooRowKey[] = [];
  for (let i = from; i < Math.min(to, s.modelIds.length); i++)
    keys.push({
      sectionSlug: s.sectionSlug,
      sectionPosition: s.sectionPosition,
      position: s.positions[i],
      modelId: s.modelIds[i],
      inputSize: s.inputSizes[i],
    });
  return keys;
}

/**
 * matchingSql for one section, with a stored section's id or a run section's dataset looked up first (so that
 * PostgreSQL reads that section in index order), and the section's order by its index's columns (see RUN_PLACE_ORDER).
 */
async function sectionMatchingSql(
  db: Db,
  q: TZooQuery,
  ids: ZooFilterIds,
  section: string,
  rows: { after?: ZooRowPlace['place']; needed: number },
): Promise<{ sql: Prisma.Sql; order: Prisma.Sql }> {
  const stored = await db.zooSection.findUnique({ where: { slug: section }, select: { id: true } });
  if (stored || !section.startsWith(RUN_SECTION_PREFIX)) {
    return { sql: matchingSql(q, ids, [section], stored?.id ?? null), order: orderSql(q, STORED_PLACE_ORDER) };
  }
  const slug = section.slice(RUN_SECTION_PREFIX.length);
  const [dataset] = await db.$queryRaw<Array<{ id: number; idx: number }>>`SELECT id, idx FROM ${DATASET_INDEX_SQL} d WHERE slug = ${slug}`;
  // Nothing but the section filters and nothing sorts: the first `needed` rows in display order are the page's.
  const bounded = !q.sort && whereSql({ ...q, section: undefined }, ids) === Prisma.empty;
  const after = q.sort ? undefined : rows.after;
  const runDataset = dataset
    ? {
        id: dataset.id,
        slug,
        sectionPosition: RUN_SECTION_POSITION + dataset.idx,
        after,
        rowsNeeded: bounded ? rows.needed : undefined,
      }
    : undefined;
  return { sql: matchingSql(q, ids, [section], null, runDataset), order: orderSql(q, RUN_PLACE_ORDER) };
}

/** One page of one section's matching rows (the zoo page shows a page per section). */
export async function selectSectionPage(
  db: Db,
  q: TZooQuery,
  ids: ZooFilterIds,
  section: string,
  page: { offset: number; limit: number },
): Promise<ZooRowKey[]> {
  const matching = await sectionMatchingSql(db, q, ids, section, { needed: page.offset + page.limit });
  return db.$queryRaw<ZooRowKey[]>`
    SELECT "sectionSlug", "sectionPosition", position, "modelId", "inputSize"
    FROM (${matching.sql}) AS matching
    ORDER BY ${matching.order}
    LIMIT ${page.limit} OFFSET ${page.offset}`;
}

/**
 * Where a row is in its section, as a cursor keeps it (lib/zoo/zoo-cursor.ts): its sort value (null without `sort`,
 * or when the row has none) and its place (zooRowsSql's place columns, in that order).
 */
export interface ZooRowPlace {
  sectionSlug: string;
  sectionPosition: number;
  sortValue: number | string | null;
  place: [family: string, group: string, variant: number, createdMs: number, seq: number, run: string, ord: number];
}

/** The place columns, in order, each with the type its cursor value is compared as. */
const ZOO_PLACE_COLUMNS = [
  ['place_family', 'text'],
  ['place_group', 'text'],
  ['place_variant', 'int'],
  ['place_created_ms', 'double precision'],
  ['place_seq', 'int'],
  ['place_run', 'uuid'],
  ['place_ord', 'int'],
] as const;

/**
 * `place > after` lexicographically, spelled out (c1 > v1 OR (c1 = v1 AND (c2 > v2 OR ...))) rather than as a row
 * comparison: on a stored section the run columns are constants, PostgreSQL folds their terms away and what is left,
 * `place_seq > v`, is an index condition on ("sectionId", position).
 */
function placeAfterSql(after: ZooRowPlace['place'], i = 0): Prisma.Sql {
  const [column, type] = ZOO_PLACE_COLUMNS[i];
  const col = Prisma.raw(column);
  const value = Prisma.sql`${after[i]}::${Prisma.raw(type)}`;
  if (i === ZOO_PLACE_COLUMNS.length - 1) return Prisma.sql`${col} > ${value}`;
  return Prisma.sql`(${col} > ${value} OR (${col} = ${value} AND ${placeAfterSql(after, i + 1)}))`;
}

/**
 * The rows after `after` in the query's order within a section (orderSql: the sort value, rows without one last in
 * both directions, then the place). Without a sort, the place alone.
 */
function rowsAfterSql(q: TZooQuery, after: ZooRowPlace): Prisma.Sql {
  const placeAfter = placeAfterSql(after.place);
  const kind = sortSql(q.sort).kind;
  if (kind === null) return placeAfter;
  const column = Prisma.raw(kind === 'num' ? 'sort_num' : 'sort_text');
  const v = after.sortValue;
  // The cursor's row had no sort value: only rows without one follow it, in place order.
  if (v === null) return Prisma.sql`(${column} IS NULL AND ${placeAfter})`;
  const value = kind === 'num' ? Prisma.sql`${Number(v)}::double precision` : Prisma.sql`${String(v)}::text`;
  const beyond = q.dir === 'desc' ? Prisma.sql`${column} < ${value}` : Prisma.sql`${column} > ${value}`;
  return Prisma.sql`(${beyond} OR ${column} IS NULL OR (${column} = ${value} AND ${placeAfter}))`;
}

type ZooRowKeyWithPlace = ZooRowKey & {
  sort_num: number | null;
  sort_text: string | null;
  place_family: string;
  place_group: string;
  place_variant: number;
  place_created_ms: number;
  place_seq: number;
  place_run: string;
  place_ord: number;
};

/**
 * Up to `limit` of one section's matching rows after `after` (from its first row when null), in the query's order,
 * each with its place: GET /api/zoo's pages, which a cursor continues where the last one ended whatever rows were
 * added or removed before it meanwhile.
 */
export async function selectSectionRowsAfter(
  db: Db,
  q: TZooQuery,
  ids: ZooFilterIds,
  section: string,
  after: ZooRowPlace | null,
  limit: number,
): Promise<Array<{ key: ZooRowKey; place: ZooRowPlace }>> {
  const matching = await sectionMatchingSql(db, q, ids, section, { after: after?.place, needed: limit });
  const rows = await db.$queryRaw<ZooRowKeyWithPlace[]>`
    SELECT * FROM (${matching.sql}) AS matching
    ${after ? Prisma.sql`WHERE ${rowsAfterSql(q, after)}` : Prisma.empty}
    ORDER BY ${matching.order}
    LIMIT ${limit}`;
  return rows.map((r) => ({
    key: {
      sectionSlug: r.sectionSlug,
      sectionPosition: r.sectionPosition,
      position: r.position,
      modelId: r.modelId,
      inputSize: r.inputSize,
    },
    place: {
      sectionSlug: r.sectionSlug,
      sectionPosition: r.sectionPosition,
      sortValue: r.sort_num ?? r.sort_text,
      place: [r.place_family, r.place_group, r.place_variant, r.place_created_ms, r.place_seq, r.place_run, r.place_ord],
    },
  }));
}

/** How many rows match, per section (sections without a match are absent). */
export async function countZooRows(db: Db, q: TZooQuery, ids: ZooFilterIds): Promise<Map<string, number>> {
  const withoutSort = { ...q, sort: undefined };
  const rows = await db.$queryRaw<Array<{ sectionSlug: string; n: number }>>`
    SELECT "sectionSlug", count(*)::int AS n FROM (${matchingSql(withoutSort, ids)}) AS matching GROUP BY "sectionSlug"`;
  return new Map(rows.map((r) => [r.sectionSlug, r.n]));
}

/**
 * Latency column ids (`latency:<device slug>`, sorted) of the matching rows' cells: the device columns a streamed
 * export's header needs before its first row (lib/zoo/export.ts exportMetricColumnsFor).
 */
export async function latencyColumnsOfMatching(db: Db, q: TZooQuery, ids: ZooFilterIds): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ slug: string }>>`
    SELECT DISTINCT d.slug FROM (${matchingSql({ ...q, sort: undefined }, ids)}) AS mt
    JOIN "Measurement" x ON x."modelId" = mt."modelId" AND x.metric = 'latency_ms' AND x."inputSize" = mt."inputSize"
      AND x.provenance::text = mt.source AND (mt.source = 'measured' OR x."sourceId" = mt."sourceId")
    JOIN "Device" d ON d.id = x."deviceId"`;
  return rows.map((r) => `latency:${r.slug}`).sort();
}

/**
 * Which zoo rows a scoped view reads (the explorer, the overview, /compare): every row of the models of some
 * datasets, of some models, or of some (model, input size) variants; every section they appear in.
 */
export type TZooRowScope = { datasetIds: number[] } | { modelIds: number[] } | { variants: Array<{ modelId: number; inputSize: number }> };

/** The scope's rows in display order (section, then position), as loadZoo would list them. */
export function selectScopedRowKeys(db: Db, scope: TZooRowScope): Promise<ZooRowKey[]> {
  const where =
    'datasetIds' in scope
      ? Prisma.sql`m."datasetId" = ANY(${scope.datasetIds}::int[])`
      : 'modelIds' in scope
        ? Prisma.sql`z_rows."modelId" = ANY(${scope.modelIds}::int[])`
        : Prisma.sql`(z_rows."modelId", z_rows."inputSize") IN (
            SELECT * FROM unnest(${scope.variants.map((v) => v.modelId)}::int[], ${scope.variants.map((v) => v.inputSize)}::int[]))`;
  return db.$queryRaw<ZooRowKey[]>`
    SELECT z_rows."sectionSlug", z_rows."sectionPosition", z_rows.position, z_rows."modelId", z_rows."inputSize"
    FROM (${zooRowsSql()}) AS z_rows JOIN "Model" m ON m.id = z_rows."modelId"
    WHERE ${where}
    ORDER BY z_rows."sectionPosition", z_rows.position`;
}
