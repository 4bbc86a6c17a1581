import type pg from 'pg';
import { backgroundClientOf } from '../db/background-client';
import type { Db } from '../db/client';
import { Prisma } from '../generated/prisma/client';

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
/** A key of cachedOrLastByZooVersion: its newest finished value and the computation in flight, if any. */
type LastEntry = {
  last?: TZooVersioned<unknown>;
  flight?: { version: string; value: Promise<TZooVersioned<unknown>>; startedMs: number };
  /** The read of the key's stored value (once per entry, shared by concurrent readers). */
  stored?: Promise<void>;
};
interface State {
  /**
   * The version read in flight, per client: a background client's read may queue behind its long queries at the
   * lowest priority (lib/db/background-client.ts), and a reader must not wait for it.
   */
  versions: WeakMap<ZooVersionReader, Promise<string>>;
  pools: Record<ZooCachePool, Map<string, Entry>>;
  lasting: Record<ZooCachePool, Map<string, LastEntry>>;
}

const globalState = globalThis as unknown as { __slimboardZooCacheState?: State };
const state: State = (globalState.__slimboardZooCacheState ??= {
  versions: new WeakMap(),
  pools: { aggregates: new Map(), pages: new Map() },
  lasting: { aggregates: new Map(), pages: new Map() },
});

/** Prisma, or a pg pool (the pipeline's readers: lib/jobs/list-jobs.ts). */
export type ZooVersionReader = Db | Pick<pg.Pool, 'query'>;

/** The one read of the version, for both kinds of reader (a bigint, as text: it can pass 2^53). */
const ZOO_VERSION_SQL = `SELECT "version"::text AS v FROM "ZooVersion" WHERE "id" = 1`;

/** The zoo's current version (see above). */
export async function readZooVersion(db: ZooVersionReader): Promise<string> {
  if ('$queryRaw' in db) return (await db.$queryRaw<Array<{ v: string }>>(Prisma.raw(ZOO_VERSION_SQL)))[0].v;
  return (await db.query<{ v: string }>(ZOO_VERSION_SQL)).rows[0].v;
}

function currentVersion(db: ZooVersionReader): Promise<string> {
  const inFlight = state.versions.get(db);
  if (inFlight) return inFlight;
  const value = readZooVersion(db).finally(() => {
    if (state.versions.get(db) === value) state.versions.delete(db);
  });
  state.versions.set(db, value);
  return value;
}

/** `key` -> `value` as the most recently used (a Map iterates in insertion order); the least recent beyond `limit` go. */
function keepAsMostRecent<V>(entries: Map<string, V>, key: string, value: V, limit: number): void {
  entries.delete(key);
  entries.set(key, value);
  while (entries.size > limit) entries.delete(entries.keys().next().value!);
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
    keepAsMostRecent(entries, key, hit, POOL_LIMITS[pool]);
    return hit.value as Promise<T>;
  }
  const value = compute();
  keepAsMostRecent(entries, key, { version, value }, POOL_LIMITS[pool]);
  value.catch(() => {
    if (entries.get(key)?.value === value) entries.delete(key);
  });
  return value;
}

/** A value of cachedOrLastByZooVersion, with the zoo version it was computed for and when that computation finished. */
export interface TZooVersioned<T> {
  value: T;
  version: string;
  computedAt: Date;
  /** How long the computation took. */
  computeMs: number;
  /** True when the zoo has a newer version whose value is still being computed (the page says so). */
  stale: boolean;
}

/**
 * How long a reader of cachedOrLastByZooVersion waits for the current version's value before it is given the last
 * one, and how long the last computation must have taken for that (a view that computed faster is always waited
 * for: a small zoo never shows stale numbers). At 100,000 runs the landing page takes seconds after a write
 * (docs/scale.md, "After a write").
 */
export const FRESH_WAIT_MS = 150;
export const SLOW_COMPUTE_MS = 500;

/**
 * Where a key's last value outlives the process (lib/zoo/zoo-view-snapshots.ts): read when the process has none of
 * its own, written when a computation that took at least `slowComputeMs` finishes. Both may fail: a failed read
 * counts as nothing stored, a failed save is reported to `onStoreError` and the value is still served.
 */
export interface ZooViewStore {
  read(key: string): Promise<TZooVersioned<unknown> | undefined>;
  save(key: string, value: TZooVersioned<unknown>): Promise<void>;
}

/** What an offloaded computation is for: the cache key, the zoo version, and whether the value is to be stored. */
export interface OffloadTarget {
  key: string;
  version: string;
  save: boolean;
}

export interface LastValueOptions<T = unknown> {
  pool?: ZooCachePool;
  freshWaitMs?: number;
  slowComputeMs?: number;
  store?: ZooViewStore;
  onStoreError?: (e: unknown) => void;
  /**
   * Computes the value elsewhere when no reader waits for it (the web server's zoo-views process:
   * lib/zoo/views-process.ts zooViewOffload), for the key and zoo version given; `save` when this key has a `store`.
   * `stored`: it saved the value to that store itself, so this process does not. If it fails, `compute` runs in
   * process, and the failure goes to `onOffloadError`.
   */
  offload?: (target: OffloadTarget) => Promise<{ value: T; stored: boolean }>;
  onOffloadError?: (e: unknown) => void;
}

const reporter = (what: string) => (e: unknown) =>
  process.stderr.write(`${what}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}\n`);
const reportStoreError = reporter('zoo view store');
const reportOffloadError = reporter('zoo view computed in process instead');

/**
 * For views whose aggregates take seconds at scale (the landing page, the explorer, the zoo's pages): like
 * cachedByZooVersion, but once the key has a value whose computation took at least `slowComputeMs`, a reader after a
 * write waits at most `freshWaitMs` for the new version's value (and not at all when, at the last computation's
 * pace, it should not finish within that, or is late by more than that), and is otherwise given the last value
 * marked `stale`, while the computation goes on. Then at most one computation per key is in flight: writes landing
 * faster than it finishes do not pile up work; the first reader after it finished starts the next one. The last value is
 * never older than the newest finished computation. A key without a value, or whose last computation was fast, waits
 * as cachedByZooVersion does; a failure of the current version's computation reaches the readers that waited for it
 * and is not kept. Keys live in `pool` (its own limit, least recently used dropped first). With a `store`, a process
 * without a value of its own (just started, or the key was dropped) first takes the stored one as its last value,
 * and slow computations are saved there. `compute` is handed the client to read with: `db`, or, when the key's last
 * value is served meanwhile, `db`'s background twin (lib/db/background-client.ts: lowest CPU priority), unless
 * `offload` computes it elsewhere.
 */
export async function cachedOrLastByZooVersion<T, D extends ZooVersionReader>(
  db: D,
  key: string,
  compute: (db: D) => Promise<T>,
  options: LastValueOptions<T> = {},
): Promise<TZooVersioned<T>> {
  const { pool = 'aggregates', freshWaitMs = FRESH_WAIT_MS, slowComputeMs = SLOW_COMPUTE_MS, store } = options;
  const version = await currentVersion(db);
  const entries = state.lasting[pool];
  const entry: LastEntry = entries.get(key) ?? {};
  keepAsMostRecent(entries, key, entry, POOL_LIMITS[pool]);
  if (store && !entry.last) await readStored(entry, key, store);
  const { last } = entry;
  if (last && last.version === version) return { ...(last as TZooVersioned<T>), stale: false };
  const slow = last !== undefined && last.computeMs >= slowComputeMs;
  let flight = entry.flight;
  if (!flight || (flight.version !== version && !slow)) {
    // Once readers are given the last value, no reader waits for the computation: it runs elsewhere (offload), or on
    // the background client.
    const { offload, onOffloadError = reportOffloadError } = options;
    const here = (reader: D) => () => compute(reader).then((value) => ({ value, stored: false }));
    const inBackground = here(backgroundClientOf(db));
    const run = !slow
      ? here(db)
      : offload
        ? () => offload({ key, version, save: options.store !== undefined }).catch((e: unknown) => (onOffloadError(e), inBackground()))
        : inBackground;
    flight = startLasting(entry, key, version, run, options);
  }
  if (!slow) return (await flight.value) as TZooVersioned<T>;
  // Waited for only when, at the last computation's pace, it should finish within the wait: a view that takes
  // seconds cannot, and one already late by more than the wait has lost its pace; their readers would only lose it.
  const remainingMs = (last?.computeMs ?? 0) - (performance.now() - flight.startedMs);
  const onPace = Math.abs(remainingMs) <= freshWaitMs;
  const fresh = flight.version === version && onPace ? await settledWithin(flight.value, freshWaitMs) : undefined;
  if (fresh) return fresh as TZooVersioned<T>;
  // Served stale; the computation in flight (this version's or an older one's) carries on. Its failure is not ours.
  return { ...(entry.last as TZooVersioned<T>), stale: true };
}

/** The key's stored value as its last, unless the process has a newer one; read once per entry. */
function readStored(entry: LastEntry, key: string, store: ZooViewStore): Promise<void> {
  entry.stored ??= store.read(key).then(
    (stored) => {
      if (stored && (!entry.last || BigInt(entry.last.version) < BigInt(stored.version))) entry.last = stored;
    },
    () => undefined, // nothing stored, as far as this process can tell: the view is computed
  );
  return entry.stored;
}

function startLasting<T>(
  entry: LastEntry,
  key: string,
  version: string,
  compute: () => Promise<{ value: T; stored: boolean }>,
  { slowComputeMs = SLOW_COMPUTE_MS, store, onStoreError = reportStoreError }: LastValueOptions<T>,
): NonNullable<LastEntry['flight']> {
  const started = performance.now();
  const flight = {
    version,
    startedMs: started,
    value: compute().then(({ value, stored }): TZooVersioned<unknown> => {
      const done = { value, version, computedAt: new Date(), computeMs: performance.now() - started, stale: false };
      if (!entry.last || BigInt(entry.last.version) <= BigInt(version)) entry.last = done;
      // Kept only where recomputing is slow (a small zoo writes nothing); never awaited by readers.
      if (store && !stored && done.computeMs >= slowComputeMs) store.save(key, done).catch(onStoreError);
      return done;
    }),
  };
  entry.flight = flight;
  const forget = () => {
    if (entry.flight === flight) entry.flight = undefined;
  };
  flight.value.then(forget, forget);
  return flight;
}

/** The value if `p` fulfils within `ms`; undefined if it is still pending then; its rejection if it rejects first. */
async function settledWithin<V>(p: Promise<V>, ms: number): Promise<V | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The keys a pool holds, least recently used first (tests). */
export function zooCacheKeys(pool: ZooCachePool): string[] {
  return [...state.pools[pool].keys()];
}

/** Forget everything (tests; a process that just wrote and must read its own write at once). */
export function clearZooCache(): void {
  state.versions = new WeakMap();
  for (const entries of Object.values(state.pools)) entries.clear();
  for (const entries of Object.values(state.lasting)) entries.clear();
}
