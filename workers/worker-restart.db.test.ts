import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRun } from '@/lib/runs/register-run';
import { waitForRun } from '@/lib/runs/run-report';
import { createPipelineFixture, NUM_SHAPE_CLASSES, REPO_ROOT, tinyMetadata, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { tinyDetector } from '@/tests/pipeline/tiny-models';

/**
 * Restarts never spend attempts, against a real PostgreSQL and real worker processes.
 * Ctrl-C in a terminal sends SIGINT to the whole foreground process group. Each worker here runs in a
 * group of its own, like a terminal session, and gets that group-wide SIGINT three times during one
 * benchmark job (>= 12 s with the full latency protocol). The measuring child sits in its own group, so
 * it never sees the SIGINT: the worker releases the job after its grace period (1 s here), and the job
 * finishes on the fourth worker with one attempt. A measuring child also dies with its worker when the
 * worker is SIGKILLed alone.
 */

let f: PipelineFixture;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  f = await createPipelineFixture('restart', { leaseSeconds: 30, maintenanceSeconds: 1, maxAttempts: 3 });
  f.childEnv.SLIMBOARD_BENCH_QUICK = '0';
  f.childEnv.SLIMBOARD_WORKER_GRACE_SECONDS = '1';
});

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) process.kill(-w.pid!, 'SIGKILL');
  await f?.close();
});

function startWorkerInItsOwnGroup(): ChildProcess {
  const w = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'workers', 'main.ts')], { cwd: REPO_ROOT, env: f.childEnv, stdio: 'ignore', detached: true });
  workers.push(w);
  return w;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The direct children of a process (Linux /proc). */
function childPids(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((t) => fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/))
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Running (a zombie waiting for a reaper counts as gone: it has exited). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
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

async function claimedBy(runId: string, worker: ChildProcess): Promise<{ id: string } | undefined> {
  const [job] = await f.query(`SELECT id FROM "RunJob" WHERE "runId" = $1 AND state = 'running' AND "workerId" LIKE $2`, [runId, `%:${worker.pid}:%`]);
  return job;
}

describe('restarts never spend attempts', () => {
  it('Ctrl-C (SIGINT to the process group) three times during one benchmark job: released each time, done with one attempt', async () => {
    const runId = await registerBenchmarkOnly('ctrl-c-three-times', 31);
    let jobId = '';
    for (let round = 1; round <= 3; round++) {
      const w = startWorkerInItsOwnGroup();
      jobId = (await waitFor(`worker ${round} to claim the job`, () => claimedBy(runId, w), 90_000)).id;
      const bench = await waitFor('the measuring child', () => childPids(w.pid!)[0], 30_000);
      await new Promise((r) => setTimeout(r, 1000)); // mid-benchmark
      const exited = new Promise<number | null>((r) => w.once('exit', (code) => r(code)));
      process.kill(-w.pid!, 'SIGINT');
      expect(await exited).toBe(0);
      const [row] = await f.query(`SELECT state, attempts, error FROM "RunJob" WHERE id = $1`, [jobId]);
      expect(row, `round ${round}`).toEqual({ state: 'queued', attempts: 0, error: null });
      const [boss] = await f.query(`SELECT state, retry_count FROM pgboss.job WHERE id = $1::uuid`, [jobId]);
      expect(boss).toEqual({ state: 'created', retry_count: 0 });
      await waitFor('the measuring child to be gone', () => (alive(bench) ? undefined : true), 10_000);
    }
    startWorkerInItsOwnGroup();
    const report = await waitForRun(f.pipeline.pool, runId, { timeoutMs: 120_000 });
    expect(report.state, report.failureReason ?? '').toBe('done');
    const [row] = await f.query(`SELECT state, attempts FROM "RunJob" WHERE id = $1`, [jobId]);
    expect(row).toEqual({ state: 'done', attempts: 1 });
    const [boss] = await f.query(`SELECT state, retry_count FROM pgboss.job WHERE id = $1::uuid`, [jobId]);
    expect(boss).toEqual({ state: 'completed', retry_count: 0 });
  });

  it('a measuring child dies with its worker when only the worker is SIGKILLed', async () => {
    const w = workers[workers.length - 1];
    const runId = await registerBenchmarkOnly('orphan-check', 32);
    await waitFor('the worker to claim the job', () => claimedBy(runId, w), 90_000);
    const bench = await waitFor('the measuring child', () => childPids(w.pid!)[0], 30_000);
    expect(alive(bench)).toBe(true);
    process.kill(w.pid!, 'SIGKILL'); // the worker alone, not its group
    await waitFor('the orphaned measuring child to exit', () => (alive(bench) ? undefined : true), 10_000);
  });
});
