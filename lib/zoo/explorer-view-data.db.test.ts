import { describe, expect, it } from 'vitest';
import { getDb } from '../db/client';
import { costValue } from '../explorer/axes';
import { entryKey, type TExplorerEntry } from '../explorer/entry';
import { paretoFrontierIndices } from '../explorer/frontier';
import { headlineNumbers } from '../explorer/overview';
import { DEFAULT_VIEW } from '../explorer/view-state';
import { biggestWins } from '../explorer/wins';
import { searchCompareChoices } from './compare-choices';
import { listExplorerDatasets } from './explorer-points';
import { explorerViewData, loadExplorerView } from './explorer-view-data';
import { listExplorerEntries } from './list-explorer-entries';
import { loadOverview, OVERVIEW_VIEW, overviewHeadline, overviewWins } from './overview-data';
import { readZooVersion } from './zoo-cache';

/**
 * The scoped explorer, overview and compare reads (issue #15: query only what is drawn) against the whole-zoo
 * reference they replace, on the imported seed plus whatever runs earlier db test files registered.
 */
const keysOf = (entries: readonly TExplorerEntry[]) => entries.map(entryKey).sort();

describe('scoped explorer reads on the imported seed', () => {
  it('a dataset, a list of models or of variants gives exactly the whole zoo entries in that scope', async () => {
    const db = await getDb();
    const all = await listExplorerEntries(db);
    const datasets = await listExplorerDatasets(db);
    expect(datasets).toEqual([...new Set(all.map((e) => e.dataset))]);
    for (const dataset of datasets) {
      const scoped = await listExplorerEntries(db, { dataset });
      expect(scoped, dataset).toEqual(all.filter((e) => e.dataset === dataset));
    }
    const models = [...new Set(all.map((e) => e.modelId))].filter((_, i) => i % 7 === 0);
    expect(keysOf(await listExplorerEntries(db, { models }))).toEqual(keysOf(all.filter((e) => models.includes(e.modelId))));
    const picked = all.filter((_, i) => i % 5 === 0);
    const byModel = await db.model.findMany({ where: { slug: { in: picked.map((e) => e.modelId) } }, select: { id: true, slug: true } });
    const idOf = new Map(byModel.map((m) => [m.slug, m.id]));
    const variants = picked.map((e) => ({ modelId: idOf.get(e.modelId)!, inputSize: e.inputSize }));
    const got = await listExplorerEntries(db, { variants });
    expect(keysOf(got)).toEqual(keysOf(picked));
    // Same numbers as in the whole zoo (a scope changes which entries, never what an entry says).
    const whole = new Map(all.map((e) => [entryKey(e), e]));
    for (const e of got) expect(e, entryKey(e)).toEqual(whole.get(entryKey(e)));
  });

  it('a view within the budget sends its whole dataset; an unknown dataset sends nothing', async () => {
    const db = await getDb();
    const all = await listExplorerEntries(db);
    const data = await explorerViewData(db, { ...DEFAULT_VIEW, dataset: 'voc' });
    expect(data.reduction).toBeNull();
    expect(data.entries).toEqual(all.filter((e) => e.dataset === 'voc'));
    const none = await explorerViewData(db, { ...DEFAULT_VIEW, dataset: 'nope' });
    expect(none.entries).toEqual([]);
    expect(none.datasets).not.toContain('nope');
  });

  it('a reduced view keeps the whole SQL frontier, the frontier baselines, and counts what it left out', async () => {
    const db = await getDb();
    const coco = (await listExplorerEntries(db)).filter((e) => e.dataset === 'coco');
    const budget = 12;
    const data = await explorerViewData(db, { ...DEFAULT_VIEW, dataset: 'coco', x: 'gflops' }, budget);
    const r = data.reduction!;
    expect(r).not.toBeNull();
    expect(data.view.y).toBe('boxAp');
    expect(data.entries.length).toBe(r.frontier + r.baselines + r.sampled);
    expect(data.entries.length).toBe(Math.min(budget, r.drawable));
    expect(r.inView).toBe(coco.length);
    // The reference: every drawable coco entry on (GFLOPs, Box AP), its Pareto frontier by lib/explorer/frontier.ts.
    const drawable = coco.flatMap((e) => {
      const cost = costValue(e, 'gflops', null, 'p50');
      const accuracy = e.accuracy.boxAp;
      return cost !== null && cost > 0 && accuracy !== undefined ? [{ e, cost, accuracy }] : [];
    });
    expect(r.drawable).toBe(drawable.length);
    const pair = (p: { cost: number; accuracy: number }) => `${p.cost}|${p.accuracy}`;
    const frontierPairs = new Set(paretoFrontierIndices(drawable).map((i) => pair(drawable[i])));
    expect(r.frontier).toBe(frontierPairs.size);
    // The budget really reduces this view, and the frontier is more than one point.
    expect(drawable.length).toBeGreaterThan(budget);
    expect(r.frontier).toBeGreaterThan(1);
    const kept = new Set(keysOf(data.entries));
    const keptPairs = new Set(drawable.filter((d) => kept.has(entryKey(d.e))).map(pair));
    for (const p of frontierPairs) expect(keptPairs, p).toContain(p);
    // Each frontier point's declared baseline at the same input size is kept when it is drawable.
    const drawableKeys = new Set(drawable.map((d) => entryKey(d.e)));
    const frontierEntries = drawable.filter((d) => frontierPairs.has(pair(d)) && kept.has(entryKey(d.e)));
    for (const { e } of frontierEntries) {
      const b = `${e.baselineModelId}@${e.inputSize}`;
      if (e.baselineModelId !== null && e.baselineModelId !== e.modelId && drawableKeys.has(b) && r.frontier + r.baselines <= budget)
        expect(kept, b).toContain(b);
    }
    // The same view again is the same sample.
    expect(keysOf((await explorerViewData(db, { ...DEFAULT_VIEW, dataset: 'coco', x: 'gflops' }, budget)).entries)).toEqual(
      keysOf(data.entries),
    );
  });

  it('views that differ only in client-only keys share one computation and come back with their own keys', async () => {
    const db = await getDb();
    const plain = { ...DEFAULT_VIEW, dataset: 'coco', x: 'latency' as const };
    const a = await loadExplorerView(db, plain, 12);
    const client = { pct: 'p90' as const, log: true, frontier: true, compare: ['yolov3-r50vd-dcn-coco', 'x'] };
    const b = await loadExplorerView(db, { ...plain, ...client }, 12);
    expect(a.value.reduction).not.toBeNull();
    // One cached value (its computedAt is the same Date), not a second computation.
    expect(b.computedAt).toBe(a.computedAt);
    expect(b.value.entries).toBe(a.value.entries);
    expect(b.value.view).toEqual({ ...a.value.view, ...client });
    expect(a.value.view).toMatchObject({ pct: 'p50', log: false, frontier: false, device: 'tesla-p4-trt' });
    expect('compare' in a.value.view).toBe(false);
  });

  it('a reduced view refuses a metric or device the dataset does not have, naming what it has', async () => {
    const db = await getDb();
    await expect(explorerViewData(db, { ...DEFAULT_VIEW, dataset: 'coco', y: 'widerHard' }, 5)).rejects.toThrow(
      /dataset "coco" has no metric "widerHard" \(has boxAp\)/,
    );
    await expect(explorerViewData(db, { ...DEFAULT_VIEW, dataset: 'coco', x: 'latency', device: 'toaster' }, 5)).rejects.toThrow(
      /no latency for "toaster" on coco/,
    );
  });

  it('the overview headline counted in SQL equals headlineNumbers over every entry', async () => {
    const db = await getDb();
    expect(await overviewHeadline(db)).toEqual(headlineNumbers(await listExplorerEntries(db)));
  });

  it('the overview wins from SQL candidates equal biggestWins over every entry', async () => {
    const db = await getDb();
    const all = await listExplorerEntries(db);
    for (const axis of ['gflops', 'size', 'params'] as const) {
      const { wins } = await overviewWins(db, axis);
      expect(wins.slice(0, 8), axis).toEqual(biggestWins(all, { axis }).slice(0, 8));
    }
    const device = headlineNumbers(all).devices[0].device;
    const { wins } = await overviewWins(db, 'latency', device);
    expect(wins.slice(0, 8)).toEqual(biggestWins(all, { axis: 'latency', device }).slice(0, 8));
  });

  it('compare choices: every model in entry order, searched, without the picked ones, with the total', async () => {
    const db = await getDb();
    const all = await listExplorerEntries(db);
    const models = [...new Set(all.map((e) => e.modelId))];
    const everything = await searchCompareChoices(db, { limit: 10_000 });
    expect(everything.total).toBe(models.length);
    expect(everything.choices.map((c) => c.id)).toEqual(models);
    const nameOf = new Map(all.map((e) => [e.modelId, e.name]));
    for (const c of everything.choices) expect(c.name, c.id).toBe(nameOf.get(c.id));
    const found = await searchCompareChoices(db, { find: 'mobilenet', exclude: [models[0]], limit: 3 });
    const expected = models.filter((m, i) => i > 0 && `${nameOf.get(m)} ${m}`.toLowerCase().includes('mobilenet'));
    expect(found.total).toBe(expected.length);
    expect(found.choices.map((c) => c.id)).toEqual(expected.slice(0, 3));
    // A search is plain text: no model name or slug has a %.
    expect((await searchCompareChoices(db, { find: '%' })).total).toBe(0);
  });
});

describe("the pages' doors: the last value while a new version computes (lib/zoo/zoo-cache.ts cachedOrLastByZooVersion)", () => {
  it('give what their parts give, for the current version; after a write, the last value marked stale or the new one', async () => {
    const db = await getDb();
    const overview = await loadOverview(db);
    const version = await readZooVersion(db);
    expect([overview.version, overview.stale]).toEqual([version, false]);
    expect(overview.value.head).toEqual(await overviewHeadline(db));
    expect(overview.value.gflops).toEqual(await overviewWins(db, 'gflops'));
    expect(overview.value.chart).toEqual(await explorerViewData(db, OVERVIEW_VIEW));
    const device = overview.value.head.devices[0].device;
    expect(overview.value.latency).toEqual([{ ...overview.value.head.devices[0], ...(await overviewWins(db, 'latency', device)) }]);
    const view = { ...DEFAULT_VIEW, dataset: 'coco', x: 'gflops' as const };
    const page = await loadExplorerView(db, view, 12);
    expect(page.value).toEqual(await explorerViewData(db, view, 12));

    // A write that changes nothing the views show still makes a new version (an UPDATE of a row bumps it).
    await db.$executeRaw`UPDATE "Dataset" SET name = name WHERE slug = 'coco'`;
    const next = await readZooVersion(db);
    expect(BigInt(next)).toBeGreaterThan(BigInt(version));
    const after = await loadOverview(db);
    if (after.stale) expect([after.version, after.computedAt]).toEqual([version, overview.computedAt]);
    else expect(after.version).toBe(next);
    await expect.poll(async () => (await loadOverview(db)).version, { timeout: 30_000 }).toBe(next);
    const fresh = await loadOverview(db);
    expect(fresh.stale).toBe(false);
    expect(fresh.value).toEqual(overview.value);
  });
});
