import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { getEnv } from '../env';
import { PrismaClient } from '../generated/prisma/client';
import { ensureEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres';
import { applyMigrations } from './migrations';
import { isLocalDatabaseUrl, lowerBackendPriority, openedBackgroundClientOf, registerBackgroundClient } from './background-client';
import { CancellablePool } from './query-cancellation';
import { BACKGROUND_SESSION_OPTIONS, pgPoolConfig } from './session-settings';

/**
 * The one database entry point for the app, the workers, the CLI and the tests.
 *
 * `getDb()` resolves the server (DATABASE_URL, or the embedded PostgreSQL started on demand), applies
 * pending migrations once per process and returns one cached Prisma client. `closeDb()` disconnects and
 * releases the embedded server (the process that started it stops it; see embedded-postgres.ts).
 * A process that owns the embedded server also stops it on SIGINT/SIGTERM unless it called
 * `manageShutdownYourself()` (the `start` command, which stops its children first).
 */

export type Db = PrismaClient;

/** Name of the database Slimboard uses on the embedded server. */
export const EMBEDDED_DATABASE = 'slimboard';

interface DbState {
  url?: Promise<string>;
  embedded?: EmbeddedPostgresHandle;
  /** The handle being released by closeDb (the exit hook still needs it). */
  releasing?: EmbeddedPostgresHandle;
  client?: Promise<PrismaClient>;
  prisma?: PrismaClient;
  manualShutdown?: boolean;
  signalsInstalled?: boolean;
  log: (line: string) => void;
}

// On globalThis so that Next.js dev-mode module reloading does not open a second pool.
const globalState = globalThis as unknown as { __slimboardDb?: DbState };
const state: DbState = (globalState.__slimboardDb ??= { log: (line) => process.stderr.write(`[slimboard] ${line}\n`) });

/** Route the database lifecycle's log lines (default: stderr). */
export function setDbLog(log: (line: string) => void): void {
  state.log = log;
}

/** The caller stops the embedded server itself (via `closeDb`) instead of the SIGINT/SIGTERM handlers. */
export function manageShutdownYourself(): void {
  state.manualShutdown = true;
}

/** The embedded server handle when this process uses one (for timings and tests). */
export function embeddedHandle(): EmbeddedPostgresHandle | undefined {
  return state.embedded;
}

async function createDatabaseIfMissing(serverUrl: (db: string) => string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl('postgres') });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`).catch((e: { code?: string }) => {
        if (e.code !== '42P04' && e.code !== '23505') throw e; // created concurrently by another process
      });
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}

function installSignalHandlers(): void {
  if (state.signalsInstalled) return;
  state.signalsInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (state.manualShutdown) return;
      void closeDb().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
  // A host that exits from its own signal handler (Next.js does) never lets the async release run.
  process.once('exit', () => (state.embedded ?? state.releasing)?.releaseOnExit());
}

/** URL of Slimboard's database; starts the embedded server when DATABASE_URL is unset. */
export function getDatabaseUrl(): Promise<string> {
  state.url ??= (async () => {
    const env = getEnv();
    if (env.DATABASE_URL) return env.DATABASE_URL;
    const handle = await ensureEmbeddedPostgres({
      dataDir: path.join(env.dataDir, 'pg'),
      port: env.SLIMBOARD_PG_PORT,
      log: (l) => state.log(l),
    });
    state.embedded = handle;
    if (handle.owned) installSignalHandlers();
    await createDatabaseIfMissing(handle.url, EMBEDDED_DATABASE);
    return handle.url(EMBEDDED_DATABASE);
  })().catch((e) => {
    state.url = undefined;
    throw e;
  });
  return state.url;
}

/**
 * A Prisma client on `databaseUrl` with Slimboard's session settings (lib/db/session-settings.ts); no migrations. Its
 * pool cancels the queries of a withQueryCancellation scope whose signal aborts (lib/db/query-cancellation.ts).
 */
export function createPrismaClient(databaseUrl: string, max = 10): PrismaClient {
  return new PrismaClient({
    adapter: new PrismaPg(new CancellablePool(pgPoolConfig(databaseUrl, { max })), { disposeExternalPool: true }),
  });
}

/** Connections of a background twin: the overview alone runs five queries at once. */
export const BACKGROUND_POOL_SIZE = 4;

/**
 * A Prisma client for work no reader waits for (lib/db/background-client.ts): its sessions plan no parallel workers
 * and, with a `niceness` and a server on this machine, each backend is reniced to it as it connects. Its idle
 * connections do not keep a process alive.
 */
export function createBackgroundPrismaClient(databaseUrl: string, niceness: number | undefined, max = BACKGROUND_POOL_SIZE): PrismaClient {
  const config = pgPoolConfig(databaseUrl, { max, applicationName: 'slimboard-background', options: BACKGROUND_SESSION_OPTIONS });
  const pool = new pg.Pool({ ...config, allowExitOnIdle: true });
  if (niceness !== undefined && isLocalDatabaseUrl(databaseUrl)) {
    pool.on('connect', (client) => void lowerBackendPriority((client as pg.Client & { processID?: number }).processID, niceness));
  }
  return new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
}

/** The Prisma client, connected to a migrated database. */
export function getDb(): Promise<PrismaClient> {
  state.client ??= (async () => {
    const url = await getDatabaseUrl();
    const result = await applyMigrations(url);
    if (result.applied.length) state.log(`applied migrations: ${result.applied.join(', ')}`);
    for (const name of result.modified) state.log(`warning: migration ${name} changed after it was applied`);
    const prisma = createPrismaClient(url);
    const niceness = getEnv().SLIMBOARD_BACKGROUND_NICENESS;
    if (niceness !== 'off') registerBackgroundClient(prisma, () => createBackgroundPrismaClient(url, niceness));
    state.prisma = prisma;
    return prisma;
  })().catch((e) => {
    state.client = undefined;
    throw e;
  });
  return state.client;
}

/** Disconnect and release the embedded server (stopping it when this process started it). */
export async function closeDb(): Promise<void> {
  const prisma = state.prisma;
  const embedded = state.embedded;
  state.client = undefined;
  state.prisma = undefined;
  state.url = undefined;
  state.embedded = undefined;
  state.releasing = embedded;
  const twin = prisma && openedBackgroundClientOf(prisma);
  if (prisma) await prisma.$disconnect().catch(() => undefined);
  if (twin) await twin.$disconnect().catch(() => undefined);
  if (embedded) await embedded.release();
  state.releasing = undefined;
}
