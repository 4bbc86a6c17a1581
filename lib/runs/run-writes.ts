import { SlimboardError } from '../errors';
import { enqueueJobs } from '../jobs/enqueue-job';
import { JOB_SCHEMA } from '../jobs/job-engine';
import type { Pipeline } from '../jobs/pipeline';
import { evaluationDatasets, planJobs } from './register-run';
import { parseRunMetadata } from './run-metadata';
import { withPgTransaction } from '../db/pg-transaction';
import { findModelDependents, modelInUseError } from '../zoo/model-dependents';
import { assertMayWriteRun, type RunWriter } from '../auth/owners';

/**
 * The other writes on a run (token + same-origin are checked by the route wrapper, lib/http/api-route.ts); both
 * need the run's owner's token or an admin token, never a worker token (lib/auth/owners.ts: else 403):
 * - re-run: queue its jobs again; each new result replaces the current one (the old one goes to
 *   MeasuredResultHistory), so the zoo keeps one current number per scope.
 * - delete: cancel its unfinished jobs, remove its zoo model and its rows; the stored file goes too
 *   unless another run or zoo artifact has the same bytes. A run whose model is another model's baseline,
 *   parent or teacher is not deleted: 409 with the list of dependents (never a silent NULL).
 */

function checkId(id: string): void {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new SlimboardError('not_found', `no run with id "${id.slice(0, 80)}"`, { status: 404 });
}

export async function rerunRequest(p: Pipeline, runId: string, token: RunWriter): Promise<Response> {
  checkId(runId);
  return withPgTransaction(p.pool, async (client) => {
    const r = await client.query(`SELECT state, metadata, sha256, "modelId", owner FROM "RegisteredRun" WHERE id = $1 FOR UPDATE`, [runId]);
    const run = r.rows[0];
    if (!run) throw new SlimboardError('not_found', `no run with id ${runId}`, { status: 404 });
    assertMayWriteRun(token, 're-run', runId, run.owner);
    if (!run.sha256 || !run.modelId)
      throw new SlimboardError('not_rerunnable', `run ${runId} was refused at registration (${run.state}); register the model again`, {
        status: 409,
      });
    if (run.state === 'queued' || run.state === 'running')
      throw new SlimboardError('busy', `run ${runId} is still ${run.state}`, { status: 409 });
    const jobs = planJobs(runId, parseRunMetadata(run.metadata));
    await client.query(`UPDATE "RegisteredRun" SET state = 'queued', "failureReason" = NULL, "updatedAt" = now() WHERE id = $1`, [runId]);
    const ids = await enqueueJobs(client, p.boss, p.settings, jobs);
    return Response.json({ run: { id: runId, state: 'queued', jobs: ids } }, { status: 202 });
  });
}

/**
 * Evaluations on further datasets for a registered run (the demo zoo, when a newer Slimboard evaluates its models on
 * more datasets than when they were registered): the datasets are appended to the run's stored metadata
 * (`measurements.evaluateOn`, so a re-run plans them too) and the evaluate jobs it lacks are queued, one per input
 * size and new dataset. A finished run goes back to `queued` until they are done. Idempotent: datasets the run
 * already evaluates on queue nothing; a run that evaluates nothing, or whose registration was refused, is left alone.
 */
export async function addRunEvaluations(p: Pipeline, runId: string, datasets: readonly string[]): Promise<{ jobsQueued: number }> {
  return withPgTransaction(p.pool, async (client) => {
    const r = await client.query(`SELECT state, metadata, "modelId" FROM "RegisteredRun" WHERE id = $1 FOR UPDATE`, [runId]);
    const run = r.rows[0];
    if (!run) throw new SlimboardError('not_found', `no run with id ${runId}`, { status: 404 });
    const meta = parseRunMetadata(run.metadata);
    const have = new Set(evaluationDatasets(meta));
    const missing = [...new Set(datasets)].filter((d) => !have.has(d));
    if (!meta.measurements.evaluate || !run.modelId || missing.length === 0) return { jobsQueued: 0 };
    const known = await client.query<{ slug: string }>(`SELECT slug FROM "Dataset" WHERE slug = ANY($1::text[])`, [missing]);
    const unknown = missing.filter((d) => !known.rows.some((k) => k.slug === d));
    if (unknown.length)
      throw new SlimboardError('unknown_dataset', `no dataset ${unknown.map((d) => `"${d}"`).join(', ')} in the zoo (register it first)`, {
        status: 422,
      });
    const evaluateOn = [...(meta.measurements.evaluateOn ?? []), ...missing];
    await client.query(
      `UPDATE "RegisteredRun"
          SET metadata = jsonb_set(metadata, '{measurements}',
                COALESCE(metadata->'measurements', '{}') || jsonb_build_object('evaluateOn', $2::jsonb)),
              state = CASE WHEN state = 'done' THEN 'queued' ELSE state END, "updatedAt" = now()
        WHERE id = $1`,
      [runId, JSON.stringify(evaluateOn)],
    );
    const jobs = meta.inputSizes.flatMap((inputSize) =>
      missing.map((dataset) => ({ kind: 'evaluate' as const, payload: { runId, inputSize, dataset } })),
    );
    const ids = await enqueueJobs(client, p.boss, p.settings, jobs);
    return { jobsQueued: ids.length };
  });
}

export async function deleteRunRequest(p: Pipeline, runId: string, token: RunWriter): Promise<Response> {
  checkId(runId);
  const sha256 = await withPgTransaction(p.pool, async (client): Promise<string | null> => {
    const r = await client.query(`SELECT sha256, "modelId", owner FROM "RegisteredRun" WHERE id = $1 FOR UPDATE`, [runId]);
    if (!r.rowCount) throw new SlimboardError('not_found', `no run with id ${runId}`, { status: 404 });
    assertMayWriteRun(token, 'delete', runId, r.rows[0].owner);
    const modelId = r.rows[0].modelId as number | null;
    if (modelId) {
      // Lock the model row: a registration naming it as baseline takes a KEY SHARE lock on it and waits.
      const m = await client.query(`SELECT slug FROM "Model" WHERE id = $1 FOR UPDATE`, [modelId]);
      const dependents = await findModelDependents(client, modelId);
      if (dependents.length) throw modelInUseError(String(m.rows[0]?.slug ?? modelId), dependents);
    }
    const jobs = await client.query(`SELECT id, queue FROM "RunJob" WHERE "runId" = $1 AND state IN ('queued', 'retrying', 'running')`, [
      runId,
    ]);
    for (const j of jobs.rows) {
      await client.query(
        `UPDATE ${JOB_SCHEMA}.job SET state = 'cancelled', completed_on = now() WHERE name = $1 AND id = $2::uuid AND state < 'completed'`,
        [j.queue, j.id],
      );
    }
    if (modelId) await client.query(`DELETE FROM "Model" WHERE id = $1`, [modelId]);
    await client.query(`DELETE FROM "MeasuredResultHistory" WHERE "runId" = $1`, [runId]);
    await client.query(`DELETE FROM "RegisteredRun" WHERE id = $1`, [runId]);
    return r.rows[0].sha256;
  });
  if (sha256) {
    const still = await p.pool.query(
      `SELECT 1 FROM "RegisteredRun" WHERE sha256 = $1 UNION ALL SELECT 1 FROM "Artifact" WHERE sha256 = $1`,
      [sha256],
    );
    if (!still.rowCount) await p.store.delete(sha256);
  }
  return Response.json({ deleted: runId });
}
