import { describe, expect, it } from 'vitest';
import { getDb } from '../db/client';
import { buildChartModel } from '../explorer/chart-model';
import { entryKey } from '../explorer/entry';
import { DEFAULT_VIEW } from '../explorer/view-state';
import { biggestWins } from '../explorer/wins';
import { listExplorerEntries } from './list-explorer-entries';
import { loadZoo } from './list-zoo-rows';

/** The explorer's view of the imported seed (real Postgres, seed imported by tests/setup/db.ts). */
describe('listExplorerEntries on the imported seed', () => {
  it('merges the 85 zoo rows into one entry per model and input size, keeping every number', async () => {
    const db = await getDb();
    const { rows } = await loadZoo(db);
    const entries = await listExplorerEntries(db);
    const distinct = new Set(rows.map((r) => `${r.model.slug}@${r.inputSize}`));
    expect(entries.map(entryKey).sort()).toEqual([...distinct].sort());
    // every row's cell value is on its entry (sections repeat the same numbers)
    const byKey = new Map(entries.map((e) => [entryKey(e), e]));
    for (const r of rows) {
      const e = byKey.get(`${r.model.slug}@${r.inputSize}`)!;
      for (const [col, cell] of Object.entries(r.cells)) {
        if (col === 'gflops') expect(e.gflops).toBe(cell.value);
        else if (col === 'modelSizeMb') expect(e.sizeMB).toBe(cell.value);
        else if (col.startsWith('latency:')) expect(e.latency.find((l) => l.device === col.slice(8))?.reportedMs).toBe(cell.value);
        else expect(e.accuracy[col as 'boxAp']).toBe(cell.value);
      }
    }
    // Seed rows give published entries; runs that other test files registered in this database give measured ones.
    const reportedKeys = new Set(rows.filter((r) => r.source === 'reported').map((r) => `${r.model.slug}@${r.inputSize}`));
    expect(reportedKeys.size).toBeGreaterThanOrEqual(39);
    for (const e of entries) expect(e.source === 'published', entryKey(e)).toBe(reportedKeys.has(entryKey(e)));
  });

  it('the seed COCO MobileNetV1 r578 (distilled by ResNet34) at 608 is the biggest GFLOPs win within 1 AP', async () => {
    // seed: 6.27 GFLOPs vs 20.64 (-69.64%), Box AP 29.0 vs 29.3 (-0.3); the undistilled r578 loses 1.5 AP
    const entries = await listExplorerEntries(await getDb());
    const top = biggestWins(entries, { axis: 'gflops', dataset: 'coco' })[0];
    expect(top.inputSize).toBe(608);
    expect(top.cost).toBe(6.27);
    expect(top.baselineCost).toBe(20.64);
    expect(top.accuracyDelta).toBeCloseTo(-0.3, 9);
    const model = buildChartModel(entries, DEFAULT_VIEW);
    expect(model.points.length).toBeGreaterThan(0);
    expect(model.frontierKeys.has(top.key)).toBe(true);
  });
});
