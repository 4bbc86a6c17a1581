import type PgBoss from 'pg-boss';
import type pg from 'pg';
import { SlimboardError, isSlimboardError } from '../errors';
import { JOB_SCHEMA, sqlExecutor, type EngineSettings } from './job-engine';
import { parseJobPayload, type JobKind, type TJobPayload } from './job-definitions';
import {
  markJobClaimed,
  markJobDone,
  markJobFailed,
  markJobProgress,
  markJobReleased,
  markJobRetrying,
  reconcileJobStates,
} from './job-bookkeeping';

/**
 * The worker loop on top of pg-boss: claim (`fetch`, FOR UPDATE SKIP LOCKED), heartbeat the lease,
 * run the handler, then write results and complete the job in ONE transaction guarded by a fence.
 *
 * Fence: a claim is identified by (job id, retry_count). The commit transaction locks the pg-boss row
 * and proceeds only if it is still `active` with the same retry_count. A worker that lost its lease
 * (stalled past expiry, job handed to another worker) therefore cannot write a second result: each
 * job's results are committed at most once, by the claim that completes it.
 */

export interface JobContext {
  jobId: string;
  queue: string;
  kind: JobKind;
  /** 1-based attempt number. */
  attempt: number;
  payload: TJobPayload;
  workerId: string;
  deviceId: number;
  /** Aborted when the lease is lost or the worker is shutting down past its grace period. */
  signal: AbortSignal;
  /** Fraction in [0, 1]; shown on the jobs page. */
  reportProgress(fraction: number): Promise<void>;
}

export interface JobOutcome {
  /** Stored as the pg-boss job output. */
  output: Record<string, unknown>;
  /** Writes the job's results; runs inside the completing transaction (after the fence check). */
  commit(client: pg.PoolClient): Promise<void>;
}

export interface JobHandlers {
  run(ctx: JobContext): Promise<JobOutcome>;
  /** Called inside the transaction that fails a job for good (to fail its run with the reason). */
  onFinalFailure(client: pg.PoolClient, ctx: { jobId: string; runId: string; kind: JobKind; reason: string }): Promise<void>;
}

export interface RunnerOptions {
  pool: pg.Pool;
  boss: PgBoss;
  settings: EngineSettings;
  queues: string[];
  workerId: string;
  deviceId: number;
  handlers: JobHandlers;
  /** Idle poll interval (ms). */
  pollMs?: number;
  log?: (line: string) => void;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

type ActiveJob = { id: string; queue: string; fence: number; abort: AbortController; done: Promise<void> };

export class JobRunner {
  private stopping = new AbortController();
  private active: ActiveJob | null = null;
  private loopDone: Promise<void> | null = null;
  private lastReconcile = 0;
  private readonly log: (line: string) => void;

  constructor(private readonly o: RunnerOptions) {
    this.log = o.log ?? ((l) => process.stderr.write(`${l}\n`));
  }

  start(): void {
    this.loopDone = this.loop();
  }

  /** Jobs currently held (0 or 1). */
  get busy(): boolean {
    return this.active !== null;
  }

  /**
   * Graceful stop: claim nothing new; let the running job finish for up to `graceMs`, then abort it
   * and release it back to the queue (the attempt is not counted). Resolves when the loop has ended.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping.abort();
    const current = this.active;
    if (current) {
      const finished = await Promise.race([current.done.then(() => true), sleep(graceMs).then(() => false)]);
      if (!finished) {
        current.abort.abort(new SlimboardError('shutdown', 'worker shutting down'));
        await current.done;
      }
    }
    await this.loopDone;
  }

  private async loop(): Promise<void> {
    const pollMs = this.o.pollMs ?? 1000;
    let queueIndex = 0;
    while (!this.stopping.signal.aborted) {
      try {
        await this.maybeReconcile();
        let claimed = false;
        for (let i = 0; i < this.o.queues.length && !this.stopping.signal.aborted; i++) {
          const queue = this.o.queues[(queueIndex + i) % this.o.queues.length];
          const jobs = (await this.o.boss.fetch(queue, { batchSize: 1, includeMetadata: true })) as PgBoss.JobWithMetadata[];
          if (jobs.length > 0) {
            queueIndex = (queueIndex + i + 1) % this.o.queues.length;
            claimed = true;
            const job = jobs[0];
            const abort = new AbortController();
            const entry: ActiveJob = { id: job.id, queue, fence: job.retryCount, abort, done: Promise.resolve() };
            entry.done = this.execute(queue, job, abort);
            this.active = entry;
            await entry.done;
            this.active = null;
            break;
          }
        }
        if (!claimed) await sleep(pollMs, this.stopping.signal);
      } catch (e) {
        // Database unreachable (restart, network): log, wait, try again. The pool reconnects by itself.
        this.log(`worker ${this.o.workerId}: ${firstLine(e)}; retrying in ${pollMs} ms`);
        await sleep(pollMs, this.stopping.signal);
      }
    }
  }

  private async maybeReconcile(): Promise<void> {
    const now = Date.now();
    if (now - this.lastReconcile < this.o.settings.maintenanceSeconds * 1000) return;
    this.lastReconcile = now;
    await reconcileJobStates(this.o.pool);
  }

  private async execute(queue: string, job: PgBoss.JobWithMetadata, abort: AbortController): Promise<void> {
    const fence = job.retryCount;
    const attempt = fence + 1;
    let payload: TJobPayload;
    try {
      payload = parseJobPayload(job.data, job.id);
    } catch (e) {
      await this.failForGood(queue, job.id, fence, null, firstLine(e));
      return;
    }
    const kind = queue.startsWith('benchmark') ? 'benchmark' : (queue as JobKind);
    await markJobClaimed(this.o.pool, { jobId: job.id, attempt, workerId: this.o.workerId, deviceId: this.o.deviceId });
    this.log(`worker ${this.o.workerId}: ${kind} job ${job.id} attempt ${attempt} (run ${payload.runId}, ${payload.inputSize}px)`);

    const heartbeat = setInterval(
      () => {
        this.extendLease(queue, job.id, fence).then(
          (held) => {
            if (!held) abort.abort(new SlimboardError('lease_lost', `job ${job.id}: lease lost (another worker took it over)`));
          },
          (e) => this.log(`worker ${this.o.workerId}: heartbeat failed: ${firstLine(e)}`),
        );
      },
      Math.max(500, (this.o.settings.leaseSeconds * 1000) / 3),
    );

    const ctx: JobContext = {
      jobId: job.id,
      queue,
      kind,
      attempt,
      payload,
      workerId: this.o.workerId,
      deviceId: this.o.deviceId,
      signal: abort.signal,
      reportProgress: (fraction) => markJobProgress(this.o.pool, job.id, fraction).catch(() => undefined),
    };

    try {
      const outcome = await this.o.handlers.run(ctx);
      if (abort.signal.aborted) throw abort.signal.reason;
      await this.commit(queue, job.id, fence, outcome);
    } catch (e) {
      const reason = abort.signal.aborted && !isSlimboardError(e) ? abort.signal.reason : e;
      if (isSlimboardError(reason) && reason.code === 'lease_lost') {
        this.log(`worker ${this.o.workerId}: ${reason.message}; dropping it`);
      } else if (isSlimboardError(reason) && reason.code === 'shutdown') {
        await this.release(queue, job.id, fence);
      } else if (isSlimboardError(reason)) {
        await this.failForGood(queue, job.id, fence, payload, reason.message, kind);
      } else {
        await this.failOrRetry(queue, job.id, fence, payload, kind, firstLine(reason));
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Extend the lease: expire_in becomes (time already running) + lease. False if the claim is gone. */
  private async extendLease(queue: string, jobId: string, fence: number): Promise<boolean> {
    const r = await this.o.pool.query(
      `UPDATE ${JOB_SCHEMA}.job SET expire_in = (now() - started_on) + make_interval(secs => $3)
       WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $4`,
      [queue, jobId, this.o.settings.leaseSeconds, fence],
    );
    return (r.rowCount ?? 0) === 1;
  }

  /** Run `fn` in a transaction that holds the job row, if our claim (fence) is still valid. */
  private async fenced(queue: string, jobId: string, fence: number, fn: (client: pg.PoolClient) => Promise<void>): Promise<boolean> {
    const client = await this.o.pool.connect();
    try {
      await client.query('BEGIN');
      const held = await client.query(
        `SELECT 1 FROM ${JOB_SCHEMA}.job WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3 FOR UPDATE`,
        [queue, jobId, fence],
      );
      if (held.rowCount !== 1) {
        await client.query('ROLLBACK');
        return false;
      }
      await fn(client);
      await client.query('COMMIT');
      return true;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  private async commit(queue: string, jobId: string, fence: number, outcome: JobOutcome): Promise<void> {
    const ok = await this.fenced(queue, jobId, fence, async (client) => {
      await markJobDone(client, jobId);
      await outcome.commit(client);
      await this.o.boss.complete(queue, jobId, outcome.output, { db: sqlExecutor(client) } as PgBoss.ConnectionOptions);
    });
    if (!ok) this.log(`worker ${this.o.workerId}: job ${jobId}: lease lost before commit; results discarded`);
  }

  private async failForGood(
    queue: string,
    jobId: string,
    fence: number,
    payload: TJobPayload | null,
    reason: string,
    kind?: JobKind,
  ): Promise<void> {
    this.log(`worker ${this.o.workerId}: job ${jobId} failed: ${reason}`);
    await this.fenced(queue, jobId, fence, async (client) => {
      await client.query(`UPDATE ${JOB_SCHEMA}.job SET retry_limit = retry_count WHERE name = $1 AND id = $2`, [queue, jobId]);
      await this.o.boss.fail(queue, jobId, { message: reason }, { db: sqlExecutor(client) } as PgBoss.ConnectionOptions);
      await markJobFailed(client, jobId, reason);
      if (payload && kind) await this.o.handlers.onFinalFailure(client, { jobId, runId: payload.runId, kind, reason });
    });
  }

  private async failOrRetry(
    queue: string,
    jobId: string,
    fence: number,
    payload: TJobPayload,
    kind: JobKind,
    reason: string,
  ): Promise<void> {
    await this.fenced(queue, jobId, fence, async (client) => {
      const row = await client.query(`SELECT retry_count, retry_limit FROM ${JOB_SCHEMA}.job WHERE name = $1 AND id = $2`, [queue, jobId]);
      const last = row.rows[0].retry_count >= row.rows[0].retry_limit;
      const message = last ? `${reason} (after ${row.rows[0].retry_count + 1} attempts)` : reason;
      await this.o.boss.fail(queue, jobId, { message }, { db: sqlExecutor(client) } as PgBoss.ConnectionOptions);
      if (last) {
        this.log(`worker ${this.o.workerId}: job ${jobId} failed for good: ${message}`);
        await markJobFailed(client, jobId, message);
        await this.o.handlers.onFinalFailure(client, { jobId, runId: payload.runId, kind, reason: message });
      } else {
        this.log(`worker ${this.o.workerId}: job ${jobId} will be retried: ${reason}`);
        await markJobRetrying(client, jobId, reason);
      }
    });
  }

  /** Give the job back without spending an attempt (SIGTERM past the grace period). */
  private async release(queue: string, jobId: string, fence: number): Promise<void> {
    this.log(`worker ${this.o.workerId}: releasing job ${jobId} (shutting down)`);
    await this.fenced(queue, jobId, fence, async (client) => {
      await client.query(
        `UPDATE ${JOB_SCHEMA}.job SET
           state = (CASE WHEN retry_count = 0 THEN 'created' ELSE 'retry' END)::${JOB_SCHEMA}.job_state,
           started_on = CASE WHEN retry_count = 0 THEN NULL ELSE started_on END,
           retry_count = GREATEST(retry_count - 1, 0),
           start_after = now()
         WHERE name = $1 AND id = $2`,
        [queue, jobId],
      );
      await markJobReleased(client, jobId);
    });
  }
}
