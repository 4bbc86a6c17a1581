import type pg from 'pg';
import { JOB_SCHEMA } from '../jobs/job-engine';
import { withdrawMeasurements } from './publish-measurements';

/**
 * Run states: receiving -> queued -> running -> done, or -> failed (with one-line `failure_reason`).
 * A failed run keeps no current results and its unfinished jobs are cancelled, so a failure changes
 * nothing but the run itself.
 */
export type RunState = 'receiving' | 'queued' | 'running' | 'done' | 'failed';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export async function failRun(db: Queryable, runId: string, reason: string): Promise<void> {
  await db.query(
    `UPDATE "RegisteredRun" SET state = 'failed', "failureReason" = COALESCE("failureReason", $2), "updatedAt" = now() WHERE id = $1`,
    [runId, reason.split('\n')[0].slice(0, 2000)],
  );
}

/**
 * Inside the transaction that fails a job for good: fail its run, cancel the run's other unfinished
 * measuring jobs (pg-boss and RunJob; a `compress` job started from the run keeps going) and withdraw the
 * run's current results.
 */
export async function failRunFromJob(client: pg.PoolClient, runId: string, jobId: string, kind: string, reason: string): Promise<void> {
  await client.query(`SELECT 1 FROM "RegisteredRun" WHERE id = $1 FOR UPDATE`, [runId]);
  await failRun(client, runId, `${kind} job failed: ${reason}`);
  const others = await client.query(
    `UPDATE "RunJob" SET state = 'cancelled', error = 'cancelled: another job of this run failed', "finishedAt" = now(), "updatedAt" = now()
      WHERE "runId" = $1 AND id <> $2 AND kind <> 'compress' AND state IN ('queued', 'retrying', 'running') RETURNING id, queue`,
    [runId, jobId],
  );
  for (const row of others.rows as Array<{ id: string; queue: string }>) {
    await client.query(
      `UPDATE ${JOB_SCHEMA}.job SET state = 'cancelled', completed_on = now() WHERE name = $1 AND id = $2::uuid AND state < 'completed'`,
      [row.queue, row.id],
    );
  }
  await client.query(`DELETE FROM "MeasuredResult" WHERE "runId" = $1`, [runId]);
  await withdrawMeasurements(client, runId);
}

/** A job of the run was claimed. */
export async function markRunRunning(db: Queryable, runId: string): Promise<void> {
  await db.query(`UPDATE "RegisteredRun" SET state = 'running', "updatedAt" = now() WHERE id = $1 AND state = 'queued'`, [runId]);
}

/**
 * Inside a job's completing transaction (its run_job row already 'done'): the run is done when no job
 * is left unfinished. `compress` jobs are not the run's measurements (they make another run) and do not
 * count. The run row is locked first so that two jobs finishing at once agree.
 */
export async function markRunDoneIfComplete(client: pg.PoolClient, runId: string): Promise<void> {
  await client.query(`SELECT 1 FROM "RegisteredRun" WHERE id = $1 FOR UPDATE`, [runId]);
  await client.query(
    `UPDATE "RegisteredRun" SET state = 'done', "updatedAt" = now()
      WHERE id = $1 AND state IN ('queued', 'running')
        AND NOT EXISTS (SELECT 1 FROM "RunJob" WHERE "runId" = $1 AND kind <> 'compress' AND state <> 'done')`,
    [runId],
  );
}
