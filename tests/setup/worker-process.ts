import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { JOB_SCHEMA } from '../../lib/jobs/job-engine';

/**
 * The one way tests start a real measuring worker (workers/main.ts, as `npm run worker` does) and keep other tests'
 * queued jobs away from it. Used by the db tests (tests/pipeline/pipeline-worker.ts) and the e2e tests.
 *
 * The e2e and db projects share one database per `vitest run`: runs registered by earlier test files stay queued (no
 * worker serves them), and a worker started later would measure them first (minutes of someone else's work, and
 * numbers that change what a page counts). `holdBackOtherJobs` postpones every queued job except those of the runs a
 * test names; its `release()` gives exactly those jobs back.
 */

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface WorkerProcess {
  /** The last `chars` (default 2000; Infinity: all) characters of the worker's stdout and stderr, for assertion messages. */
  logTail(chars?: number): string;
  /** True until the process has exited. */
  running(): boolean;
  /** SIGTERM and wait for it to exit (a no-op when it already has). */
  stop(): Promise<void>;
  /** SIGKILL (no grace: its job stays claimed until the lease runs out) and wait for it to exit. */
  kill(): Promise<void>;
}

/**
 * Start `workers/main.ts` with exactly `env` (pass `{...process.env, DATABASE_URL, SLIMBOARD_DATA_DIR, …}`), its
 * output kept for failure messages.
 */
export function spawnWorker(env: NodeJS.ProcessEnv): WorkerProcess {
  const logs: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'workers', 'main.ts')], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => logs.push(String(d)));
  child.stderr!.on('data', (d) => logs.push(String(d)));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return {
    logTail: (chars = 2000) => logs.join('').slice(-chars),
    running: () => child.exitCode === null && child.signalCode === null,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
}

/**
 * The environment of a test's worker: this process's, on `databaseUrl` with its own `dataDir`, quick benchmarks
 * and one inference thread (seconds per job on the tests' tiny models), NODE_ENV=test, plus `extra`.
 */
export function quickWorkerEnv(databaseUrl: string, dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    SLIMBOARD_DATA_DIR: dataDir,
    SLIMBOARD_BENCH_QUICK: '1',
    SLIMBOARD_WORKER_THREADS: '1',
    NODE_ENV: 'test',
    ...extra,
  };
}

export interface HeldJobs {
  /** How many queued jobs were postponed. */
  count: number;
  /** Make the postponed jobs (those still queued) startable again. */
  release(): Promise<void>;
}

/**
 * Postpone (by a day) every queued job that belongs to none of `keepRunIds`; jobs queued after this call, e.g. the ones a
 * test's own compress job starts, are not affected.
 */
export async function holdBackOtherJobs(pool: Pick<pg.Pool, 'query'>, keepRunIds: readonly string[]): Promise<HeldJobs> {
  const held = await pool.query<{ id: string }>(
    `UPDATE ${JOB_SCHEMA}.job SET start_after = now() + interval '1 day'
      WHERE state IN ('created', 'retry') AND (data->>'runId' IS NULL OR NOT (data->>'runId' = ANY($1::text[])))
      RETURNING id`,
    [keepRunIds],
  );
  const ids = held.rows.map((r) => r.id);
  return {
    count: ids.length,
    release: async () => {
      if (ids.length === 0) return;
      await pool.query(`UPDATE ${JOB_SCHEMA}.job SET start_after = now() WHERE id = ANY($1::uuid[]) AND state IN ('created', 'retry')`, [
        ids,
      ]);
    },
  };
}

/**
 * The teardown of an e2e file with its own worker: closes the browser, stops the worker, gives back the held jobs,
 * ends the pool and removes the scratch folder, in that order, each only if it was opened.
 */
export async function closeWorkerTest(o: {
  browser?: { close(): Promise<void> } | null;
  worker?: WorkerProcess | null;
  held?: HeldJobs | null;
  pool?: Pick<pg.Pool, 'end'> | null;
  tmp?: string | null;
}): Promise<void> {
  await o.browser?.close();
  await o.worker?.stop();
  await o.held?.release();
  await o.pool?.end();
  if (o.tmp) await rm(o.tmp, { recursive: true, force: true });
}
