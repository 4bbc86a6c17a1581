import { randomUUID } from 'node:crypto';
import type pg from 'pg';

/**
 * Measured results, written idempotently: ONE current row per (run, kind, dataset, input size, device)
 * in `MeasuredResult` (dataset '' for analyse/benchmark, device '' for analyse/evaluate). A re-run
 * replaces the current row and moves the old one to `MeasuredResultHistory`. Provenance: the job
 * and the attempt that measured it, and the device.
 */
export interface ResultKey {
  runId: string;
  kind: 'analyse' | 'benchmark' | 'evaluate';
  dataset: string;
  inputSize: number;
  /** Device slug, '' when the kind does not depend on the device. */
  device: string;
}

export async function recordResult(
  client: pg.PoolClient,
  key: ResultKey,
  metrics: Record<string, unknown>,
  provenance: { jobId: string; attempt: number },
): Promise<void> {
  await client.query(
    `INSERT INTO "MeasuredResultHistory" ("runId", kind, dataset, "inputSize", device, metrics, "jobId", attempt, "measuredAt", ` +
      `"supersededAt")
     SELECT "runId", kind, dataset, "inputSize", device, metrics, "jobId", attempt, "measuredAt", now()
       FROM "MeasuredResult"
      WHERE "runId" = $1 AND kind = $2 AND dataset = $3 AND "inputSize" = $4 AND device = $5`,
    [key.runId, key.kind, key.dataset, key.inputSize, key.device],
  );
  await client.query(
    `INSERT INTO "MeasuredResult" (id, "runId", kind, dataset, "inputSize", device, metrics, "jobId", attempt, "measuredAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
     ON CONFLICT ("runId", kind, dataset, "inputSize", device)
     DO UPDATE SET metrics = EXCLUDED.metrics, "jobId" = EXCLUDED."jobId", attempt = EXCLUDED.attempt, "measuredAt" = ` +
      `EXCLUDED."measuredAt"`,
    [
      randomUUID(),
      key.runId,
      key.kind,
      key.dataset,
      key.inputSize,
      key.device,
      JSON.stringify(metrics),
      provenance.jobId,
      provenance.attempt,
    ],
  );
}
