import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { ensureEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../lib/db/embedded-postgres';
import { applyMigrations } from '../../lib/db/migrations';

/**
 * globalSetup of the `db` and `e2e` projects: a real PostgreSQL and a fresh database for this test run.
 *
 * - DATABASE_URL set: that server (the role needs CREATEDB); otherwise the embedded server on port
 *   SLIMBOARD_TEST_PG_PORT (default 54400, range 54400-54499) with data under .slimboard/test/pg,
 *   shared with concurrent test runs (the last run to finish stops it).
 * - Each `vitest run` gets its own database `slimboard_test_<time>_<pid>`, migrated and with the seed
 *   imported; both projects of one run share it (refcounted) and the last teardown drops it.
 * - Test workers see it as DATABASE_URL (so lib/db/client.ts connects to it) and via inject('databaseUrl').
 * Tests that need an empty database use tests/setup/scratch-database.ts.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

interface RunDatabase {
  url: string;
  adminUrl: string;
  name: string;
  users: number;
  embedded?: EmbeddedPostgresHandle;
}

const g = globalThis as unknown as { __slimboardOriginalDatabaseUrl?: string | null; __slimboardTestDb?: Promise<RunDatabase> };
g.__slimboardOriginalDatabaseUrl ??= process.env.DATABASE_URL ?? null;

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function createRunDatabase(): Promise<RunDatabase> {
  const root = path.resolve(import.meta.dirname, '..', '..');
  const external = g.__slimboardOriginalDatabaseUrl;
  let embedded: EmbeddedPostgresHandle | undefined;
  let serverUrl: (db: string) => string;
  if (external) {
    serverUrl = (db) => withDatabase(external, db);
  } else {
    const port = Number(process.env.SLIMBOARD_TEST_PG_PORT ?? 54400);
    if (!Number.isInteger(port) || port < 54400 || port > 54499) throw new Error(`SLIMBOARD_TEST_PG_PORT must be in 54400-54499, got ${process.env.SLIMBOARD_TEST_PG_PORT}`);
    const t0 = performance.now();
    embedded = await ensureEmbeddedPostgres({ dataDir: path.join(root, '.slimboard', 'test', 'pg'), port });
    const ms = performance.now() - t0;
    console.log(`[db setup] embedded PostgreSQL on ${port}: ${embedded.owned ? `started (init ${embedded.initMs.toFixed(0)} ms, start ${embedded.startMs.toFixed(0)} ms)` : 'already running'}, ${ms.toFixed(0)} ms`);
    serverUrl = embedded.url;
  }
  const name = `slimboard_test_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;
  const adminUrl = serverUrl('postgres');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = serverUrl(name);
  const t0 = performance.now();
  await applyMigrations(url, path.join(root, 'prisma', 'migrations'));
  // Import the seed through the app's own code path (Prisma client on this URL).
  process.env.DATABASE_URL = url;
  const { getDb, closeDb } = await import('../../lib/db/client');
  const { resetEnvForTests } = await import('../../lib/env');
  resetEnvForTests();
  const { ensureSeedImported } = await import('../../lib/zoo/import-catalog');
  await ensureSeedImported(await getDb(), { root });
  await closeDb();
  console.log(`[db setup] database ${name} migrated and seeded in ${(performance.now() - t0).toFixed(0)} ms`);
  return { url, adminUrl, name, users: 0, embedded };
}

export default async function setup(project: TestProject) {
  g.__slimboardTestDb ??= createRunDatabase();
  const run = await g.__slimboardTestDb;
  run.users++;
  process.env.DATABASE_URL = run.url;
  project.provide('databaseUrl', run.url);
  return async () => {
    run.users--;
    if (run.users > 0) return;
    g.__slimboardTestDb = undefined;
    const admin = new pg.Client({ connectionString: run.adminUrl });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(run.name)} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
    await run.embedded?.release();
  };
}
