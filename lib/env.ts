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
  /**
   * Public address of the web app (`https://slimboard.example.org`), used for absolute links in exports and CLI output.
   * Unset: the web app takes it from each request; the CLI uses `http://localhost:<PORT>`.
   */
  SLIMBOARD_PUBLIC_URL: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), { message: 'must start with http:// or https://' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Largest accepted model upload in bytes (default 2 GiB); larger uploads get HTTP 413. */
  SLIMBOARD_UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(2 * 1024 ** 3),
  /** ONNX checks of uploads (one child process each) that run at once; more uploads wait their turn. */
  SLIMBOARD_ONNX_CHECK_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Streamed zoo exports (GET /api/zoo?format=…) that run at once per web process; one more gets 503 + Retry-After. */
  SLIMBOARD_EXPORT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /**
   * Rendered zoo-wide views (`/`, `/zoo`, `/explorer`, `/compare`) that the front proxy of `npm start` lets into the
   * browse lane at once; the others wait at the proxy in arrival order (lib/http/web-lanes.ts). 0: no limit.
   */
  SLIMBOARD_BROWSE_CONCURRENCY: z.coerce.number().int().min(0).max(256).default(2),
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
  /**
   * The web build this process serves (Next's .next/BUILD_ID; `start` and every server it spawns set it). With it, the
   * slow zoo views' last values are kept in the database for this build and a restarted process serves them at once
   * (lib/zoo/zoo-view-snapshots.ts). Unset (`next start` by hand, `next dev`): nothing is kept.
   */
  SLIMBOARD_BUILD_ID: z.string().min(1).max(200).optional(),
  /**
   * CPU niceness (0 to 19) of the zoo views computed while readers are served their last value: the web server's
   * zoo-views process, every thread of it, and its database backends where the database runs on this machine
   * (lib/zoo/views-process.ts, lib/db/background-client.ts). `off`: computed in the web process on the readers'
   * connections, with parallel workers (as before 2026-12-07; for comparisons).
   */
  SLIMBOARD_BACKGROUND_NICENESS: z.union([z.literal('off'), z.coerce.number().int().min(0).max(19)]).default(19),
  /** Benchmarks in the latency harness's quick mode (tests, smoke runs); never for published numbers. */
  /**
   * Where artifacts (models, dataset archives) live. Unset: local disk under `<dataDir>/artifacts`.
   * `s3://bucket/prefix`: an S3-compatible object store, configured by the standard AWS_* variables below.
   */
  SLIMBOARD_STORE_URL: z
    .string()
    .regex(/^s3:\/\//, 'must start with s3://')
    .optional(),
  /**
   * A worker without shared disk or object store reads artifacts over HTTP from this Slimboard web app
   * (e.g. http://slimboard.lan:3000), sending SLIMBOARD_API_TOKEN. Ignored when SLIMBOARD_STORE_URL is set.
   */
  SLIMBOARD_REMOTE_URL: z.string().url().optional(),
  /** Local, sha256-verified copies of remote artifacts (S3 or HTTP), least recently used evicted first. */
  SLIMBOARD_ARTIFACT_CACHE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(20 * 1024 ** 3),
  /** Standard AWS settings for the S3 backend; the endpoint variables point it at any S3-compatible server. */
  AWS_REGION: z.string().min(1).default('us-east-1'),
  AWS_ENDPOINT_URL_S3: z.string().url().optional(),
  AWS_ENDPOINT_URL: z.string().url().optional(),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  AWS_SESSION_TOKEN: z.string().min(1).optional(),
  /** Path-style bucket addressing (http://host/bucket/key), which most self-hosted S3 servers need. */
  SLIMBOARD_S3_FORCE_PATH_STYLE: z
    .enum(['0', '1'])
    .default('1')
    .transform((v) => v === '1'),
  SLIMBOARD_BENCH_QUICK: z
    .enum(['0', '1'])
    .default('0')
    .transform((v) => v === '1'),
  /**
   * Noise guard (lib/measure/machine-load.ts): a benchmark is flagged busy when the 1-minute load average per
   * logical core exceeds this (default 1.0: on 2 cores, the benchmark's own thread plus one more).
   */
  SLIMBOARD_NOISE_MAX_LOAD_PER_CORE: z.coerce.number().positive().default(1),
  /** Noise guard: flagged busy when other processes used more than this many cores on average during the run (default 0.25). */
  SLIMBOARD_NOISE_MAX_OTHER_CORES: z.coerce.number().min(0).default(0.25),
  /** Noise guard: flagged busy when the hypervisor stole more than this share of CPU time (default 0.02 = 2 %). */
  SLIMBOARD_NOISE_MAX_STEAL_FRACTION: z.coerce.number().min(0).max(1).default(0.02),
  /** Noise guard: a worker waits up to this many seconds for a quiet machine before benchmarking (default 0: no wait). */
  SLIMBOARD_NOISE_WAIT_SECONDS: z.coerce.number().min(0).max(3600).default(0),
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
