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
