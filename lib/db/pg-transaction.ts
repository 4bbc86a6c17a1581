import type pg from 'pg';

/**
 * Run `fn` inside one transaction on a connection of `pool`: BEGIN, then COMMIT when `fn` resolves,
 * ROLLBACK (best effort) and rethrow when it throws. The connection is always released.
 * For the pipeline tables, which share transactions with pg-boss and therefore use `pg`, not Prisma.
 */
export async function withPgTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
