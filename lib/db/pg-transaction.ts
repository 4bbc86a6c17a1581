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

/** SQLSTATEs after which PostgreSQL rolled the transaction back and advises running it again. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']); // deadlock_detected, serialization_failure

/**
 * `withPgTransaction`, run again (up to `attempts` times in all) when PostgreSQL aborted it as a deadlock victim
 * or for a serialization failure: the whole transaction was rolled back, so a fresh attempt is safe provided `fn`
 * has no effects outside the transaction. Other errors are thrown at once.
 */
export async function withPgTransactionRetried<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withPgTransaction(pool, fn);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (attempt >= attempts || typeof code !== 'string' || !RETRYABLE_SQLSTATES.has(code)) throw e;
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.floor(Math.random() * 30)));
    }
  }
}
