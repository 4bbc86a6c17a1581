import { spawn } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'vitest';
import { registerRun } from '@/lib/runs/register-run';
import { waitForRun } from '@/lib/runs/run-report';
import { NUM_SHAPE_CLASSES, REPO_ROOT, type PipelineFixture } from './pipeline-fixture';
import { tinyDetector, type TinyDetectorOptions } from './tiny-models';

/**
 * A real worker process (workers/main.ts) on a pipeline fixture's database and data dir, with its output kept
 * for failure messages, and the one-call registration of a tiny detector the worker tests share.
 */
export interface WorkerProcess {
  /** The last `chars` characters of the worker's stdout and stderr, for assertion messages. */
  logTail(chars?: number): string;
  /** SIGTERM and wait for it to exit (a no-op when it already has). */
  stop(): Promise<void>;
  /** SIGKILL (no grace: its job stays claimed until the lease runs out) and wait for it to exit. */
  kill(): Promise<void>;
}

export function startWorker(f: PipelineFixture): WorkerProcess {
  const logs: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'workers', 'main.ts')], {
    cwd: REPO_ROOT,
    env: f.childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => logs.push(String(d)));
  child.stderr!.on('data', (d) => logs.push(String(d)));
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const closed = new Promise((r) => child.on('close', r));
    child.kill(name);
    await closed;
  };
  return {
    logTail: (chars = 2000) => logs.join('').slice(-chars),
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
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
