import { bearerToken, verifyApiToken } from '../auth/api-tokens';
import { SlimboardError } from '../errors';
import { enqueueJobs } from '../jobs/enqueue-job';
import { JOB_SCHEMA } from '../jobs/job-engine';
import type { Pipeline } from '../jobs/pipeline';
import { planJobs } from './register-run';
import { parseRunMetadata } from './run-metadata';
import { checkSameOrigin } from './same-origin';
import { withPgTransaction } from '../db/pg-transaction';

/**
 * The other writes on a run (token + same-origin, like registration):
 * - re-run: queue its jobs again; each new result replaces the current one (the old one goes to
 *   MeasuredResultHistory), so the zoo keeps one current number per scope.
 * - delete: cancel its unfinished jobs, remove its zoo model and its rows; the stored file goes too
 *   unless another run or zoo artifact has the same bytes.
 */

async function authorize(req: Request, p: Pipeline): Promise<void> {
  checkSameOrigin(req);
  await verifyApiToken(p.pool, bearerToken(req.headers.get('authorization')));
}

function checkId(id: string): void {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new SlimboardError('not_found', `no run with id "${id.slice(0, 80)}"`, { status: 404 });
}

export async function rerunRequest(req: Request, p: Pipeline, runId: string): Promise<Response> {
  await authorize(req, p);
  checkId(runId);
  return withPgTransaction(p.pool, async (client) => {
    const r = await client.query(`SELECT state, metadata, sha256, "modelId" FROM "RegisteredRun" WHERE id = $1 FOR UPDATE`, [runId]);
    const run = r.rows[0];
    if (!run) throw new SlimboardError('not_found', `no run with id ${runId}`, { status: 404 });
    if (!run.sha256 || !run.modelId) throw new SlimboardError('not_rerunnable', `run ${runId} was refused at registration (${run.state}); register the model again`, { status: 409 });
    if (run.state === 'queued' || run.state === 'running') throw new SlimboardError('busy', `run ${runId} is still ${run.state}`, { status: 409 });
    const jobs = planJobs(runId, parseRunMetadata(run.metadata));
    await client.query(`UPDATE "RegisteredRun" SET state = 'queued', "failureReason" = NULL, "updatedAt" = now() WHERE id = $1`, [runId]);
    const ids = await enqueueJobs(client, p.boss, p.settings, jobs);
    return Response.json({ run: { id: runId, state: 'queued', jobs: ids } }, { status: 202 });
  });
}

export async function deleteRunRequest(req: Request, p: Pipeline, runId: string): Promise<Response> {
  await authorize(req, p);
  checkId(runId);
  const sha256 = await withPgTransaction(p.pool, async (client): Promise<string | null> => {
    const r = await client.query(`SELECT sha256, "modelId" FROM "RegisteredRun" WHERE id = $1 FOR UPDATE`, [runId]);
    if (!r.rowCount) throw new SlimboardError('not_found', `no run with id ${runId}`, { status: 404 });
    const jobs = await client.query(`SELECT id, queue FROM "RunJob" WHERE "runId" = $1 AND state IN ('queued', 'retrying', 'running')`, [runId]);
    for (const j of jobs.rows) {
      await client.query(`UPDATE ${JOB_SCHEMA}.job SET state = 'cancelled', completed_on = now() WHERE name = $1 AND id = $2::uuid AND state < 'completed'`, [j.queue, j.id]);
    }
    if (r.rows[0].modelId) await client.query(`DELETE FROM "Model" WHERE id = $1`, [r.rows[0].modelId]);
    await client.query(`DELETE FROM "MeasuredResultHistory" WHERE "runId" = $1`, [runId]);
    await client.query(`DELETE FROM "RegisteredRun" WHERE id = $1`, [runId]);
    return r.rows[0].sha256;
  });
  if (sha256) {
    const still = await p.pool.query(`SELECT 1 FROM "RegisteredRun" WHERE sha256 = $1 UNION ALL SELECT 1 FROM "Artifact" WHERE sha256 = $1`, [sha256]);
    if (!still.rowCount) await p.store.delete(sha256);
  }
  return Response.json({ deleted: runId });
}
