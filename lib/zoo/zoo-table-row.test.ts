import { describe, expect, it } from 'vitest';
import type { TCell, TZooRow } from './row';
import { zooTableRow } from './zoo-table-row';

const cell = (metric: TCell['metric'], value: number): TCell => ({
  metric,
  value,
  decimals: 2,
  inputSize: 608,
  deviceSlug: null,
  comparable: true,
  baseline: { modelSlug: 'base', value: value * 2, decimals: 2 },
  delta: null,
  text: value.toFixed(2),
  provenance: { kind: 'reported', sourceSlug: 's', sourceTitle: 'S', sourceUrl: null },
});

const row: TZooRow = {
  id: 'coco-prune/2',
  section: {
    slug: 'coco-prune',
    title: 'Pruning',
    sourceTitle: 'Pruning (COCO)',
    position: 1,
    columns: ['model', 'gflops', 'boxAp', 'ap50'],
  },
  position: 2,
  source: 'measured',
  model: {
    slug: 'yolov3-r578',
    name: 'YOLOv3 r578',
    family: 'YOLOv3',
    backbone: 'MobileNetV1',
    backboneSlug: 'mobilenetv1',
    dataset: 'COCO',
    datasetSlug: 'coco',
    pretraining: 'ImageNet',
    method: 'prune',
    strategy: 'r578',
    baselineSlug: 'base',
    parentSlug: 'base',
  },
  inputSize: 608,
  teacher: null,
  cells: { gflops: cell('gflops', 12.5), boxAp: cell('box_ap', 29.1), modelSizeMb: cell('model_size_mb', 80) },
  download: { url: '/api/artifacts/abc', fileName: 'm.onnx', sha256: 'abc' },
  cocoDetail: { ap50: 50.1, ap75: 30, apSmall: null, apMedium: 20, apLarge: 40, jobId: 'job-1' },
  measuredAdapter: { origin: 'declared', label: 'declared', summary: 'letterbox, sigmoid', jobId: 'job-1' },
  run: { id: 'run-1', state: 'running', door: 'api', submitter: 'alice', jobsDone: 1, jobsTotal: 3, jobsFailed: 0 },
};

describe('zooTableRow', () => {
  it('keeps the shown cells and what the fixed columns print, nothing else', () => {
    expect(zooTableRow(row, ['model', 'gflops', 'ap50'])).toEqual({
      id: 'coco-prune/2',
      model: {
        slug: 'yolov3-r578',
        name: 'YOLOv3 r578',
        backbone: 'MobileNetV1',
        dataset: 'COCO',
        pretraining: 'ImageNet',
        method: 'prune',
        strategy: 'r578',
      },
      inputSize: 608,
      teacher: null,
      download: row.download,
      cells: { gflops: row.cells.gflops },
      cocoDetail: row.cocoDetail,
      run: { id: 'run-1', jobsDone: 1, jobsTotal: 3, jobsFailed: 0 },
    });
  });

  it('drops the COCO detail unless one of its columns is shown, and a shown column without a cell stays absent', () => {
    const t = zooTableRow(row, ['model', 'boxAp', 'latency:tesla-p4-trt']);
    expect(t.cocoDetail).toBeNull();
    expect(Object.keys(t.cells)).toEqual(['boxAp']);
  });

  it('degenerate: no columns, a published row without run or detail', () => {
    const published: TZooRow = { ...row, source: 'reported', run: undefined, cocoDetail: undefined, measuredAdapter: undefined };
    const t = zooTableRow(published, []);
    expect(t.cells).toEqual({});
    expect(t.run).toBeNull();
    expect(t.cocoDetail).toBeNull();
  });

  it('property: every kept cell is the row’s own cell of a shown column, and every shown column with a cell is kept', () => {
    const ids = ['model', 'gflops', 'boxAp', 'modelSizeMb', 'ap50', 'ap75', 'latency:x'];
    for (let mask = 0; mask < 1 << ids.length; mask++) {
      const shown = ids.filter((_, i) => mask & (1 << i));
      const t = zooTableRow(row, shown);
      for (const [k, v] of Object.entries(t.cells)) {
        expect(shown).toContain(k);
        expect(v).toBe(row.cells[k]);
      }
      for (const k of shown) if (row.cells[k]) expect(t.cells[k]).toBe(row.cells[k]);
      expect(t.cocoDetail === null).toBe(!shown.some((k) => k.startsWith('ap')));
    }
  });
});
