import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';

/**
 * Queries whose reader has gone away are cancelled (issue #15: a query whose client has gone away is cancelled).
 * Prisma has no way to cancel a query in flight, so the pool under it does: `withQueryCancellation(signal, fn)` marks
 * the queries `fn` sends (its async context) with `signal`. When the signal aborts, CancellablePool asks PostgreSQL
 * to cancel each such query still running (`pg_cancel_backend` on its backend, from a connection of its own) and
 * closes that connection instead of returning it to the pool, so a late cancel can never reach another reader's
 * query on a reused backend. The query rejects with PostgreSQL's 57014 "canceling statement due to user request";
 * a query marked with an already aborted signal is not sent and rejects with the signal's reason.
 *
 * Use it only around work that no one else shares: a computation that concurrent readers await together (the zoo
 * caches, lib/zoo/zoo-cache.ts) must go on for the others when one of them leaves. Queries outside a scope, and
 * transactions (Prisma runs them on a connection it checks out itself), are never cancelled.
 */

const scope = new AsyncLocalStorage<AbortSignal>();

/** Run `fn` with the queries it sends through a CancellablePool cancelled when `signal` aborts. */
export async function withQueryCancellation<T>(signal: AbortSignal | undefined, fn: () => PromiseLike<T>): Promise<T> {
  // Awaited inside the scope: a PrismaPromise sends its query only when awaited, in the context of that await.
  return signal ? scope.run(signal, async () => await fn()) : await fn();
}

/** Whether `e` is a query that PostgreSQL cancelled on request (SQLSTATE 57014), as Prisma or pg reports it. */
export function isCancelledQuery(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if ((e as { code?: unknown }).code === '57014') return true;
  return /canceling statement due to user request/.test(e.message);
}

/** Ask PostgreSQL to cancel what backend `pid` is running, from a connection of its own; failures are ignored. */
async function cancelBackend(config: pg.ClientConfig, pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // The backend is gone already, or the server is unreachable: nothing is left to cancel either way.
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A pg.Pool whose promise-form `query` honours withQueryCancellation (above); every other use is pg.Pool's own. */
export class CancellablePool extends pg.Pool {
  // pg.Pool's `query` has many overloads; only the promise form without a callback is taken over.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const signal = scope.getStore();
    if (!signal || typeof args[args.length - 1] === 'function') {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return (super.query as (...a: any[]) => any)(...args);
    }
    return this.queryUntilAborted(signal, args);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async queryUntilAborted(signal: AbortSignal, args: any[]): Promise<unknown> {
    signal.throwIfAborted();
    const client = await this.connect();
    let cancelled = false;
    let failed = false;
    const onAbort = () => {
      cancelled = true;
      void cancelBackend(this.options, (client as pg.PoolClient & { processID?: number }).processID);
    };
    if (signal.aborted) {
      // Aborted while it waited for a connection: nothing was sent, the connection goes back as it is.
      client.release();
      throw signal.reason;
    }
    try {
      signal.addEventListener('abort', onAbort, { once: true });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return await (client.query as (...a: any[]) => any)(...args);
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      signal.removeEventListener('abort', onAbort);
      // A cancelled or failed connection is closed, not reused (pg.Pool's own query does the same for a failure).
      client.release(cancelled || failed ? true : undefined);
    }
  }
}
