import fs from 'node:fs/promises';
import path from 'node:path';
import { getEnv } from '@/lib/env';
import { SlimboardError } from '@/lib/errors';
import type { JobHandlers, JobOutcome } from '@/lib/jobs/job-runner';
import type { Pipeline } from '@/lib/jobs/pipeline';
import { publishMeasurements, scalarsFromResult } from '@/lib/runs/publish-measurements';
import { applyPairedAccuracyUpdates } from '@/lib/runs/paired-accuracy';
import { recordResult, type ResultKey } from '@/lib/runs/record-result';
import { failRunFromJob, markRunDoneIfComplete, markRunRunning } from '@/lib/runs/run-state';
import type { TRunMetadata } from '@/lib/runs/run-metadata';
import { analyse } from './handlers/analyse';
import { runCompressJob } from './handlers/compress';
import { benchmark } from './handlers/benchmark';
import { evaluate, pairEvaluation, pairLateEvaluations, type AccuracyPairing } from './handlers/evaluate';
import type { MeasureContext } from './handlers/measure-context';

/**
 * The worker's job handlers: thin. Load the run, re-hash its artifact (fail if it changed), measure
 * (kind-specific, in ./handlers), and return the result for the runner to commit in the fenced
 * transaction that also completes the job. Idempotent: a retried job re-measures and replaces the
 * current result (the old one goes to history); a run that already failed records nothing.
 */
/** The declared baseline's stored ONNX file for a paired benchmark, re-hashed; or why there is none. */
async function baselineArtifact(p: Pipeline, runId: string): Promise<MeasureContext['baseline']> {
  const r = await p.pool.query(
    `SELECT b.slug, a.sha256 FROM "RegisteredRun" r JOIN "Model" m ON m.id = r."modelId" JOIN "Model" b ON b.id = m."baselineId"
       LEFT JOIN "Artifact" a ON a."modelId" = b.id AND a.kind = 'stored_file' AND a.format = 'onnx' AND a.sha256 IS NOT NULL
      WHERE r.id = $1 ORDER BY a.id LIMIT 1`,
    [runId],
  );
  const row = r.rows[0] as { slug: string; sha256: string | null } | undefined;
  if (!row) return { modelPath: null, reason: 'the model declares no baseline (it is one)' };
  if (!row.sha256) return { modelPath: null, reason: `baseline ${row.slug} has no stored ONNX file` };
  const actual = await p.store.rehash(row.sha256).catch(() => null);
  if (actual !== row.sha256) return { modelPath: null, reason: `baseline ${row.slug}'s stored ONNX file is missing or changed on disk` };
  return { modelPath: await p.store.localPath(row.sha256), slug: row.slug };
}

export function createJobHandlers(p: Pipeline, device: { id: number; slug: string; threads: number }): JobHandlers {
  return {
    async run(ctx): Promise<JobOutcome> {
      // A compress job makes a new run (which gets its own measuring jobs); it measures nothing itself.
      if (ctx.kind === 'compress') {
        const env = getEnv();
        return runCompressJob(p, ctx, { dataDir: env.dataDir, threads: device.threads, maxBytes: env.SLIMBOARD_UPLOAD_MAX_BYTES });
      }
      const r = await p.pool.query(
        `SELECT r.id, r.state, r.metadata, r."adapterFromRunId", r.sha256, r."fileName", d.slug AS dataset_slug
           FROM "RegisteredRun" r LEFT JOIN "Model" m ON m.id = r."modelId" LEFT JOIN "Dataset" d ON d.id = m."datasetId"
          WHERE r.id = $1`,
        [ctx.payload.runId],
      );
      const run = r.rows[0] as
        | {
            id: string;
            state: string;
            metadata: TRunMetadata;
            adapterFromRunId: string | null;
            sha256: string | null;
            fileName: string;
            dataset_slug: string | null;
          }
        | undefined;
      if (!run) throw new SlimboardError('run_missing', `run ${ctx.payload.runId} does not exist (deleted?)`);
      if (run.state === 'failed') return { output: { skipped: 'run already failed' }, commit: async () => undefined };
      if (!run.sha256) throw new SlimboardError('artifact_missing', `run ${run.id} has no stored model`);
      const sha256 = run.sha256;
      const modelPath = await p.store.localPath(sha256);
      const actual = await p.store.rehash(sha256);
      if (actual !== sha256) {
        throw new SlimboardError(
          'artifact_changed',
          `stored model ${sha256} changed on disk (now hashes to ${actual}); refusing to measure it`,
        );
      }
      await markRunRunning(p.pool, run.id);
      await ctx.reportProgress(0.05);

      const scratchDir = path.join(getEnv().dataDir, 'tmp', 'jobs', ctx.jobId);
      await fs.mkdir(scratchDir, { recursive: true });
      const baseline = ctx.kind === 'benchmark' ? await baselineArtifact(p, run.id) : { modelPath: null, reason: 'not a benchmark' };
      const dataDir = getEnv().dataDir;
      const mctx: MeasureContext = {
        job: ctx,
        modelPath,
        label: run.fileName,
        meta: run.metadata,
        adapterFromRunId: run.adapterFromRunId,
        device,
        scratchDir,
        dataDir,
        baseline,
        datasets: { pool: p.pool, store: p.store },
      };
      const key: ResultKey = {
        runId: run.id,
        kind: ctx.kind,
        dataset: ctx.kind === 'evaluate' ? (ctx.payload.dataset ?? run.metadata.dataset) : '',
        inputSize: ctx.payload.inputSize,
        device: ctx.kind === 'benchmark' ? device.slug : '',
      };
      let metrics: Record<string, unknown>;
      // Evaluate: ΔAP with its interval against the baseline's (or the candidates') stored detections (lib/runs/paired-accuracy.ts).
      let pairing: AccuracyPairing | null = null;
      try {
        metrics = ctx.kind === 'analyse' ? await analyse(mctx) : ctx.kind === 'benchmark' ? await benchmark(mctx) : await evaluate(mctx);
        if (ctx.kind === 'evaluate') {
          pairing = await pairEvaluation(mctx, { runId: run.id, dataset: key.dataset, metrics });
          metrics = { ...metrics, ...pairing.own };
        }
      } finally {
        await fs.rm(scratchDir, { recursive: true, force: true });
      }
      // Validate the result's shape now (outside the transaction): a contract mismatch is retried.
      const scalars = scalarsFromResult(ctx.kind, ctx.payload.inputSize, metrics);
      return {
        output: { runId: run.id, kind: ctx.kind, inputSize: key.inputSize, device: key.device || null },
        async commit(client) {
          const state = await client.query(`SELECT state FROM "RegisteredRun" WHERE id = $1 FOR UPDATE`, [run.id]);
          if (!state.rows[0] || state.rows[0].state === 'failed') return;
          // Evaluate: pair with evaluations committed since pairEvaluation read them (a lock orders simultaneous ones).
          const paired = pairing
            ? await pairLateEvaluations(mctx, client, { runId: run.id, dataset: key.dataset, metrics }, pairing)
            : { metrics, updates: [] };
          await recordResult(client, key, paired.metrics, { jobId: ctx.jobId, attempt: ctx.attempt });
          await applyPairedAccuracyUpdates(client, paired.updates);
          await publishMeasurements(client, {
            runId: run.id,
            jobId: ctx.jobId,
            scalars,
            deviceId: ctx.kind === 'benchmark' ? device.id : null,
            deviceSlug: ctx.kind === 'benchmark' ? device.slug : null,
            datasetSlug: ctx.kind === 'evaluate' ? run.dataset_slug : null,
          });
          await markRunDoneIfComplete(client, run.id);
        },
      };
    },
    async onFinalFailure(client, f) {
      // A failed compression leaves its source run as it was (the RunJob row keeps the reason).
      if (f.kind === 'compress') return;
      await failRunFromJob(client, f.runId, f.jobId, f.kind, f.reason);
    },
  };
}
