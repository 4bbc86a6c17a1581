import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { readWiderFaceDatasetGroundTruth } from '../datasets/dataset-registry';
import { SlimboardError } from '../errors';
import { cocoApDeltaBootstrap } from '../metrics/coco-bootstrap';
import { readCocoGroundTruthFile, readCocoResultsFile } from '../metrics/formats/coco-json';
import { readVocDirectory } from '../metrics/formats/voc-directory';
import { readVocDetectionsFile } from '../metrics/formats/voc-json';
import { checkWiderFaceCoverage, readWiderFacePredictions } from '../metrics/formats/widerface-files';
import type { VocApType, VocGroundTruth } from '../metrics/voc';
import { vocMapDeltaBootstrap } from '../metrics/voc-bootstrap';
import type { WiderFaceGroundTruth } from '../metrics/widerface';
import { widerFaceDeltaBootstrap } from '../metrics/widerface-bootstrap';
import type { TPairedBootstrapOptions, TPairedBootstrapResult } from '../metrics/paired-bootstrap';
import { ZStoredDetections, type TPairedAccuracy, type TStoredDetections } from './paired-accuracy-schema';

/**
 * ΔAP with a 95 % interval for measured runs (issue #12 item 3, docs/accuracy-intervals.md "In the worker").
 *
 * Every evaluate job stores its detections (the `evaluate --save-dt` file, content-addressed in the artifact
 * store) and the sha256 of the ground truth it was read against, as `detections` in its MeasuredResult. When a
 * model and its DECLARED baseline both have a current evaluate result on the same dataset and input size, against
 * the same ground-truth bytes, the job that lands second computes the paired bootstrap over images (1000
 * resamples, fixed seed: the same two files give the same interval, so a retried job writes the same numbers)
 * and stores it in the CANDIDATE's evaluate result as `pairedAccuracy`:
 * - evaluating the candidate: against its baseline's stored detections, in its own result;
 * - evaluating the baseline: against each candidate's stored detections, written into that candidate's result in
 *   the same transaction that records the baseline's, only if the candidate's result is still the one read
 *   (same job id; a re-evaluated candidate pairs itself when it lands).
 * Every format the worker evaluates: COCO (ΔAP, ΔAP50, ΔAP75), Pascal VOC (ΔmAP, with the AP convention both
 * detections were evaluated with: pairs need the same one) and WIDER FACE (Δeasy, Δmedium, Δhard). "The same
 * ground truth" is checked by hash: the COCO annotation file's bytes; for VOC and WIDER FACE, which are read from
 * many files, the ground truth as the evaluator parsed it (`groundTruthSha256`), so two copies of one folder pair.
 */

export { ZPairedAccuracy, ZStoredDetections, type TPairedAccuracy, type TStoredDetections } from './paired-accuracy-schema';

export async function sha256OfFileContent(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/** The paired bootstrap of two COCO results files against one annotation file (lib/metrics/coco-bootstrap.ts). */
export function cocoPairedAccuracy(
  gtPath: string,
  candidateDt: string,
  baselineDt: string,
  options: TPairedBootstrapOptions = {},
): TPairedBootstrapResult {
  const gt = readCocoGroundTruthFile(gtPath);
  return cocoApDeltaBootstrap(gt, readCocoResultsFile(candidateDt, gt), readCocoResultsFile(baselineDt, gt), options);
}

/**
 * Where an evaluation's ground truth is, as the evaluator read it: the COCO annotation file, or the VOC / WIDER FACE
 * folder (VOC with its image set: the dataset's split, or the folder's default list when it has none).
 */
export type AccuracyGroundTruth =
  | { format: 'coco'; annotationsPath: string }
  | { format: 'voc'; datasetDir: string; imageSet?: string }
  | { format: 'widerface'; datasetDir: string };

type LoadedGroundTruth =
  { format: 'coco'; annotationsPath: string } | { format: 'voc'; gt: VocGroundTruth } | { format: 'widerface'; gt: WiderFaceGroundTruth };

function loadGroundTruth(source: AccuracyGroundTruth): LoadedGroundTruth {
  switch (source.format) {
    case 'coco':
      return source;
    case 'voc':
      return { format: 'voc', gt: readVocDirectory(source.datasetDir, { imageSet: source.imageSet }) };
    case 'widerface':
      return { format: 'widerface', gt: readWiderFaceDatasetGroundTruth(source.datasetDir) };
  }
}

/** JSON of a parsed ground truth, typed arrays as plain arrays (JSON.stringify would write them as objects). */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v));
}

/** The `gtSha256` stored with detections: what two evaluations must share to be paired (see the header). */
export async function groundTruthSha256(source: AccuracyGroundTruth): Promise<string> {
  if (source.format === 'coco') return sha256OfFileContent(source.annotationsPath);
  const loaded = loadGroundTruth(source) as Exclude<LoadedGroundTruth, { format: 'coco' }>;
  return createHash('sha256').update(canonicalJson(loaded.gt)).digest('hex');
}

/**
 * The paired bootstrap of two stored detection files of one format against one ground truth: COCO `AP`/`AP50`/`AP75`,
 * VOC `mAP` (with `vocApType`, difficult objects ignored as the worker evaluates), WIDER FACE `easy`/`medium`/`hard`.
 */
export function pairedAccuracyOf(
  source: AccuracyGroundTruth,
  candidateDt: string,
  baselineDt: string,
  o: { vocApType?: VocApType } & TPairedBootstrapOptions = {},
): TPairedBootstrapResult {
  const { vocApType, ...options } = o;
  const loaded = loadGroundTruth(source);
  switch (loaded.format) {
    case 'coco':
      return cocoPairedAccuracy(loaded.annotationsPath, candidateDt, baselineDt, options);
    case 'voc': {
      if (vocApType === undefined) throw new SlimboardError('bad_input', 'a VOC comparison needs the AP convention (vocApType)');
      const candidate = readVocDetectionsFile(candidateDt, loaded.gt);
      const baseline = readVocDetectionsFile(baselineDt, loaded.gt);
      return vocMapDeltaBootstrap(loaded.gt, candidate, baseline, { apType: vocApType, evaluateDifficult: false, ...options });
    }
    case 'widerface': {
      const candidate = readWiderFacePredictions(candidateDt);
      const baseline = readWiderFacePredictions(baselineDt);
      checkWiderFaceCoverage(loaded.gt, candidate, candidateDt);
      checkWiderFaceCoverage(loaded.gt, baseline, baselineDt);
      return widerFaceDeltaBootstrap(loaded.gt, candidate, baseline, options);
    }
  }
}

/** Why two stored detections cannot be paired (different evaluator, ground truth or AP convention), or null. */
export function unpairableReason(a: TStoredDetections, b: TStoredDetections): string | null {
  if (a.format !== b.format) return `evaluated as ${b.format}, not ${a.format}`;
  if (a.gtSha256 !== b.gtSha256) return 'evaluated against other ground-truth bytes';
  if (a.vocApType !== b.vocApType) return `evaluated with VOC AP convention ${b.vocApType}, not ${a.vocApType}`;
  return null;
}

/** Another run's current evaluate result at the same dataset and input size, paired with this one. */
export interface AccuracyCounterpart {
  /** 'baseline': the other run is this run's declared baseline; 'candidate': this run is the other's baseline. */
  role: 'baseline' | 'candidate';
  runId: string;
  slug: string;
  jobId: string;
  detections: TStoredDetections;
  /** The slug of this run's own model. */
  selfSlug: string;
}

/**
 * The current evaluate results this one pairs with: its model's declared baseline's, and those of the models that
 * declare it as their baseline, on `dataset` at `inputSize`, from runs that have not failed and stored detections.
 */
export async function findAccuracyCounterparts(
  db: Pick<pg.Pool, 'query'>,
  o: { runId: string; dataset: string; inputSize: number },
): Promise<AccuracyCounterpart[]> {
  const r = await db.query(
    `SELECT 'baseline' AS role, r2.id AS run_id, b.slug, mr."jobId" AS job_id, mr.metrics -> 'detections' AS detections, mr."measuredAt",
            m.slug AS self_slug
       FROM "RegisteredRun" r JOIN "Model" m ON m.id = r."modelId" JOIN "Model" b ON b.id = m."baselineId"
       JOIN "RegisteredRun" r2 ON r2."modelId" = b.id AND r2.state <> 'failed'
       JOIN "MeasuredResult" mr ON mr."runId" = r2.id AND mr.kind = 'evaluate' AND mr.dataset = $2 AND mr."inputSize" = $3
      WHERE r.id = $1 AND b.id <> m.id
     UNION ALL
     SELECT 'candidate', r2.id, c.slug, mr."jobId", mr.metrics -> 'detections', mr."measuredAt", me.slug
       FROM "RegisteredRun" r JOIN "Model" me ON me.id = r."modelId" JOIN "Model" c ON c."baselineId" = r."modelId" AND c.id <> r."modelId"
       JOIN "RegisteredRun" r2 ON r2."modelId" = c.id AND r2.state <> 'failed'
       JOIN "MeasuredResult" mr ON mr."runId" = r2.id AND mr.kind = 'evaluate' AND mr.dataset = $2 AND mr."inputSize" = $3
      WHERE r.id = $1
      ORDER BY 6 ASC`,
    [o.runId, o.dataset, o.inputSize],
  );
  const out: AccuracyCounterpart[] = [];
  type Row = { role: 'baseline' | 'candidate'; run_id: string; slug: string; job_id: string; detections: unknown; self_slug: string };
  for (const row of r.rows as Row[]) {
    const d = ZStoredDetections.safeParse(row.detections);
    if (!d.success) continue;
    out.push({ role: row.role, runId: row.run_id, slug: row.slug, jobId: row.job_id, detections: d.data, selfSlug: row.self_slug });
  }
  // One per model slug and role: the latest result wins (rows come oldest first).
  const latest = new Map(out.map((c) => [`${c.role}:${c.slug}`, c]));
  return [...latest.values()];
}

/** A candidate's evaluate result to receive `pairedAccuracy`, computed by its baseline's job. */
export interface PairedAccuracyUpdate {
  runId: string;
  dataset: string;
  inputSize: number;
  /** Written only while the candidate's current result is still this job's. */
  jobId: string;
  pairedAccuracy: TPairedAccuracy;
}

/** Apply the updates inside the transaction that records the baseline's own result. Returns how many were written. */
export async function applyPairedAccuracyUpdates(
  client: Pick<pg.PoolClient, 'query'>,
  updates: readonly PairedAccuracyUpdate[],
): Promise<number> {
  let written = 0;
  for (const u of updates) {
    const r = await client.query(
      `UPDATE "MeasuredResult" SET metrics = jsonb_set(metrics::jsonb, '{pairedAccuracy}', $1::jsonb) - 'pairedAccuracySkipped'
        WHERE "runId" = $2 AND kind = 'evaluate' AND dataset = $3 AND "inputSize" = $4 AND "jobId" = $5`,
      [JSON.stringify(u.pairedAccuracy), u.runId, u.dataset, u.inputSize, u.jobId],
    );
    written += r.rowCount ?? 0;
  }
  return written;
}
