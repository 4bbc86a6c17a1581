import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { inject } from 'vitest';
import { applyMigrations } from '../../lib/db/migrations';
import { PrismaClient } from '../../lib/generated/prisma/client';

/**
 * An empty, migrated database on the test server, for tests that must start from nothing (imports,
 * migrations). `drop()` removes it. Use inside db tests only (needs the db globalSetup).
 */
export async function createScratchDatabase(options: { migrate?: boolean } = {}): Promise<{ url: string; db: PrismaClient; drop: () => Promise<void> }> {
  const runUrl = new URL(inject('databaseUrl'));
  const name = `slimboard_scratch_${randomBytes(5).toString('hex')}`;
  const adminUrl = new URL(runUrl);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  await admin.end();
  const url = new URL(runUrl);
  url.pathname = `/${name}`;
  if (options.migrate !== false) await applyMigrations(url.toString(), path.resolve(import.meta.dirname, '..', '..', 'prisma', 'migrations'));
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url.toString() }) });
  return {
    url: url.toString(),
    db,
    drop: async () => {
      await db.$disconnect();
      const a = new pg.Client({ connectionString: adminUrl.toString() });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${a.escapeIdentifier(name)} WITH (FORCE)`);
      await a.end();
    },
  };
}
