import type { Db } from '../db/client';
import { COCO_DETAIL_COLUMNS } from './columns';
import { deviceName } from './device-name';
import { formatCell, formatNumber } from './format';
import { ACCURACY_BY_DATASET, cellColumnId, METRICS, type TMetricKind } from './metrics';
import { pairedLatencyView } from './paired-latency-view';
import { shownDelta } from './published-deltas';
import { filterZooRows, sortZooRows, type FilterVocabulary, type TZooQuery } from './query';
import type { TCell, TCocoDetail, TProvenance, TRunInfo, TZooRow } from './row';
import type { TMethod } from './seed-schema';

/**
 * The zoo's query layer: every ZooEntry as a TZooRow (lib/zoo/row.ts), with its numbers looked up in
 * Measurement and its deltas computed against the declared baseline. Small enough to load whole and
 * filter in memory (85 published rows plus the measured ones).
 *
 * Registered runs (upload form, POST /api/runs, `submit`) that no stored section lists get one measured
 * section per dataset, `runs-<dataset slug>` (see `runSections`): a row per model and input size the run
 * asked for, grouped by family and baseline (the baseline first, then the models compared with it, oldest
 * first), like the demo section. A run still being measured shows the numbers its finished jobs published
 * and its progress (`row.run`).
 */

/** Slug prefix of the sections built from registered runs. */
export const RUN_SECTION_PREFIX = 'runs-';
/** Who submitted a run that no API token names, by door (the local CLI writes to the database directly). */
const SUBMITTER_WITHOUT_TOKEN = { web: 'web form', api: 'api', cli: 'local CLI' } as const;
/** Their positions on the page: after every stored section. */
const RUN_SECTION_POSITION = 100_000;

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

export interface ZooData {
  rows: TZooRow[];
  vocabulary: FilterVocabulary;
  facets: ZooFacets;
  /** Every device by slug (a latency column is `latency:<slug>`): its name (lib/zoo/device-name.ts). */
  devices: Record<string, { slug: string; label: string }>;
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
  return { ap50: cocoPoints(m.AP50), ap75: cocoPoints(m.AP75), apSmall: cocoPoints(m.APs), apMedium: cocoPoints(m.APm), apLarge: cocoPoints(m.APl), jobId };
}

type MeasurementRow = Awaited<ReturnType<typeof loadMeasurements>>[number];

function loadMeasurements(db: Db, modelIds: number[]) {
  return db.measurement.findMany({
    where: { modelId: { in: modelIds } },
    include: { device: { select: { slug: true } }, source: { select: { slug: true, title: true, url: true } } },
    orderBy: { createdAt: 'asc' },
  });
}

function provenanceOf(m: MeasurementRow): TProvenance {
  if (m.provenance === 'reported') {
    return { kind: 'reported', sourceSlug: m.source?.slug ?? 'unknown', sourceTitle: m.source?.title ?? 'unknown source', sourceUrl: m.source?.url ?? null };
  }
  return { kind: 'measured', jobId: m.jobId ?? 'unknown', deviceSlug: m.device?.slug ?? null };
}

/** Same scope: metric, input size (when it matters), device, dataset. */
function sameScope(a: MeasurementRow, b: MeasurementRow): boolean {
  return a.metric === b.metric && a.inputSize === b.inputSize && a.deviceId === b.deviceId && a.datasetId === b.datasetId;
}

export async function loadZoo(db: Db): Promise<ZooData> {
  const [stored, backbones, datasets, devices, runs] = await Promise.all([
    db.zooSection.findMany({
      orderBy: { position: 'asc' },
      include: { entries: { orderBy: { position: 'asc' }, include: { model: { include: MODEL_INCLUDE } } } },
    }),
    db.backbone.findMany(),
    db.dataset.findMany(),
    db.device.findMany(),
    db.registeredRun.findMany({
      where: { modelId: { not: null } },
      orderBy: { createdAt: 'asc' },
      select: {
        id: true,
        state: true,
        door: true,
        modelId: true,
        metadata: true,
        token: { select: { name: true } },
        demoZooRun: { select: { id: true } },
        // Measuring jobs only: a compress job started from the run makes another run.
        jobs: { where: { kind: { not: 'compress' } }, select: { state: true } },
      },
    }),
  ]);
  const runByModel = new Map(runs.map((r) => [r.modelId!, r]));
  const runInfo = (modelId: number): TRunInfo | null => {
    const r = runByModel.get(modelId);
    if (!r) return null;
    return {
      id: r.id,
      state: r.state,
      door: r.door,
      submitter: r.demoZooRun ? 'demo zoo' : (r.token?.name ?? SUBMITTER_WITHOUT_TOKEN[r.door]),
      jobsDone: r.jobs.filter((j) => j.state === 'done').length,
      jobsTotal: r.jobs.length,
      jobsFailed: r.jobs.filter((j) => j.state === 'failed' || j.state === 'cancelled').length,
    };
  };
  const sections = [...stored, ...(await runSections(db, stored, runs, datasets))];
  const evaluations = await db.measuredResult.findMany({
    where: { kind: 'evaluate', runId: { in: runs.map((r) => r.id) } },
    orderBy: { measuredAt: 'asc' },
    select: { runId: true, inputSize: true, metrics: true, jobId: true },
  });
  // Paired latency of measured benchmarks (stored with the benchmark's result), by job.
  const benchmarks = await db.measuredResult.findMany({
    where: { kind: 'benchmark', runId: { in: runs.map((r) => r.id) } },
    select: { jobId: true, metrics: true },
  });
  const pairedByJob = new Map(benchmarks.map((b) => [b.jobId, pairedLatencyView(b.metrics)]));
  const detailByRunSize = new Map<string, TCocoDetail>();
  for (const ev of evaluations) {
    const d = cocoDetailFromResult(ev.metrics, ev.jobId);
    if (d) detailByRunSize.set(`${ev.runId}@${ev.inputSize}`, d);
  }

  const modelIds = new Set<number>();
  for (const s of sections) {
    for (const e of s.entries) {
      modelIds.add(e.modelId);
      if (e.model.baseline) modelIds.add(e.model.baseline.id);
      if (e.model.teacher) modelIds.add(e.model.teacher.id);
    }
  }
  const measurements = await loadMeasurements(db, [...modelIds]);
  const byModel = new Map<number, MeasurementRow[]>();
  for (const m of measurements) byModel.set(m.modelId, [...(byModel.get(m.modelId) ?? []), m]);

  const rows: TZooRow[] = [];
  for (const s of sections) {
    // Which numbers this section shows: its source document's, or measured ones (latest job wins).
    const visible = (m: MeasurementRow) => m.provenance === s.provenance && (s.provenance === 'measured' || m.sourceId === s.sourceId);
    for (const e of s.entries) {
      const model = e.model;
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
        const stored = { metric: m.metric as TMetricKind, value: m.value, decimals: m.decimals, inputSize: m.inputSize, deviceSlug: m.device?.slug ?? null };
        const sourceSlug = m.provenance === 'reported' ? (m.source?.slug ?? null) : null;
        const delta = comparable && base ? shownDelta(model.slug, { ...stored, sourceSlug }, base) : null;
        cells[columnId] = {
          metric: m.metric as TMetricKind,
          value: m.value,
          decimals,
          inputSize: m.inputSize,
          deviceSlug: m.device?.slug ?? null,
          comparable,
          baseline: base && model.baseline ? { modelSlug: model.baseline.slug, value: base.value, decimals: base.decimals ?? info.defaultDecimals } : null,
          delta,
          text: formatCell(m.value, decimals, comparable ? delta : undefined),
          provenance: provenanceOf(m),
          ...(m.jobId && m.metric === 'latency_ms' && pairedByJob.get(m.jobId) ? { paired: pairedByJob.get(m.jobId)! } : {}),
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
        run: s.provenance === 'measured' ? runInfo(model.id) : null,
      });
    }
  }

  // Measured sections show a latency column per device that measured their rows (known only afterwards), and
  // offer the optional COCO detail columns when their rows have them.
  for (const s of sections) {
    if (s.provenance !== 'measured') continue;
    const own = rows.filter((r) => r.section.slug === s.slug);
    const found = [...new Set(own.flatMap((r) => Object.keys(r.cells)).filter((id) => id.startsWith('latency:')))].sort();
    const detail = own.some((r) => r.cocoDetail) ? COCO_DETAIL_COLUMNS.map((c) => c.id) : [];
    const extra = [...found, ...detail].filter((id) => !s.columns.includes(id));
    if (extra.length === 0) continue;
    const at = s.columns.includes('download') ? s.columns.indexOf('download') : s.columns.length;
    const columns = [...s.columns.slice(0, at), ...extra, ...s.columns.slice(at)];
    for (const r of rows) if (r.section.slug === s.slug) r.section = { ...r.section, columns };
  }

  const uniq = <T,>(xs: T[]) => [...new Set(xs)];
  return {
    rows,
    vocabulary: {
      backboneAliases: Object.fromEntries(backbones.map((b) => [b.slug, b.aliases])),
      datasetAliases: Object.fromEntries(datasets.map((d) => [d.slug, d.aliases])),
    },
    facets: {
      backbones: uniq(rows.map((r) => r.model.backbone)).sort(),
      submitters: uniq(rows.flatMap((r) => (r.run ? [r.run.submitter] : []))).sort(),
      datasets: uniq(rows.map((r) => r.model.datasetSlug)).map((slug) => ({ slug, name: rows.find((r) => r.model.datasetSlug === slug)!.model.dataset })),
      methods: uniq(rows.map((r) => r.model.method)),
      strategies: uniq(rows.map((r) => r.model.strategy ?? 'baseline')),
      inputSizes: uniq(rows.map((r) => r.inputSize)).sort((a, b) => b - a),
      sources: uniq(rows.map((r) => r.source)),
      sections: sections.map((s) => ({ slug: s.slug, title: s.title })),
    },
    devices: Object.fromEntries(devices.map((d) => [d.slug, { slug: d.slug, label: deviceName(d).label }])),
  };
}

type StoredSection = Awaited<ReturnType<typeof loadStoredSections>>[number];
type RunRow = { id: string; modelId: number | null; metadata: unknown };

function loadStoredSections(db: Db) {
  return db.zooSection.findMany({ include: { entries: { include: { model: { include: MODEL_INCLUDE } } } } });
}

/** The input sizes a run asked for (ZRunMetadata.inputSizes), in its order. */
function runInputSizes(metadata: unknown): number[] {
  const sizes = metadata && typeof metadata === 'object' ? (metadata as Record<string, unknown>).inputSizes : undefined;
  return Array.isArray(sizes) ? sizes.filter((v): v is number => Number.isInteger(v) && v > 0) : [];
}

/**
 * Sections for registered runs that no stored section lists (the demo zoo has its own): one per dataset,
 * rows grouped by family, then by baseline (the baseline itself first, then the models compared with it,
 * oldest first), one row per input size the run asked for.
 */
async function runSections(db: Db, stored: StoredSection[], runs: RunRow[], datasets: Array<{ slug: string; name: string }>): Promise<StoredSection[]> {
  const listed = new Set(stored.flatMap((s) => s.entries.map((e) => e.modelId)));
  const runOf = new Map(runs.filter((r) => r.modelId !== null && !listed.has(r.modelId)).map((r) => [r.modelId!, r]));
  if (runOf.size === 0) return [];
  const models = await db.model.findMany({ where: { id: { in: [...runOf.keys()] } }, include: MODEL_INCLUDE, orderBy: { createdAt: 'asc' } });
  const order = new Map(runs.map((r, i) => [r.modelId, i]));
  const groupKey = (m: (typeof models)[number]) => m.baseline?.slug ?? m.slug;
  const sorted = [...models].sort(
    (a, b) =>
      a.family.localeCompare(b.family) ||
      groupKey(a).localeCompare(groupKey(b)) ||
      Number(a.baselineId !== null) - Number(b.baselineId !== null) ||
      (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0),
  );
  const datasetOrder = datasets.map((d) => d.slug).sort();
  const out: StoredSection[] = [];
  for (const ds of [...new Set(sorted.map((m) => m.dataset.slug))].sort((a, b) => datasetOrder.indexOf(a) - datasetOrder.indexOf(b))) {
    const inSection = sorted.filter((m) => m.dataset.slug === ds);
    const accuracy = (ACCURACY_BY_DATASET[ds] ?? ['box_ap']).map((k) => METRICS[k].columnId);
    const entries: StoredSection['entries'] = [];
    for (const model of inSection) {
      for (const inputSize of runInputSizes(runOf.get(model.id)!.metadata)) {
        entries.push({ id: -(entries.length + 1), sectionId: -1, position: entries.length + 1, modelId: model.id, inputSize, model });
      }
    }
    const name = inSection[0].dataset.name;
    out.push({
      id: -(out.length + 1),
      slug: `${RUN_SECTION_PREFIX}${ds}`,
      title: `Measured runs on ${name}`,
      sourceTitle: 'Models registered through the upload form, POST /api/runs or slimboard submit; every number measured here by Slimboard\'s workers',
      position: RUN_SECTION_POSITION + datasetOrder.indexOf(ds),
      provenance: 'measured',
      sourceId: null,
      columns: ['model', 'backbone', 'method', 'strategy', 'inputSize', 'gflops', 'params', 'modelSizeMb', ...accuracy, 'download'],
      notes: null,
      entries,
    });
  }
  return out;
}

/** The rows a query selects, in display order (exactly what the page shows and the exports contain). */
export async function listZooRows(db: Db, query: TZooQuery): Promise<{ rows: TZooRow[]; data: ZooData }> {
  const data = await loadZoo(db);
  return { rows: sortZooRows(filterZooRows(data.rows, query, data.vocabulary), query), data };
}
