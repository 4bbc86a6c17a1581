import path from 'node:path';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { nextBuildId, spawnWebServer, stopChild, waitForHttp } from '../lib/cli/commands/start';
import { createPrismaClient, type Db } from '../lib/db/client';
import { freeLocalPort } from '../lib/http/free-local-port';
import { EXPORTS_BUSY_RETRY_AFTER_S } from '../lib/zoo/export-slots';
import { loadOverview } from '../lib/zoo/overview-data';
import { readZooVersion } from '../lib/zoo/zoo-cache';
import { readZooViewSnapshot, saveZooViewSnapshot } from '../lib/zoo/zoo-view-snapshots';
import { gotoFresh } from '../tests/setup/goto-fresh';
import { launchBrowser } from '../tests/setup/launch-browser';

/**
 * A web server that just started, while a transaction holds the zoo's "Model" table (ACCESS EXCLUSIVE: every query
 * that reads it waits), so that computations and exports stay in flight for as long as the test wants:
 * - the landing page is the overview stored for this build (lib/zoo/zoo-view-snapshots.ts), marked stale in the
 *   browser with its zoo version and time, and fresh once the held table is let go;
 * - of three concurrent exports (SLIMBOARD_EXPORT_CONCURRENCY, default 2), one gets 503 with Retry-After at once, and
 *   the other two finish with the same rows once the table is let go;
 * - an export whose batch fails after its header went out (its session terminated while it waits on a held
 *   "Artifact") is cut off: the client's read fails; the export is not ended as if whole.
 * Its own server on the shared test database (the suite's server knows the overview already); e2e files run one at
 * a time, so holding the table stalls no other test.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const databaseUrl = inject('databaseUrl');
const buildId = nextBuildId(ROOT)!;
const STORED_AT = new Date('2026-01-02T03:04:05.000Z');
let db: Db;
let holder: pg.Client;
let browser: Browser;
let server: ReturnType<typeof spawnWebServer> | undefined;
let url: string;

beforeAll(async () => {
  expect(buildId, 'the e2e setup builds the app (.next/BUILD_ID)').toBeTruthy();
  db = createPrismaClient(databaseUrl);
  holder = new pg.Client({ connectionString: databaseUrl });
  await holder.connect();
  browser = await launchBrowser();
});

afterAll(async () => {
  await holder?.query('ROLLBACK').catch(() => undefined);
  await holder?.end();
  if (server) await stopChild(server);
  await db?.zooViewSnapshot.deleteMany({ where: { buildId } });
  await db?.$disconnect();
  await browser?.close();
});

describe('a server that just started, with the zoo held by a transaction', () => {
  it('shows the stored overview marked stale, refuses a third export with 503, and all finish once the hold ends', async () => {
    // The overview as the server would compute it, stored for this build one zoo version back, dated apart.
    const version = await readZooVersion(db);
    const stored = String(BigInt(version) - 1n);
    const overview = await loadOverview(db); // this process has no build id: it stores nothing itself
    await db.zooViewSnapshot.deleteMany({ where: { buildId, key: 'overview' } });
    await saveZooViewSnapshot(db, 'overview', buildId, { ...overview, version: stored, computedAt: STORED_AT, computeMs: 9000 });
    expect((await readZooViewSnapshot(db, 'overview', buildId))?.version).toBe(stored);

    const port = await freeLocalPort();
    url = `http://127.0.0.1:${port}`;
    server = spawnWebServer(ROOT, port, databaseUrl, { stdio: 'pipe' });
    let log = '';
    server.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    await waitForHttp(`${url}/api/jobs`, server, 120_000);

    await holder.query('BEGIN');
    await holder.query('LOCK TABLE "Model" IN ACCESS EXCLUSIVE MODE');
    let held = true;
    try {
      const page = await browser.newPage();
      await page.goto(`${url}/`);
      const note = page.locator('[data-testid="zoo-version-stale"]');
      await expect(note.getAttribute('data-version')).resolves.toBe(stored);
      await expect(note.innerText()).resolves.toBe(
        `These numbers are from zoo version ${stored}, computed 2026-01-02 03:04:05 UTC. Results have landed since; ` +
          'the new numbers are being computed. Reload in a few seconds to see them.',
      );
      await expect(page.locator('[data-testid="headline-models"]').innerText()).resolves.toBe(String(overview.value.head.models));

      // Whichever arrives third is refused at once; the other two wait on the held table.
      const exports = [0, 1, 2].map(() => fetch(`${url}/api/zoo?format=csv&source=reported`));
      const refused = await Promise.race([
        Promise.any(exports.map(async (p) => ((await p).status === 503 ? p : new Promise<never>(() => undefined)))),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no export refused within 30 s\n${log}`)), 30_000)),
      ]);
      expect(refused.headers.get('retry-after')).toBe(String(EXPORTS_BUSY_RETRY_AFTER_S));
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('exports_busy');
      expect(body.error.message).toMatch(/exports are already running on this server .* try again in \d+ s/);

      await holder.query('COMMIT');
      held = false;
      const responses = await Promise.all(exports);
      expect(responses.map((r) => r.status).sort(), log).toEqual([200, 200, 503]);
      const finished = await Promise.all(responses.filter((r) => r !== refused).map((r) => r.text()));
      expect(finished[0]).toBe(finished[1]);
      expect(finished[0].trim().split('\n')).toHaveLength(1 + 85); // header and the 85 published rows

      await gotoFresh(page, `${url}/`);
      await expect(page.locator('[data-testid="zoo-version"]').getAttribute('data-version')).resolves.toBe(await readZooVersion(db));
    } finally {
      if (held) await holder.query('ROLLBACK');
    }
  });

  it('cuts an export off, not ends it, when a batch fails after the first bytes went out', async () => {
    // The export's counts are cached from the test above, and the queries before its answer do not read "Artifact"
    // (a lock on a table a query names holds it even where the planner drops the join), so it answers 200 and sends
    // its header line at once; its first batch of rows (each row's download) then waits on the held table, and its
    // database session is terminated there.
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE "Artifact" IN ACCESS EXCLUSIVE MODE');
    try {
      const res = await fetch(`${url}/api/zoo?format=csv&source=reported`);
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      expect(first).toMatch(/^id,section,position,/);
      const waiting = async () =>
        (
          await holder.query(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
          )
        ).rows as Array<{ pid: number }>;
      await expect.poll(async () => (await waiting()).length, { timeout: 30_000 }).toBeGreaterThan(0);
      for (const { pid } of await waiting()) await holder.query('SELECT pg_terminate_backend($1)', [pid]);
      // The client's read fails (the response is destroyed without its last chunk): a partial CSV never looks whole.
      const rest = (async () => {
        for (;;) if ((await reader.read()).done) return 'ended';
      })();
      await expect(rest).rejects.toThrow();
    } finally {
      await holder.query('ROLLBACK');
    }
  });
});
