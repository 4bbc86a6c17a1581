import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  describeCompressRequest,
  compressedMethodOf,
  type TRunMakingRequest,
  type TSensitivityRequest,
} from '@/lib/compression/compress-request';
import { pruneToFlopsTarget } from '@/lib/compression/prune-to-flops';
import { quantizeModelFile } from '@/lib/compression/quantize-model';
import { runSensitivity } from '@/lib/compression/sensitivity';
import { requirePruningAnalysis } from '@/lib/compression/require-pruning-analysis';
import { loadSensitivityCells, storeRunSensitivity, storeSensitivityCell } from '@/lib/compression/sensitivity-store';
import { ensureLocalDataset } from '@/lib/datasets/dataset-registry';
import { SlimboardError, isSlimboardError } from '@/lib/errors';
import { detectAdapter, type TModelAdapter } from '@/lib/inference/detection/model-adapter';
import { createSession } from '@/lib/inference/runtime/ort';
import type { JobContext, JobOutcome } from '@/lib/jobs/job-runner';
import type { Pipeline } from '@/lib/jobs/pipeline';
import { pruneChannels } from '@/lib/onnx/channel-prune';
import { weightInitializers } from '@/lib/onnx/compute-count';
import { encodeModel, readModelFile, writeFileAtomic } from '@/lib/onnx/model-file';
import { registerRun } from '@/lib/runs/register-run';
import { parseRunMetadata, type TCompression, type TRunMetadata, type TRunMetadataInput } from '@/lib/runs/run-metadata';
import { formatRelativeChange } from '@/lib/zoo/number-format';
import type { TSensitivityAnalysis } from '@/lib/zoo/sensitivity-analysis';

/**
 * The `compress` job: make a new run from a run's model.
 *
 * 1. Key: the job id. A run whose `metadata.compression.jobId` is this job and that has not failed is this
 *    job's result: a retried job (worker killed after registering, lease lost before commit) links to it and
 *    computes nothing. So a killed job restarts from scratch or finds its result: one run either way.
 * 2. Load the source run's stored model (re-hashed), run the library function (quantize: calibration on the
 *    registered dataset fetched like any dataset; prune: explicit ratios; prune-to-target: ratios from the source
 *    run's stored sensitivity analysis), progress to the jobs page.
 * 3. Register the output through lib/runs/register-run.ts, the path every upload takes (it stores the file
 *    as an artifact, creates the zoo model with parent = source model, and enqueues analyse / benchmark /
 *    evaluate). Its metadata is deterministic for a given job, so two claims of one job that race past step 1
 *    meet in register-run's same-file check (same sha256, same metadata) and yield one run.
 * A user error (bad parameter name, no such dataset) fails the job for good; the source run is untouched.
 *
 * `sensitivity` makes no run (runSensitivityJob): each evaluated cell is checkpointed in "SensitivityCell" as it is
 * computed, so a restarted job (worker killed, lease lost) evaluates only the cells it lacks; the finished analysis
 * is written onto the source run, where the model page charts it and `prune-to-target` reads it.
 */

export interface CompressJobDeps {
  dataDir: string;
  threads: number;
  maxBytes: number;
}

interface SourceRun {
  id: string;
  meta: TRunMetadata;
  sha256: string;
  modelSlug: string;
}

export interface CompressJobOutput extends Record<string, unknown> {
  sourceRunId: string;
  runId: string;
  modelSlug: string;
  sha256: string;
  /** True when an earlier attempt of this job had already registered the run. */
  resumed: boolean;
}

async function loadSource(p: Pipeline, runId: string): Promise<SourceRun> {
  const r = await p.pool.query(
    `SELECT r.id, r.metadata, r.sha256, m.slug FROM "RegisteredRun" r LEFT JOIN "Model" m ON m.id = r."modelId" WHERE r.id = $1`,
    [runId],
  );
  const row = r.rows[0] as { id: string; metadata: unknown; sha256: string | null; slug: string | null } | undefined;
  if (!row) throw new SlimboardError('run_missing', `source run ${runId} does not exist (deleted?)`);
  if (!row.sha256 || !row.slug) throw new SlimboardError('artifact_missing', `source run ${runId} has no stored model`);
  return { id: row.id, meta: parseRunMetadata(row.metadata, `run ${runId} metadata`), sha256: row.sha256, modelSlug: row.slug };
}

/** The run an earlier attempt of this job registered, if any (the deterministic key is the job id). */
export async function findCompressResult(
  p: Pick<Pipeline, 'pool'>,
  jobId: string,
): Promise<{ runId: string; modelSlug: string; sha256: string } | null> {
  const r = await p.pool.query(
    `SELECT r.id, m.slug, r.sha256 FROM "RegisteredRun" r JOIN "Model" m ON m.id = r."modelId"
      WHERE r.metadata->'compression'->>'jobId' = $1 AND r.state <> 'failed' ORDER BY r."createdAt" LIMIT 1`,
    [jobId],
  );
  const row = r.rows[0] as { id: string; slug: string; sha256: string } | undefined;
  return row ? { runId: row.id, modelSlug: row.slug, sha256: row.sha256 } : null;
}

async function adapterFor(meta: TRunMetadata, modelPath: string): Promise<TModelAdapter> {
  if (meta.adapter) return meta.adapter;
  const s = await createSession(modelPath);
  try {
    return detectAdapter(s.inputs, s.outputs, modelPath);
  } finally {
    await s.release();
  }
}

const sumParams = (m: Parameters<typeof weightInitializers>[0]) => [...weightInitializers(m).values()].reduce((a, b) => a + b, 0);

/** What a compression reports: the deterministic part of the library's report, and (prune-to-target) the analysis it read. */
interface CompressedFile {
  report: Record<string, unknown>;
  /** prune-to-target: the source's analysis with its `selection` (threshold, target, rule), stored on the new run. */
  analysis?: TSensitivityAnalysis;
}

/** Run the library function; returns the deterministic part of its report (stored in the new run's metadata). */
async function compressFile(
  p: Pipeline,
  ctx: JobContext,
  deps: CompressJobDeps,
  source: SourceRun,
  request: TRunMakingRequest,
  modelPath: string,
  outPath: string,
): Promise<CompressedFile> {
  const inputSize = ctx.payload.inputSize;
  if (request.method === 'prune-to-target') {
    const analysis = requirePruningAnalysis(source.meta, { id: source.id, slug: source.modelSlug });
    const loaded = readModelFile(modelPath);
    const r = pruneToFlopsTarget(
      loaded.model,
      analysis,
      { flopsTarget: request.flopsTarget, rule: request.rule, inputSize: request.inputSize },
      `${source.modelSlug} (${loaded.source})`,
    );
    const bytes = encodeModel(r.model);
    writeFileAtomic(outPath, bytes);
    const report = {
      inputSize: r.inputSize,
      rule: r.rule,
      flopsTarget: r.flopsTarget,
      lossThreshold: r.lossThreshold,
      ratios: r.ratios,
      gflopsBefore: r.gflopsBefore,
      gflopsAfter: r.gflopsAfter,
      reduction: r.reduction,
      predictedReduction: r.predictedReduction,
      paramsBefore: sumParams(loaded.model),
      paramsAfter: sumParams(r.model),
      bytesBefore: loaded.sizeBytes,
      bytesAfter: bytes.length,
    };
    // The new run keeps the analysis its ratios were read from, with how they were read (its model page charts the choice).
    return { report, analysis: { ...analysis, selection: r.selection } };
  }
  if (request.method === 'prune') {
    const loaded = readModelFile(modelPath);
    const result = pruneChannels(
      loaded.model,
      { params: request.params, ratios: request.ratios, inputSize },
      `${source.modelSlug} (${loaded.source})`,
    );
    const bytes = encodeModel(result.model);
    writeFileAtomic(outPath, bytes);
    const report = {
      inputSize,
      pruned: result.pruned.map((x) => ({
        param: x.param,
        ratio: x.ratio,
        channelsBefore: x.channelsBefore,
        channelsAfter: x.channelsAfter,
        ...(x.skippedBecause ? { skippedBecause: x.skippedBecause } : {}),
      })),
      paramsBefore: sumParams(loaded.model),
      paramsAfter: sumParams(result.model),
      bytesBefore: loaded.sizeBytes,
      bytesAfter: bytes.length,
    };
    return { report };
  }
  const calib = await ensureLocalDataset(request.calibDataset, { pool: p.pool, store: p.store, dataDir: deps.dataDir });
  if (calib.format && calib.format !== 'coco') {
    throw new SlimboardError(
      'bad_dataset',
      `calibDataset "${request.calibDataset}" is in ${calib.format} format; calibration reads COCO-format datasets`,
    );
  }
  const adapter = await adapterFor(source.meta, modelPath);
  const report = await quantizeModelFile({
    modelPath,
    outPath,
    calibDataset: calib.dir,
    calibSplit: calib.split ?? undefined,
    calibImages: request.calibImages,
    inputSize,
    method: request.calibration,
    percentile: request.percentile,
    exclude: request.exclude,
    adapter,
    threads: deps.threads,
    errorImages: 0,
    onProgress: (done, total) => void ctx.reportProgress(0.1 + (0.7 * done) / Math.max(1, total)),
  });
  const quantized = {
    inputSize,
    scheme: report.scheme,
    method: report.method,
    percentile: report.percentile,
    calibration: {
      dataset: request.calibDataset,
      split: calib.split,
      images: report.calibration.images,
      passes: report.calibration.passes,
    },
    batchNormFolded: report.batchNorm.folded.length,
    quantizedNodes: report.quantizedNodes,
    skippedNodes: [...report.batchNorm.skipped, ...report.skippedNodes],
    fp32Bytes: report.fp32Bytes,
    int8Bytes: report.int8Bytes,
    sizeRatio: report.sizeRatio,
    onnxruntime: report.onnxruntime,
  };
  return { report: quantized };
}

/** The new run's metadata: the source's, with the compression's method, strategy, parent and parameters. */
export function compressedRunMetadata(
  source: SourceRun,
  jobId: string,
  request: TRunMakingRequest,
  { report, analysis }: CompressedFile,
): TRunMetadataInput {
  const { method, strategy } = compressedMethodOf(request);
  const m = source.meta;
  const compression: TCompression = { jobId, sourceRunId: source.id, sourceModel: source.modelSlug, request, report };
  const suffix =
    request.method === 'quantize'
      ? `int8 ${request.calibration}`
      : request.method === 'prune-to-target'
        ? `pruned ${formatRelativeChange(-request.flopsTarget)} GFLOPs`
        : 'pruned';
  const chosen =
    request.method === 'prune-to-target' ? (report.ratios as Array<{ param: string; ratio: number }>).filter((r) => r.ratio > 0) : [];
  const strategyParams =
    request.method === 'prune'
      ? { prunedParams: request.params, prunedRatios: request.ratios }
      : request.method === 'prune-to-target'
        ? { prunedParams: chosen.map((r) => r.param), prunedRatios: chosen.map((r) => r.ratio) }
        : { quantMode: 'post' as const };
  return {
    name: request.name ?? `${m.name} · ${suffix}`.slice(0, 200),
    family: m.family,
    backbone: m.backbone,
    dataset: m.dataset,
    method,
    strategy,
    strategyParams,
    ...(m.pretraining ? { pretraining: m.pretraining } : {}),
    // Compared against the source's baseline (or the source itself when it is one); derived from the source.
    baseline: m.method === 'baseline' ? source.modelSlug : (m.baseline ?? source.modelSlug),
    parent: source.modelSlug,
    provenance: `Slimboard compress job ${jobId}: ${describeCompressRequest(request)} of ${source.modelSlug}`.slice(0, 300),
    inputSizes: m.inputSizes,
    ...(m.adapter ? { adapter: m.adapter } : {}),
    measurements: m.measurements,
    ...(analysis ? { sensitivityAnalysis: analysis } : {}),
    compression,
  };
}

export async function runCompressJob(p: Pipeline, ctx: JobContext, deps: CompressJobDeps): Promise<JobOutcome> {
  const spec = ctx.payload.compress;
  if (!spec) throw new SlimboardError('bad_job_payload', `job ${ctx.jobId}: a compress job needs payload.compress (the request)`);
  const done = (o: CompressJobOutput): JobOutcome => ({ output: o, commit: async () => undefined });
  const earlier = await findCompressResult(p, ctx.jobId);
  if (earlier) return done({ sourceRunId: ctx.payload.runId, ...earlier, resumed: true });

  const source = await loadSource(p, ctx.payload.runId);
  const actual = await p.store.rehash(source.sha256);
  if (actual !== source.sha256)
    throw new SlimboardError(
      'artifact_changed',
      `stored model ${source.sha256} changed on disk (now hashes to ${actual}); refusing to compress it`,
    );
  const modelPath = await p.store.localPath(source.sha256);
  await ctx.reportProgress(0.05);
  const request = spec.request;
  if (request.method === 'sensitivity') return runSensitivityJob(p, ctx, deps, source, request, modelPath);

  const scratchDir = path.join(deps.dataDir, 'tmp', 'jobs', ctx.jobId);
  await fs.rm(scratchDir, { recursive: true, force: true });
  await fs.mkdir(scratchDir, { recursive: true });
  const suffix = request.method === 'quantize' ? `int8-${request.calibration}` : 'pruned';
  const outPath = path.join(scratchDir, `${source.modelSlug}-${suffix}.onnx`.slice(-180));
  try {
    const compressed = await compressFile(p, ctx, deps, source, request, modelPath, outPath);
    if (ctx.signal.aborted) throw ctx.signal.reason;
    await ctx.reportProgress(0.85);
    const { size } = await fs.stat(outPath);
    let registered;
    try {
      registered = await registerRun(p, {
        metadata: compressedRunMetadata(source, ctx.jobId, request, compressed),
        fileName: path.basename(outPath),
        file: createReadStream(outPath),
        declaredSizeBytes: size,
        door: spec.door,
        tokenId: spec.tokenId,
        maxBytes: deps.maxBytes,
      });
    } catch (e) {
      // A server-side failure (database, store) is worth another attempt; a refusal (4xx) is not.
      if (isSlimboardError(e) && e.status >= 500) throw new Error(e.message);
      throw e;
    }
    return done({
      sourceRunId: source.id,
      runId: registered.id,
      modelSlug: registered.modelSlug,
      sha256: registered.sha256,
      resumed: false,
    });
  } finally {
    await fs.rm(scratchDir, { recursive: true, force: true });
  }
}

export interface SensitivityJobOutput extends Record<string, unknown> {
  sourceRunId: string;
  /** Cells (baseline included) evaluated by this attempt / taken from the checkpoints of earlier ones. */
  computed: number;
  reused: number;
  baselineAp: number;
  parameters: number;
  elapsedMs: number;
}

/** A `sensitivity` compression: the analysis, checkpointed per cell, stored on the source run (see the header). */
async function runSensitivityJob(
  p: Pipeline,
  ctx: JobContext,
  deps: CompressJobDeps,
  source: SourceRun,
  request: TSensitivityRequest,
  modelPath: string,
): Promise<JobOutcome> {
  const datasetKey = request.dataset ?? source.meta.dataset;
  const dataset = await ensureLocalDataset(datasetKey, { pool: p.pool, store: p.store, dataDir: deps.dataDir });
  if (dataset.format && dataset.format !== 'coco')
    throw new SlimboardError(
      'bad_dataset',
      `dataset "${datasetKey}" is in ${dataset.format} format; the sensitivity analysis reads COCO-format datasets`,
    );
  const existing = await loadSensitivityCells(p.pool, ctx.jobId);
  const loaded = readModelFile(modelPath);
  const checkpoint = (param: string | null, ratio: number, ap: number) =>
    storeSensitivityCell(p.pool, { jobId: ctx.jobId, attempt: ctx.attempt, param, ratio, ap });
  let run;
  try {
    run = await runSensitivity({
      model: loaded.model,
      source: `${source.modelSlug} (${loaded.source})`,
      modelLabel: source.modelSlug,
      datasetDir: dataset.dir,
      options: {
        split: request.split ?? dataset.split ?? undefined,
        images: request.images,
        inputSize: ctx.payload.inputSize,
        ratios: request.ratios,
        params: request.params,
      },
      adapter: await adapterFor(source.meta, modelPath),
      threads: deps.threads,
      existing,
      onBaseline: (ap) => checkpoint(null, 0, ap),
      onCell: (c) => checkpoint(c.param, c.ratio, c.ap),
      onProgress: (done, total) => void ctx.reportProgress(0.05 + (0.9 * done) / total),
      signal: ctx.signal,
    });
  } catch (e) {
    // Stopped by a shutdown or a lost lease: the cells computed so far stay for the next attempt.
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw e;
  }
  const record = {
    ...run.analysis,
    source: { file: source.meta.name.slice(0, 300), sha256: source.sha256, origin: `Slimboard compress job ${ctx.jobId}` },
  };
  await storeRunSensitivity(p.pool, source.id, record);
  const output: SensitivityJobOutput = {
    sourceRunId: source.id,
    computed: run.computed,
    reused: run.reused,
    baselineAp: run.analysis.baselineAp,
    parameters: run.params.length,
    elapsedMs: Math.round(run.elapsedMs),
  };
  return { output, commit: async () => undefined };
}
