import type pg from 'pg';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { ensureLocalDataset, guessDatasetFormat, type DatasetFormat } from '@/lib/datasets/dataset-registry';
import { forkMeasurement } from '@/lib/measure/fork-measurement';
import {
  findAccuracyCounterparts,
  groundTruthSha256,
  pairedAccuracyOf,
  unpairableReason,
  type AccuracyGroundTruth,
  type PairedAccuracyUpdate,
  type TPairedAccuracy,
  type TStoredDetections,
  ZStoredDetections,
} from '@/lib/runs/paired-accuracy';
import { SlimboardError } from '@/lib/errors';
import { measuredAdapterOf } from '@/lib/inference/detection/measured-adapter';
import { ZModelAdapter } from '@/lib/inference/detection/model-adapter';
import { progressBetween, type MeasureContext } from './measure-context';

/**
 * evaluate: accuracy on the run's dataset (`evaluate`'s library call, lib/measure/run-measurement.ts, in a
 * child process). A registered dataset (`dataset add`) is fetched from the artifact store by its sha256 and
 * unpacked into this worker's cache; an unregistered key falls back to a folder installed under
 * `<dataDir>/datasets/<key>/` (e.g. by `slimboard dataset synth --out …`). The run's adapter (if given) is
 * passed as is and parsed by the same schema as `evaluate --adapter FILE`. Progress: images done over total
 * moves the job from 0.1 to 0.85; the detections (written by the child to a scratch file) are kept, with the hash of
 * the ground truth they were read against, for the paired ΔAP of any format (lib/runs/paired-accuracy.ts), which
 * takes the rest. The worker decides the format (registered, else guessed from the folder) and tells the child.
 * The resolved adapter is stored with the result (`measuredAdapter`, lib/inference/detection/measured-adapter.ts):
 * declared, inherited (from which run) or auto-detected (what).
 */
export async function evaluate(c: MeasureContext): Promise<Record<string, unknown>> {
  const key = c.job.payload.dataset ?? c.meta.dataset;
  const dataset = await ensureLocalDataset(key, { ...c.datasets, dataDir: c.dataDir });
  const format = formatOf(dataset);
  const dtFile = path.join(c.scratchDir, 'detections.json');
  await c.job.reportProgress(0.1);
  const result = await forkMeasurement(
    {
      kind: 'evaluate',
      modelPath: c.modelPath,
      datasetDir: dataset.dir,
      // A registered dataset says its format (VOC → mAP, WIDER FACE → easy/medium/hard); else the folder's layout decides.
      format,
      split: splitOf(dataset, format),
      inputSize: c.job.payload.inputSize,
      threads: c.device.threads,
      adapter: c.meta.adapter ?? undefined,
      saveDetections: dtFile,
    },
    c.job.signal,
    progressBetween(c, 0.1, 0.85),
  );
  const resolved = ZModelAdapter.safeParse(result.adapterSpec);
  if (!resolved.success)
    throw new SlimboardError('evaluation_unrecognised', 'evaluate output has no adapterSpec (the adapter that measured it)');
  // The result names the scratch file; it is not kept under that name.
  const { savedDetections: _saved, adapterSpec: _spec, ...metrics } = result;
  const measuredAdapter = measuredAdapterOf(
    { declaredAdapter: c.meta.adapter !== undefined, adapterFromRunId: c.adapterFromRunId },
    resolved.data,
  );
  return { ...metrics, measuredAdapter, ...(await keepDetections(c, { dataset, format }, metrics, dtFile)) };
}

type LocalDataset = Awaited<ReturnType<typeof ensureLocalDataset>>;

function formatOf(dataset: LocalDataset): DatasetFormat {
  return dataset.format ?? guessDatasetFormat(dataset.dir);
}

/** The split the evaluator reads (COCO annotations / VOC image set); WIDER FACE folders hold one split. */
function splitOf(dataset: LocalDataset, format: DatasetFormat): string | undefined {
  return dataset.split && format !== 'widerface' ? dataset.split : undefined;
}

/** The ground truth an evaluation read, from its local dataset folder (COCO: the file the evaluator names). */
function groundTruthOf(dataset: LocalDataset, format: DatasetFormat, result: Record<string, unknown>): AccuracyGroundTruth | string {
  if (format === 'voc') return { format, datasetDir: dataset.dir, imageSet: splitOf(dataset, format) };
  if (format === 'widerface') return { format, datasetDir: dataset.dir };
  const gtPath = (result.dataset as { annotations?: unknown } | undefined)?.annotations;
  if (typeof gtPath !== 'string') return 'the COCO evaluation names no annotation file';
  return { format, annotationsPath: path.resolve(gtPath) };
}

/** Store the detections file with the ground truth's hash and what else a pairing must match. */
async function keepDetections(
  c: MeasureContext,
  o: { dataset: LocalDataset; format: DatasetFormat },
  result: Record<string, unknown>,
  dtFile: string,
): Promise<Record<string, unknown>> {
  const gt = groundTruthOf(o.dataset, o.format, result);
  if (typeof gt === 'string') return { detections: null, detectionsSkipped: gt };
  try {
    const stored = await c.datasets.store.put(createReadStream(dtFile), { maxBytes: 2 ** 31 });
    const apType = (result.dataset as { apType?: unknown } | undefined)?.apType;
    const detections: TStoredDetections = {
      format: o.format,
      sha256: stored.sha256,
      gtSha256: await groundTruthSha256(gt),
      count: typeof result.detectionCount === 'number' ? result.detectionCount : 0,
      ...(o.format === 'voc' ? { vocApType: apType === 'integral' ? 'integral' : '11point' } : {}),
    };
    return { detections };
  } catch (e) {
    return { detections: null, detectionsSkipped: `detections not stored: ${(e as Error).message}` };
  }
}

/** What an evaluate job adds for the paired ΔAP: its own `pairedAccuracy` (as candidate) and its candidates' updates. */
export interface AccuracyPairing {
  own: { pairedAccuracy: TPairedAccuracy } | { pairedAccuracySkipped: string };
  updates: PairedAccuracyUpdate[];
  /** The stored evaluations this pass read (counterpartKey), so the commit's re-read pairs only with newer ones. */
  seen: ReadonlySet<string>;
  /** Whether this pass found an evaluation of the baseline. */
  foundBaseline: boolean;
}

/**
 * Pair this evaluation with the stored ones of its baseline and of its candidates (same dataset, input size and
 * ground-truth bytes) and compute ΔAP with its interval for each pair (lib/runs/paired-accuracy.ts). Runs
 * before the commit; the results are written in the job's transaction.
 */
export async function pairEvaluation(
  c: MeasureContext,
  o: { runId: string; dataset: string; metrics: Record<string, unknown> },
  late?: { db: Pick<pg.PoolClient, 'query'>; seen: ReadonlySet<string> },
): Promise<AccuracyPairing> {
  const none = { seen: new Set<string>(), foundBaseline: false };
  const stored = ZStoredDetections.safeParse(o.metrics.detections);
  if (!stored.success)
    return { own: { pairedAccuracySkipped: String(o.metrics.detectionsSkipped ?? 'no stored detections') }, updates: [], ...none };
  const mine = stored.data;
  const dataset = await ensureLocalDataset(o.dataset, { ...c.datasets, dataDir: c.dataDir });
  const gt = groundTruthOf(dataset, mine.format, o.metrics);
  if (typeof gt === 'string') return { own: { pairedAccuracySkipped: gt }, updates: [], ...none };
  const inputSize = c.job.payload.inputSize;
  const found = await findAccuracyCounterparts(late?.db ?? c.datasets.pool, { runId: o.runId, dataset: o.dataset, inputSize });
  const seen = new Set(found.map(counterpartKey));
  const counterparts = late ? found.filter((x) => !late.seen.has(counterpartKey(x))) : found;
  let own: AccuracyPairing['own'] = { pairedAccuracySkipped: 'the baseline has no evaluation on this dataset and input size yet' };
  if (!counterparts.some((x) => x.role === 'baseline')) {
    const declares = c.meta.baseline !== undefined && c.meta.baseline !== null;
    if (!declares) own = { pairedAccuracySkipped: 'the model declares no baseline (it is one)' };
  }
  const updates: PairedAccuracyUpdate[] = [];
  const myDt = await c.datasets.store.localPath(mine.sha256);
  for (const other of counterparts) {
    const unpairable = unpairableReason(mine, other.detections);
    if (unpairable) {
      if (other.role === 'baseline') own = { pairedAccuracySkipped: `baseline ${other.slug} was ${unpairable}` };
      continue;
    }
    try {
      const otherDt = await c.datasets.store.localPath(other.detections.sha256);
      const options = { vocApType: mine.vocApType };
      if (other.role === 'baseline') {
        const comparison = pairedAccuracyOf(gt, myDt, otherDt, options);
        own = {
          pairedAccuracy: {
            baselineRunId: other.runId,
            baselineSlug: other.slug,
            baselineJobId: other.jobId,
            candidateJobId: c.job.jobId,
            comparison,
          },
        };
      } else {
        const comparison = pairedAccuracyOf(gt, otherDt, myDt, options);
        const paired: TPairedAccuracy = {
          baselineRunId: o.runId,
          baselineSlug: other.selfSlug,
          baselineJobId: c.job.jobId,
          candidateJobId: other.jobId,
          comparison,
        };
        updates.push({ runId: other.runId, dataset: o.dataset, inputSize, jobId: other.jobId, pairedAccuracy: paired });
      }
    } catch (e) {
      // A missing or unreadable stored file costs the interval, never the evaluation itself.
      if (other.role === 'baseline') own = { pairedAccuracySkipped: `paired ΔAP against ${other.slug} failed: ${(e as Error).message}` };
    }
    // Not while committing: the job's own row may be locked by the commit's transaction.
    if (!late) await c.job.reportProgress(0.9);
  }
  return { own, updates, seen, foundBaseline: counterparts.some((x) => x.role === 'baseline') };
}

/** Which stored evaluation a counterpart is (its role, run and the job that wrote it). */
function counterpartKey(x: { role: string; runId: string; jobId: string }): string {
  return `${x.role}:${x.runId}:${x.jobId}`;
}

/**
 * In the job's commit transaction: pair with the evaluations that were committed after pairEvaluation read them.
 * Two evaluations of a pair finishing together would otherwise each commit before seeing the other, and neither
 * would get the interval. A transaction lock per dataset and input size orders their commits: the later one
 * re-reads here, after the earlier one's commit, and pairs with it. Returns the metrics to record and the updates
 * to apply (the first pass's and the late ones).
 */
export async function pairLateEvaluations(
  c: MeasureContext,
  client: Pick<pg.PoolClient, 'query'>,
  o: { runId: string; dataset: string; metrics: Record<string, unknown> },
  first: AccuracyPairing,
): Promise<{ metrics: Record<string, unknown>; updates: PairedAccuracyUpdate[] }> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`paired-accuracy:${o.dataset}:${c.job.payload.inputSize}`]);
  const late = await pairEvaluation(c, o, { db: client, seen: first.seen });
  const updates = [...first.updates, ...late.updates];
  if ('pairedAccuracy' in first.own || !late.foundBaseline) return { metrics: o.metrics, updates };
  const { pairedAccuracySkipped: _skipped, ...rest } = o.metrics;
  return { metrics: { ...rest, ...late.own }, updates };
}
