import type pg from 'pg';
import { SlimboardError } from '../errors';
import { measurementKey } from '../zoo/measurement-key';
import { findModelDependents } from '../zoo/model-dependents';
import { METRICS, type TMetricKind } from '../zoo/metrics';

/**
 * Turn a job's full result into the zoo's scalar Measurements for the run's model (provenance
 * `measured`, jobId, deviceId), replacing the previous value for the same scope: the zoo shows the
 * current number; MeasuredResultHistory keeps the old full results.
 *
 * Scalars taken (units in the metric names, see prisma/schema.prisma MetricKind):
 * - analyse:   gflops (paddleslim convention) at the input size; model_size_mb = bytes / 10^6 and params
 *              (weight count, when the output has it) with no input size.
 * - benchmark: latency_ms = the median (p50) of the timed runs at the input size on the worker's device.
 * - evaluate:  COCO AP@[.5:.95] -> box_ap, VOC mAP -> voc_map, WIDER FACE -> wider_easy/medium/hard, in
 *              percentage points (evaluators return fractions in [0, 1]; ×100 as the seed prints them).
 */

type MetricKind = TMetricKind;

export interface ScalarMeasurement {
  metric: MetricKind;
  inputSize: number | null;
  value: number;
}

function num(obj: unknown, ...paths: string[]): number | undefined {
  for (const p of paths) {
    let cur: unknown = obj;
    for (const k of p.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
    if (typeof cur === 'number' && Number.isFinite(cur)) return cur;
  }
  return undefined;
}

/** Pure: the scalars a job's result contributes. Missing fields are a (retryable) contract error. */
export function scalarsFromResult(kind: 'analyse' | 'benchmark' | 'evaluate', inputSize: number, result: Record<string, unknown>): ScalarMeasurement[] {
  if (kind === 'analyse') {
    const gflops = num(result, 'gflops');
    const bytes = num(result, 'bytes', 'sizeBytes');
    if (gflops === undefined || bytes === undefined) throw new Error(`analyze output lacks gflops/bytes (keys: ${Object.keys(result).join(', ')})`);
    const params = num(result, 'params');
    return [
      { metric: 'gflops', inputSize, value: gflops },
      { metric: 'model_size_mb', inputSize: null, value: bytes / 1e6 },
      ...(params === undefined ? [] : [{ metric: 'params' as const, inputSize: null, value: params }]),
    ];
  }
  if (kind === 'benchmark') {
    const p50 = num(result, 'p50Ms', 'latencyMs.p50', 'stats.p50Ms', 'stats.p50', 'summary.p50Ms', 'summary.p50', 'p50');
    if (p50 === undefined) throw new Error(`bench output lacks a p50 latency (keys: ${Object.keys(result).join(', ')})`);
    return [{ metric: 'latency_ms', inputSize, value: p50 }];
  }
  const metrics = (result.metrics && typeof result.metrics === 'object' ? result.metrics : result) as Record<string, unknown>;
  const ap = num(metrics, 'AP', 'coco.AP', 'bbox.AP');
  if (ap !== undefined) return [{ metric: 'box_ap', inputSize, value: ap * 100 }];
  const map = num(metrics, 'mAP', 'voc.mAP');
  if (map !== undefined) return [{ metric: 'voc_map', inputSize, value: map * 100 }];
  const easy = num(metrics, 'easy');
  const medium = num(metrics, 'medium');
  const hard = num(metrics, 'hard');
  if (easy !== undefined && medium !== undefined && hard !== undefined) {
    return [
      { metric: 'wider_easy', inputSize, value: easy * 100 },
      { metric: 'wider_medium', inputSize, value: medium * 100 },
      { metric: 'wider_hard', inputSize, value: hard * 100 },
    ];
  }
  throw new SlimboardError('evaluation_unrecognised', `evaluate output has no AP, mAP or easy/medium/hard (keys: ${Object.keys(metrics).join(', ')})`);
}

export async function publishMeasurements(
  client: pg.PoolClient,
  o: { runId: string; jobId: string; scalars: ScalarMeasurement[]; deviceId: number | null; deviceSlug: string | null; datasetSlug: string | null },
): Promise<void> {
  const run = await client.query(`SELECT "modelId" FROM "RegisteredRun" WHERE id = $1`, [o.runId]);
  const modelId = run.rows[0]?.modelId as number | null | undefined;
  if (!modelId) return;
  const datasetId = o.datasetSlug ? ((await client.query(`SELECT id FROM "Dataset" WHERE slug = $1`, [o.datasetSlug])).rows[0]?.id ?? null) : null;
  for (const m of o.scalars) {
    const isAccuracy = METRICS[m.metric].isAccuracy;
    const deviceId = m.metric === 'latency_ms' ? o.deviceId : null;
    const scopeDataset = isAccuracy ? datasetId : null;
    const key = measurementKey({
      metric: m.metric,
      inputSize: m.inputSize,
      deviceSlug: m.metric === 'latency_ms' ? o.deviceSlug : null,
      datasetSlug: isAccuracy ? o.datasetSlug : null,
      origin: { jobId: o.jobId },
    });
    // One current measured number per scope: a re-run (another job) replaces the previous one.
    await client.query(
      `DELETE FROM "Measurement" WHERE "modelId" = $1 AND provenance = 'measured' AND metric = $2::"MetricKind"
          AND "inputSize" IS NOT DISTINCT FROM $3 AND "deviceId" IS NOT DISTINCT FROM $4 AND "datasetId" IS NOT DISTINCT FROM $5 AND key <> $6`,
      [modelId, m.metric, m.inputSize, deviceId, scopeDataset, key],
    );
    await client.query(
      `INSERT INTO "Measurement" ("modelId", metric, "inputSize", "deviceId", "datasetId", value, decimals, provenance, "sourceId", "jobId", key, "createdAt")
       VALUES ($1, $2::"MetricKind", $3, $4, $5, $6, NULL, 'measured', NULL, $7, $8, now())
       ON CONFLICT ("modelId", key) DO UPDATE SET value = EXCLUDED.value, "createdAt" = EXCLUDED."createdAt"`,
      [modelId, m.metric, m.inputSize, deviceId, scopeDataset, m.value, o.jobId, key],
    );
  }
}

/**
 * A failed run withdraws its model from the zoo: measured numbers, artifact and entries go with it.
 * A model that others name as baseline, parent or teacher keeps its row (the links stay; deletes of linked
 * models are refused, ON DELETE RESTRICT) and loses only its measured numbers and zoo entries; the run
 * keeps it, so a re-run measures it again.
 */
export async function withdrawMeasurements(client: pg.PoolClient, runId: string): Promise<void> {
  const run = await client.query(`SELECT "modelId" FROM "RegisteredRun" WHERE id = $1`, [runId]);
  const modelId = run.rows[0]?.modelId as number | null | undefined;
  if (!modelId) return;
  if ((await findModelDependents(client, modelId)).length) {
    await client.query(`DELETE FROM "Measurement" WHERE "modelId" = $1 AND provenance = 'measured'`, [modelId]);
    await client.query(`DELETE FROM "ZooEntry" WHERE "modelId" = $1`, [modelId]);
    return;
  }
  await client.query(`UPDATE "RegisteredRun" SET "modelId" = NULL WHERE id = $1`, [runId]);
  await client.query(`DELETE FROM "Model" WHERE id = $1`, [modelId]);
}
