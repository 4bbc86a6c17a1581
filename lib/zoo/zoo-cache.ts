import type pg from 'pg';
import type { Db } from '../db/client';

/**
 * A short shared cache for the zoo's expensive aggregates (facets, sections, totals), keyed by the zoo's version:
 * the one row of "ZooVersion", bumped when any transaction that wrote a table the zoo reads commits (deferred
 * triggers, prisma/migrations/20261205060000_zoo_version: a model, entry, measurement, run, job, result, dataset,
 * device …). A result landing bumps the version, so the next request recomputes; nothing is served across versions.
 *
 * The version is read for every call, but concurrent calls share one read in flight (a burst of requests costs one
 * version query), so a read never lags a committed write. Values are shared by concurrent callers of the same key
 * (one computation in flight), and the cache holds at most MAX_ENTRIES keys (oldest dropped).
 */

const MAX_ENTRIES = 64;

interface State {
  version?: Promise<string>;
  entries: Map<string, { version: string; value: Promise<unknown> }>;
}

const globalState = globalThis as unknown as { __slimboardZooCache?: State };
const state: State = (globalState.__slimboardZooCache ??= { entries: new Map() });

/** Prisma, or a pg pool (the pipeline's readers: lib/jobs/list-jobs.ts). */
export type ZooVersionReader = Db | Pick<pg.Pool, 'query'>;

/** The zoo's current version (see above). */
export async function readZooVersion(db: ZooVersionReader): Promise<string> {
  if ('$queryRaw' in db) {
    const rows = await db.$queryRaw<Array<{ v: string }>>`SELECT "version"::text AS v FROM "ZooVersion" WHERE "id" = 1`;
    return rows[0].v;
  }
  const { rows } = await db.query<{ v: string }>(`SELECT "version"::text AS v FROM "ZooVersion" WHERE "id" = 1`);
  return rows[0].v;
}

function currentVersion(db: ZooVersionReader): Promise<string> {
  if (state.version) return state.version;
  const value = readZooVersion(db).finally(() => {
    if (state.version === value) state.version = undefined;
  });
  state.version = value;
  return value;
}

/** `compute()` once per zoo version and key; concurrent callers share it; a failure is not cached. */
export async function cachedByZooVersion<T>(db: ZooVersionReader, key: string, compute: () => Promise<T>): Promise<T> {
  const version = await currentVersion(db);
  const hit = state.entries.get(key);
  if (hit && hit.version === version) return hit.value as Promise<T>;
  const value = compute();
  state.entries.delete(key);
  state.entries.set(key, { version, value });
  while (state.entries.size > MAX_ENTRIES) state.entries.delete(state.entries.keys().next().value!);
  value.catch(() => {
    if (state.entries.get(key)?.value === value) state.entries.delete(key);
  });
  return value;
}

/** Forget everything (tests; a process that just wrote and must read its own write at once). */
export function clearZooCache(): void {
  state.version = undefined;
  state.entries.clear();
}
