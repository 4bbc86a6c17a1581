import type pg from 'pg';
import type { TSensitivityAnalysis } from '../zoo/sensitivity-analysis';
import type { TSensitivityCell } from './sensitivity';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/**
 * The one writer of a sensitivity analysis' rows: the checkpointed cells of a sensitivity compress job
 * ("SensitivityCell", the baseline as param '' at ratio 0) and the finished analysis on its run
 * (`metadata.sensitivityAnalysis`, which the model page charts and `prune-to-target` reads).
 */

const BASELINE_PARAM = '';

export interface StoredSensitivityCells {
  baselineAp: number | null;
  cells: TSensitivityCell[];
}

/** The cells a job has stored so far (all attempts). */
export async function loadSensitivityCells(db: Queryable, jobId: string): Promise<StoredSensitivityCells> {
  const r = await db.query<{ param: string; ratio: number; ap: number }>(
    `SELECT param, ratio, ap FROM "SensitivityCell" WHERE "jobId" = $1 ORDER BY param, ratio`,
    [jobId],
  );
  const baseline = r.rows.find((c) => c.param === BASELINE_PARAM);
  return { baselineAp: baseline?.ap ?? null, cells: r.rows.filter((c) => c.param !== BASELINE_PARAM) };
}

/** Store one computed cell (or the baseline with `param` null); a cell already stored is kept as it is. */
export async function storeSensitivityCell(
  db: Queryable,
  o: { jobId: string; attempt: number; param: string | null; ratio: number; ap: number },
): Promise<void> {
  await db.query(
    `INSERT INTO "SensitivityCell" ("jobId", param, ratio, ap, attempt) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT ("jobId", param, ratio) DO NOTHING`,
    [o.jobId, o.param ?? BASELINE_PARAM, o.param === null ? 0 : o.ratio, o.ap, o.attempt],
  );
}

/** Write `record` as the run's metadata.sensitivityAnalysis unless it is already exactly that (JSON equality). */
export async function storeRunSensitivity(db: Queryable, runId: string, record: TSensitivityAnalysis): Promise<'stored' | 'unchanged'> {
  const r = await db.query(
    `UPDATE "RegisteredRun" SET metadata = jsonb_set(metadata, '{sensitivityAnalysis}', $2::jsonb), "updatedAt" = now()
      WHERE id = $1 AND metadata -> 'sensitivityAnalysis' IS DISTINCT FROM $2::jsonb`,
    [runId, JSON.stringify(record)],
  );
  return r.rowCount ? 'stored' : 'unchanged';
}
