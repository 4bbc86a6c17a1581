import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { SlimboardError } from '../errors';

/**
 * Applies prisma/migrations/<name>/migration.sql in name order and records each in `_prisma_migrations`
 * exactly as `prisma migrate deploy` does (same table, checksum = lower-hex sha256 of the file bytes,
 * same advisory lock), so a connected machine can keep using the Prisma CLI on the same database.
 */

/** The advisory lock key Prisma's schema engine takes around migrate deploy. */
const PRISMA_MIGRATE_LOCK = 72707369;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface LocalMigration {
  name: string;
  sql: string;
  checksum: string;
}

export function defaultMigrationsDir(root = process.cwd()): string {
  return path.join(/* turbopackIgnore: true */ root, 'prisma', 'migrations');
}

export function readLocalMigrations(migrationsDir = defaultMigrationsDir()): LocalMigration[] {
  if (!fs.existsSync(/* turbopackIgnore: true */ migrationsDir)) {
    throw new SlimboardError(
      'migrations_missing',
      `migrations folder not found: ${migrationsDir} (run Slimboard from the repository root)`,
      { status: 500 },
    );
  }
  return fs
    .readdirSync(/* turbopackIgnore: true */ migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const bytes = fs.readFileSync(/* turbopackIgnore: true */ path.join(migrationsDir, name, 'migration.sql'));
      return { name, sql: bytes.toString('utf8'), checksum: crypto.createHash('sha256').update(bytes).digest('hex') };
    });
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
  /** Applied migrations whose file changed since (Prisma warns about these too). */
  modified: string[];
}

export async function applyMigrations(databaseUrl: string, migrationsDir = defaultMigrationsDir()): Promise<MigrateResult> {
  const local = readLocalMigrations(migrationsDir);
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    try {
      await client.query(CREATE_TABLE);
      const rows = (
        await client.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
          'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
        )
      ).rows;
      const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
      if (failed) {
        throw new SlimboardError(
          'migration_failed_before',
          `migration ${failed.migration_name} failed earlier and is not rolled back; fix the database, then mark it rolled back in ` +
            `_prisma_migrations`,
          { status: 500 },
        );
      }
      const done = new Map(rows.filter((r) => r.finished_at !== null).map((r) => [r.migration_name, r.checksum]));
      const result: MigrateResult = { applied: [], alreadyApplied: [], modified: [] };
      for (const m of local) {
        const checksum = done.get(m.name);
        if (checksum !== undefined) {
          result.alreadyApplied.push(m.name);
          if (checksum !== m.checksum) result.modified.push(m.name);
          continue;
        }
        const id = crypto.randomUUID();
        await client.query(
          'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
          [id, m.checksum, m.name],
        );
        try {
          // One simple-protocol query: PostgreSQL runs the multi-statement script as one implicit transaction.
          await client.query(m.sql);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          await client.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, message]);
          throw new SlimboardError('migration_failed', `migration ${m.name} failed: ${message}`, { status: 500, cause: e });
        }
        await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
        result.applied.push(m.name);
      }
      return result;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
