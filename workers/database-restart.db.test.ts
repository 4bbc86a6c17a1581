import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerRun } from '@/lib/runs/register-run';
import { waitForRun } from '@/lib/runs/run-report';
import { createPipelineFixture, NUM_SHAPE_CLASSES, REPO_ROOT, tinyMetadata, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { ScratchPostgres } from '@/tests/pipeline/scratch-postgres';
import { tinyDetector } from '@/tests/pipeline/tiny-models';
import { startWorker, type WorkerProcess } from '@/tests/pipeline/pipeline-worker';

/**
 * The database restarts under a running worker: the worker keeps running, reconnects (its pg pool
 * opens new connections; failed polls are logged and retried) and measures a run registered after
 * the restart. A private PostgreSQL (port 3292) is used because the shared test server cannot be
 * restarted.
 */

const pgServer = new ScratchPostgres(path.join(REPO_ROOT, '.slimboard', 'pipeline-test', 'restart', 'pg'), 3292);
let f: PipelineFixture;
let worker: WorkerProcess;
const log = () => worker.logTail(Infinity);

beforeAll(async () => {
  await pgServer.init();
  await pgServer.start();
  const original = process.env.DATABASE_URL;
  process.env.DATABASE_URL = pgServer.url;
  try {
    f = await createPipelineFixture('restart', { leaseSeconds: 4, maintenanceSeconds: 1, maxAttempts: 3 });
  } finally {
    if (original === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = original;
  }
  worker = startWorker(f);
});

afterAll(async () => {
  await worker?.stop();
  await f?.close().catch(() => undefined);
  await pgServer.stop().catch(() => undefined);
});

it('a worker survives a database restart and carries on with the next job', async () => {
  const deadline = Date.now() + 60_000;
  while (!/ready on device/.test(log())) {
    if (Date.now() > deadline) throw new Error(`worker did not start: ${log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await pgServer.stop();
  await new Promise((r) => setTimeout(r, 3000)); // the worker polls a dead server meanwhile
  await pgServer.start();
  expect(worker.running()).toBe(true);
  // The outage was real and the worker saw it (terminated connections / refused polls, logged, not fatal).
  expect(log()).toMatch(/terminating connection|ECONNREFUSED|Connection terminated|retrying in/);

  const run = await registerRun(f.pipeline, {
    metadata: tinyMetadata({ name: 'after restart', measurements: { analyse: true, evaluate: false, benchmark: true } }),
    fileName: 'after-restart.onnx',
    file: Readable.from([Buffer.from(tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed: 31 }))]),
    door: 'cli',
    tokenId: null,
    maxBytes: 1e9,
  });
  const report = await waitForRun(f.pipeline.pool, run.id, { timeoutMs: 90_000 });
  expect(report.state, `${report.failureReason}\n${worker.logTail(1500)}`).toBe('done');
  expect(report.measurements.map((m) => m.metric).sort()).toEqual(['gflops', 'latency_ms', 'model_size_mb', 'params']);
  expect(worker.running()).toBe(true);
});
