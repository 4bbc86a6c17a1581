import path from 'node:path';
import { z } from 'zod';
import { SlimboardError, formatZodIssues } from './errors';

/**
 * The whole process environment, validated once. Nothing else in the code base reads `process.env`
 * (except Next.js' own NEXT_* variables and the test harness).
 */
const ZEnv = z.object({
  /** External Postgres. Unset: an embedded PostgreSQL is started under `SLIMBOARD_DATA_DIR/pg`. */
  DATABASE_URL: z.string().url().optional(),
  /** Root of everything Slimboard writes: embedded database, artifact store, generated datasets. */
  SLIMBOARD_DATA_DIR: z.string().min(1).default('.slimboard'),
  /** Port of the embedded PostgreSQL (ignored with DATABASE_URL). */
  SLIMBOARD_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  /** HTTP port of the web app. */
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Largest accepted model upload in bytes (default 2 GiB); larger uploads get HTTP 413. */
  SLIMBOARD_UPLOAD_MAX_BYTES: z.coerce.number().int().min(1).default(2 * 1024 ** 3),
  /** ONNX checks of uploads (one child process each) that run at once; more uploads wait their turn. */
  SLIMBOARD_ONNX_CHECK_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Job lease: a running job whose worker stops heartbeating for this long is handed to another worker. */
  SLIMBOARD_JOB_LEASE_SECONDS: z.coerce.number().int().min(2).max(3600).default(30),
  /** How often the job engine's maintenance (expiring dead leases, archiving) runs. */
  SLIMBOARD_JOB_MAINTENANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  /** Attempts per job before it fails for good (first run included). */
  SLIMBOARD_JOB_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  /** API token the CLI sends with `submit --server URL` (create one with `token create`). */
  SLIMBOARD_API_TOKEN: z.string().min(1).optional(),
  /** Intra-op threads a worker gives onnxruntime for benchmarks (part of its device profile). */
  SLIMBOARD_WORKER_THREADS: z.coerce.number().int().min(1).max(1024).default(1),
  /** On SIGTERM a worker lets its running job finish for this long, then releases it to the queue. */
  SLIMBOARD_WORKER_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(20),
  /** Benchmarks in the latency harness's quick mode (tests, smoke runs); never for published numbers. */
  SLIMBOARD_BENCH_QUICK: z.enum(['0', '1']).default('0').transform((v) => v === '1'),
});

export type TEnv = z.infer<typeof ZEnv> & { dataDir: string };

let cached: TEnv | undefined;

export function getEnv(): TEnv {
  if (cached) return cached;
  const raw: Record<string, string | undefined> = {};
  for (const key of Object.keys(ZEnv.shape)) {
    const value = process.env[key];
    raw[key] = value === '' ? undefined : value;
  }
  const parsed = ZEnv.safeParse(raw);
  if (!parsed.success) {
    throw new SlimboardError('bad_environment', `invalid environment: ${formatZodIssues(parsed.error.issues)}`);
  }
  cached = { ...parsed.data, dataDir: path.resolve(parsed.data.SLIMBOARD_DATA_DIR) };
  return cached;
}

/** Tests change the environment between cases; they call this after doing so. */
export function resetEnvForTests(): void {
  cached = undefined;
}
