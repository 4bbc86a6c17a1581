import type pg from 'pg';
import { withPgTransaction } from '../db/pg-transaction';
import { SlimboardError } from '../errors';
import { enqueueJobs } from '../jobs/enqueue-job';
import { JOB_SCHEMA } from '../jobs/job-engine';
import type { Pipeline } from '../jobs/pipeline';
import type { RunDoor } from '../runs/register-run';
import { parseRunMetadata } from '../runs/run-metadata';
import { parseCompressRequest, type TCompressRequest } from './compress-request';
import { requirePruningAnalysis } from './require-pruning-analysis';

/**
 * Start a compression of a registered run: the one path behind the three doors (model page form, POST
 * /api/runs/<id>/compress, `slimboard compress submit`). Validates the request (400 with zod issues), finds
 * the source run (404) with a stored model (409), checks what needs the database (calibration dataset
 * registered and not the evaluation dataset: 422; for prune-to-target, an analysis of this model: 409), and
 * enqueues ONE `compress` job in a transaction with its RunJob row. The job (workers/handlers/compress.ts)
 * registers the result as a new run.
 */

export interface StartCompressionInput {
  sourceRunId: string;
  /** Raw request (parsed JSON); validated here with ZCompressRequest. */
  request: unknown;
  door: RunDoor;
  tokenId: string | null;
}

export interface StartedCompression {
  jobId: string;
  sourceRunId: string;
  sourceModel: string;
  /** The input size the compression works at (the request's, else the source run's first). */
  inputSize: number;
  request: TCompressRequest;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function startCompression(p: Pipeline, input: StartCompressionInput): Promise<StartedCompression> {
  const request = parseCompressRequest(input.request);
  if (!UUID.test(input.sourceRunId))
    throw new SlimboardError('not_found', `no run with id "${input.sourceRunId.slice(0, 80)}"`, { status: 404 });
  return withPgTransaction(p.pool, async (client) => {
    const r = await client.query(
      `SELECT r.state, r.metadata, r.sha256, m.slug
         FROM "RegisteredRun" r LEFT JOIN "Model" m ON m.id = r."modelId" WHERE r.id = $1 FOR SHARE OF r`,
      [input.sourceRunId],
    );
    const run = r.rows[0] as { state: string; metadata: unknown; sha256: string | null; slug: string | null } | undefined;
    if (!run) throw new SlimboardError('not_found', `no run with id ${input.sourceRunId}`, { status: 404 });
    if (!run.sha256 || !run.slug) {
      throw new SlimboardError(
        'not_compressible',
        `run ${input.sourceRunId} has no stored model (it was refused at registration: ${run.state})`,
        { status: 409 },
      );
    }
    const meta = parseRunMetadata(run.metadata, `run ${input.sourceRunId} metadata`);
    if (request.method === 'quantize') await checkCalibrationDataset(client, request.calibDataset, meta.dataset);
    if (request.method === 'sensitivity' && request.dataset) await requireDataset(client, request.dataset, 'dataset');
    if (request.method === 'prune-to-target') requirePruningAnalysis(meta, { id: input.sourceRunId, slug: run.slug });
    const inputSize = request.inputSize ?? meta.inputSizes[0];
    const [jobId] = await enqueueJobs(client, p.boss, p.settings, [
      {
        kind: 'compress',
        payload: { runId: input.sourceRunId, inputSize, compress: { request, door: input.door, tokenId: input.tokenId } },
      },
    ]);
    return { jobId, sourceRunId: input.sourceRunId, sourceModel: run.slug, inputSize, request };
  });
}

/** Calibration must use a registered dataset other than the one accuracy is measured on (else the AP is optimistic). */
async function checkCalibrationDataset(client: Pick<pg.PoolClient, 'query'>, calib: string, evaluation: string): Promise<void> {
  if (calib.toLowerCase() === evaluation.toLowerCase()) {
    throw new SlimboardError(
      'calibration_is_evaluation',
      `calibDataset "${calib}" is the dataset the model is evaluated on; ` +
        'calibrate on another split (e.g. the train split) so the measured AP stays honest',
      { status: 422, details: { issues: [{ path: 'calibDataset', message: 'must differ from the evaluation dataset' }] } },
    );
  }
  await requireDataset(client, calib, 'calibDataset');
}

/** 422 naming the request field when `slug` is no registered dataset. */
async function requireDataset(client: Pick<pg.PoolClient, 'query'>, slug: string, field: string): Promise<void> {
  const d = await client.query(`SELECT 1 FROM "Dataset" WHERE slug = $1`, [slug]);
  if (d.rowCount === 0) {
    throw new SlimboardError(
      'unknown_dataset',
      `${field}: no registered dataset "${slug}" (see \`npm run -s slimboard -- dataset list\`)`,
      {
        status: 422,
        details: { issues: [{ path: field, message: 'no such dataset' }] },
      },
    );
  }
}

export interface CompressJobView {
  id: string;
  state: string;
  progress: number;
  error: string | null;
  request: TCompressRequest | null;
  createdAt: string;
  /** The run the job registered (null until it has). */
  result: { runId: string; modelSlug: string | null; state: string } | null;
}

/** The compress jobs started from a run, newest first, each with the run it produced (what the form polls). */
export async function listCompressJobs(pool: Pick<pg.Pool, 'query'>, sourceRunId: string): Promise<CompressJobView[]> {
  if (!UUID.test(sourceRunId)) return [];
  const r = await pool.query(
    `SELECT j.id, j.state, j.progress, j.error, j."createdAt", b.data->'compress'->'request' AS request,
            n.id AS result_id, n.state AS result_state, m.slug AS result_slug
       FROM "RunJob" j
       LEFT JOIN ${JOB_SCHEMA}.job b ON b.id::text = j.id AND b.name = j.queue
       LEFT JOIN LATERAL (SELECT id, state, "modelId" FROM "RegisteredRun" x
                           WHERE x.metadata->'compression'->>'jobId' = j.id AND x.state <> 'failed' AND x."modelId" IS NOT NULL
                           ORDER BY x."createdAt" LIMIT 1) n ON true
       LEFT JOIN "Model" m ON m.id = n."modelId"
      WHERE j."runId" = $1 AND j.kind = 'compress'
      ORDER BY j."createdAt" DESC, j.id`,
    [sourceRunId],
  );
  type Row = {
    id: string;
    state: string;
    progress: number;
    error: string | null;
    createdAt: Date;
    request: TCompressRequest | null;
    result_id: string | null;
    result_state: string | null;
    result_slug: string | null;
  };
  return (r.rows as Row[]).map((row) => ({
    id: row.id,
    state: row.state,
    progress: row.progress,
    error: row.error,
    request: row.request,
    createdAt: new Date(row.createdAt).toISOString(),
    result: row.result_id ? { runId: row.result_id, modelSlug: row.result_slug, state: row.result_state ?? 'unknown' } : null,
  }));
}
