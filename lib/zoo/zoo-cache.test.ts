import { beforeEach, describe, expect, it } from 'vitest';
import { cachedByZooVersion, clearZooCache, POOL_LIMITS, zooCacheKeys } from './zoo-cache';

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
