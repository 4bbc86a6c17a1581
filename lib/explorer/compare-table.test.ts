import { describe, expect, it } from 'vitest';
import { COCO_PRUNING } from './__fixtures__/entries';
import { compareRows, groupForCompare } from './compare-table';

describe('compareRows', () => {
  it('golden: R50 baseline vs its r578 prune: deltas against the first model', () => {
    const rows = compareRows(groupForCompare(COCO_PRUNING, ['yolov3-r50vd-dcn-coco', 'yolov3-r50vd-dcn-coco-prune-r578']));
    const find = (label: string) => rows.find((r) => r.label === label)!;
    // AP 38.3 - 39.1 = -0.8 (worse); GFLOPs 29.98 - 44.71 = -14.73 -> -32.945%; P4 29.138 vs 36.127 -> -19.345%
    expect(find('COCO Box AP').cells[1].delta).toBeCloseTo(-0.8, 9);
    expect(find('COCO Box AP').cells[1].better).toBe(false);
    expect(find('Compute').cells[1].deltaPct).toBeCloseTo(-32.9456, 3);
    expect(find('Compute').cells[1].better).toBe(true);
    expect(find('Latency reported, Tesla P4 (TensorRT)').cells[1].deltaPct).toBeCloseTo(-19.3456, 3);
    expect(find('COCO Box AP').cells[0]).toEqual({ value: 39.1, delta: null, deltaPct: null, better: null });
    // only rows where someone has a value: AP, GFLOPs, size, P4 reported
    expect(rows.map((r) => r.label)).toEqual(['COCO Box AP', 'Compute', 'Model size', 'Latency reported, Tesla P4 (TensorRT)']);
  });

  it('every input size any model has gets a row; a missing cell has no delta', () => {
    const rows = compareRows(groupForCompare(COCO_PRUNING, ['yolov3-r50vd-dcn-coco', 'yolov3-mbv1-coco']));
    const ap = rows.filter((r) => r.label === 'COCO Box AP');
    expect(ap.map((r) => r.inputSize)).toEqual([608, 416, 320]);
    expect(ap[1].cells).toEqual([
      { value: null, delta: null, deltaPct: null, better: null },
      { value: 29.3, delta: null, deltaPct: null, better: null },
    ]);
  });

  it('EXPECTED FAILURE: an unknown model id', () => {
    expect(() => groupForCompare(COCO_PRUNING, ['yolov3-mbv1-coco', 'nope'])).toThrow(/compare: no model "nope"/);
  });
});
