import v8 from 'node:v8';
import type { Db } from '../db/client';
import { getEnv } from '../env';
import type { TZooVersioned, ZooViewStore } from './zoo-cache';

/**
 * The slow zoo views' last values in the database ("ZooViewSnapshot", the only reader and writer), so that a web
 * process that just started serves the landing page, a dataset's default explorer view and the zoo's first page
 * at once, marked stale when the zoo has moved on, instead of recomputing for seconds (9.5 s for `/` at 100,000
 * runs) before its first answer (docs/scale.md, "After a restart").
 *
 * - A value is V8's serialization (node:v8) of what the view computed: Dates, NaN, ±Infinity, -0 and undefined
 *   fields come back exactly, where JSON would change them.
 * - Rows are per web build (SLIMBOARD_BUILD_ID, Next's BUILD_ID): a value's shape is its build's, so another build
 *   never reads it. Other builds' rows are deleted a day after they were written (a rollback within the day finds
 *   its own).
 * - A row only moves forward: a save for an older zoo version than the stored one is dropped.
 * - A row that does not deserialize is ignored (the view is computed as if there were none).
 *
 * Only views whose keys are bounded in number are kept (the callers pass a store for those alone): one row each for
 * the landing page, each dataset's default explorer view and the zoo's unfiltered first page, per build.
 */

/** How long rows of other builds are kept. */
export const OTHER_BUILD_RETENTION_HOURS = 24;

/** How often a process deletes other builds' old rows (at its first save, then with a save at least this much later). */
export const OTHER_BUILD_PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/** When this process last deleted other builds' old rows, per build (Date.now() ms). */
const lastPruneMs = new Map<string, number>();

/** The store of one build's view values (cachedOrLastByZooVersion's `store`), or undefined when the build is unknown. */
export function zooViewSnapshots(db: Db, buildId = getEnv().SLIMBOARD_BUILD_ID): ZooViewStore | undefined {
  if (!buildId) return undefined;
  return {
    read: (key) => readZooViewSnapshot(db, key, buildId),
    save: (key, value) => saveZooViewSnapshot(db, key, buildId, value),
  };
}

/** The stored value of `key` for `buildId` (stale: false; the reader compares versions), or undefined. */
export async function readZooViewSnapshot(db: Db, key: string, buildId: string): Promise<TZooVersioned<unknown> | undefined> {
  const row = await db.zooViewSnapshot.findUnique({ where: { key_buildId: { key, buildId } } });
  if (!row) return undefined;
  let value: unknown;
  try {
    value = v8.deserialize(row.value);
  } catch {
    return undefined;
  }
  return { value, version: row.zooVersion.toString(), computedAt: row.computedAt, computeMs: row.computeMs, stale: false };
}

/**
 * Store `versioned` as `key`'s value for `buildId` unless a newer zoo version's is stored; at most once per
 * OTHER_BUILD_PRUNE_INTERVAL_MS (per process and build; `nowMs` is the clock), drop other builds' old rows too.
 */
export async function saveZooViewSnapshot(
  db: Db,
  key: string,
  buildId: string,
  versioned: TZooVersioned<unknown>,
  nowMs = Date.now(),
): Promise<void> {
  const bytes = new Uint8Array(v8.serialize(versioned.value));
  const version = BigInt(versioned.version);
  await db.$executeRaw`
    INSERT INTO "ZooViewSnapshot" ("key", "buildId", "zooVersion", "computedAt", "computeMs", "value")
    VALUES (${key}, ${buildId}, ${version}, ${versioned.computedAt}, ${versioned.computeMs}, ${bytes})
    ON CONFLICT ("key", "buildId") DO UPDATE
    SET "zooVersion" = EXCLUDED."zooVersion", "computedAt" = EXCLUDED."computedAt",
        "computeMs" = EXCLUDED."computeMs", "value" = EXCLUDED."value"
    WHERE "ZooViewSnapshot"."zooVersion" < EXCLUDED."zooVersion"`;
  const last = lastPruneMs.get(buildId);
  if (last !== undefined && nowMs - last < OTHER_BUILD_PRUNE_INTERVAL_MS) return;
  lastPruneMs.set(buildId, nowMs);
  await db.$executeRaw`
    DELETE FROM "ZooViewSnapshot"
    WHERE "buildId" <> ${buildId} AND "computedAt" < now() - make_interval(hours => ${OTHER_BUILD_RETENTION_HOURS})`;
}
