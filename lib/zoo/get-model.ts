import { z } from 'zod';
import type { Db } from '../db/client';
import { ZFormerRunFile } from '../runs/run-metadata';
import { formatCell, formatNumber } from './format';
import { METRICS, type TMetricKind } from './metrics';
import { pairedAccuracyViewOf, storedPairedAccuracy, type PairedAccuracyView } from './paired-accuracy-view';
import { machineLoadFlag, type MachineLoadFlag } from './machine-load-view';
import { pairedLatencyView, type PairedLatencyView } from './paired-latency-view';
import { shownDelta } from './published-deltas';
import type { TDeltaView, TProvenance } from './row';
import { readModelLineage, ZPruneParams, type TStrategyParams } from './strategy-params';
import { accuracyAgreement, type AgreementRow } from './accuracy-agreement';
import { ZSensitivityAnalysis } from './sensitivity-analysis';
import { sensitivityView, type SensitivityView } from './sensitivity-view';
import { compressionView, type CompressionView } from './compression-view';
import { deviceName } from './device-name';
import { adapterOriginLabel, describeAdapter, readMeasuredAdapter, type TAdapterOrigin } from '../inference/detection/measured-adapter';

/** Measured and reported accuracy of the same weights agree when within this many points (the demo zoo's export check). */
export const AGREEMENT_TOLERANCE_POINTS = 0.5;

/** Everything the model page shows: attributes, lineage, strategy parameters, every number, downloads. */

export interface ModelRef {
  slug: string;
  name: string;
  method: string;
  strategy: string | null;
}

export interface ModelNumber {
  metric: TMetricKind;
  metricLabel: string;
  inputSize: number | null;
  /** Display name (lib/zoo/device-name.ts); `deviceTitle` has the fingerprint. */
  device: string | null;
  deviceTitle: string | null;
  dataset: string | null;
  value: number;
  decimals: number;
  text: string;
  baselineValue: number | null;
  /** The baseline number as printed (its own decimals). */
  baselineText: string | null;
  delta: TDeltaView | null;
  /** Measured latency with a paired benchmark against the baseline: the change with its interval (shown instead of `delta`). */
  pairedLatency: PairedLatencyView | null;
  /** Measured latency from a benchmark on a machine flagged busy (lib/zoo/machine-load-view.ts), else null. */
  busy: MachineLoadFlag | null;
  /** Measured COCO Box AP whose evaluation was paired with the baseline's: ΔAP with its interval (shown instead of `delta`). */
  pairedAccuracy: PairedAccuracyView | null;
  /** Measured accuracy: the adapter that measured it (null for other numbers, or results stored before adapters were). */
  adapter: NumberAdapter | null;
  provenance: TProvenance;
}

export interface NumberAdapter {
  origin: TAdapterOrigin;
  /** `declared`, `inherited from run 1a2b3c4d of the same bytes`, `auto-detected: yolo, 3 heads …`. */
  label: string;
  /** Every setting that changes the number (lib/inference/detection/measured-adapter.ts describeAdapter). */
  summary: string;
  /** inherited: the run whose declared adapter it is. */
  fromRunId: string | null;
}

export interface ModelPage {
  slug: string;
  name: string;
  family: string;
  backbone: string;
  dataset: { slug: string; name: string };
  pretraining: string | null;
  method: string;
  /** The named recipe (shared by models); its parameters are not shown here but in `lineageParams`. */
  strategy: { slug: string; description: string } | null;
  /** This model's own pruned params and ratios, teacher and quantization mode (Model.lineage); null when it declares none. */
  lineageParams: TStrategyParams | null;
  /** Oldest ancestor first, ending with this model. */
  lineage: ModelRef[];
  children: ModelRef[];
  baseline: ModelRef | null;
  teacher: ModelRef | null;
  students: ModelRef[];
  numbers: ModelNumber[];
  downloads: Array<{ fileName: string; url: string | null; kind: string; format: string; sha256: string | null; sizeBytes: number | null }>;
  sections: Array<{ slug: string; title: string; inputSizes: number[] }>;
  /** Measured models: the registration that created the model (its provenance and training record). */
  run: {
    id: string;
    state: string;
    /** Who may delete or re-run it (docs/owners.md). */
    owner: string;
    provenance: string | null;
    training: { recipe?: Record<string, unknown>; seed?: number | null } | null;
    /** Files the run measured before its current one (same weights; lib/runs/replace-run-file.ts), oldest first. */
    formerFiles: Array<{ sha256: string; sizeBytes: number; fileName: string; replacedAt: string; change: string }>;
  } | null;
  /**
   * Per source of reported accuracy for a measured model: the reported number beside the measured one
   * (e.g. the demo zoo's training pipeline vs Slimboard), agreement within AGREEMENT_TOLERANCE_POINTS.
   */
  agreement: Array<{ sourceSlug: string; sourceTitle: string; tolerancePoints: number; rows: AgreementRow[] }>;
  /** The pruning sensitivity analysis in the run's metadata (its pruned ratios placed on the curves); null when none. */
  sensitivity: SensitivityView | null;
  /** The compress job that made this model's run (its request and, for prune-to-target, its report); null otherwise. */
  compression: CompressionView | null;
}

const refSelect = { slug: true, name: true, method: true, strategy: { select: { slug: true } } } as const;
const toRef = (m: { slug: string; name: string; method: string; strategy: { slug: string } | null }): ModelRef => ({
  slug: m.slug,
  name: m.name,
  method: m.method,
  strategy: m.strategy?.slug ?? null,
});

function numberAdapter(stored: unknown): NumberAdapter | null {
  const m = readMeasuredAdapter(stored);
  return m ? { origin: m.origin, label: adapterOriginLabel(m), summary: describeAdapter(m.adapter), fromRunId: m.fromRunId ?? null } : null;
}

export async function getModelPage(db: Db, slug: string): Promise<ModelPage | null> {
  const model = await db.model.findUnique({
    where: { slug },
    include: {
      backbone: true,
      dataset: true,
      pretraining: true,
      strategy: true,
      baseline: { select: { id: true, ...refSelect } },
      teacher: { select: refSelect },
      children: { select: refSelect, orderBy: { slug: 'asc' } },
      students: { select: refSelect, orderBy: { slug: 'asc' } },
      artifacts: { orderBy: { id: 'asc' } },
      entries: { include: { section: true }, orderBy: [{ section: { position: 'asc' } }, { position: 'asc' }] },
      registeredRun: { select: { id: true, state: true, owner: true, metadata: true } },
    },
  });
  if (!model) return null;

  const lineage: ModelRef[] = [toRef(model)];
  let parentId = model.parentId;
  for (let guard = 0; parentId !== null && guard < 20; guard++) {
    const p = await db.model.findUnique({ where: { id: parentId }, select: { ...refSelect, parentId: true } });
    if (!p) break;
    lineage.unshift(toRef(p));
    parentId = p.parentId;
  }

  const include = {
    device: {
      select: { slug: true, name: true, runtime: true, cpuModel: true, logicalCores: true, threads: true, executionProvider: true },
    },
    dataset: { select: { name: true } },
    source: { select: { slug: true, title: true, url: true } },
  } as const;
  const [own, base] = await Promise.all([
    db.measurement.findMany({
      where: { modelId: model.id },
      include,
      orderBy: [{ metric: 'asc' }, { inputSize: 'desc' }, { deviceId: 'asc' }],
    }),
    model.baseline ? db.measurement.findMany({ where: { modelId: model.baseline.id }, include }) : Promise.resolve([]),
  ]);
  // Paired latency results of this model's benchmark jobs (lib/measure/benchmark-paired.ts; stored with the job's result).
  const benchJobIds = own.filter((m) => m.metric === 'latency_ms' && m.provenance === 'measured' && m.jobId).map((m) => m.jobId!);
  const benchResults = benchJobIds.length
    ? await db.measuredResult.findMany({ where: { jobId: { in: benchJobIds }, kind: 'benchmark' }, select: { jobId: true, metrics: true } })
    : [];
  const pairedByJob = new Map(benchResults.map((r) => [r.jobId, pairedLatencyView(r.metrics)]));
  const busyByJob = new Map(benchResults.map((r) => [r.jobId, machineLoadFlag(r.metrics)]));
  // Paired ΔAP of this model's measured evaluations (COCO, VOC, WIDER FACE) against the baseline's (lib/runs/paired-accuracy.ts), and the
  // adapter each measured accuracy number was measured with (stored with the evaluate job's result).
  const evalJobIds = own
    .filter((m) => METRICS[m.metric as TMetricKind].isAccuracy && m.provenance === 'measured' && m.jobId)
    .map((m) => m.jobId!);
  const evalResults = evalJobIds.length
    ? await db.measuredResult.findMany({ where: { jobId: { in: evalJobIds }, kind: 'evaluate' }, select: { jobId: true, metrics: true } })
    : [];
  const pairedApByJob = new Map(evalResults.map((r) => [r.jobId, storedPairedAccuracy(r.metrics)]));
  const adapterByJob = new Map(
    evalResults.map((r) => [r.jobId, numberAdapter((r.metrics as Record<string, unknown> | null)?.measuredAdapter)]),
  );
  const numbers: ModelNumber[] = own.map((m) => {
    const info = METRICS[m.metric as TMetricKind];
    const decimals = m.decimals ?? info.defaultDecimals;
    const b = base.find(
      (x) =>
        x.metric === m.metric &&
        x.inputSize === m.inputSize &&
        x.deviceId === m.deviceId &&
        x.datasetId === m.datasetId &&
        x.provenance === m.provenance,
    );
    const stored = {
      metric: m.metric as TMetricKind,
      value: m.value,
      decimals: m.decimals,
      inputSize: m.inputSize,
      deviceSlug: m.device?.slug ?? null,
    };
    const sourceSlug = m.provenance === 'reported' ? (m.source?.slug ?? null) : null;
    const delta = model.baseline && b ? shownDelta(model.slug, { ...stored, sourceSlug }, b) : null;
    const provenance: TProvenance =
      m.provenance === 'reported'
        ? {
            kind: 'reported',
            sourceSlug: m.source?.slug ?? 'unknown',
            sourceTitle: m.source?.title ?? 'unknown source',
            sourceUrl: m.source?.url ?? null,
          }
        : { kind: 'measured', jobId: m.jobId ?? 'unknown', deviceSlug: m.device?.slug ?? null };
    return {
      metric: m.metric as TMetricKind,
      metricLabel: info.label,
      inputSize: m.inputSize,
      device: m.device ? deviceName(m.device).label : null,
      deviceTitle: m.device ? deviceName(m.device).title : null,
      dataset: m.dataset?.name ?? null,
      value: m.value,
      decimals,
      text: formatCell(m.value, decimals, model.baseline ? delta : undefined),
      baselineValue: b?.value ?? null,
      baselineText: b ? formatNumber(b.value, b.decimals ?? info.defaultDecimals) : null,
      delta,
      pairedLatency: (m.jobId && pairedByJob.get(m.jobId)) || null,
      busy: (m.jobId && m.metric === 'latency_ms' && busyByJob.get(m.jobId)) || null,
      pairedAccuracy: (m.jobId && pairedApByJob.get(m.jobId) && pairedAccuracyViewOf(pairedApByJob.get(m.jobId)!, m.metric)) || null,
      adapter: (m.jobId && adapterByJob.get(m.jobId)) || null,
      provenance,
    };
  });

  // The model's own parameters (Model.lineage), never the shared Strategy row's: a model that declares none shows none.
  const meta = (model.registeredRun?.metadata ?? null) as {
    provenance?: string;
    training?: { recipe?: Record<string, unknown>; seed?: number | null };
    sensitivityAnalysis?: unknown;
    formerFiles?: unknown;
    compression?: unknown;
  } | null;
  const ownParams = readModelLineage(model.lineage);
  const analysis = meta?.sensitivityAnalysis === undefined ? null : ZSensitivityAnalysis.safeParse(meta.sensitivityAnalysis);
  const pruned = ZPruneParams.safeParse(ownParams);
  const sensitivity = analysis?.success ? sensitivityView(analysis.data, pruned.success ? pruned.data : null) : null;
  const runMeta: ModelPage['run'] = model.registeredRun
    ? {
        id: model.registeredRun.id,
        state: model.registeredRun.state,
        owner: model.registeredRun.owner,
        provenance: meta?.provenance ?? null,
        training: meta?.training ?? null,
        formerFiles: z.array(ZFormerRunFile).safeParse(meta?.formerFiles ?? []).data ?? [],
      }
    : null;
  const agreement: ModelPage['agreement'] = [];
  if (model.registeredRun) {
    const sources = new Map<string, string>();
    for (const n of numbers)
      if (n.provenance.kind === 'reported' && METRICS[n.metric].isAccuracy) sources.set(n.provenance.sourceSlug, n.provenance.sourceTitle);
    for (const [sourceSlug, sourceTitle] of sources) {
      const rows = accuracyAgreement(
        numbers.map((n) => ({
          metric: n.metric,
          inputSize: n.inputSize,
          dataset: n.dataset,
          value: n.value,
          provenance:
            n.provenance.kind === 'reported'
              ? { kind: 'reported' as const, sourceSlug: n.provenance.sourceSlug }
              : { kind: 'measured' as const },
        })),
        sourceSlug,
        AGREEMENT_TOLERANCE_POINTS,
        (m) => METRICS[m].isAccuracy,
      );
      agreement.push({ sourceSlug, sourceTitle, tolerancePoints: AGREEMENT_TOLERANCE_POINTS, rows });
    }
  }

  const sections = new Map<string, { slug: string; title: string; inputSizes: number[] }>();
  for (const e of model.entries) {
    const s = sections.get(e.section.slug) ?? { slug: e.section.slug, title: e.section.title, inputSizes: [] };
    s.inputSizes.push(e.inputSize);
    sections.set(e.section.slug, s);
  }

  return {
    slug: model.slug,
    name: model.name,
    family: model.family,
    backbone: model.backbone.name,
    dataset: { slug: model.dataset.slug, name: model.dataset.name },
    pretraining: model.pretraining?.name ?? null,
    method: model.method,
    strategy: model.strategy ? { slug: model.strategy.slug, description: model.strategy.description } : null,
    lineageParams: ownParams,
    lineage,
    children: model.children.map(toRef),
    baseline: model.baseline ? toRef(model.baseline) : null,
    teacher: model.teacher ? toRef(model.teacher) : null,
    students: model.students.map(toRef),
    numbers,
    downloads: model.artifacts.map((a) => ({
      fileName: a.fileName,
      url: a.url,
      kind: a.kind,
      format: a.format,
      sha256: a.sha256,
      sizeBytes: a.sizeBytes === null ? null : Number(a.sizeBytes),
    })),
    sections: [...sections.values()],
    run: runMeta,
    agreement,
    sensitivity,
    compression: compressionView(meta?.compression),
  };
}
