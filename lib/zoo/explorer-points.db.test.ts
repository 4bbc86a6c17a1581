import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getDatabaseUrl, getDb } from '../db/client';
import { lastExplorerDatasets, listExplorerDatasets } from './explorer-points';
import { clearZooCache } from './zoo-cache';

/**
 * The explorer's not-found boundary is rendered with every explorer page (app/explorer/not-found.tsx), so its list of
 * datasets must not wait for a recomputation after a write: lastExplorerDatasets gives the last list at once.
 */

afterEach(() => clearZooCache());

describe('lastExplorerDatasets', () => {
  it('after a write, the last list comes at once while the query is held; the new list follows when it is not', async () => {
    const db = await getDb();
    const first = await lastExplorerDatasets(db);
    expect(first).toEqual(await listExplorerDatasets(db));
    expect(first.length).toBeGreaterThan(0);

    const holder = new pg.Client({ connectionString: await getDatabaseUrl() });
    await holder.connect();
    try {
      await db.$executeRaw`UPDATE "Dataset" SET name = name WHERE slug = ${first[0]}`; // a write: a new zoo version
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE "Model" IN ACCESS EXCLUSIVE MODE'); // the datasets query now waits
      // Given at once, though its recomputation (started by this read) cannot finish while the lock is held.
      expect(await lastExplorerDatasets(db)).toBe(first);
      expect(await lastExplorerDatasets(db)).toBe(first);
      await holder.query('COMMIT');
      // The recomputation then finishes, and the list of the new version is given (equal: the write changed nothing).
      await vi.waitFor(async () => expect(await lastExplorerDatasets(db)).not.toBe(first), { timeout: 10_000, interval: 50 });
      expect(await lastExplorerDatasets(db)).toEqual(first);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
  });
});
