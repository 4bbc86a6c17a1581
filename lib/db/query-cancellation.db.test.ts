import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../generated/prisma/client';
import { CancellablePool, withQueryCancellation } from './query-cancellation';

/**
 * Against the test PostgreSQL, through Prisma as the app uses it: a query marked with a signal is cancelled on the
 * server when the signal aborts (pg_stat_activity no longer shows it), its connection is closed rather than reused,
 * and queries outside the scope, beside it on the same pool, are not touched.
 */
let pool: CancellablePool;
let prisma: PrismaClient;
let observer: pg.Client;
const tag = `cancel_probe_${process.pid}`;

beforeAll(async () => {
  pool = new CancellablePool({ connectionString: process.env.DATABASE_URL, max: 3 });
  prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  observer = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await observer.connect();
});
afterAll(async () => {
  await observer.end();
  await prisma.$disconnect();
});

/** Backends now running a statement that contains `marker`. */
async function running(marker: string): Promise<number> {
  const { rows } = await observer.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()`,
    [marker],
  );
  return rows[0].n;
}

/** A statement that sleeps `seconds` on the server and carries `marker` (so pg_stat_activity can find it). */
function sleeping(marker: string, seconds: number) {
  return prisma.$queryRawUnsafe<Array<{ done: string }>>(`SELECT '${marker}' AS done, pg_sleep(${seconds})::text AS slept`);
}

describe('withQueryCancellation with CancellablePool under Prisma', () => {
  it('cancels a running query on the server when the signal aborts, and closes its connection', async () => {
    const marker = `${tag}_a`;
    const controller = new AbortController();
    const started = performance.now();
    const query = withQueryCancellation(controller.signal, () => sleeping(marker, 30));
    await expect.poll(() => running(marker), { timeout: 5_000 }).toBe(1);
    const connectionsBefore = pool.totalCount;
    controller.abort(new Error('the client went away'));
    await expect(query).rejects.toThrow(/canceling statement due to user request/);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await running(marker)).toBe(0);
    // The cancelled query's connection is closed, not handed to the next reader.
    expect(pool.totalCount).toBe(connectionsBefore - 1);
  });

  it('leaves a query outside the scope alone while one beside it on the same pool is cancelled', async () => {
    const marker = `${tag}_b`;
    const controller = new AbortController();
    const inScope = withQueryCancellation(controller.signal, () => sleeping(`${marker}_in`, 30));
    const outside = sleeping(`${marker}_out`, 1);
    await expect.poll(() => running(`${marker}_in`), { timeout: 5_000 }).toBe(1);
    controller.abort();
    await expect(inScope).rejects.toThrow(/canceling statement/);
    expect((await outside)[0].done).toBe(`${marker}_out`);
  });

  it('degenerate: without a signal, or one that never aborts, queries answer as before and connections are reused', async () => {
    expect(await withQueryCancellation(undefined, () => prisma.$queryRaw<Array<{ n: number }>>`SELECT 41 + 1 AS n`)).toEqual([{ n: 42 }]);
    const calm = new AbortController();
    const before = pool.totalCount;
    for (let i = 0; i < 5; i++) {
      const rows = await withQueryCancellation(calm.signal, () => prisma.$queryRaw<Array<{ n: number }>>`SELECT ${i}::int AS n`);
      expect(rows).toEqual([{ n: i }]);
    }
    expect(pool.totalCount).toBeLessThanOrEqual(Math.max(before, 1));
    // Aborting after the work is done cancels nothing and breaks nothing.
    calm.abort();
    expect(await prisma.$queryRaw<Array<{ n: number }>>`SELECT 7 AS n`).toEqual([{ n: 7 }]);
  });

  it('degenerate: an already aborted signal sends nothing and rejects with its reason', async () => {
    const marker = `${tag}_d`;
    const reason = new Error('gone before it started');
    await expect(withQueryCancellation(AbortSignal.abort(reason), () => sleeping(marker, 30))).rejects.toThrow(/gone before it started/);
    expect(await running(marker)).toBe(0);
  });
});
