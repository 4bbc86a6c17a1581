import { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '@/lib/db/client';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { registerRun } from '@/lib/runs/register-run';
import { createPipelineFixture, tinyMetadata, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { tinyDetector } from '@/tests/pipeline/tiny-models';
import { zooExportStream } from './export-stream';
import { listZooRowsAfter } from './list-zoo-rows';
import { parseZooQuery } from './query';

/**
 * GET /api/zoo's page when its client goes away (the route passes `request.signal`): the page's own selection query
 * is cancelled on the server. To hold that query in flight, another session locks the run rows' table after the
 * shared aggregates were cached; the page then waits on the lock until its signal aborts. Through the app's own
 * client (createPrismaClient), so the wiring of the pool is what is tested.
 */
let f: PipelineFixture;
let db: PrismaClient;
let holder: pg.Client;
let seed = 300;

async function register(family: string) {
  return registerRun(f.pipeline, {
    metadata: tinyMetadata({ name: `${family} model`, family, inputSizes: [64, 96] }),
    fileName: 'tiny.onnx',
    file: Readable.from([Buffer.from(tinyDetector({ seed: seed++ }))]),
    door: 'api',
    tokenId: null,
    maxBytes: 1e8,
  });
}

/**
 * Statements of this database waiting on a lock: while the holder locks the run rows, the ones that read them. (The
 * statements' text is no help: pg_stat_activity keeps its first 1,024 bytes, before the export's FROM clause.)
 */
async function waitingOnRunRows(): Promise<number> {
  const rows = await f.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND state = 'active' AND wait_event_type = 'Lock'`,
  );
  return rows[0].n;
}

beforeAll(async () => {
  f = await createPipelineFixture('zoo_page_cancel');
  db = createPrismaClient(f.url, 4);
  holder = new pg.Client({ connectionString: f.url });
  await holder.connect();
  await register('F2');
  await register('F3');
});
afterAll(async () => {
  await holder?.end();
  await db?.$disconnect();
  await f?.close();
});

describe('a zoo page whose client goes away', () => {
  it('has its selection query cancelled on the server; without a signal the same page waits for the lock and then answers', async () => {
    const query = parseZooQuery({ sort: 'model' });
    const warm = await listZooRowsAfter(db, query, null, 10);
    expect(warm.rows).toHaveLength(4);

    await holder.query('BEGIN');
    await holder.query('LOCK TABLE "RunZooRow" IN ACCESS EXCLUSIVE MODE');
    try {
      const controller = new AbortController();
      const page = listZooRowsAfter(db, query, null, 10, { signal: controller.signal });
      page.catch(() => undefined);
      await expect.poll(waitingOnRunRows, { timeout: 10_000 }).toBe(1);
      controller.abort(new Error('the client went away'));
      await expect(page).rejects.toThrow(/canceling statement due to user request/);
      await expect.poll(waitingOnRunRows, { timeout: 5_000 }).toBe(0);

      // The control: without a signal the page keeps waiting while the lock is held, and answers once it is gone.
      const patient = listZooRowsAfter(db, query, null, 10);
      await expect.poll(waitingOnRunRows, { timeout: 10_000 }).toBe(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(await waitingOnRunRows()).toBe(1);
      await holder.query('ROLLBACK');
      expect((await patient).rows.map((r) => r.model.slug)).toEqual(warm.rows.map((r) => r.model.slug));
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
    }
  });

  it('an export whose reader goes away while its rows are selected has that query cancelled', async () => {
    const query = parseZooQuery({});
    const options = (signal?: AbortSignal) => ({ format: 'csv' as const, baseUrl: 'http://slimboard.test', signal });
    // Once through, so the shared meta data is cached and only the export's own queries touch the run rows.
    const whole = await new Response(await zooExportStream(db, query, options())).text();
    expect(whole.trimEnd().split('\r\n')).toHaveLength(5);

    await holder.query('BEGIN');
    await holder.query('LOCK TABLE "RunZooRow" IN ACCESS EXCLUSIVE MODE');
    try {
      const controller = new AbortController();
      const stream = zooExportStream(db, query, options(controller.signal));
      stream.catch(() => undefined);
      await expect.poll(waitingOnRunRows, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
      controller.abort(new Error('the reader went away'));
      await expect(stream).rejects.toThrow(/canceling statement due to user request/);
      await expect.poll(waitingOnRunRows, { timeout: 5_000 }).toBe(0);
    } finally {
      await holder.query('ROLLBACK');
    }
  });
});
