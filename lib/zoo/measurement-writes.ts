import type pg from 'pg';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import type { TMetricKind } from './metrics';

/**
 * The one writer of Measurement rows. Every insert, update and delete of a Measurement goes through this
 * module (a unit test, measurement-writes.test.ts, checks the rest of the code base for other writes):
 * - `writeMeasuredScalar`: a number a worker measured (provenance `measured`, its job id), replacing the
 *   previous measured number of the same scope (lib/runs/publish-measurements.ts);
 * - `writeReportedValue`: a number a source reports (provenance `reported`), written only when missing or
 *   different (the demo manifest, lib/demo-zoo/register-demo-zoo.ts);
 * - `createReportedMeasurement` / `updateReportedMeasurement`: the seed catalog's numbers, inside the catalog
 *   import's Prisma transaction (lib/zoo/import-catalog.ts);
 * - `deleteMeasuredOfModel`: a withdrawn run's measured numbers.
 * Scope = (model, metric, input size, device, dataset); `key` (lib/zoo/measurement-key.ts) is the canonical
 * identity of scope + origin and is unique per model.
 */
type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;
type Tx = Prisma.TransactionClient | PrismaClient;

export interface MeasuredScalarRow {
  modelId: number;
  metric: TMetricKind;
  inputSize: number | null;
  deviceId: number | null;
  datasetId: number | null;
  value: number;
  jobId: string;
  key: string;
}

/** One current measured number per scope: a re-run (another job, so another key) replaces the previous one. */
export async function writeMeasuredScalar(db: Queryable, m: MeasuredScalarRow): Promise<void> {
  await db.query(
    `DELETE FROM "Measurement" WHERE "modelId" = $1 AND provenance = 'measured' AND metric = $2::"MetricKind"
        AND "inputSize" IS NOT DISTINCT FROM $3 AND "deviceId" IS NOT DISTINCT FROM $4
        AND "datasetId" IS NOT DISTINCT FROM $5 AND key <> $6`,
    [m.modelId, m.metric, m.inputSize, m.deviceId, m.datasetId, m.key],
  );
  await db.query(
    `INSERT INTO "Measurement"
       ("modelId", metric, "inputSize", "deviceId", "datasetId", value, decimals, provenance, "sourceId", "jobId", key, "createdAt")
     VALUES ($1, $2::"MetricKind", $3, $4, $5, $6, NULL, 'measured', NULL, $7, $8, now())
     ON CONFLICT ("modelId", key) DO UPDATE SET value = EXCLUDED.value, "createdAt" = EXCLUDED."createdAt"`,
    [m.modelId, m.metric, m.inputSize, m.deviceId, m.datasetId, m.value, m.jobId, m.key],
  );
}

export interface ReportedValueRow {
  modelId: number;
  metric: TMetricKind;
  inputSize: number | null;
  deviceId: number | null;
  datasetId: number | null;
  value: number;
  /** Decimals the source prints (the zoo shows that many). */
  decimals: number | null;
  sourceId: number;
  key: string;
}

/** A source's number: inserted when missing, updated only when the value changed (so re-imports are no-ops). */
export async function writeReportedValue(db: Queryable, m: ReportedValueRow): Promise<void> {
  await db.query(
    `INSERT INTO "Measurement"
       ("modelId", metric, "inputSize", "deviceId", "datasetId", value, decimals, provenance, "sourceId", "jobId", key, "createdAt")
     VALUES ($1, $2::"MetricKind", $3, $4, $5, $6, $7, 'reported', $8, NULL, $9, now())
     ON CONFLICT ("modelId", key) DO UPDATE SET value = EXCLUDED.value WHERE "Measurement".value <> EXCLUDED.value`,
    [m.modelId, m.metric, m.inputSize, m.deviceId, m.datasetId, m.value, m.decimals, m.sourceId, m.key],
  );
}

/** The seed catalog's row, as the catalog import builds it (Prisma, inside its transaction). */
export type CatalogMeasurementData = Prisma.MeasurementUncheckedCreateInput & { provenance: 'reported' };

export function createReportedMeasurement(tx: Tx, data: CatalogMeasurementData) {
  return tx.measurement.create({ data });
}

export function updateReportedMeasurement(tx: Tx, id: number, changed: Partial<CatalogMeasurementData>) {
  return tx.measurement.update({ where: { id }, data: changed });
}

/** Drop every measured number of a model (a withdrawn run whose model others still link to). */
export async function deleteMeasuredOfModel(db: Queryable, modelId: number): Promise<void> {
  await db.query(`DELETE FROM "Measurement" WHERE "modelId" = $1 AND provenance = 'measured'`, [modelId]);
}
