import type { Db } from '../db/client';

/**
 * A short shared cache for the zoo's expensive aggregates (facets, sections, totals), keyed by the zoo's version:
 * a fingerprint of the tables the zoo reads that changes whenever a model, entry, measurement, run or result is
 * added, changed or removed (max ids and timestamps plus counts, each answered from an index). A result landing
 * bumps the version, so the next request recomputes; nothing is served across versions.
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

/** The zoo's current version (see above). */
export async function readZooVersion(db: Db): Promise<string> {
  const rows = await db.$queryRaw<Array<{ v: string }>>`
    SELECT concat_ws('/',
      (SELECT max("updatedAt") FROM "Model"), (SELECT count(*) FROM "Model"),
      (SELECT max(id) FROM "ZooEntry"), (SELECT count(*) FROM "ZooEntry"),
      (SELECT max(id) FROM "Measurement"),
      (SELECT max("updatedAt") FROM "RegisteredRun"), (SELECT count(*) FROM "RegisteredRun"),
      (SELECT max("updatedAt") FROM "RunJob"), (SELECT max("measuredAt") FROM "MeasuredResult"),
      (SELECT count(*) FROM "ZooSection"), (SELECT count(*) FROM "Device")) AS v`;
  return rows[0].v;
}

function currentVersion(db: Db): Promise<string> {
  if (state.version) return state.version;
  const value = readZooVersion(db).finally(() => {
    if (state.version === value) state.version = undefined;
  });
  state.version = value;
  return value;
}

/** `compute()` once per zoo version and key; concurrent callers share it; a failure is not cached. */
export async function cachedByZooVersion<T>(db: Db, key: string, compute: () => Promise<T>): Promise<T> {
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
