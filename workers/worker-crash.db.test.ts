import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRun } from '@/lib/runs/register-run';
import { waitForRun } from '@/lib/runs/run-report';
import { createPipelineFixture, NUM_SHAPE_CLASSES, REPO_ROOT, tinyMetadata, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { tinyDetector } from '@/tests/pipeline/tiny-models';
import { Readable } from 'node:stream';

/**
 * Failure semantics with real worker processes against a real PostgreSQL:
 * - SIGKILL mid-job (the whole process group, as if the host died): the job's lease (4 s here) runs
 *   out, maintenance (every 1 s here) hands it back, another worker picks it up within 60 s and
 *   finishes it once: attempt 2, one result, no history row, one latency measurement.
 * - SIGTERM mid-job: the worker lets the job finish (grace period), then exits 0.
 * The benchmark runs the full latency protocol (>= 2 s warm-up + >= 10 s timed), so it is mid-job
 * for long enough to be killed.
 */

let f: PipelineFixture;
const children: ChildProcess[] = [];

beforeAll(async () => {
  f = await createPipelineFixture('crash', { leaseSeconds: 4, maintenanceSeconds: 1, maxAttempts: 3 });
  f.childEnv.SLIMBOARD_BENCH_QUICK = '0';
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, 'SIGKILL');
  await f?.close();
});

function startWorker(): ChildProcess {
  // Own process group, so that SIGKILL takes the worker and its measuring child down together.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'workers', 'main.ts')], { cwd: REPO_ROOT, env: f.childEnv, stdio: 'ignore', detached: true });
  children.push(child);
  return child;
}

async function registerBenchmarkOnly(name: string, seed: number): Promise<string> {
  const run = await registerRun(f.pipeline, {
    metadata: tinyMetadata({ name, measurements: { analyse: false, evaluate: false, benchmark: true } }),
    fileName: `${name}.onnx`,
    file: Readable.from([Buffer.from(tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed }))]),
    door: 'cli',
    tokenId: null,
    maxBytes: 1e9,
  });
  return run.id;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function runningJob(runId: string): Promise<{ id: string; workerId: string } | undefined> {
  const [job] = await f.query(`SELECT id, "workerId" FROM "RunJob" WHERE "runId" = $1 AND state = 'running' AND "workerId" IS NOT NULL`, [runId]);
  return job;
}

describe('worker failure semantics', () => {
  it('EXPECTED FAILURE: a worker SIGKILLed mid-job -> the job is picked up within 60 s and finishes once', async () => {
    const a = startWorker();
    const runId = await registerBenchmarkOnly('killed-mid-job', 21);
    const job = await waitFor('worker A to claim the job', () => runningJob(runId), 60_000);
    expect(job.workerId).toContain(`:${a.pid}:`);
    await new Promise((r) => setTimeout(r, 1500)); // well inside the >= 12 s benchmark
    process.kill(-a.pid!, 'SIGKILL');
    const killedAt = Date.now();
    const b = startWorker();

    const report = await waitForRun(f.pipeline.pool, runId, { timeoutMs: 100_000 });
    expect(report.state, report.failureReason ?? '').toBe('done');
    const [row] = await f.query(`SELECT attempts, "workerId", "startedAt" FROM "RunJob" WHERE id = $1`, [job.id]);
    expect(row.attempts).toBe(2);
    expect(row.workerId).toContain(`:${b.pid}:`);
    expect(new Date(row.startedAt).getTime() - killedAt).toBeLessThan(60_000);
    const results = await f.query(`SELECT attempt, "jobId" FROM "MeasuredResult" WHERE "runId" = $1`, [runId]);
    expect(results).toEqual([{ attempt: 2, jobId: job.id }]);
    const [{ n: history }] = await f.query(`SELECT count(*)::int AS n FROM "MeasuredResultHistory" WHERE "runId" = $1`, [runId]);
    expect(history).toBe(0);
    expect(report.measurements.map((m) => m.metric)).toEqual(['latency_ms']);
    const [boss] = await f.query(`SELECT state, retry_count FROM pgboss.job WHERE id = $1::uuid`, [job.id]);
    expect(boss).toEqual({ state: 'completed', retry_count: 1 });
  });

  it('a worker sent SIGTERM mid-job finishes the job, then exits 0', async () => {
    const worker = children[children.length - 1];
    const runId = await registerBenchmarkOnly('sigterm-mid-job', 22);
    const job = await waitFor('the worker to claim the job', () => runningJob(runId), 60_000);
    expect(job.workerId).toContain(`:${worker.pid}:`);
    const exited = new Promise<number | null>((r) => worker.on('exit', (code) => r(code)));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    const [row] = await f.query(`SELECT state, attempts FROM "RunJob" WHERE id = $1`, [job.id]);
    expect(row).toEqual({ state: 'done', attempts: 1 });
    expect((await waitForRun(f.pipeline.pool, runId, { timeoutMs: 5_000 })).state).toBe('done');
  });
});
