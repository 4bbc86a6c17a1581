import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase } from '../../tests/setup/scratch-database';
import { applyMigrations, readLocalMigrations } from './migrations';

const MIGRATIONS = path.resolve(import.meta.dirname, '..', '..', 'prisma', 'migrations');

describe('applyMigrations records _prisma_migrations like `prisma migrate deploy`', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let client: pg.Client;
  beforeAll(async () => {
    scratch = await createScratchDatabase({ migrate: false });
    client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await scratch?.drop();
  });

  it('applies every migration folder in name order, one row each', async () => {
    const result = await applyMigrations(scratch.url, MIGRATIONS);
    const local = fs.readdirSync(MIGRATIONS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(result.applied).toEqual(local);
    const rows = (await client.query('SELECT * FROM "_prisma_migrations" ORDER BY migration_name')).rows;
    expect(rows.map((r) => r.migration_name)).toEqual(local);
    for (const r of rows) {
      const bytes = fs.readFileSync(path.join(MIGRATIONS, r.migration_name, 'migration.sql'));
      expect(r.checksum).toBe(crypto.createHash('sha256').update(bytes).digest('hex'));
      expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.rolled_back_at).toBeNull();
      expect(r.applied_steps_count).toBe(1);
    }
    const cols = (await client.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`)).rows;
    expect(cols.map((c) => c.column_name)).toEqual(['id', 'checksum', 'finished_at', 'migration_name', 'logs', 'rolled_back_at', 'started_at', 'applied_steps_count']);
    const tables = (await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).rows.map((t) => t.tablename);
    expect(tables).toEqual(expect.arrayContaining(['Model', 'Measurement', 'ZooEntry', 'ZooSection']));
  });

  it('a second run applies nothing; a changed file is reported as modified', async () => {
    const again = await applyMigrations(scratch.url, MIGRATIONS);
    expect(again.applied).toEqual([]);
    expect(again.modified).toEqual([]);
    const first = readLocalMigrations(MIGRATIONS)[0];
    await client.query('UPDATE "_prisma_migrations" SET checksum = $1 WHERE migration_name = $2', ['0'.repeat(64), first.name]);
    expect((await applyMigrations(scratch.url, MIGRATIONS)).modified).toEqual([first.name]);
  });

  it('EXPECTED FAILURE: a failed migration blocks later runs with one line naming it', async () => {
    await client.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ('00000000-0000-0000-0000-000000000000', 'x', '99999999_broken', now())`);
    await expect(applyMigrations(scratch.url, MIGRATIONS)).rejects.toThrow(/migration 99999999_broken failed earlier/);
    await client.query(`DELETE FROM "_prisma_migrations" WHERE migration_name = '99999999_broken'`);
  });
});
