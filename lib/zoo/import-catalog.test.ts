import { describe, expect, it } from 'vitest';
import { paddleDetectionSlimCatalog } from '../../prisma/seed/paddledetection-slim';
import { parseCatalog } from './import-catalog';

/** parseCatalog's checks of the printed deltas a catalog declares (`deltas` per row). */
describe('parseCatalog: printed deltas', () => {
  it('accepts the seed with its 122 printed deltas', () => {
    const c = parseCatalog(paddleDetectionSlimCatalog);
    expect(c.sections.flatMap((s) => s.rows.flatMap((r) => Object.values(r.deltas ?? {})))).toHaveLength(122);
  });
  const withDeltas = (section: number, row: number, deltas: Record<string, string>) => {
    const bad = structuredClone(paddleDetectionSlimCatalog);
    bad.sections[section].rows[row].deltas = deltas;
    return () => parseCatalog(bad);
  };
  it('EXPECTED FAILURE: a delta that is not printed like one', () => {
    expect(withDeltas(0, 1, { gflops: '16.06%' })).toThrow(/a delta as printed, e\.g\. "-16\.06%" or "\+0\.7"/);
  });
  it('EXPECTED FAILURE: a delta in a column the row prints no number in', () => {
    // prune-coco row 2 prints GFLOPs, model size and Box AP, no latency
    expect(withDeltas(0, 1, { 'latency:kirin-970': '-1.00%' })).toThrow(
      'catalog section prune-coco row 2: delta "-1.00%" for column "latency:kirin-970": the row prints no number in that column',
    );
  });
  it('EXPECTED FAILURE: a delta for a baseline', () => {
    expect(withDeltas(0, 0, { boxAp: '+0.0' })).toThrow('model yolov3-r50vd-dcn-coco is a baseline (nothing to compare with)');
  });
  it('EXPECTED FAILURE: points for a cost, percent for accuracy', () => {
    expect(withDeltas(0, 1, { gflops: '-16.06' })).toThrow('GFLOPs deltas are in percent (end with %)');
    expect(withDeltas(0, 1, { boxAp: '+0.7%' })).toThrow('Box AP deltas are in points (no %)');
  });
});
