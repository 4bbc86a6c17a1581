import { Readable } from 'node:stream';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { registerRun } from '@/lib/runs/register-run';
import { createPipelineFixture, tinyMetadata, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { tinyDetector } from '@/tests/pipeline/tiny-models';
import { listZooRows, listZooRowsAfter, RUN_SECTION_PREFIX } from './list-zoo-rows';
import { parseZooQuery } from './query';

/**
 * GET /api/zoo's keyset cursor (lib/zoo/zoo-cursor.ts, listZooRowsAfter) on a database of its own holding only
 * registered runs: the `runs-shapes` section, whose `position` is a row_number computed at read time, so that a run
 * registered or deleted before the cursor shifts every later row's position. The next page must continue after the
 * last row sent: no row repeated, none skipped. (An offset would repeat or skip rows; each case checks that it does,
 * so that the case is one where the two differ.)
 */

let f: PipelineFixture;
let db: PrismaClient;
let seed = 100;
const SECTION = `${RUN_SECTION_PREFIX}shapes`;

/** A run of `family` with two input sizes: two rows of the section, in family order. */
async function register(family: string, name = `${family} model`) {
  return registerRun(f.pipeline, {
    metadata: tinyMetadata({ name, family, inputSizes: [64, 96] }),
    fileName: 'tiny.onnx',
    file: Readable.from([Buffer.from(tinyDetector({ seed: seed++ }))]),
    door: 'api',
    tokenId: null,
    maxBytes: 1e8,
  });
}

async function deleteRun(run: { id: string; modelSlug: string }) {
  await f.query(`DELETE FROM "RegisteredRun" WHERE id = $1`, [run.id]);
  await f.query(`DELETE FROM "Model" WHERE slug = $1`, [run.modelSlug]);
}

/** Rows by model and input size (a row's `id` is its section and position, which these cases shift). */
const ids = (rows: Array<{ model: { slug: string }; inputSize: number }>) => rows.map((r) => `${r.model.slug}@${r.inputSize}`);

beforeAll(async () => {
  f = await createPipelineFixture('zoo_cursor');
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: f.url }) });
});
afterAll(async () => {
  await db?.$disconnect();
  await f?.close();
});

describe('the keyset cursor over run rows', () => {
  it('continues after the last row sent when a run is registered before it, and when the rows before it and it itself are deleted', async () => {
    const runs = [await register('F2'), await register('F3'), await register('F4')];
    const query = parseZooQuery({});
    const before = ids((await listZooRows(db, query)).rows);
    expect(before).toHaveLength(6);
    const first = await listZooRowsAfter(db, query, null, 3);
    expect(ids(first.rows)).toEqual(before.slice(0, 3));
    expect(first.rows.every((r) => r.section.slug === SECTION)).toBe(true);
    expect(first.next?.sectionSlug).toBe(SECTION);

    // A run of a family that sorts first: two rows before the cursor, every later position + 2.
    const f1 = await register('F1');
    const second = await listZooRowsAfter(db, query, first.next, 3);
    expect(ids(second.rows)).toEqual(before.slice(3));
    expect(second.next).toBeNull();
    expect(second.total).toBe(8);
    expect(ids((await listZooRows(db, query, { offset: 3, limit: 3 })).rows)).not.toEqual(before.slice(3));

    // The first run and F1 deleted (four rows before the cursor), then the run of the cursor's own row.
    await deleteRun(runs[0]);
    await deleteRun(f1);
    expect(ids((await listZooRowsAfter(db, query, first.next, 3)).rows)).toEqual(before.slice(3));
    expect(ids((await listZooRows(db, query, { offset: 3, limit: 3 })).rows)).not.toEqual(before.slice(3));
    await deleteRun(runs[1]);
    const afterGone = await listZooRowsAfter(db, query, first.next, 3);
    expect(ids(afterGone.rows)).toEqual(before.slice(4));
    expect(afterGone.total).toBe(2);
    await deleteRun(runs[2]);
  });

  it.each([
    { sort: 'gflops', dir: 'desc' }, // no run has a value yet: every row sorts last, in place order
    { sort: 'model' },
    { sort: 'model', dir: 'desc' },
  ])('sorted %o: pages of 2 after a run registered between pages are the rows of the first listing, in order', async (params) => {
    const runs = [await register('G1', 'beta'), await register('G2', 'delta'), await register('G3', 'alpha')];
    const query = parseZooQuery(params);
    const before = ids((await listZooRows(db, query)).rows);
    const first = await listZooRowsAfter(db, query, null, 2);
    expect(ids(first.rows)).toEqual(before.slice(0, 2));
    // Before the cursor in every one of these orders: family G0 comes first, and 'aardvark' before the other names
    // (after them in `dir=desc`, where the model name sorts it last: then it is after the cursor and on a page).
    const extra = await register('G0', 'aardvark');
    const rest: string[] = [];
    for (let page = first; page.next;) {
      page = await listZooRowsAfter(db, query, page.next, 2);
      rest.push(...ids(page.rows));
    }
    const extraRows = ids((await listZooRows(db, parseZooQuery({ q: 'aardvark' }))).rows);
    expect(rest.filter((id) => !extraRows.includes(id))).toEqual(before.slice(2));
    expect(rest.filter((id) => extraRows.includes(id))).toHaveLength(params.dir === 'desc' && params.sort === 'model' ? 2 : 0);
    for (const r of [...runs, extra]) await deleteRun(r);
  });
});
