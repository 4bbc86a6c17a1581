import type { Db } from '../db/client';
import { readInChunks } from '../db/read-in-chunks';
import { Prisma } from '../generated/prisma/client';
import { COCO_DETAIL_COLUMNS } from './columns';
import { deviceName } from './device-name';
import { formatCell, formatNumber } from './format';
import { ACCURACY_BY_DATASET, cellColumnId, METRICS, type TMetricKind } from './metrics';
import { pairedAccuracyViewOf, storedPairedAccuracy } from './paired-accuracy-view';
import { machineLoadFlag } from './machine-load-view';
import { pairedLatencyView } from './paired-latency-view';
import { shownDelta } from './published-deltas';
import { ZOO_PAGE_SIZE, ZZooQuery, zooQueryToSearch, type FilterVocabulary, type TZooQuery } from './query';
import type { TCell, TCocoDetail, TProvenance, TRunInfo, TZooRow } from './row';
import type { TMethod } from './seed-schema';
import { adapterOriginLabel, describeAdapter, readMeasuredAdapter } from '../inference/detection/measured-adapter';
import {
  countZooRows,
  resolveFilterIds,
  RUN_SECTION_POSITION,
  RUN_SECTION_PREFIX,
  selectSectionPage,
  selectSectionRowsAfter,
  selectZooRowKeys,
  zooRowSourcesSql,
  zooRowsSql,
  type ZooFilterIds,
  type ZooRowKey,
  type ZooRowPlace,
} from './select-zoo-rows';
import { zooViewOffload } from './views-process';
import { cachedByZooVersion, cachedOrLastByZooVersion, type TZooVersioned } from './zoo-cache';
import { withQueryCancellation } from '../db/query-cancellation';
import { zooViewSnapshots } from './zoo-view-snapshots';

/**
 * The zoo's query layer: zoo rows as TZooRow (lib/zoo/row.ts), with their numbers looked up in Measurement and
 * their deltas computed against the declared baseline. Which rows a query selects, in which order and page, is
 * decided in PostgreSQL (lib/zoo/select-zoo-rows.ts); full rows are built for one page at a time, loading only
 * that page's models, their baselines and teachers, their measurements and runs. Facets and per-section columns
 * are aggregates, cached per zoo version (lib/zoo/zoo-cache.ts).
 *
 * Registered runs (upload form, POST /api/runs, `submit`) that no stored section lists get one measured
 * section per dataset, `runs-<dataset slug>`: a row per model and input size the run asked for, grouped by
 * family and baseline (the baseline first, then the models compared with it, oldest first), like the demo
 * section. A run still being measured shows the numbers its finished jobs published and its progress (`row.run`).
 */

export { RUN_SECTION_PREFIX };

export interface ZooFacets {
  backbones: string[];
  /** Who submitted the measured rows (ZRunInfo.submitter). */
  submitters: string[];
  datasets: Array<{ slug: string; name: string }>;
  methods: string[];
  strategies: string[];
  inputSizes: number[];
  sources: string[];
  sections: Array<{ slug: string; title: string }>;
}

/** A section as the zoo shows it (stored, or built from registered runs). */
export interface ZooSectionInfo {
  slug: string;
  title: string;
  sourceTitle: string | null;
  position: number;
  provenance: 'reported' | 'measured';
  sourceId: number | null;
  /** Printed columns; measured sections add a latency column per device and the COCO detail columns they have. */
  columns: string[];
}

/** What every view needs besides its rows: facets, sections, filter vocabulary, device labels. */
export interface ZooMeta {
  vocabulary: FilterVocabulary;
  facets: ZooFacets;
  /** Every device by slug (a latency column is `latency:<slug>`): its name (lib/zoo/device-name.ts). */
  devices: Record<string, { slug: string; label: string }>;
  /** Every section with at least one row, in display order. */
  sections: ZooSectionInfo[];
}

/** ZooMeta less the facets (loadZooRowsMeta). */
export type ZooRowsMeta = Omit<ZooMeta, 'facets'>;

export interface ZooData extends ZooMeta {
  rows: TZooRow[];
}

const MODEL_INCLUDE = {
  backbone: true,
  dataset: true,
  pretraining: true,
  strategy: true,
  baseline: { select: { id: true, slug: true } },
  parent: { select: { slug: true } },
  teacher: { select: { id: true, slug: true, name: true } },
  artifacts: { orderBy: { id: 'asc' } },
} as const;

/** COCO's -1 (no ground truth in that area range) -> null; fractions -> points. */
function cocoPoints(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v * 100 : null;
}

/** The evaluator's detail statistics from a stored evaluate result (`{ metrics: { AP50, ... } }`), or null. */
export function cocoDetailFromResult(result: unknown, jobId: string): TCocoDetail | null {
  const metrics = result && typeof result === 'object' ? (result as Record<string, unknown>).metrics : undefined;
  if (!metrics || typeof metrics !== 'object') return null;
  const m = metrics as Record<string, unknown>;
  if (!('AP50' in m)) return null;
  return {
    ap50: cocoPoints(m.AP50),
    ap75: cocoPoints(m.AP75),
    apSmall: cocoPoints(m.APs),
    apMedium: cocoPoints(m.APm),
    apLarge: cocoPoints(m.APl),
    jobId,
  };
}

type MeasurementRow = Awaited<ReturnType<typeof loadMeasurements>>[number];
type ModelRow = Awaited<ReturnType<typeof loadModels>>[number];

/**
 * Building many rows at once (the overview's chart and the explorer's reduced views: about 3,700 rows of 3,500
 * models and 18,600 measurements at 100,000 runs) runs in the web process beside other requests. Its reads go
 * MODEL_IDS_PER_QUERY models at a time and its loop yields every ROWS_PER_STRETCH rows, so no single stretch of
 * decoding or building holds the event loop for long (it did for 300 to 550 ms: docs/scale.md, "After a write").
 * A page of /zoo (20 rows) and an export batch (500 rows) stay one query and one stretch.
 */
export const MODEL_IDS_PER_QUERY = 1000;
export const ROWS_PER_STRETCH = 500;

function loadModels(db: Db, ids: number[]) {
  return readInChunks(ids, MODEL_IDS_PER_QUERY, (chunk) => db.model.findMany({ where: { id: { in: chunk } }, include: MODEL_INCLUDE }));
}

/** Oldest first per model (a later number of the same scope wins). */
function loadMeasurements(db: Db, modelIds: number[]) {
  return readInChunks(modelIds, MODEL_IDS_PER_QUERY, (chunk) =>
    db.measurement.findMany({
      where: { modelId: { in: chunk } },
      include: { device: { select: { slug: true } }, source: { select: { slug: true, title: true, url: true } } },
      orderBy: { createdAt: 'asc' },
    }),
  );
}

function provenanceOf(m: MeasurementRow): TProvenance {
  if (m.provenance === 'reported') {
    return {
      kind: 'reported',
      sourceSlug: m.source?.slug ?? 'unknown',
      sourceTitle: m.source?.title ?? 'unknown source',
      sourceUrl: m.source?.url ?? null,
    };
  }
  return { kind: 'measured', jobId: m.jobId ?? 'unknown', deviceSlug: m.device?.slug ?? null };
}

/** Same scope: metric, input size (when it matters), device, dataset. */
function sameScope(a: MeasurementRow, b: MeasurementRow): boolean {
  return a.metric === b.metric && a.inputSize === b.inputSize && a.deviceId === b.deviceId && a.datasetId === b.datasetId;
}

/**
 * Full rows for these keys (in their order): loads only their models, those models' baselines' and teachers'
 * measurements, and their runs' results.
 */
export async function buildZooRows(db: Db, keys: ZooRowKey[], sections: Map<string, ZooSectionInfo>): Promise<TZooRow[]> {
  if (keys.length === 0) return [];
  const models = await loadModels(db, [...new Set(keys.map((k) => k.modelId))]);
  const modelById = new Map(models.map((m) => [m.id, m]));
  const runs = await db.registeredRun.findMany({
    where: { modelId: { in: models.map((m) => m.id) } },
    select: {
      id: true,
      state: true,
      door: true,
      modelId: true,
      owner: true,
      demoZooRun: { select: { id: true } },
      // Measuring jobs only: a compress job started from the run makes another run.
      jobs: { where: { kind: { not: 'compress' } }, select: { state: true } },
    },
  });
  const runByModel = new Map(runs.map((r) => [r.modelId!, r]));
  const runInfo = (modelId: number): TRunInfo | null => {
    const r = runByModel.get(modelId);
    if (!r) return null;
    return {
      id: r.id,
      state: r.state,
      door: r.door,
      submitter: r.demoZooRun ? 'demo zoo' : r.owner,
      jobsDone: r.jobs.filter((j) => j.state === 'done').length,
      jobsTotal: r.jobs.length,
      jobsFailed: r.jobs.filter((j) => j.state === 'failed' || j.state === 'cancelled').length,
    };
  };
  const runIds = runs.map((r) => r.id);
  const [evaluations, benchmarks] = await Promise.all([
    db.measuredResult.findMany({
      where: { kind: 'evaluate', runId: { in: runIds } },
      orderBy: { measuredAt: 'asc' },
      select: { runId: true, inputSize: true, metrics: true, jobId: true },
    }),
    // Paired latency of measured benchmarks (stored with the benchmark's result), by job.
    db.measuredResult.findMany({ where: { kind: 'benchmark', runId: { in: runIds } }, select: { jobId: true, metrics: true } }),
  ]);
  const pairedByJob = new Map(benchmarks.map((b) => [b.jobId, pairedLatencyView(b.metrics)]));
  const busyByJob = new Map(benchmarks.map((b) => [b.jobId, machineLoadFlag(b.metrics)]));
  // Paired ΔAP of measured evaluations against the baseline's (lib/runs/paired-accuracy.ts), by job and metric.
  const pairedApByJob = new Map(evaluations.map((ev) => [ev.jobId, storedPairedAccuracy(ev.metrics)]));
  const pairedAp = (jobId: string | null, metric: string) => {
    const p = jobId ? pairedApByJob.get(jobId) : null;
    return p ? pairedAccuracyViewOf(p, metric) : null;
  };
  const detailByRunSize = new Map<string, TCocoDetail>();
  const adapterByRunSize = new Map<string, NonNullable<TZooRow['measuredAdapter']>>();
  for (const ev of evaluations) {
    const a = readMeasuredAdapter((ev.metrics as Record<string, unknown> | null)?.measuredAdapter);
    if (a)
      adapterByRunSize.set(`${ev.runId}@${ev.inputSize}`, {
        origin: a.origin,
        label: adapterOriginLabel(a),
        summary: describeAdapter(a.adapter),
        jobId: ev.jobId,
      });
    const d = cocoDetailFromResult(ev.metrics, ev.jobId);
    if (d) detailByRunSize.set(`${ev.runId}@${ev.inputSize}`, d);
  }

  const modelIds = new Set<number>();
  for (const m of models) {
    modelIds.add(m.id);
    if (m.baseline) modelIds.add(m.baseline.id);
    if (m.teacher) modelIds.add(m.teacher.id);
  }
  const measurements = await loadMeasurements(db, [...modelIds]);
  const byModel = new Map<number, MeasurementRow[]>();
  for (const m of measurements) {
    const list = byModel.get(m.modelId);
    if (list) list.push(m);
    else byModel.set(m.modelId, [m]);
  }

  const rows: TZooRow[] = [];
  for (const [i, key] of keys.entries()) {
    if (i > 0 && i % ROWS_PER_STRETCH === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const s = sections.get(key.sectionSlug);
    const model: ModelRow | undefined = modelById.get(key.modelId);
    if (!s || !model) continue; // deleted between the two queries
    const e = { position: key.position, inputSize: key.inputSize, model };
    // Which numbers this section shows: its source document's, or measured ones (latest job wins).
    const visible = (m: MeasurementRow) => m.provenance === s.provenance && (s.provenance === 'measured' || m.sourceId === s.sourceId);
    const own = (byModel.get(model.id) ?? []).filter(visible);
    const baselineNumbers = model.baseline ? (byModel.get(model.baseline.id) ?? []).filter(visible) : [];
    const cells: Record<string, TCell> = {};
    for (const m of own) {
      const info = METRICS[m.metric as TMetricKind];
      if (info.perInputSize ? m.inputSize !== e.inputSize : m.inputSize !== null) continue;
      if (info.isAccuracy && m.datasetId !== null && m.datasetId !== model.datasetId) continue;
      const base = baselineNumbers.filter((b) => sameScope(b, m)).at(-1);
      const decimals = m.decimals ?? info.defaultDecimals;
      const comparable = model.baseline !== null;
      const columnId = cellColumnId(m.metric as TMetricKind, m.device?.slug ?? null);
      // The source's printed delta when consistent with its two numbers, else computed (lib/zoo/published-deltas.ts).
      const stored = {
        metric: m.metric as TMetricKind,
        value: m.value,
        decimals: m.decimals,
        inputSize: m.inputSize,
        deviceSlug: m.device?.slug ?? null,
      };
      const sourceSlug = m.provenance === 'reported' ? (m.source?.slug ?? null) : null;
      const delta = comparable && base ? shownDelta(model.slug, { ...stored, sourceSlug }, base) : null;
      const pairedAccuracy = pairedAp(m.jobId, m.metric);
      cells[columnId] = {
        metric: m.metric as TMetricKind,
        value: m.value,
        decimals,
        inputSize: m.inputSize,
        deviceSlug: m.device?.slug ?? null,
        comparable,
        baseline:
          base && model.baseline
            ? { modelSlug: model.baseline.slug, value: base.value, decimals: base.decimals ?? info.defaultDecimals }
            : null,
        delta,
        text: formatCell(m.value, decimals, comparable ? delta : undefined),
        provenance: provenanceOf(m),
        ...(m.jobId && m.metric === 'latency_ms' && pairedByJob.get(m.jobId) ? { paired: pairedByJob.get(m.jobId)! } : {}),
        ...(m.jobId && m.metric === 'latency_ms' && busyByJob.get(m.jobId) ? { busy: busyByJob.get(m.jobId)! } : {}),
        ...(pairedAccuracy ? { pairedAccuracy } : {}),
      };
    }
    let teacher: TZooRow['teacher'] = null;
    if (model.teacher) {
      const metric = ACCURACY_BY_DATASET[model.dataset.slug]?.[0];
      const acc = (byModel.get(model.teacher.id) ?? [])
        .filter(visible)
        .filter((m) => m.metric === metric && m.inputSize === e.inputSize && (m.datasetId === null || m.datasetId === model.datasetId))
        .at(-1);
      const decimals = acc ? (acc.decimals ?? METRICS[acc.metric as TMetricKind].defaultDecimals) : 0;
      teacher = {
        slug: model.teacher.slug,
        name: model.teacher.name,
        accuracy: acc
          ? {
              metric: acc.metric as TMetricKind,
              value: acc.value,
              decimals,
              inputSize: acc.inputSize,
              deviceSlug: null,
              comparable: false,
              baseline: null,
              delta: null,
              text: formatNumber(acc.value, decimals),
              provenance: provenanceOf(acc),
            }
          : null,
        text: acc ? `${model.teacher.name}(${formatNumber(acc.value, decimals)})` : model.teacher.name,
      };
    }
    // Published models link to their external URL; stored files (measured uploads, the demo zoo) are
    // served from the artifact store by `/api/artifacts/<sha256>`.
    const artifact = model.artifacts.find((a) => a.url) ?? model.artifacts.find((a) => a.sha256) ?? model.artifacts[0];
    const downloadUrl = artifact?.url ?? (artifact?.sha256 ? `/api/artifacts/${artifact.sha256}` : null);
    rows.push({
      id: `${s.slug}/${e.position}`,
      section: { slug: s.slug, title: s.title, sourceTitle: s.sourceTitle, position: s.position, columns: s.columns },
      position: e.position,
      source: s.provenance,
      model: {
        slug: model.slug,
        name: model.name,
        family: model.family,
        backbone: model.backbone.name,
        backboneSlug: model.backbone.slug,
        dataset: model.dataset.name,
        datasetSlug: model.dataset.slug,
        pretraining: model.pretraining?.name ?? null,
        method: model.method as TMethod,
        strategy: model.strategy?.slug ?? null,
        baselineSlug: model.baseline?.slug ?? null,
        parentSlug: model.parent?.slug ?? null,
      },
      inputSize: e.inputSize,
      teacher,
      cells,
      download: artifact && downloadUrl ? { url: downloadUrl, fileName: artifact.fileName, sha256: artifact.sha256 } : null,
      cocoDetail: s.provenance === 'measured' ? (detailByRunSize.get(`${runByModel.get(model.id)?.id}@${e.inputSize}`) ?? null) : null,
      measuredAdapter:
        s.provenance === 'measured' ? (adapterByRunSize.get(`${runByModel.get(model.id)?.id}@${e.inputSize}`) ?? null) : null,
      run: s.provenance === 'measured' ? runInfo(model.id) : null,
    });
  }
  return rows;
}

/** Stored sections and the run sections that have rows, with measured sections' extra columns. */
async function loadSections(db: Db): Promise<ZooSectionInfo[]> {
  const [stored, datasets, runDatasets] = await Promise.all([
    db.zooSection.findMany({ orderBy: { position: 'asc' }, where: { entries: { some: {} } } }),
    db.dataset.findMany({ select: { id: true, slug: true, name: true } }),
    db.$queryRaw<Array<{ datasetId: number }>>`
      SELECT d.id AS "datasetId" FROM "Dataset" d WHERE EXISTS (SELECT 1 FROM "RunZooRow" x WHERE x."datasetId" = d.id)`,
  ]);
  const datasetOrder = datasets.map((d) => d.slug).sort();
  const withRuns = new Set(runDatasets.map((d) => d.datasetId));
  const runSections: ZooSectionInfo[] = datasets
    .filter((d) => withRuns.has(d.id))
    .map((d) => {
      const accuracy = (ACCURACY_BY_DATASET[d.slug] ?? ['box_ap']).map((k) => METRICS[k].columnId);
      return {
        slug: `${RUN_SECTION_PREFIX}${d.slug}`,
        title: `Measured runs on ${d.name}`,
        sourceTitle:
          'Models registered through the upload form, POST /api/runs or slimboard submit; ' +
          "every number measured here by Slimboard's workers",
        position: RUN_SECTION_POSITION + datasetOrder.indexOf(d.slug),
        provenance: 'measured' as const,
        sourceId: null,
        columns: ['model', 'backbone', 'method', 'strategy', 'inputSize', 'gflops', 'params', 'modelSizeMb', ...accuracy, 'download'],
      };
    })
    .sort((a, b) => a.position - b.position);
  const sections: ZooSectionInfo[] = [
    ...stored.map((s) => ({
      slug: s.slug,
      title: s.title,
      sourceTitle: s.sourceTitle,
      position: s.position,
      provenance: s.provenance,
      sourceId: s.sourceId,
      columns: s.columns,
    })),
    ...runSections,
  ];
  // Measured sections show a latency column per device that measured their rows (known only afterwards), and
  // offer the optional COCO detail columns when their rows have them.
  const out: ZooSectionInfo[] = [];
  for (const s of sections) {
    if (s.provenance !== 'measured') {
      out.push(s);
      continue;
    }
    const sectionRows = Prisma.sql`(SELECT z_rows."modelId", z_rows."inputSize" FROM (${zooRowsSql([s.slug])}) AS z_rows)`;
    const [devices, detail] = await Promise.all([
      db.$queryRaw<Array<{ slug: string }>>`
        SELECT DISTINCT d.slug FROM ${sectionRows} AS sr
        JOIN "Measurement" x ON x."modelId" = sr."modelId" AND x."inputSize" = sr."inputSize"
          AND x.metric = 'latency_ms' AND x.provenance = 'measured'
        JOIN "Device" d ON d.id = x."deviceId"`,
      db.$queryRaw<Array<{ one: number }>>`
        SELECT 1 AS one FROM ${sectionRows} AS sr
        JOIN "RegisteredRun" r ON r."modelId" = sr."modelId"
        JOIN "MeasuredResult" mr ON mr."runId" = r.id AND mr.kind = 'evaluate' AND mr."inputSize" = sr."inputSize"
        WHERE jsonb_typeof(mr.metrics -> 'metrics') = 'object' AND (mr.metrics -> 'metrics') ? 'AP50' LIMIT 1`,
    ]);
    const found = devices.map((d) => `latency:${d.slug}`).sort();
    const extra = [...found, ...(detail.length > 0 ? COCO_DETAIL_COLUMNS.map((c) => c.id) : [])].filter((id) => !s.columns.includes(id));
    const at = s.columns.includes('download') ? s.columns.indexOf('download') : s.columns.length;
    out.push(extra.length === 0 ? s : { ...s, columns: [...s.columns.slice(0, at), ...extra, ...s.columns.slice(at)] });
  }
  return out;
}

/** Facets over every row (what the filter menus offer), in SQL. */
async function loadFacets(db: Db, sections: ZooSectionInfo[]): Promise<ZooFacets> {
  const all = Prisma.sql`(${zooRowSourcesSql()})`;
  const [attrs, sizes, sources, submitters] = await Promise.all([
    // The rows' models joined from the rows' side and reduced to their few attribute ids first: `m.id IN (rows)` was
    // planned as a lookup per model (1.0 s at 600,000 rows and 205,000 models; this, 0.2 to 0.35 s).
    db.$queryRaw<Array<{ backbone: string; datasetSlug: string; dataset: string; method: string; strategy: string | null }>>`
      SELECT b.name AS backbone, d.slug AS "datasetSlug", d.name AS dataset, ma.method::text AS method, st.slug AS strategy
      FROM (SELECT DISTINCT m."backboneId", m."datasetId", m.method, m."strategyId"
            FROM ${all} AS a JOIN "Model" m ON m.id = a."modelId") ma
      JOIN "Backbone" b ON b.id = ma."backboneId" JOIN "Dataset" d ON d.id = ma."datasetId"
      LEFT JOIN "Strategy" st ON st.id = ma."strategyId"`,
    db.$queryRaw<Array<{ inputSize: number }>>`SELECT DISTINCT "inputSize" FROM ${all} AS a ORDER BY "inputSize" DESC`,
    db.$queryRaw<Array<{ source: string }>>`SELECT DISTINCT source FROM ${all} AS a`,
    db.$queryRaw<Array<{ owner: string; demo: boolean }>>`
      SELECT DISTINCT r.owner, EXISTS (SELECT 1 FROM "DemoZooRun" z WHERE z."runId" = r.id) AS demo
      FROM (SELECT DISTINCT "modelId" FROM ${all} AS a WHERE a.source = 'measured') a JOIN "RegisteredRun" r ON r."modelId" = a."modelId"`,
  ]);
  const uniq = <T>(xs: T[]) => [...new Set(xs)];
  const datasetNames = new Map(attrs.map((a) => [a.datasetSlug, a.dataset]));
  return {
    backbones: uniq(attrs.map((a) => a.backbone)).sort(),
    submitters: uniq(submitters.map((r) => (r.demo ? 'demo zoo' : r.owner))).sort(),
    datasets: [...datasetNames].sort(([a], [b]) => a.localeCompare(b)).map(([slug, name]) => ({ slug, name })),
    methods: uniq(attrs.map((a) => a.method)).sort(),
    strategies: uniq(attrs.map((a) => a.strategy ?? 'baseline')).sort(),
    inputSizes: sizes.map((s) => s.inputSize),
    sources: sources.map((s) => s.source).sort(),
    sections: sections.map((s) => ({ slug: s.slug, title: s.title })),
  };
}

/**
 * The zoo's sections in display order, with measured sections' device columns: cached per zoo version. All that
 * building rows needs (the explorer, overview and compare build rows without the facets, which scan every row).
 */
export function loadZooSections(db: Db): Promise<ZooSectionInfo[]> {
  return cachedByZooVersion(db, 'sections', () => loadSections(db));
}

/**
 * Sections, vocabulary and devices, without the facets: what selecting and building rows needs (the API's pages,
 * exports). Cached per zoo version. The facets scan every row (0.6 s at 600,000 rows), so the first API page after
 * a write does not wait for them.
 */
export function loadZooRowsMeta(db: Db): Promise<ZooRowsMeta> {
  return cachedByZooVersion(db, 'rows-meta', async () => {
    const [sections, backbones, datasets, devices] = await Promise.all([
      loadZooSections(db),
      db.backbone.findMany(),
      db.dataset.findMany(),
      db.device.findMany(),
    ]);
    return {
      vocabulary: {
        backboneAliases: Object.fromEntries(backbones.map((b) => [b.slug, b.aliases])),
        datasetAliases: Object.fromEntries(datasets.map((d) => [d.slug, d.aliases])),
      },
      devices: Object.fromEntries(devices.map((d) => [d.slug, { slug: d.slug, label: deviceName(d).label }])),
      sections,
    };
  });
}

/** Facets, sections, vocabulary and devices: cached per zoo version. */
export function loadZooMeta(db: Db): Promise<ZooMeta> {
  return cachedByZooVersion(db, 'meta', async () => {
    const rowsMeta = await loadZooRowsMeta(db);
    return { ...rowsMeta, facets: await loadFacets(db, rowsMeta.sections) };
  });
}

const sectionMap = (meta: ZooRowsMeta) => new Map(meta.sections.map((s) => [s.slug, s]));

/** Every zoo row, in display order (small zoos, tests and the demo table; views use the paged functions below). */
export async function loadZoo(db: Db): Promise<ZooData> {
  const meta = await loadZooMeta(db);
  const keys = await selectZooRowKeys(db, ZZooQuery.parse({}), {}, { offset: 0, limit: 1_000_000_000 });
  return { ...meta, rows: await buildZooRows(db, keys, sectionMap(meta)) };
}

/** The zoo's meta data, the query's filter ids, and how many rows match per section and in all (counts cached). */
async function matchingOf(db: Db, query: TZooQuery) {
  const [meta, ids] = await Promise.all([loadZooRowsMeta(db), resolveFilterIds(db, query)]);
  const counts = await countsOf(db, query, ids);
  return { meta, ids, counts, total: [...counts.values()].reduce((a, b) => a + b, 0) };
}

/**
 * The rows a query selects, in display order (exactly what the exports contain): one page of `limit` rows from
 * `offset` (all of them without a limit), the zoo's meta data and how many rows match in all.
 */
export async function listZooRows(
  db: Db,
  query: TZooQuery,
  page: { offset?: number; limit?: number; signal?: AbortSignal } = {},
): Promise<{ rows: TZooRow[]; data: ZooRowsMeta; total: number }> {
  const { meta, ids, counts, total } = await matchingOf(db, query);
  if (page.limit === undefined) {
    const keys = await selectZooRowKeys(db, query, ids, { offset: page.offset ?? 0, limit: 1_000_000_000 });
    return { rows: await buildZooRows(db, keys, sectionMap(meta)), data: meta, total };
  }
  // A page: the per-section counts say which sections the offset falls in; each is read in its own order and stops
  // after the rows the page still needs (no sort of the whole zoo).
  const keys: ZooRowKey[] = [];
  let skip = page.offset ?? 0;
  let need = page.limit;
  for (const section of meta.sections) {
    const n = counts.get(section.slug) ?? 0;
    if (skip >= n) {
      skip -= n;
      continue;
    }
    const got = await withQueryCancellation(page.signal, () =>
      selectSectionPage(db, query, ids, section.slug, { offset: skip, limit: need }),
    );
    keys.push(...got);
    need -= got.length;
    skip = 0;
    if (need <= 0) break;
  }
  return { rows: await buildZooRows(db, keys, sectionMap(meta)), data: meta, total };
}

/**
 * GET /api/zoo's page: `limit` rows after `after` (a cursor's last row; from the first row when null), in display
 * order, with the place of the last one when more rows follow (`next`, null on the last page), the zoo's meta data and
 * how many rows match in all. Sections are read in order, each in its own order, and each stops after the rows the
 * page still needs. A cursor's section that is gone (no matching rows now) continues with the sections after its
 * position. With `signal`, the page's own selection queries (a sort over a large section takes seconds) are cancelled
 * when it aborts (lib/db/query-cancellation.ts); the cached aggregates that concurrent readers share are not.
 */
export async function listZooRowsAfter(
  db: Db,
  query: TZooQuery,
  after: ZooRowPlace | null,
  limit: number,
  options: { signal?: AbortSignal } = {},
): Promise<{ rows: TZooRow[]; data: ZooRowsMeta; total: number; next: ZooRowPlace | null }> {
  const { meta, ids, counts, total } = await matchingOf(db, query);
  const keys: ZooRowKey[] = [];
  let last: ZooRowPlace | null = null;
  let more = false;
  const at = after ? meta.sections.findIndex((s) => s.slug === after.sectionSlug) : 0;
  const sections = at >= 0 ? meta.sections.slice(at) : meta.sections.filter((s) => s.position > after!.sectionPosition);
  for (const section of sections) {
    if (keys.length === limit) {
      // The page is full: more follow when a later section has a match.
      more = (counts.get(section.slug) ?? 0) > 0;
      if (more) break;
      continue;
    }
    if ((counts.get(section.slug) ?? 0) === 0) continue;
    const need = limit - keys.length;
    // One row more than the page needs says whether this section goes on.
    const from = after?.sectionSlug === section.slug ? after : null;
    const got = await withQueryCancellation(options.signal, () => selectSectionRowsAfter(db, query, ids, section.slug, from, need + 1));
    for (const r of got.slice(0, need)) {
      keys.push(r.key);
      last = r.place;
    }
    if (got.length > need) {
      more = true;
      break;
    }
  }
  return { rows: await buildZooRows(db, keys, sectionMap(meta)), data: meta, total, next: more ? last : null };
}

/** The query less what does not change which rows a page shows: columns shown, export format, the API's paging. */
export function rowsQueryOf(query: TZooQuery): TZooQuery {
  return { ...query, hide: undefined, show: undefined, format: undefined, limit: undefined, cursor: undefined };
}

/** Matching rows per section, cached per zoo version and filter set (sort and paging do not change counts). */
function countsOf(db: Db, query: TZooQuery, ids: ZooFilterIds): Promise<Map<string, number>> {
  const filters = { ...rowsQueryOf(query), sort: undefined, dir: undefined, page: undefined };
  return cachedByZooVersion(db, `count${zooQueryToSearch(filters)}`, () => countZooRows(db, filters, ids));
}

/** One section's page on the zoo page. */
export interface ZooSectionPage {
  section: ZooSectionInfo;
  rows: TZooRow[];
  /** Matching rows in the section, all pages. */
  total: number;
  page: number;
  pages: number;
}

export interface ZooSectionPages {
  sections: ZooSectionPage[];
  data: ZooMeta;
  /** Matching rows, all sections and pages. */
  total: number;
  /** Rows in the whole zoo. */
  all: number;
}

/**
 * The zoo page: per section with matching rows, page `query.page` (default 1) of ZOO_PAGE_SIZE rows, with totals.
 * Cached per zoo version and query in the cache's `pages` pool (lib/zoo/zoo-cache.ts), so a burst of readers of
 * one page costs one build and a crawl of many pages never evicts the aggregates; the parameters that do not change
 * the rows (columns shown, export format, the API's limit and cursor) are not part of the key. After a write, a page
 * whose last build was slow (at scale: its counts and facets are recomputed, 1.6 s) is given as last built, marked
 * stale, while the new one is built (cachedOrLastByZooVersion; the page says so). The value is shared by every
 * caller: read it, never change it.
 */
export function listZooSectionPages(db: Db, query: TZooQuery, pageSize = ZOO_PAGE_SIZE): Promise<TZooVersioned<ZooSectionPages>> {
  const search = zooQueryToSearch(rowsQueryOf(query));
  // The unfiltered first page (where the navigation leads) outlives restarts; other pages are as many as URLs.
  const store = search === '' ? zooViewSnapshots(db) : undefined;
  return cachedOrLastByZooVersion(db, `zoo-page:${pageSize}${search}`, (reader) => buildSectionPages(reader, query, pageSize), {
    pool: 'pages',
    store,
    offload: zooViewOffload({ kind: 'zoo-page', query, pageSize }),
  });
}

/** The zoo page's data as of the zoo's current version (uncached: listZooSectionPages caches it). */
export async function buildSectionPages(db: Db, query: TZooQuery, pageSize: number): Promise<ZooSectionPages> {
  const [meta, ids] = await Promise.all([loadZooMeta(db), resolveFilterIds(db, query)]);
  const [counts, all] = await Promise.all([countsOf(db, query, ids), countsOf(db, ZZooQuery.parse({}), {})]);
  const sections = meta.sections.filter((s) => (counts.get(s.slug) ?? 0) > 0);
  const byslug = sectionMap(meta);
  const page = query.page ?? 1;
  const keyed = await Promise.all(
    sections.map(async (section) => {
      const total = counts.get(section.slug)!;
      const pages = Math.max(1, Math.ceil(total / pageSize));
      const at = Math.min(page, pages);
      const keys = await selectSectionPage(db, query, ids, section.slug, { offset: (at - 1) * pageSize, limit: pageSize });
      return { section, keys, total, page: at, pages };
    }),
  );
  // One build for every section's page (one round of queries, not one per section).
  const built = await buildZooRows(
    db,
    keyed.flatMap((k) => k.keys),
    byslug,
  );
  const out: ZooSectionPage[] = keyed.map(({ section, total, page: at, pages }) => ({
    section,
    total,
    page: at,
    pages,
    rows: built.filter((r) => r.section.slug === section.slug),
  }));
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return { sections: out, data: meta, total: sum(counts), all: sum(all) };
}
