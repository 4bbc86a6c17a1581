import type pg from 'pg';
import { JOB_SCHEMA } from './job-engine';

/**
 * `RunJob`: Slimboard's own view of every job (what the jobs page and `submit --wait` read).
 * pg-boss owns claiming, leases and retries; this table mirrors state, attempts, progress, the worker
 * and device that ran it, and the failure reason, and keeps them after pg-boss archives the job.
 *
 * States: queued -> running -> done | failed; running -> retrying -> running (a retryable error or
 * an expired lease); running -> queued (released on shutdown).
 */
export type RunJobState = 'queued' | 'running' | 'retrying' | 'done' | 'failed' | 'cancelled';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export async function markJobClaimed(
  db: Queryable,
  o: { jobId: string; attempt: number; workerId: string; deviceId: number },
): Promise<void> {
  await db.query(
    `UPDATE "RunJob" SET state = 'running', attempts = $2, "workerId" = $3, "deviceId" = $4, progress = 0,
       "startedAt" = now(), "updatedAt" = now() WHERE id = $1`,
    [o.jobId, o.attempt, o.workerId, o.deviceId],
  );
}

export async function markJobProgress(db: Queryable, jobId: string, fraction: number): Promise<void> {
  const p = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  await db.query(`UPDATE "RunJob" SET progress = $2, "updatedAt" = now() WHERE id = $1 AND state = 'running'`, [jobId, p]);
}

export async function markJobDone(db: Queryable, jobId: string): Promise<void> {
  await db.query(
    `UPDATE "RunJob" SET state = 'done', progress = 1, error = NULL, "finishedAt" = now(), "updatedAt" = now() WHERE id = $1`,
    [jobId],
  );
}

export async function markJobFailed(db: Queryable, jobId: string, reason: string): Promise<void> {
  await db.query(`UPDATE "RunJob" SET state = 'failed', error = $2, "finishedAt" = now(), "updatedAt" = now() WHERE id = $1`, [
    jobId,
    reason,
  ]);
}

export async function markJobRetrying(db: Queryable, jobId: string, reason: string): Promise<void> {
  await db.query(`UPDATE "RunJob" SET state = 'retrying', error = $2, "updatedAt" = now() WHERE id = $1`, [jobId, reason]);
}

export async function markJobReleased(db: Queryable, jobId: string): Promise<void> {
  await db.query(
    `UPDATE "RunJob" SET state = 'queued', attempts = GREATEST(attempts - 1, 0), progress = 0, error = NULL, "workerId" = NULL, ` +
      `"updatedAt" = now() WHERE id = $1`,
    [jobId],
  );
}

/**
 * Bring `run_job` in line with jobs pg-boss expired on its own (a worker died holding them):
 * `retry` -> retrying with the reason, `failed` (last attempt expired) -> failed, and the run too (not for a
 * `compress` job, whose run is the source it compresses).
 * Idempotent; every worker runs it once per maintenance interval.
 */
export async function reconcileJobStates(db: Queryable): Promise<void> {
  await db.query(
    `UPDATE "RunJob" r SET state = 'retrying', error = 'worker lost (lease expired); waiting for another worker', "updatedAt" = now()
       FROM ${JOB_SCHEMA}.job j
      WHERE j.id::text = r.id AND j.name = r.queue AND j.state = 'retry' AND r.state = 'running'`,
  );
  const failed = await db.query(
    `UPDATE "RunJob" r SET state = 'failed', "finishedAt" = now(), "updatedAt" = now(),
            error = 'worker lost (lease expired) on the last of ' || (j.retry_count + 1) || ' attempts'
       FROM ${JOB_SCHEMA}.job j
      WHERE j.id::text = r.id AND j.name = r.queue AND j.state = 'failed' AND r.state IN ('running', 'retrying', 'queued')
      RETURNING r."runId" AS run_id, r.error, r.kind::text AS kind`,
  );
  for (const row of failed.rows as Array<{ run_id: string; error: string; kind: string }>) {
    // A compress job's run is its SOURCE run: losing the job leaves that run as it was.
    if (row.kind === 'compress') continue;
    await db.query(
      `UPDATE "RegisteredRun" SET state = 'failed', "failureReason" = COALESCE("failureReason", $2), "updatedAt" = now()
        WHERE id = $1 AND state <> 'failed'`,
      [row.run_id, row.error],
    );
  }
}
