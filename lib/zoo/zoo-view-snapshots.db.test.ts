import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getDb } from '../db/client';
import { resetEnvForTests } from '../env';
import { loadOverview } from './overview-data';
import { clearZooCache, readZooVersion, type TZooVersioned } from './zoo-cache';
import { OTHER_BUILD_PRUNE_INTERVAL_MS, readZooViewSnapshot, saveZooViewSnapshot, zooViewSnapshots } from './zoo-view-snapshots';

/**
 * The slow zoo views' last values in the database (lib/zoo/zoo-view-snapshots.ts): exact round trips, rows that only
 * move forward, one build's rows invisible to another, and the landing page served from its stored value after a
 * restart.
 */

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvForTests();
  clearZooCache();
});

const build = () => `test-${randomUUID()}`;
const versioned = (value: unknown, version: string, computedAt = new Date('2026-12-07T01:23:45.678Z')): TZooVersioned<unknown> => ({
  value,
  version,
  computedAt,
  computeMs: 1234.5,
  stale: false,
});

describe('zoo view snapshots', () => {
  it('a value comes back exactly: Dates, NaN, infinities, -0 and undefined fields, a version past 2^53', async () => {
    const db = await getDb();
    const b = build();
    const value = {
      at: new Date('2020-02-29T12:00:00.001Z'),
      numbers: [NaN, Infinity, -Infinity, -0, 0.1 + 0.2, Number.MAX_VALUE],
      missing: undefined,
      nested: { text: 'ü 模型 "quoted"', list: [[1], [], null] },
    };
    await saveZooViewSnapshot(db, 'exact', b, versioned(value, '9007199254740993'));
    const got = await readZooViewSnapshot(db, 'exact', b);
    expect(got).toEqual(versioned(value, '9007199254740993'));
    expect(Object.is((got!.value as typeof value).numbers[3], -0)).toBe(true);
    expect('missing' in (got!.value as object)).toBe(true);
  });

  it('a row only moves forward: an older version is dropped, a newer one replaces it', async () => {
    const db = await getDb();
    const b = build();
    await saveZooViewSnapshot(db, 'fwd', b, versioned('five', '5'));
    await saveZooViewSnapshot(db, 'fwd', b, versioned('four', '4'));
    expect((await readZooViewSnapshot(db, 'fwd', b))?.value).toBe('five');
    await saveZooViewSnapshot(db, 'fwd', b, versioned('six', '6'));
    expect((await readZooViewSnapshot(db, 'fwd', b))?.value).toBe('six');
  });

  it("another build never reads a build's rows; other builds' rows go a day after they were written", async () => {
    const db = await getDb();
    const [old, recent, current] = [build(), build(), build()];
    await saveZooViewSnapshot(db, 'builds', old, versioned('old', '1'));
    await saveZooViewSnapshot(db, 'builds', recent, versioned('recent', '1'));
    expect(await readZooViewSnapshot(db, 'builds', current)).toBeUndefined();
    await db.$executeRaw`UPDATE "ZooViewSnapshot" SET "computedAt" = now() - interval '25 hours' WHERE "buildId" = ${old}`;
    await saveZooViewSnapshot(db, 'builds', current, versioned('current', '2'));
    expect(await readZooViewSnapshot(db, 'builds', old)).toBeUndefined();
    expect((await readZooViewSnapshot(db, 'builds', recent))?.value).toBe('recent');
    expect((await readZooViewSnapshot(db, 'builds', current))?.value).toBe('current');
  });

  it("a process deletes other builds' old rows at its first save, then at most once an hour", async () => {
    const db = await getDb();
    const [other, current] = [build(), build()];
    const ageOther = () =>
      db.$executeRaw`UPDATE "ZooViewSnapshot" SET "computedAt" = now() - interval '25 hours' WHERE "buildId" = ${other}`;
    const otherKept = async () => (await readZooViewSnapshot(db, 'prune', other)) !== undefined;
    const t0 = Date.parse('2026-12-07T03:00:00Z');
    await saveZooViewSnapshot(db, 'prune', other, versioned('other', '1'));
    await ageOther();
    await saveZooViewSnapshot(db, 'prune', current, versioned('a', '2'), t0);
    expect(await otherKept()).toBe(false);

    await saveZooViewSnapshot(db, 'prune', other, versioned('other', '1'));
    await ageOther();
    await saveZooViewSnapshot(db, 'prune', current, versioned('b', '3'), t0 + OTHER_BUILD_PRUNE_INTERVAL_MS - 1);
    expect(await otherKept()).toBe(true);
    expect((await readZooViewSnapshot(db, 'prune', current))?.value).toBe('b');
    await saveZooViewSnapshot(db, 'prune', current, versioned('c', '4'), t0 + OTHER_BUILD_PRUNE_INTERVAL_MS);
    expect(await otherKept()).toBe(false);
  });

  it('degenerate: bytes that do not deserialize count as nothing stored; no build id, no store', async () => {
    const db = await getDb();
    const b = build();
    await saveZooViewSnapshot(db, 'bad', b, versioned('fine', '1'));
    await db.$executeRaw`UPDATE "ZooViewSnapshot" SET value = '\\xff00'::bytea WHERE "buildId" = ${b}`;
    expect(await readZooViewSnapshot(db, 'bad', b)).toBeUndefined();
    expect(zooViewSnapshots(db, undefined)).toBeUndefined();
    expect(zooViewSnapshots(db, '')).toBeUndefined();
  });

  it('after a restart the landing page is its stored value (no recomputation) and equals a fresh computation', async () => {
    const db = await getDb();
    const b = build();
    vi.stubEnv('SLIMBOARD_BUILD_ID', undefined); // computed without a store: nothing saved, whatever it took
    resetEnvForTests();
    clearZooCache();
    const computed = await loadOverview(db);
    // Stored as a slow server of build b would have, dated apart.
    const storedAt = new Date('2026-01-02T03:04:05.006Z');
    await saveZooViewSnapshot(db, 'overview', b, { ...computed, computedAt: storedAt, computeMs: 9000 });
    vi.stubEnv('SLIMBOARD_BUILD_ID', b);
    resetEnvForTests();
    clearZooCache();
    const restarted = await loadOverview(db);
    expect(restarted.version).toBe(await readZooVersion(db));
    expect([restarted.computedAt, restarted.computeMs, restarted.stale]).toEqual([storedAt, 9000, false]);
    expect(restarted.value).toEqual(computed.value);
  });
});
