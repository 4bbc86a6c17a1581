import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { cocoApDeltaBootstrap } from '../metrics/coco-bootstrap';
import { readCocoGroundTruthFile, readCocoResultsFile } from '../metrics/formats/coco-json';
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
 * COCO only: VOC and WIDER FACE results store their detections but get no interval in the worker yet.
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
