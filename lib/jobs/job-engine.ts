import PgBoss from 'pg-boss';
import type pg from 'pg';
import { getEnv } from '../env';

/**
 * The job engine: pg-boss 10 on Slimboard's own database (schema `pgboss`), sharing the caller's pg
 * pool. Settings that make the failure semantics explicit:
 *
 * - Lease (`expireInSeconds` = SLIMBOARD_JOB_LEASE_SECONDS, default 30): a claimed job stays `active`
 *   only while its worker heartbeats (job-runner extends `expire_in` every lease/3). A worker killed
 *   with SIGKILL stops heartbeating; pg-boss's maintenance (every SLIMBOARD_JOB_MAINTENANCE_SECONDS,
 *   default 10) moves the expired job to `retry`, and another worker claims it. Worst case with the
 *   defaults: 30 s lease + 10 s maintenance + ≤ 4 s backoff + 1 s poll ≈ 45 s < 60 s.
 * - Attempts: SLIMBOARD_JOB_MAX_ATTEMPTS (default 3) in all, i.e. retryLimit = attempts - 1.
 * - Backoff: exponential, pg-boss's formula retryDelay·2^(n+1)/2·(1 + random) seconds with
 *   retryDelay = 1 s: attempt 2 waits 1-2 s, attempt 3 waits 2-4 s.
 * - A user error (SlimboardError: bad model, bad dataset) fails the job for good at once: retrying
 *   cannot fix the input.
 */
export const JOB_SCHEMA = 'pgboss';
export const RETRY_DELAY_SECONDS = 1;

export interface EngineSettings {
  leaseSeconds: number;
  maintenanceSeconds: number;
  maxAttempts: number;
}

export function engineSettingsFromEnv(): EngineSettings {
  const env = getEnv();
  return {
    leaseSeconds: env.SLIMBOARD_JOB_LEASE_SECONDS,
    maintenanceSeconds: env.SLIMBOARD_JOB_MAINTENANCE_SECONDS,
    maxAttempts: env.SLIMBOARD_JOB_MAX_ATTEMPTS,
  };
}

/** What pg-boss needs from a database connection: run one statement, return its rows. */
export interface SqlExecutor {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg-boss's own IDatabase declares rows as any[]
  executeSql(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

/** Wrap a pool or a client that is inside a transaction (so pg-boss writes join that transaction). */
export function sqlExecutor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return { executeSql: (text, values) => client.query(text, values as unknown[]) };
}

export async function startJobEngine(pool: pg.Pool, settings: EngineSettings, options: { supervise: boolean }): Promise<PgBoss> {
  const boss = new PgBoss({
    db: sqlExecutor(pool),
    schema: JOB_SCHEMA,
    migrate: true,
    supervise: options.supervise,
    schedule: false,
    maintenanceIntervalSeconds: settings.maintenanceSeconds,
    // Keep finished jobs visible in pgboss.job for a day before archiving (the UI reads our own table).
    archiveCompletedAfterSeconds: 24 * 3600,
  } as PgBoss.ConstructorOptions);
  // pg-boss reports maintenance/connection errors as events; a database restart shows up here and
  // the pool reconnects on the next query, so these are logged, never fatal.
  boss.on('error', (e: Error) => {
    process.stderr.write(`job engine: ${e.message.split('\n')[0]}\n`);
  });
  await boss.start();
  return boss;
}

export function queueOptions(settings: EngineSettings): PgBoss.Queue {
  return {
    name: '',
    retryLimit: settings.maxAttempts - 1,
    retryDelay: RETRY_DELAY_SECONDS,
    retryBackoff: true,
    expireInSeconds: settings.leaseSeconds,
  } as PgBoss.Queue;
}

/** Queues known to exist, per engine (one process may hold engines on several databases). */
const ensured = new WeakMap<PgBoss, Set<string>>();

/** Create a queue once per engine (pg-boss 10 requires queues to exist before send/fetch). */
export async function ensureQueue(boss: PgBoss, name: string, settings: EngineSettings): Promise<void> {
  let known = ensured.get(boss);
  if (!known) ensured.set(boss, (known = new Set()));
  if (known.has(name)) return;
  const { name: _ignored, ...opts } = queueOptions(settings);
  await boss.createQueue(name, opts as PgBoss.Queue);
  known.add(name);
}
