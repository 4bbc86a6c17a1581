import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type pg from 'pg';
import { SlimboardError, isSlimboardError } from '../errors';
import { enqueueJobs, type EnqueueRequest } from '../jobs/enqueue-job';
import type { Pipeline } from '../jobs/pipeline';
import { checkOnnxFileIsolated, type OnnxUploadSummary } from './onnx-upload-check';
import { failRun } from './run-state';
import { parseRunMetadata, type TRunMetadata } from './run-metadata';
import { createZooModel, resolveZooRefs } from './zoo-model-for-run';
import { checkUploadFileName } from './upload-file-name';
import { declaredAdapterOf, findSameFileRun, lockSha256 } from './same-file-run';
import type { RunState } from './run-state';
import { withPgTransactionRetried } from '../db/pg-transaction';
import { LOCAL_OWNER } from '../auth/owners';

/**
 * Register a run: the one code path behind all three doors (upload form, POST /api/runs, CLI submit).
 *
 * 1. Metadata is validated (zod) before anything is stored: invalid -> 400, no run.
 * 2. A run row is written (`receiving`), so that every later failure leaves a failed run with its reason.
 * 3. Checks that need no bytes: file name, dataset/baseline/pretraining exist, target device exists,
 *    declared size.
 * 4. The file streams into the content-addressed store (constant memory, size limit -> 413).
 * 5. The file must be a parseable ONNX model with an image input (checked in a child process).
 * 6. One transaction: the zoo Model + Artifact, run -> `queued`, and its jobs (pg-boss + RunJob rows).
 * Any failure after step 2 marks the run failed with one clear line and removes what this upload
 * stored (unless the same bytes belong to another run): nothing else changes.
 */

export type RunDoor = 'web' | 'api' | 'cli';

export interface RegisterRunInput {
  /** Raw metadata (parsed JSON); validated here. */
  metadata: unknown;
  /** Name the user gave the file (label only; never a path). */
  fileName: string;
  /** The model bytes, streamed. */
  file: Readable | AsyncIterable<Uint8Array>;
  /** Content-Length of the file (or of the whole request) when known: refused early if over the limit. */
  declaredSizeBytes?: number;
  door: RunDoor;
  tokenId: string | null;
  /** Who may delete or re-run it (lib/auth/owners.ts), already validated. Default: the owner of `tokenId`, else `local`. */
  owner?: string;
  maxBytes: number;
  /**
   * Bytes already registered with equivalent metadata: 'link' (default) answers with that run and model
   * instead of creating a second; 'register' always creates (the demo zoo keeps one run per manifest entry).
   */
  onSameFile?: 'link' | 'register';
}

export interface RegisteredRunSummary {
  id: string;
  /** Its owner (a linked run keeps the owner of whoever registered it first). */
  owner: string;
  /** 'queued' for a new run; a linked run's current state. */
  state: RunState;
  name: string;
  /** Slug of the zoo model created for the run (its page: /models/<slug>). */
  modelSlug: string;
  sha256: string;
  sizeBytes: number;
  deduplicated: boolean;
  /**
   * The same bytes were registered before. `linked`: its metadata was equivalent, and this summary is that
   * earlier run's (no new run, model or job). Otherwise a new run was created and `differences` names the
   * metadata fields that differ from the earlier run.
   */
  sameFileAs?: { runId: string; modelSlug: string; linked: boolean; differences: string[] };
  /** The metadata declared no adapter; the run is measured with the one that run declared for the same bytes. */
  adapterFrom?: { runId: string };
  model: OnnxUploadSummary;
  jobs: Array<{ id: string; kind: string; inputSize: number; dataset: string | null; targetDeviceId: string | null }>;
}

/** A refused registration that left a failed run behind: the HTTP layer returns its id with the error. */
export class RunRefusedError extends SlimboardError {
  constructor(
    readonly runId: string,
    cause: SlimboardError,
  ) {
    super(cause.code, cause.message, { status: cause.status, details: { runId }, cause });
  }
}

export async function registerRun(p: Pipeline, input: RegisterRunInput): Promise<RegisteredRunSummary> {
  const meta = parseRunMetadata(input.metadata);
  if (meta.formerFiles)
    throw new SlimboardError('bad_metadata', 'metadata.formerFiles: set by Slimboard when a run moves to a new file, not at registration', {
      status: 400,
    });
  const runId = randomUUID();
  const inserted = await p.pool.query(
    `INSERT INTO "RegisteredRun" (id, name, state, metadata, "fileName", door, "tokenId", owner, "createdAt", "updatedAt")
     VALUES ($1, $2, 'receiving', $3, $4, $5, $6, COALESCE($7, (SELECT owner FROM "ApiToken" WHERE id = $6), $8), now(), now())
     RETURNING owner`,
    [runId, meta.name, JSON.stringify(meta), input.fileName.slice(0, 200), input.door, input.tokenId, input.owner ?? null, LOCAL_OWNER],
  );
  const owner = String(inserted.rows[0].owner);

  let stored: { sha256: string; sizeBytes: number; created: boolean } | undefined;
  try {
    checkUploadFileName(input.fileName);
    const refs = await resolveZooRefs(p.pool, meta);
    if (meta.measurements.benchmarkDevice) {
      const d = await p.pool.query(`SELECT 1 FROM "Device" WHERE slug = $1`, [meta.measurements.benchmarkDevice]);
      if (d.rowCount === 0)
        throw new SlimboardError(
          'unknown_device',
          `metadata.measurements.benchmarkDevice: no registered device "${meta.measurements.benchmarkDevice}"`,
          { status: 422 },
        );
    }
    if (input.declaredSizeBytes !== undefined && input.declaredSizeBytes > input.maxBytes) {
      throw new SlimboardError(
        'too_large',
        `upload of ${input.declaredSizeBytes} bytes exceeds the size limit of ${input.maxBytes} bytes`,
        { status: 413 },
      );
    }
    try {
      stored = await p.store.put(input.file, { maxBytes: input.maxBytes });
    } catch (e) {
      if (isSlimboardError(e)) throw e;
      throw new SlimboardError(
        'upload_incomplete',
        `upload of "${input.fileName}" was cut off before the end (${e instanceof Error ? e.message : String(e)})`,
      );
    }
    const modelPath = await p.store.localPath(stored.sha256);
    const model = await checkOnnxFileIsolated(modelPath, input.fileName);

    const jobs = planJobs(runId, meta);
    const { sha256, sizeBytes } = stored;
    // Retried when PostgreSQL picks it as a deadlock victim: everything in it (pg-boss rows included) was rolled back.
    const done = await withPgTransactionRetried(p.pool, async (client) => {
      await lockSha256(client, sha256);
      // No adapter declared: measure with the one an earlier run of these bytes declared, and say so.
      const inherited = meta.adapter ? null : await declaredAdapterOf(client, sha256, runId);
      const effective: TRunMetadata = inherited ? { ...meta, adapter: inherited.adapter } : meta;
      if (inherited) {
        await client.query(`UPDATE "RegisteredRun" SET metadata = $2, "adapterFromRunId" = $3 WHERE id = $1`, [
          runId,
          JSON.stringify(effective),
          inherited.runId,
        ]);
      }
      const same = await findSameFileRun(client, sha256, effective, runId);
      if (same && same.differences.length === 0 && input.onSameFile !== 'register') {
        // Equivalent to a live run: answer with it; this upload leaves no run of its own.
        await client.query(`DELETE FROM "RegisteredRun" WHERE id = $1`, [runId]);
        const linkedOwner = await client.query(`SELECT owner FROM "RegisteredRun" WHERE id = $1`, [same.runId]);
        const linkedJobs = await client.query(
          `SELECT id, kind, "inputSize", dataset, "targetDevice" FROM "RunJob" WHERE "runId" = $1 ORDER BY "createdAt", id`,
          [same.runId],
        );
        type JobRow = { id: string; kind: string; inputSize: number; dataset: string | null; targetDevice: string | null };
        const linkedRows = linkedJobs.rows as JobRow[];
        const linkedBy = String(linkedOwner.rows[0]?.owner ?? owner);
        return { kind: 'linked' as const, linked: same, linkedOwner: linkedBy, linkedJobs: linkedRows, inherited };
      }
      const zooModel = await createZooModel(client, { runId, meta: effective, refs, sha256, sizeBytes, fileName: input.fileName });
      await client.query(
        `UPDATE "RegisteredRun" SET state = 'queued', sha256 = $2, "sizeBytes" = $3, "modelId" = $4, "updatedAt" = now() WHERE id = $1`,
        [runId, sha256, sizeBytes, zooModel.id],
      );
      return {
        kind: 'created' as const,
        jobIds: await enqueueJobs(client, p.boss, p.settings, jobs),
        modelSlug: zooModel.slug,
        same,
        inherited,
      };
    });
    if (done.kind === 'linked') {
      return {
        id: done.linked.runId,
        owner: done.linkedOwner,
        state: done.linked.state,
        name: meta.name,
        modelSlug: done.linked.modelSlug,
        sha256,
        sizeBytes,
        deduplicated: true,
        sameFileAs: { runId: done.linked.runId, modelSlug: done.linked.modelSlug, linked: true, differences: [] },
        ...(done.inherited ? { adapterFrom: { runId: done.inherited.runId } } : {}),
        model,
        jobs: done.linkedJobs.map((j) => ({
          id: j.id,
          kind: j.kind,
          inputSize: j.inputSize,
          dataset: j.dataset,
          targetDeviceId: j.targetDevice,
        })),
      };
    }
    const { jobIds, modelSlug, same, inherited } = done;
    return {
      id: runId,
      owner,
      state: 'queued',
      name: meta.name,
      modelSlug,
      sha256: stored.sha256,
      sizeBytes: stored.sizeBytes,
      deduplicated: !stored.created,
      ...(same ? { sameFileAs: { runId: same.runId, modelSlug: same.modelSlug, linked: false, differences: same.differences } } : {}),
      ...(inherited ? { adapterFrom: { runId: inherited.runId } } : {}),
      model,
      jobs: jobs.map((j, i) => ({
        id: jobIds[i],
        kind: j.kind,
        inputSize: j.payload.inputSize,
        dataset: j.payload.dataset ?? null,
        targetDeviceId: j.payload.targetDeviceId ?? null,
      })),
    };
  } catch (e) {
    const reason = isSlimboardError(e)
      ? e
      : new SlimboardError('registration_failed', `registration failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, {
          status: 500,
        });
    await failRun(p.pool, runId, reason.message);
    if (stored?.created) await removeIfUnreferenced(p, stored.sha256);
    throw new RunRefusedError(runId, reason);
  }
}

/**
 * One analyse and benchmark job per input size, and one evaluate job per input size and dataset (`dataset`, then
 * `measurements.evaluateOn` in order, duplicates dropped), as the metadata asks.
 */
export function planJobs(runId: string, meta: TRunMetadata): EnqueueRequest[] {
  const jobs: EnqueueRequest[] = [];
  for (const inputSize of meta.inputSizes) {
    if (meta.measurements.analyse) jobs.push({ kind: 'analyse', payload: { runId, inputSize } });
    if (meta.measurements.benchmark) {
      jobs.push({
        kind: 'benchmark',
        payload: { runId, inputSize, targetDeviceId: meta.measurements.benchmarkDevice ?? null },
      });
    }
    if (meta.measurements.evaluate)
      for (const dataset of evaluationDatasets(meta)) jobs.push({ kind: 'evaluate', payload: { runId, inputSize, dataset } });
  }
  if (jobs.length === 0)
    throw new SlimboardError('bad_metadata', 'metadata.measurements: nothing to measure (analyse, benchmark and evaluate are all off)');
  return jobs;
}

/** The datasets a run is evaluated on: its own, then `measurements.evaluateOn`, each once. */
export function evaluationDatasets(meta: Pick<TRunMetadata, 'dataset' | 'measurements'>): string[] {
  return [...new Set([meta.dataset, ...(meta.measurements.evaluateOn ?? [])])];
}

/** Delete stored bytes that no run and no artifact refer to any more. */
export async function removeIfUnreferenced(p: Pipeline, sha256: string): Promise<void> {
  const r = await p.pool.query(`SELECT 1 FROM "RegisteredRun" WHERE sha256 = $1 UNION ALL SELECT 1 FROM "Artifact" WHERE sha256 = $1`, [
    sha256,
  ]);
  if (r.rowCount === 0) await p.store.delete(sha256);
}

export type { pg };
