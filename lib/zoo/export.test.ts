import { describe, expect, it } from 'vitest';
import { zooRowsToCsv } from './export';
import type { TZooRow } from './row';

const base: TZooRow = {
  id: 'prune-coco/2',
  section: { slug: 'prune-coco', title: 'Pruning', sourceTitle: null, position: 1, columns: [] },
  position: 2,
  source: 'reported',
  model: { slug: 'm', name: 'YOLOv3, "quoted"', family: 'YOLOv3', backbone: 'B', backboneSlug: 'b', dataset: 'COCO', datasetSlug: 'coco', pretraining: null, method: 'prune', strategy: 'sensity', baselineSlug: 'x', parentSlug: 'x' },
  inputSize: 608,
  teacher: null,
  cells: {
    gflops: {
      metric: 'gflops', value: 37.53, decimals: 2, inputSize: 608, deviceSlug: null, comparable: true,
      baseline: { modelSlug: 'x', value: 44.71, decimals: 2 },
      delta: {
        kind: 'relative', value: -16.06, decimals: 2, verdict: 'better', text: '-16.06%', origin: 'published',
        check: { printed: '-16.06%', consistent: true, nearest: true, interval: { low: -16.08, high: -16.04, decimals: 2, text: '[-16.08, -16.04] %' } },
      },
      text: '37.53(-16.06%)',
      provenance: { kind: 'reported', sourceSlug: 'seed', sourceTitle: 'Seed', sourceUrl: null },
    },
  },
  download: { url: 'https://example.org/m.tar', fileName: 'm.tar' },
};

describe('zooRowsToCsv', () => {
  it('writes one header and one line per row, quoting per RFC 4180', () => {
    const csv = zooRowsToCsv([base]);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('gflops,gflops_baseline,gflops_delta,gflops_delta_unit,gflops_delta_origin,gflops_delta_printed');
    expect(lines[1]).toContain('"YOLOv3, ""quoted"""');
    expect(lines[1]).toContain('37.53,44.71,-16.06,percent,published,,');
    expect(lines[1]).toContain('reported:seed,https://example.org/m.tar');
  });
  it('a printed delta outside its interval: the computed one, with the printed one beside it', () => {
    const flagged = structuredClone(base);
    flagged.cells.gflops.delta = {
      kind: 'relative', value: -16.06, decimals: 2, verdict: 'better', text: '-16.06%', origin: 'computed',
      check: { printed: '-19.00%', consistent: false, nearest: false, interval: { low: -16.08, high: -16.04, decimals: 2, text: '[-16.08, -16.04] %' } },
    };
    expect(zooRowsToCsv([flagged]).split('\r\n')[1]).toContain('37.53,44.71,-16.06,percent,computed,-19.00%,');
  });
  it('no rows: only the header', () => {
    expect(zooRowsToCsv([]).trimEnd().split('\r\n')).toHaveLength(1);
  });
});
