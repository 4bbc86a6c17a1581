import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPgTransaction, withPgTransactionRetried } from './pg-transaction';

/**
 * A real deadlock on the test PostgreSQL: two transactions lock rows 1 and 2 in opposite orders. PostgreSQL aborts
 * one (SQLSTATE 40P01); the retried helper runs it again and both commit.
 */
let pool: pg.Pool;
const table = `deadlock_probe_${process.pid}`;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
  await pool.query(`CREATE TABLE ${table} (id int PRIMARY KEY, n int NOT NULL)`);
  await pool.query(`INSERT INTO ${table} VALUES (1, 0), (2, 0)`);
});
afterAll(async () => {
  await pool.query(`DROP TABLE IF EXISTS ${table}`);
  await pool.end();
});

/** Lock `first`, wait until the other transaction holds its first row, then lock `second`. */
function crossing(first: number, second: number, barrier: { arrive(): Promise<void> }) {
  return async (client: pg.PoolClient) => {
    await client.query(`UPDATE ${table} SET n = n + 1 WHERE id = $1`, [first]);
    await barrier.arrive();
    await client.query(`UPDATE ${table} SET n = n + 1 WHERE id = $1`, [second]);
  };
}

function twoPartyBarrier() {
  let waiting = 0;
  let release: () => void = () => undefined;
  const all = new Promise<void>((r) => (release = r));
  return {
    async arrive() {
      if (++waiting === 2) release();
      // Only the first attempt of each side meets here; a retry passes straight through.
      await Promise.race([all, new Promise((r) => setTimeout(r, 2000))]);
    },
  };
}

describe('withPgTransactionRetried', () => {
  it('EXPECTED FAILURE without retry: one of two crossing transactions is a deadlock victim (40P01)', async () => {
    const b = twoPartyBarrier();
    const results = await Promise.allSettled([withPgTransaction(pool, crossing(1, 2, b)), withPgTransaction(pool, crossing(2, 1, b))]);
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'ok')).sort();
    expect(codes).toEqual(['40P01', 'ok']);
  });

  it('with retry both commit: every row is incremented twice more', async () => {
    const before = (await pool.query(`SELECT sum(n)::int AS s FROM ${table}`)).rows[0].s as number;
    const b = twoPartyBarrier();
    await Promise.all([withPgTransactionRetried(pool, crossing(1, 2, b)), withPgTransactionRetried(pool, crossing(2, 1, b))]);
    expect((await pool.query(`SELECT sum(n)::int AS s FROM ${table}`)).rows[0].s).toBe(before + 4);
  });

  it('other errors are not retried', async () => {
    let calls = 0;
    await expect(
      withPgTransactionRetried(pool, async (client) => {
        calls++;
        await client.query('SELECT 1/0');
      }),
    ).rejects.toMatchObject({ code: '22012' });
    expect(calls).toBe(1);
  });
});
