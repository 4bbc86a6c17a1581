import { Readable } from 'node:stream';
import { expect } from 'vitest';
import { registerRun } from '@/lib/runs/register-run';
import { waitForRun } from '@/lib/runs/run-report';
import { spawnWorker, type WorkerProcess } from '../setup/worker-process';
import { NUM_SHAPE_CLASSES, type PipelineFixture } from './pipeline-fixture';
import { tinyDetector, type TinyDetectorOptions } from './tiny-models';

/**
 * A real worker process (workers/main.ts, started by tests/setup/worker-process.ts) on a pipeline fixture's database
 * and data dir, and the one-call registration of a tiny detector the worker tests share.
 */
export type { WorkerProcess };

export function startWorker(f: PipelineFixture): WorkerProcess {
  return spawnWorker(f.childEnv);
}

export interface TinyRunMeasurements {
  analyse: boolean;
  evaluate: boolean;
  benchmark: boolean;
}

/** Registers a run of a tiny detector (weights from `seed`) through the CLI door with the given measurements. */
export async function registerTinyRun(
  f: PipelineFixture,
  metadata: Record<string, unknown>,
  seed: number,
  measurements: TinyRunMeasurements,
  model: TinyDetectorOptions = {},
) {
  return registerRun(f.pipeline, {
    metadata: { ...metadata, measurements },
    fileName: `${String(metadata.name)}.onnx`,
    file: Readable.from([Buffer.from(tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed, ...model }))]),
    door: 'cli',
    tokenId: null,
    maxBytes: 1e9,
  });
}

/**
 * Waits for a run to finish, asserts it is done (the worker's log tail in the message otherwise) and returns its
 * stored result of one kind with the job that wrote it.
 */
export async function finishedResult(
  f: PipelineFixture,
  worker: WorkerProcess,
  runId: string,
  kind: 'analyse' | 'evaluate' | 'benchmark',
): Promise<{ metrics: Record<string, unknown>; jobId: string }> {
  const done = await waitForRun(f.pipeline.pool, runId, { timeoutMs: 240_000 });
  expect(done.state, `${done.failureReason} ${worker.logTail()}`).toBe('done');
  const [row] = await f.query(`SELECT metrics, "jobId" FROM "MeasuredResult" WHERE "runId" = $1 AND kind = $2`, [runId, kind]);
  return { metrics: row.metrics, jobId: row.jobId };
}
