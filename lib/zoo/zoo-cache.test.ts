import { beforeEach, describe, expect, it } from 'vitest';
import { registerBackgroundClient } from '../db/background-client';
import {
  cachedByZooVersion,
  cachedOrLastByZooVersion,
  clearZooCache,
  POOL_LIMITS,
  type OffloadTarget,
  type TZooVersioned,
  zooCacheKeys,
} from './zoo-cache';

/** The cache with a stand-in version reader (the pg-pool shape): what is kept, for how long, and what is dropped. */

let version = 1;
let reads = 0;
const db = {
  query: async () => {
    reads++;
    return { rows: [{ v: String(version) }] };
  },
} as unknown as Parameters<typeof cachedByZooVersion>[0];

beforeEach(() => {
  clearZooCache();
  version = 1;
  reads = 0;
});

describe('zoo cache', () => {
  it('one computation per key and version; a new version recomputes; concurrent callers share one', async () => {
    let computed = 0;
    const compute = async () => ++computed;
    const [a, b] = await Promise.all([cachedByZooVersion(db, 'k', compute), cachedByZooVersion(db, 'k', compute)]);
    expect([a, b, computed]).toEqual([1, 1, 1]);
    expect(reads).toBe(1); // the version read in flight is shared too
    expect(await cachedByZooVersion(db, 'k', compute)).toBe(1);
    version = 2;
    expect(await cachedByZooVersion(db, 'k', compute)).toBe(2);
  });

  it('a failure is not cached', async () => {
    await expect(cachedByZooVersion(db, 'f', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cachedByZooVersion(db, 'f', async () => 'ok')).toBe('ok');
  });

  it('pages never evict aggregates: a crawl of many pages leaves the aggregates in place', async () => {
    await cachedByZooVersion(db, 'overview-wins', async () => 'wins');
    for (let i = 0; i < POOL_LIMITS.pages * 3; i++) await cachedByZooVersion(db, `zoo-page:${i}`, async () => i, 'pages');
    expect(zooCacheKeys('aggregates')).toEqual(['overview-wins']);
    expect(zooCacheKeys('pages')).toHaveLength(POOL_LIMITS.pages);
    expect(zooCacheKeys('pages')[0]).toBe(`zoo-page:${POOL_LIMITS.pages * 2}`);
    let recomputed = false;
    await cachedByZooVersion(db, 'overview-wins', async () => ((recomputed = true), 'again'));
    expect(recomputed).toBe(false);
  });

  it('least recently used is dropped first: a key read again outlives keys added after it', async () => {
    const limit = POOL_LIMITS.aggregates;
    for (let i = 0; i < limit; i++) await cachedByZooVersion(db, `a${i}`, async () => i);
    await cachedByZooVersion(db, 'a0', async () => -1); // a hit: a0 becomes the most recent
    await cachedByZooVersion(db, 'new', async () => 'n'); // one over the limit: drops a1, not a0
    const keys = zooCacheKeys('aggregates');
    expect(keys).toHaveLength(limit);
    expect(keys).toContain('a0');
    expect(keys).not.toContain('a1');
    expect(await cachedByZooVersion(db, 'a0', async () => -2)).toBe(0);
  });

  it('degenerate: clearZooCache empties every pool and forgets the version', async () => {
    await cachedByZooVersion(db, 'x', async () => 1);
    await cachedByZooVersion(db, 'p', async () => 1, 'pages');
    clearZooCache();
    expect([zooCacheKeys('aggregates'), zooCacheKeys('pages')]).toEqual([[], []]);
  });
});

/** Options that treat every computation as slow (so the last value may be given) with a wait of `ms`. */
const stale = (ms: number) => ({ freshWaitMs: ms, slowComputeMs: 0 });

/** Lets the handlers of settled promises run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A promise settled by hand. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('zoo cache: the last value while a new version computes (cachedOrLastByZooVersion)', () => {
  it('the first value is waited for; a hit is fresh; after a write a fast computation is waited for', async () => {
    const first = await cachedOrLastByZooVersion(db, 'o', async () => 'v1', stale(50));
    expect([first.value, first.version, first.stale]).toEqual(['v1', '1', false]);
    const hit = await cachedOrLastByZooVersion(db, 'o', async () => 'never', stale(50));
    expect([hit.value, hit.stale, hit.computedAt]).toEqual(['v1', false, first.computedAt]);
    version = 2;
    const next = await cachedOrLastByZooVersion(db, 'o', async () => 'v2', stale(50));
    expect([next.value, next.version, next.stale]).toEqual(['v2', '2', false]);
  });

  it('a slow computation after a write: readers get the last value marked stale, one computation runs, then fresh', async () => {
    await cachedOrLastByZooVersion(db, 's', async () => 'v1', stale(20));
    version = 2;
    const slow = deferred<string>();
    let started = 0;
    const compute = () => (started++, slow.promise);
    const [a, b] = await Promise.all([
      cachedOrLastByZooVersion(db, 's', compute, stale(20)),
      cachedOrLastByZooVersion(db, 's', compute, stale(20)),
    ]);
    expect([a.value, a.version, a.stale, b.value, b.stale]).toEqual(['v1', '1', true, 'v1', true]);
    // More writes while it runs start nothing more: still the last value, still one computation.
    version = 3;
    const c = await cachedOrLastByZooVersion(db, 's', compute, stale(20));
    expect([c.value, c.stale, started]).toEqual(['v1', true, 1]);
    slow.resolve('v2');
    await settle();
    // Version 2 finished and is the last value; the next read starts version 3's computation (a slow one: served v2).
    const slower = deferred<string>();
    const d = await cachedOrLastByZooVersion(db, 's', () => (started++, slower.promise), stale(20));
    expect([d.value, d.version, d.stale, started]).toEqual(['v2', '2', true, 2]);
    slower.resolve('v3');
    await settle();
    const e = await cachedOrLastByZooVersion(db, 's', compute, stale(20));
    expect([e.value, e.version, e.stale, started]).toEqual(['v3', '3', false, 2]);
  });

  it("a failure within the wait reaches the reader; after the wait it is not the reader's, and the last value stays", async () => {
    await cachedOrLastByZooVersion(db, 'e', async () => 'v1', stale(20));
    version = 2;
    await expect(cachedOrLastByZooVersion(db, 'e', () => Promise.reject(new Error('db down')), stale(20))).rejects.toThrow('db down');
    const late = deferred<string>();
    const served = await cachedOrLastByZooVersion(db, 'e', () => late.promise, stale(20));
    expect([served.value, served.stale]).toEqual(['v1', true]);
    late.reject(new Error('later'));
    await settle();
    const again = await cachedOrLastByZooVersion(db, 'e', async () => 'v2', stale(20));
    expect([again.value, again.stale]).toEqual(['v2', false]);
  });

  it("a reader waits only when the computation may finish within the wait, at the last computation's pace", async () => {
    const after = (ms: number, v: string) => new Promise<string>((res) => setTimeout(() => res(v), ms));
    const options = { freshWaitMs: 200, slowComputeMs: 0 };
    // The last computation took at least 400 ms: 200 ms cannot see the next one finish, so the reader is not kept.
    await cachedOrLastByZooVersion(db, 'paced', () => after(400, 'v1'), options);
    version = 2;
    const t = performance.now();
    const served = await cachedOrLastByZooVersion(db, 'paced', () => after(20, 'v2'), options);
    expect([served.value, served.stale]).toEqual(['v1', true]);
    expect(performance.now() - t).toBeLessThan(150);
    await after(40, '');
    expect((await cachedOrLastByZooVersion(db, 'paced', () => after(0, 'never'), options)).value).toBe('v2');
    // The last one was quick: the same new computation (20 ms) is waited for and served fresh.
    await cachedOrLastByZooVersion(db, 'quick', async () => 'v1', options);
    version = 3;
    const fresh = await cachedOrLastByZooVersion(db, 'quick', () => after(20, 'v2'), options);
    expect([fresh.value, fresh.version, fresh.stale]).toEqual(['v2', '3', false]);
    // A computation late by more than the wait has lost its pace: its readers are not kept either.
    version = 4;
    const late = deferred<string>();
    const first = await cachedOrLastByZooVersion(db, 'quick', () => late.promise, options); // on pace: waited, then stale
    expect([first.value, first.stale]).toEqual(['v2', true]);
    await after(250, '');
    const t2 = performance.now();
    const second = await cachedOrLastByZooVersion(db, 'quick', () => late.promise, options);
    expect([second.value, second.stale]).toEqual(['v2', true]);
    expect(performance.now() - t2).toBeLessThan(150);
    late.resolve('v4');
  });

  it("a reader never waits for another client's version read (a background client's may queue at low priority)", async () => {
    const held = deferred<{ rows: Array<{ v: string }> }>();
    const background = { query: () => held.promise } as unknown as typeof db;
    const behind = cachedByZooVersion(background, 'bg', async () => 'from the background');
    const got = await Promise.race([
      cachedByZooVersion(db, 'reader', async () => 'read'),
      new Promise((resolve) => setTimeout(() => resolve('waited for the background read'), 500)),
    ]);
    expect(got).toBe('read');
    held.resolve({ rows: [{ v: String(version) }] });
    expect(await behind).toBe('from the background');
  });

  it('a computation no reader waits for runs where offload says, or on the background client; else on db', async () => {
    const twin = Object.create(db) as typeof db; // reads the version as db does, but is another client
    registerBackgroundClient(db, () => twin);
    const seen: string[] = [];
    const compute = async (reader: typeof db) => (seen.push(reader === twin ? 'twin' : reader === db ? 'db' : '?'), `v${version}`);
    await cachedOrLastByZooVersion(db, 'where', compute, stale(0)); // nothing to serve: waited for, on db
    version = 2;
    const offloaded: string[] = [];
    const saveAsked: boolean[] = [];
    const offload = async (target: OffloadTarget) => (
      offloaded.push(`${target.key}@${target.version}`),
      saveAsked.push(target.save),
      { value: 'v2 elsewhere', stored: false }
    );
    await cachedOrLastByZooVersion(db, 'where', compute, { ...stale(0), offload });
    await settle();
    expect((await cachedOrLastByZooVersion(db, 'where', compute, stale(0))).value).toBe('v2 elsewhere');
    version = 3; // no offload: the background client
    await cachedOrLastByZooVersion(db, 'where', compute, stale(0));
    await settle();
    version = 4; // offload fails: computed on the background client, and the failure is reported
    const reported: string[] = [];
    const failing = () => Promise.reject(new Error('zoo-views process exited'));
    const onOffloadError = (e: unknown) => reported.push((e as Error).message);
    await cachedOrLastByZooVersion(db, 'where', compute, { ...stale(0), offload: failing, onOffloadError });
    await settle();
    await settle();
    expect((await cachedOrLastByZooVersion(db, 'where', compute, stale(0))).value).toBe('v4');
    expect([seen, offloaded, reported]).toEqual([['db', 'twin', 'twin'], ['where@2'], ['zoo-views process exited']]);
    expect(saveAsked).toEqual([false]); // no store for this key: the offload is not asked to save
    // A fast view is waited for: on db, never offloaded.
    await cachedOrLastByZooVersion(db, 'fast', compute, { slowComputeMs: 60_000, offload });
    version = 5;
    await cachedOrLastByZooVersion(db, 'fast', compute, { slowComputeMs: 60_000, offload });
    expect([seen.slice(3), offloaded]).toEqual([['db', 'db'], ['where@2']]);
  });

  it('a value the offload stored itself is not saved again here; one it did not store is', async () => {
    const saved: string[] = [];
    const store = {
      read: async () => undefined,
      save: async (key: string, v: TZooVersioned<unknown>) => void saved.push(`${key}@${v.version}`),
    };
    const saveAsked: boolean[] = [];
    const options = (stored: boolean) => ({
      ...stale(0),
      store,
      offload: async (target: OffloadTarget) => (saveAsked.push(target.save), { value: `v${version}`, stored }),
    });
    await cachedOrLastByZooVersion(db, 'kept', async () => 'v1', { ...stale(0), store }); // computed here: saved here
    version = 2;
    await cachedOrLastByZooVersion(db, 'kept', async () => 'never', options(true));
    await settle();
    version = 3;
    await cachedOrLastByZooVersion(db, 'kept', async () => 'never', options(false));
    await settle();
    expect((await cachedOrLastByZooVersion(db, 'kept', async () => 'never', options(false))).value).toBe('v3');
    expect(saved).toEqual(['kept@1', 'kept@3']);
    expect(saveAsked).toEqual([true, true]);
  });

  it('a view whose last computation was fast is always waited for, however slow the new one', async () => {
    await cachedOrLastByZooVersion(db, 'q', async () => 'v1', { freshWaitMs: 0, slowComputeMs: 1000 });
    version = 2;
    const slow = new Promise<string>((res) => setTimeout(() => res('v2'), 40));
    const got = await cachedOrLastByZooVersion(db, 'q', () => slow, { freshWaitMs: 0, slowComputeMs: 1000 });
    expect([got.value, got.version, got.stale]).toEqual(['v2', '2', false]);
    expect(got.computeMs).toBeGreaterThanOrEqual(30);
    // That computation took 40 ms: with a 20 ms threshold it is slow, and the next write is served the last value.
    version = 3;
    const slower = new Promise<string>((res) => setTimeout(() => res('v3'), 100));
    const next = await cachedOrLastByZooVersion(db, 'q', () => slower, { freshWaitMs: 0, slowComputeMs: 20 });
    expect([next.value, next.version, next.stale]).toEqual(['v2', '2', true]);
  });

  it('pools: a crawl of many page keys never evicts an aggregate key', async () => {
    await cachedOrLastByZooVersion(db, 'overview', async () => 'o');
    for (let i = 0; i < POOL_LIMITS.pages * 2; i++) await cachedOrLastByZooVersion(db, `zoo-page:${i}`, async () => i, { pool: 'pages' });
    let recomputed = false;
    const got = await cachedOrLastByZooVersion(db, 'overview', async () => ((recomputed = true), 'again'));
    expect([got.value, recomputed]).toEqual(['o', false]);
  });

  it('degenerate: a key that never finished waits (no last value to give); a failure then is not kept', async () => {
    await expect(cachedOrLastByZooVersion(db, 'n', () => Promise.reject(new Error('x')), stale(0))).rejects.toThrow('x');
    const slow = new Promise<string>((res) => setTimeout(() => res('late but waited for'), 30));
    const got = await cachedOrLastByZooVersion(db, 'n', () => slow, stale(0));
    expect([got.value, got.stale]).toEqual(['late but waited for', false]);
  });

  it('property: whatever the order of writes, reads and finishes, a value is never older than the last one served', async () => {
    for (let trial = 0; trial < 40; trial++) {
      clearZooCache();
      version = 1;
      await cachedOrLastByZooVersion(db, 'p', async () => 'value of 1');
      let newest = 1n;
      const pending: Array<{ d: ReturnType<typeof deferred<string>>; v: string }> = [];
      for (let step = 0; step < 30; step++) {
        const r = Math.random();
        if (r < 0.3) version++;
        else if (r < 0.6 && pending.length > 0) {
          const i = Math.floor(Math.random() * pending.length);
          const [p] = pending.splice(i, 1);
          p.d.resolve(`value of ${p.v}`);
          await settle();
        } else {
          const v = String(version);
          const got = await cachedOrLastByZooVersion(
            db,
            'p',
            () => {
              const d = deferred<string>();
              pending.push({ d, v });
              return d.promise;
            },
            stale(0),
          );
          expect(got.value).toBe(`value of ${got.version}`);
          expect(BigInt(got.version)).toBeGreaterThanOrEqual(newest);
          expect(got.stale).toBe(got.version !== v);
          newest = BigInt(got.version);
        }
      }
    }
  });
});

/** An in-memory ZooViewStore that counts its reads and saves (the database one: zoo-view-snapshots.db.test.ts). */
function memoryStore() {
  const rows = new Map<string, TZooVersioned<unknown>>();
  const store = {
    rows,
    reads: 0,
    saves: 0,
    failReads: false,
    failSaves: false,
    async read(key: string) {
      store.reads++;
      if (store.failReads) throw new Error('store down');
      return rows.get(key);
    },
    async save(key: string, value: TZooVersioned<unknown>) {
      store.saves++;
      if (store.failSaves) throw new Error('disk full');
      rows.set(key, value);
    },
  };
  return store;
}

describe('zoo cache: the last value kept in a store across restarts', () => {
  it('a restarted process serves the stored value: fresh at its version, stale after a write while one computation runs', async () => {
    const store = memoryStore();
    const first = await cachedOrLastByZooVersion(db, 'k', async () => 'v1', { ...stale(20), store });
    await settle();
    expect([first.value, store.saves, store.rows.get('k')?.value]).toEqual(['v1', 1, 'v1']);
    clearZooCache(); // a restart: the process forgets, the store does not
    let computed = 0;
    const hit = await cachedOrLastByZooVersion(db, 'k', async () => (computed++, 'recomputed'), { ...stale(20), store });
    expect([hit.value, hit.version, hit.stale, hit.computedAt, computed]).toEqual(['v1', '1', false, first.computedAt, 0]);
    clearZooCache();
    version = 2;
    const slow = deferred<string>();
    const [a, b] = await Promise.all([
      cachedOrLastByZooVersion(db, 'k', () => (computed++, slow.promise), { ...stale(20), store }),
      cachedOrLastByZooVersion(db, 'k', () => (computed++, slow.promise), { ...stale(20), store }),
    ]);
    expect([a.value, a.version, a.stale, b.value, b.stale, computed]).toEqual(['v1', '1', true, 'v1', true, 1]);
    expect(store.reads).toBe(3); // one per process start (three so far): the two concurrent readers shared one
    slow.resolve('v2');
    await settle();
    expect(store.rows.get('k')?.version).toBe('2');
    const fresh = await cachedOrLastByZooVersion(db, 'k', async () => 'never', { ...stale(20), store });
    expect([fresh.value, fresh.stale]).toEqual(['v2', false]);
  });

  it('fast computations are not saved: a small zoo writes nothing and is always waited for', async () => {
    const store = memoryStore();
    await cachedOrLastByZooVersion(db, 'f', async () => 'v1', { freshWaitMs: 0, slowComputeMs: 1000, store });
    await settle();
    expect([store.saves, store.rows.size]).toEqual([0, 0]);
  });

  it('degenerate: a failed store read computes as if nothing were stored; a failed save is reported and the value served', async () => {
    const store = memoryStore();
    store.failReads = true;
    store.failSaves = true;
    const reported: string[] = [];
    const got = await cachedOrLastByZooVersion(db, 'd', async () => 'computed', {
      ...stale(20),
      store,
      onStoreError: (e) => reported.push((e as Error).message),
    });
    await settle();
    expect([got.value, got.stale, reported]).toEqual(['computed', false, ['disk full']]);
  });

  it("a process's own newer value is never replaced by an older stored one", async () => {
    const store = memoryStore();
    store.rows.set('n', { value: 'stored v1', version: '1', computedAt: new Date(0), computeMs: 900, stale: false });
    version = 3;
    const v3 = deferred<string>();
    const got = await cachedOrLastByZooVersion(db, 'n', () => v3.promise, { ...stale(20), store });
    expect([got.value, got.version, got.stale]).toEqual(['stored v1', '1', true]); // slow (900 ms): v3 computing
    v3.resolve('v3');
    await settle();
    const now = await cachedOrLastByZooVersion(db, 'n', async () => 'never', { ...stale(20), store });
    expect([now.value, now.version, now.stale, store.reads]).toEqual(['v3', '3', false, 1]);
  });
});
