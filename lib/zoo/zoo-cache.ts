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
 * (one computation in flight).
 *
 * Keys live in pools with their own limits, least recently used dropped first: the zoo's pages (one key per query and
 * page, cheap, and as many as a crawler asks for) never evict the aggregates (the overview's wins take seconds to
 * recompute at scale: docs/scale.md).
 */

/** How many keys each pool keeps. */
export const POOL_LIMITS = { aggregates: 64, pages: 48 } as const;
export type ZooCachePool = keyof typeof POOL_LIMITS;

type Entry = { version: string; value: Promise<unknown> };
interface State {
  version?: Promise<string>;
  pools: Record<ZooCachePool, Map<string, Entry>>;
}

const globalState = globalThis as unknown as { __slimboardZooCachePools?: State };
const state: State = (globalState.__slimboardZooCachePools ??= { pools: { aggregates: new Map(), pages: new Map() } });

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

/** `compute()` once per zoo version and key (in `pool`); concurrent callers share it; a failure is not cached. */
export async function cachedByZooVersion<T>(
  db: ZooVersionReader,
  key: string,
  compute: () => Promise<T>,
  pool: ZooCachePool = 'aggregates',
): Promise<T> {
  const version = await currentVersion(db);
  const entries = state.pools[pool];
  const hit = entries.get(key);
  if (hit && hit.version === version) {
    entries.delete(key); // most recently used last
    entries.set(key, hit);
    return hit.value as Promise<T>;
  }
  const value = compute();
  entries.delete(key);
  entries.set(key, { version, value });
  while (entries.size > POOL_LIMITS[pool]) entries.delete(entries.keys().next().value!);
  value.catch(() => {
    if (entries.get(key)?.value === value) entries.delete(key);
  });
  return value;
}

/** The keys a pool holds, least recently used first (tests). */
export function zooCacheKeys(pool: ZooCachePool): string[] {
  return [...state.pools[pool].keys()];
}

/** Forget everything (tests; a process that just wrote and must read its own write at once). */
export function clearZooCache(): void {
  state.version = undefined;
  for (const entries of Object.values(state.pools)) entries.clear();
}
