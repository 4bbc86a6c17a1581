import type pg from 'pg';
import { z } from 'zod';
import { SlimboardError } from '../errors';
import { measurementKey } from '../zoo/measurement-key';
import { deleteMeasuredOfModel, writeMeasuredScalar } from '../zoo/measurement-writes';
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

const finite = z.number().finite();

/**
 * The fields each kind's result must have (the results of lib/measure/run-measurement.ts, typed there):
 * analyse -> the `analyze` report, benchmark -> a LatencyMeasurement (`summary.p50Ms`), evaluate -> an
 * evaluator's summary, whose `metrics` hold COCO `AP`, VOC `mAP` or WIDER FACE `easy`/`medium`/`hard`.
 */
const ZAnalyseScalars = z.object({ gflops: finite, bytes: finite.nonnegative(), params: finite.nonnegative().optional() });
const ZBenchmarkScalars = z.object({ summary: z.object({ p50Ms: finite.nonnegative() }) });
const ZEvaluateMetrics = z.union([
  z.object({ AP: finite }),
  z.object({ mAP: finite }),
  z.object({ easy: finite, medium: finite, hard: finite }),
]);

/** Pure: the scalars a job's result contributes. Missing fields are a (retryable) contract error. */
export function scalarsFromResult(
  kind: 'analyse' | 'benchmark' | 'evaluate',
  inputSize: number,
  result: Record<string, unknown>,
): ScalarMeasurement[] {
  const keys = () => Object.keys(result).join(', ');
  if (kind === 'analyse') {
    const a = ZAnalyseScalars.safeParse(result);
    if (!a.success) throw new Error(`analyze output lacks gflops/bytes (keys: ${keys()})`);
    return [
      { metric: 'gflops', inputSize, value: a.data.gflops },
      { metric: 'model_size_mb', inputSize: null, value: a.data.bytes / 1e6 },
      ...(a.data.params === undefined ? [] : [{ metric: 'params' as const, inputSize: null, value: a.data.params }]),
    ];
  }
  if (kind === 'benchmark') {
    const b = ZBenchmarkScalars.safeParse(result);
    if (!b.success) throw new Error(`bench output lacks summary.p50Ms (keys: ${keys()})`);
    return [{ metric: 'latency_ms', inputSize, value: b.data.summary.p50Ms }];
  }
  const e = ZEvaluateMetrics.safeParse(result.metrics);
  if (!e.success) {
    const metricKeys = result.metrics && typeof result.metrics === 'object' ? Object.keys(result.metrics).join(', ') : 'no metrics object';
    throw new SlimboardError('evaluation_unrecognised', `evaluate output has no AP, mAP or easy/medium/hard (keys: ${metricKeys})`);
  }
  const m = e.data;
  if ('AP' in m) return [{ metric: 'box_ap', inputSize, value: m.AP * 100 }];
  if ('mAP' in m) return [{ metric: 'voc_map', inputSize, value: m.mAP * 100 }];
  return [
    { metric: 'wider_easy', inputSize, value: m.easy * 100 },
    { metric: 'wider_medium', inputSize, value: m.medium * 100 },
    { metric: 'wider_hard', inputSize, value: m.hard * 100 },
  ];
}

export async function publishMeasurements(
  client: pg.PoolClient,
  o: {
    runId: string;
    jobId: string;
    scalars: ScalarMeasurement[];
    deviceId: number | null;
    deviceSlug: string | null;
    datasetSlug: string | null;
  },
): Promise<void> {
  const run = await client.query(`SELECT "modelId" FROM "RegisteredRun" WHERE id = $1`, [o.runId]);
  const modelId = run.rows[0]?.modelId as number | null | undefined;
  if (!modelId) return;
  const datasetId = o.datasetSlug
    ? ((await client.query(`SELECT id FROM "Dataset" WHERE slug = $1`, [o.datasetSlug])).rows[0]?.id ?? null)
    : null;
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
    await writeMeasuredScalar(client, {
      modelId,
      metric: m.metric,
      inputSize: m.inputSize,
      deviceId,
      datasetId: scopeDataset,
      value: m.value,
      jobId: o.jobId,
      key,
    });
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
    await deleteMeasuredOfModel(client, modelId);
    await client.query(`DELETE FROM "ZooEntry" WHERE "modelId" = $1`, [modelId]);
    return;
  }
  await client.query(`UPDATE "RegisteredRun" SET "modelId" = NULL WHERE id = $1`, [runId]);
  await client.query(`DELETE FROM "Model" WHERE id = $1`, [modelId]);
}
