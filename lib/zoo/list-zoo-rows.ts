import type { Db } from '../db/client';
import { formatCell, formatNumber } from './format';
import { ACCURACY_BY_DATASET, cellColumnId, METRICS, type TMetricKind } from './metrics';
import { shownDelta } from './published-deltas';
import { filterZooRows, sortZooRows, type FilterVocabulary, type TZooQuery } from './query';
import type { TCell, TProvenance, TZooRow } from './row';
import type { TMethod } from './seed-schema';

/**
 * The zoo's query layer: every ZooEntry as a TZooRow (lib/zoo/row.ts), with its numbers looked up in
 * Measurement and its deltas computed against the declared baseline. Small enough to load whole and
 * filter in memory (85 published rows; measured rows later).
 */

export interface ZooFacets {
  backbones: string[];
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
  const [sections, backbones, datasets] = await Promise.all([
    db.zooSection.findMany({
      orderBy: { position: 'asc' },
      include: {
        entries: {
          orderBy: { position: 'asc' },
          include: {
            model: {
              include: {
                backbone: true,
                dataset: true,
                pretraining: true,
                strategy: true,
                baseline: { select: { id: true, slug: true } },
                parent: { select: { slug: true } },
                teacher: { select: { id: true, slug: true, name: true } },
                artifacts: { orderBy: { id: 'asc' } },
              },
            },
          },
        },
      },
    }),
    db.backbone.findMany(),
    db.dataset.findMany(),
  ]);

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
      });
    }
  }

  // Measured sections show a latency column per device that measured their rows (known only afterwards).
  for (const s of sections) {
    if (s.provenance !== 'measured') continue;
    const found = [...new Set(rows.filter((r) => r.section.slug === s.slug).flatMap((r) => Object.keys(r.cells)).filter((id) => id.startsWith('latency:')))].sort();
    const extra = found.filter((id) => !s.columns.includes(id));
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
      datasets: uniq(rows.map((r) => r.model.datasetSlug)).map((slug) => ({ slug, name: rows.find((r) => r.model.datasetSlug === slug)!.model.dataset })),
      methods: uniq(rows.map((r) => r.model.method)),
      strategies: uniq(rows.map((r) => r.model.strategy ?? 'baseline')),
      inputSizes: uniq(rows.map((r) => r.inputSize)).sort((a, b) => b - a),
      sources: uniq(rows.map((r) => r.source)),
      sections: sections.map((s) => ({ slug: s.slug, title: s.title })),
    },
  };
}

/** The rows a query selects, in display order (exactly what the page shows and the exports contain). */
export async function listZooRows(db: Db, query: TZooQuery): Promise<{ rows: TZooRow[]; data: ZooData }> {
  const data = await loadZoo(db);
  return { rows: sortZooRows(filterZooRows(data.rows, query, data.vocabulary), query), data };
}
