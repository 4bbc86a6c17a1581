import { describe, expect, it } from 'vitest';
import { getDb } from '../db/client';
import { listZooRows, listZooRowsAfter, listZooSectionPages, loadZoo } from './list-zoo-rows';
import { filterZooRows, parseZooQuery, sortZooRows } from './query';
import { resolveFilterIds, selectPackedZooRowKeys, selectZooRowKeys, unpackZooRowKeys, type ZooRowPlace } from './select-zoo-rows';
import { readZooVersion, SLOW_COMPUTE_MS } from './zoo-cache';

/**
 * The zoo's SQL selection (lib/zoo/select-zoo-rows.ts) against the in-memory reference (lib/zoo/query.ts
 * filterZooRows + sortZooRows over every row), on the imported seed plus whatever runs other test files registered.
 */
const QUERIES = [
  {},
  { dataset: 'widerface' },
  { dataset: 'COCO' },
  { backbone: 'R50vd-dcn' },
  { backbone: 'mobilenetv1,ResNet34' },
  { method: 'prune,distill' },
  { strategy: 'baseline' },
  { strategy: 'r578,baseline' },
  { inputSize: '608' },
  { source: 'reported' },
  { section: 'coco-prune' },
  { q: 'mobilenet' },
  { q: '50%_' },
  { sort: 'gflops' },
  { sort: 'gflops', dir: 'desc' },
  { sort: 'boxAp', dir: 'desc', dataset: 'coco' },
  { sort: 'modelSizeMb' },
  { sort: 'inputSize', dir: 'desc' },
  { sort: 'latency:tesla-p4-trt' },
  { sort: 'params', dir: 'desc', method: 'quant' },
];

describe('zoo rows selected in SQL', () => {
  it("the facets are what the rows hold (SQL over the tables against the rows' own fields)", async () => {
    const db = await getDb();
    const { rows, facets } = await loadZoo(db);
    const uniq = <T>(xs: T[]) => [...new Set(xs)];
    expect(facets.backbones).toEqual(uniq(rows.map((r) => r.model.backbone)).sort());
    expect(facets.datasets.map((d) => d.slug)).toEqual(uniq(rows.map((r) => r.model.datasetSlug)).sort());
    expect(facets.methods).toEqual(uniq(rows.map((r) => r.model.method)).sort());
    expect(facets.strategies).toEqual(uniq(rows.map((r) => r.model.strategy ?? 'baseline')).sort());
    expect(facets.inputSizes).toEqual(uniq(rows.map((r) => r.inputSize)).sort((a, b) => b - a));
    expect(facets.sources).toEqual(uniq(rows.map((r) => r.source)).sort());
    expect(facets.submitters).toEqual(uniq(rows.flatMap((r) => (r.run ? [r.run.submitter] : []))).sort());
    expect(facets.sources).toContain('reported');
  });

  it.each(QUERIES)('%o selects the same rows in the same order as the in-memory reference', async (params) => {
    const db = await getDb();
    const all = await loadZoo(db);
    const query = parseZooQuery(params);
    const expected = sortZooRows(filterZooRows(all.rows, query, all.vocabulary), query).map((r) => r.id);
    const { rows, total } = await listZooRows(db, query);
    expect(rows.map((r) => r.id)).toEqual(expected);
    expect(total).toBe(expected.length);
  });

  it.each(QUERIES)('%o: the packed keys of an export unpack to the same keys, in the same order', async (params) => {
    const db = await getDb();
    const query = parseZooQuery(params);
    const ids = await resolveFilterIds(db, query);
    const keys = await selectZooRowKeys(db, query, ids, { offset: 0, limit: 1_000_000_000 });
    const packed = await selectPackedZooRowKeys(db, query, ids);
    expect(packed.flatMap((s) => unpackZooRowKeys(s, 0, s.modelIds.length))).toEqual(keys);
    // One entry per section, in section order; unpacking a middle range gives that range.
    expect(new Set(packed.map((s) => s.sectionSlug)).size).toBe(packed.length);
    const big = packed.find((s) => s.modelIds.length > 3);
    if (big) {
      const start = keys.findIndex((k) => k.sectionSlug === big.sectionSlug);
      expect(unpackZooRowKeys(big, 1, 3)).toEqual(keys.slice(start + 1, start + 3));
    }
  });

  it('filters actually narrow: widerface rows are all widerface, and fewer than all', async () => {
    const db = await getDb();
    const { rows, total } = await listZooRows(db, parseZooQuery({ dataset: 'widerface' }));
    const { total: all } = await listZooRows(db, parseZooQuery({}), { limit: 1 });
    expect(rows.length).toBeGreaterThan(0);
    expect(total).toBeLessThan(all);
    expect(rows.every((r) => r.model.datasetSlug === 'widerface')).toBe(true);
  });

  it('pages of 7 concatenate to the full list, in order, with the same rows as the full query', async () => {
    const db = await getDb();
    const query = parseZooQuery({ sort: 'gflops', dir: 'desc', source: 'reported' });
    const { rows: full } = await listZooRows(db, query);
    const paged: string[] = [];
    for (let offset = 0; offset < full.length + 7; offset += 7) {
      const { rows, total } = await listZooRows(db, query, { offset, limit: 7 });
      expect(total).toBe(full.length);
      expect(rows.length).toBe(Math.max(0, Math.min(7, full.length - offset)));
      paged.push(...rows.map((r) => r.id));
    }
    expect(paged).toEqual(full.map((r) => r.id));
    expect(full.length).toBe(85);
  });

  it.each(QUERIES)('%o: pages of 7 after each last row (the keyset cursor) concatenate to the full list', async (params) => {
    const db = await getDb();
    const query = parseZooQuery(params);
    const { rows: full } = await listZooRows(db, query);
    const paged: string[] = [];
    let after: ZooRowPlace | null = null;
    for (let page = 0; page <= full.length / 7 + 1; page++) {
      const { rows, total, next } = await listZooRowsAfter(db, query, after, 7);
      expect(total).toBe(full.length);
      paged.push(...rows.map((r) => r.id));
      // A full page says where the next starts, the last page says there is none (also when it is exactly full).
      expect(next === null).toBe(paged.length === full.length);
      if (next === null) break;
      expect(rows).toHaveLength(7);
      after = next;
    }
    expect(paged).toEqual(full.map((r) => r.id));
  });

  it('the zoo page shows one page per section with totals, and page 2 continues page 1', async () => {
    const db = await getDb();
    const query = parseZooQuery({ source: 'reported' });
    const { rows: full } = await listZooRows(db, query);
    const p1 = (await listZooSectionPages(db, query, 4)).value;
    const p2 = (await listZooSectionPages(db, { ...query, page: 2 }, 4)).value;
    expect(p1.total).toBe(85);
    expect(p1.sections.reduce((k, s) => k + s.total, 0)).toBe(85);
    for (const s of p1.sections) {
      const inSection = full.filter((r) => r.section.slug === s.section.slug).map((r) => r.id);
      expect(s.total).toBe(inSection.length);
      expect(s.pages).toBe(Math.ceil(inSection.length / 4));
      expect(s.rows.map((r) => r.id)).toEqual(inSection.slice(0, 4));
      const s2 = p2.sections.find((x) => x.section.slug === s.section.slug)!;
      // a section with one page shows its last page again (page numbers past the end are clamped)
      expect(s2.rows.map((r) => r.id)).toEqual(s.pages >= 2 ? inSection.slice(4, 8) : inSection.slice(0, 4));
    }
  });

  it('the zoo version changes when a model changes', async () => {
    const db = await getDb();
    const before = await readZooVersion(db);
    expect(await readZooVersion(db)).toBe(before);
    const m = await db.model.findFirstOrThrow({ where: { slug: { contains: 'mobilenet' } } });
    await db.model.update({ where: { id: m.id }, data: { description: m.description } });
    expect(await readZooVersion(db)).not.toBe(before);
  });

  it('the zoo page is built once per zoo version and query: columns shown do not change the key, a write does', async () => {
    const db = await getDb();
    const query = parseZooQuery({ dataset: 'coco', sort: 'gflops' });
    const page = async (q: typeof query, size: number) => (await listZooSectionPages(db, q, size)).value;
    const firstVersioned = await listZooSectionPages(db, query, 5);
    const first = firstVersioned.value;
    expect(await page(parseZooQuery({ dataset: 'coco', sort: 'gflops', hide: 'params', format: 'csv' }), 5)).toBe(first);
    expect(await page({ ...query, page: 2 }, 5)).not.toBe(first);
    expect(await page(query, 6)).not.toBe(first);
    const m = await db.model.findFirstOrThrow({ where: { slug: { contains: 'mobilenet' } } });
    await db.model.update({ where: { id: m.id }, data: { description: m.description } });
    // The reader after the write waits for the new build, unless the last build was slow (SLOW_COMPUTE_MS: at the
    // seed's size only on a very busy machine); then it gets the last one, marked stale, and the new one follows.
    let versioned = await listZooSectionPages(db, query, 5);
    if (versioned.stale) {
      expect(firstVersioned.computeMs).toBeGreaterThanOrEqual(SLOW_COMPUTE_MS);
      expect(versioned.value).toBe(first);
      await expect.poll(async () => (versioned = await listZooSectionPages(db, query, 5)).stale, { timeout: 30_000 }).toBe(false);
    }
    expect(versioned.version).toBe(await readZooVersion(db));
    const after = versioned.value;
    expect(after).not.toBe(first);
    expect(after.sections.map((s) => s.rows.map((r) => r.id))).toEqual(first.sections.map((s) => s.rows.map((r) => r.id)));
  });
});
