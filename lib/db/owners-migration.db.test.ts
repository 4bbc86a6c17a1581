import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase } from '../../tests/setup/scratch-database';
import { defaultOwnerFor } from '../auth/owners';
import { applyMigrations } from './migrations';

/**
 * Migration 20261204170000_owners on a database with rows from before owners: tokens get their name as owner
 * (the same rule as `defaultOwnerFor`) and role `user`; runs get their token's owner, else `local`.
 */

const MIGRATIONS = path.resolve(import.meta.dirname, '..', '..', 'prisma', 'migrations');
const OWNERS = '20261204170000_owners';

let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let client: pg.Client;
let before: string;

beforeAll(async () => {
  // Every migration before owners, in a folder of their own.
  before = fs.mkdtempSync(path.join(os.tmpdir(), 'slimboard-owners-mig-'));
  for (const d of fs.readdirSync(MIGRATIONS, { withFileTypes: true })) {
    if (d.isDirectory() && d.name < OWNERS) fs.cpSync(path.join(MIGRATIONS, d.name), path.join(before, d.name), { recursive: true });
  }
  scratch = await createScratchDatabase({ migrate: false });
  client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await scratch?.drop();
  fs.rmSync(before, { recursive: true, force: true });
});

describe('the owners migration backfills', () => {
  it('token owner from its name, role user; run owner from its token, else local', async () => {
    await applyMigrations(scratch.url, before);
    const names = ['ci-bot', 'e2e measured 17', '  alice@lab (desk) '];
    const ids: string[] = [];
    for (const [i, name] of names.entries()) {
      const id = `00000000-0000-4000-8000-00000000000${i}`;
      ids.push(id);
      const insert = `INSERT INTO "ApiToken" (id, name, "tokenHash", "tokenPrefix") VALUES ($1, $2, $3, 'sb_x')`;
      await client.query(insert, [id, name, `hash${i}`]);
    }
    const run = (id: string, tokenId: string | null, door: string) =>
      client.query(
        `INSERT INTO "RegisteredRun" (id, name, state, metadata, "fileName", door, "tokenId")
         VALUES ($1, 'r', 'failed', '{}', 'f.onnx', $2, $3)`,
        [id, door, tokenId],
      );
    await run('10000000-0000-4000-8000-000000000000', ids[0], 'api');
    await run('10000000-0000-4000-8000-000000000001', ids[1], 'web');
    await run('10000000-0000-4000-8000-000000000002', ids[2], 'api');
    await run('10000000-0000-4000-8000-000000000003', null, 'cli');

    // Owners comes first; the migrations after it (if any) are applied too, in order.
    const applied = (await applyMigrations(scratch.url, MIGRATIONS)).applied;
    expect(applied[0]).toBe(OWNERS);
    expect(applied).toEqual(fs.readdirSync(MIGRATIONS).filter((d) => d >= OWNERS && fs.statSync(path.join(MIGRATIONS, d)).isDirectory()).sort());

    const tokens = (await client.query(`SELECT name, owner, role FROM "ApiToken" ORDER BY id`)).rows;
    expect(tokens).toEqual(names.map((name) => ({ name, owner: defaultOwnerFor(name), role: 'user' })));
    expect(tokens.map((t) => t.owner)).toEqual(['ci-bot', 'e2e-measured-17', 'alice@lab-desk-']);
    const runs = (await client.query(`SELECT owner FROM "RegisteredRun" ORDER BY id`)).rows.map((r) => r.owner);
    expect(runs).toEqual(['ci-bot', 'e2e-measured-17', 'alice@lab-desk-', 'local']);
  });
});
