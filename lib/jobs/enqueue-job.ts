import type PgBoss from 'pg-boss';
import type pg from 'pg';
import { ensureQueue, sqlExecutor, type EngineSettings } from './job-engine';
import { ZJobPayload, queueName, type JobKind, type TJobPayload } from './job-definitions';

export interface EnqueueRequest {
  kind: JobKind;
  payload: Omit<TJobPayload, 'v'>;
}

/**
 * Enqueue jobs inside the caller's open transaction (`client` has run BEGIN): the pg-boss rows and
 * our `RunJob` rows commit or roll back together with the run row the caller wrote.
 * Queues are created beforehand on the pool (pg-boss 10 needs them to exist).
 */
export async function enqueueJobs(
  client: pg.PoolClient,
  boss: PgBoss,
  settings: EngineSettings,
  requests: EnqueueRequest[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const r of requests) {
    const payload = ZJobPayload.parse({ v: 1, ...r.payload });
    const queue = queueName(r.kind, payload.targetDeviceId);
    await ensureQueue(boss, queue, settings);
    const id = await boss.send(queue, payload, { db: sqlExecutor(client) } as PgBoss.SendOptions);
    if (!id) throw new Error(`job engine refused a ${r.kind} job for run ${payload.runId}`);
    await client.query(
      `INSERT INTO "RunJob" (id, "runId", kind, queue, "inputSize", dataset, "targetDevice", state, attempts, progress, "createdAt", ` +
        `"updatedAt")
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', 0, 0, now(), now())`,
      [id, payload.runId, r.kind, queue, payload.inputSize, payload.dataset ?? null, payload.targetDeviceId ?? null],
    );
    ids.push(id);
  }
  return ids;
}
