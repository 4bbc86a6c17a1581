import type { Readable } from 'node:stream';
import { SlimboardError, isSlimboardError } from '../errors';
import { enqueueJobs } from '../jobs/enqueue-job';
import type { Pipeline } from '../jobs/pipeline';
import { withPgTransactionRetried } from '../db/pg-transaction';
import { checkOnnxFileIsolated } from './onnx-upload-check';
import { removeIfUnreferenced } from './register-run';
import { parseRunMetadata, type TFormerRunFile } from './run-metadata';
import { lockSha256 } from './same-file-run';

/**
 * Move a registered run to a new file that holds the same weights (e.g. the demo baseline after its initializers got
 * the lineage's names): the run keeps its id, zoo model, lineage, owner and the numbers that depend only on the
 * weights' values (evaluations, latency); what is read from the file's structure is measured again.
 *
 * 1. Nothing to do when the run already holds `expectedSha256` (`unchanged`): a second call changes nothing.
 * 2. The bytes stream into the artifact store and are checked like an upload (an ONNX model with an image input);
 *    their sha256 must be `expectedSha256`.
 * 3. One transaction, the run row locked: the run's sha256 and size, its stored ONNX Artifact (sha256, size,
 *    storage path; the file name stays), metadata `formerFiles` += the old file, and the `requeue` kinds' jobs at each
 *    input size (default: analyse, whose per-layer names and file size change with the bytes). A finished run goes
 *    back to `queued` until they are done.
 * 4. The old bytes leave the store when nothing refers to them any more.
 *
 * Who decides that two files hold the same weights is the caller (the demo zoo's manifest `supersedes`); this
 * function does not compare weights. A run without a zoo model (failed, still receiving) is refused.
 */
export interface ReplaceRunFileInput {
  runId: string;
  /** The new bytes, streamed. */
  file: Readable | AsyncIterable<Uint8Array>;
  /** Label for messages and the ONNX check. */
  fileName: string;
  /** sha256 the new bytes must have. */
  expectedSha256: string;
  /** Move only a run that holds this sha256 now (the file being replaced); another is refused. */
  fromSha256: string;
  /** One line for `formerFiles`: what changed between the files. */
  change: string;
  maxBytes: number;
  /** Job kinds to run again on the new file; default ['analyse']. */
  requeue?: ReadonlyArray<'analyse' | 'benchmark' | 'evaluate'>;
}

export interface ReplaceRunFileResult {
  /** moved: the run now measures the new file; unchanged: it already did. */
  status: 'moved' | 'unchanged';
  runId: string;
  sha256: string;
  sizeBytes: number;
  /** The file the run held before (moved only). */
  former: TFormerRunFile | null;
  jobs: Array<{ id: string; kind: string; inputSize: number }>;
}

interface RunRow {
  state: string;
  sha256: string | null;
  sizeBytes: string | null;
  fileName: string;
  metadata: unknown;
  modelId: number | null;
}

export async function replaceRunFile(p: Pipeline, input: ReplaceRunFileInput): Promise<ReplaceRunFileResult> {
  const load = async () => {
    const r = await p.pool.query(`SELECT state, sha256, "sizeBytes", "fileName", metadata, "modelId" FROM "RegisteredRun" WHERE id = $1`, [
      input.runId,
    ]);
    const row = r.rows[0] as RunRow | undefined;
    if (!row) throw new SlimboardError('not_found', `no run with id ${input.runId}`, { status: 404 });
    return row;
  };
  const current = await load();
  if (current.sha256 === input.expectedSha256) return unchanged(input, current);
  if (current.sha256 !== input.fromSha256 || current.modelId === null)
    throw new SlimboardError(
      'run_file_mismatch',
      `run ${input.runId} holds ${current.sha256 ? `sha256 ${current.sha256.slice(0, 12)}…` : 'no file'}` +
        `${current.modelId === null ? ` (state ${current.state}, no zoo model)` : ''}, not the file to replace ` +
        `(${input.fromSha256.slice(0, 12)}…)`,
      { status: 409 },
    );

  let stored: { sha256: string; sizeBytes: number; created: boolean } | undefined;
  try {
    stored = await p.store.put(input.file, { maxBytes: input.maxBytes });
    if (stored.sha256 !== input.expectedSha256)
      throw new SlimboardError(
        'run_file_mismatch',
        `${input.fileName}: sha256 ${stored.sha256.slice(0, 12)}…, expected ${input.expectedSha256.slice(0, 12)}…`,
      );
    await checkOnnxFileIsolated(await p.store.localPath(stored.sha256), input.fileName);
    const { sha256, sizeBytes } = stored;
    const done = await withPgTransactionRetried(p.pool, async (client) => {
      await lockSha256(client, sha256);
      const r = await client.query(
        `SELECT state, sha256, "sizeBytes", "fileName", metadata, "modelId" FROM "RegisteredRun" WHERE id = $1 FOR UPDATE`,
        [input.runId],
      );
      const run = r.rows[0] as RunRow | undefined;
      if (!run) throw new SlimboardError('not_found', `no run with id ${input.runId}`, { status: 404 });
      // Moved by a concurrent call since we looked: nothing left to do.
      if (run.sha256 === sha256) return { kind: 'unchanged' as const, run };
      if (run.sha256 !== input.fromSha256 || run.modelId === null)
        throw new SlimboardError('run_file_mismatch', `run ${input.runId} changed while its file was replaced`, { status: 409 });
      const meta = parseRunMetadata(run.metadata, `run ${input.runId} metadata`);
      const former: TFormerRunFile = {
        sha256: run.sha256,
        sizeBytes: Number(run.sizeBytes),
        fileName: run.fileName,
        replacedAt: new Date().toISOString(),
        change: input.change.slice(0, 500),
      };
      const metadata = { ...meta, formerFiles: [...(meta.formerFiles ?? []), former] };
      await client.query(
        `UPDATE "RegisteredRun" SET sha256 = $2, "sizeBytes" = $3, metadata = $4,
                state = CASE WHEN state = 'done' THEN 'queued'::"RunState" ELSE state END, "updatedAt" = now()
          WHERE id = $1`,
        [input.runId, sha256, sizeBytes, JSON.stringify(metadata)],
      );
      const a = await client.query(
        `UPDATE "Artifact" SET sha256 = $3, "sizeBytes" = $4, "storagePath" = $5
          WHERE "modelId" = $1 AND kind = 'stored_file' AND sha256 = $2`,
        [run.modelId, run.sha256, sha256, sizeBytes, `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`],
      );
      if (a.rowCount !== 1)
        throw new SlimboardError(
          'run_file_mismatch',
          `run ${input.runId}: its model has no stored file ${run.sha256.slice(0, 12)}… to replace`,
        );
      const kinds = new Set(input.requeue ?? ['analyse']);
      const requests = meta.inputSizes.flatMap((inputSize) => [
        ...(kinds.has('analyse') && meta.measurements.analyse
          ? [{ kind: 'analyse' as const, payload: { runId: input.runId, inputSize } }]
          : []),
        ...(kinds.has('benchmark') && meta.measurements.benchmark
          ? [
              {
                kind: 'benchmark' as const,
                payload: { runId: input.runId, inputSize, targetDeviceId: meta.measurements.benchmarkDevice ?? null },
              },
            ]
          : []),
        ...(kinds.has('evaluate') && meta.measurements.evaluate
          ? [meta.dataset, ...(meta.measurements.evaluateOn ?? [])]
              .filter((d, i, all) => all.indexOf(d) === i)
              .map((dataset) => ({ kind: 'evaluate' as const, payload: { runId: input.runId, inputSize, dataset } }))
          : []),
      ]);
      const ids = await enqueueJobs(client, p.boss, p.settings, requests);
      return {
        kind: 'moved' as const,
        former,
        jobs: requests.map((j, i) => ({ id: ids[i], kind: j.kind, inputSize: j.payload.inputSize })),
      };
    });
    if (done.kind === 'unchanged') return unchanged(input, done.run);
    await removeIfUnreferenced(p, done.former.sha256);
    return { status: 'moved', runId: input.runId, sha256, sizeBytes, former: done.former, jobs: done.jobs };
  } catch (e) {
    if (stored?.created) await removeIfUnreferenced(p, stored.sha256).catch(() => undefined);
    if (isSlimboardError(e)) throw e;
    throw new SlimboardError(
      'replace_failed',
      `run ${input.runId}: moving to ${input.fileName} failed: ${(e as Error).message?.split('\n')[0]}`,
    );
  }
}

function unchanged(input: ReplaceRunFileInput, run: RunRow): ReplaceRunFileResult {
  return { status: 'unchanged', runId: input.runId, sha256: run.sha256!, sizeBytes: Number(run.sizeBytes), former: null, jobs: [] };
}
