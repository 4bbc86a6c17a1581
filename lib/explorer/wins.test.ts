import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COCO_PRUNING, makeEntry } from './__fixtures__/entries';
import { biggestWins } from './wins';

describe('biggestWins', () => {
  it('golden: seed COCO pruning by GFLOPs, at most 1 AP lost, one row per model', () => {
    // MobileNetV1 sensity: cut 1.96/5.72 = 0.342657 @320 (+0.1) > 3.31/9.66 = 0.342650 @416 > 7.07/20.64 = 0.342539 @608
    // R50 r578: 14.73/44.71 = 0.329456 (-0.8 AP); R50 sensity: 7.18/44.71 = 0.160590 (+0.7 AP)
    // MobileNetV1 r578 loses 1.5 / 2.5 / 3.1 AP: not a win.
    const wins = biggestWins(COCO_PRUNING, { axis: 'gflops' });
    expect(wins.map((w) => [w.key, Number(w.costCut.toFixed(6)), Number(w.accuracyDelta.toFixed(6))])).toEqual([
      ['yolov3-mbv1-coco-prune-sensity@320', 0.342657, 0.1],
      ['yolov3-r50vd-dcn-coco-prune-r578@608', 0.329456, -0.8],
      ['yolov3-r50vd-dcn-coco-prune-sensity@608', 0.160590, 0.7],
    ]);
  });

  it('a looser budget admits MobileNetV1 r578 (-1.5 AP, -69.62% GFLOPs) at the top', () => {
    // 14.37 / 20.64 = 0.696221
    const wins = biggestWins(COCO_PRUNING, { axis: 'gflops', maxLossAp: 1.5 });
    expect(wins[0].key).toBe('yolov3-mbv1-coco-prune-r578@608');
    expect(wins[0].costCut).toBeCloseTo(0.696221, 6);
  });

  it('a loss of exactly the budget counts despite binary rounding (31.2 - 32.2 = -1.0000000000000036)', () => {
    const base = makeEntry({ modelId: 'b', inputSize: 608, gflops: 10, accuracy: { boxAp: 32.2 } });
    const pruned = makeEntry({ modelId: 'p', inputSize: 608, gflops: 5, accuracy: { boxAp: 31.2 }, method: 'prune', baselineModelId: 'b' });
    expect(31.2 - 32.2).toBeLessThan(-1);
    expect(biggestWins([base, pruned], { axis: 'gflops' }).map((w) => w.key)).toEqual(['p@608']);
    expect(biggestWins([base, pruned], { axis: 'gflops', maxLossAp: 0.99 })).toEqual([]);
  });

  it('every input size is listed with onePerModel=false; size axis; latency axis needs a device', () => {
    expect(biggestWins(COCO_PRUNING, { axis: 'gflops', onePerModel: false })).toHaveLength(5);
    // size: MobileNetV1 sensity (94.6 -> 67.6: 0.285412) at 3 sizes -> one row; R50: r578 0.366134, sensity 0.154564
    expect(biggestWins(COCO_PRUNING, { axis: 'size' }).map((w) => w.modelId)).toEqual([
      'yolov3-r50vd-dcn-coco-prune-r578',
      'yolov3-mbv1-coco-prune-sensity',
      'yolov3-r50vd-dcn-coco-prune-sensity',
    ]);
    expect(biggestWins(COCO_PRUNING, { axis: 'latency', device: 'tesla-p4-trt' }).map((w) => w.modelId)).toEqual([
      'yolov3-r50vd-dcn-coco-prune-r578',
      'yolov3-r50vd-dcn-coco-prune-sensity',
    ]);
    expect(biggestWins(COCO_PRUNING, { axis: 'latency' })).toEqual([]);
  });

  it('DEGENERATE: no entries, no baseline declared, missing baseline size, baseline costs more accuracy only', () => {
    expect(biggestWins([], { axis: 'gflops' })).toEqual([]);
    const orphan = makeEntry({ modelId: 'o', inputSize: 608, gflops: 1, accuracy: { boxAp: 50 }, baselineModelId: 'nope' });
    expect(biggestWins([orphan], { axis: 'gflops' })).toEqual([]);
    const dearer = makeEntry({ modelId: 'd', inputSize: 608, gflops: 50, accuracy: { boxAp: 50 }, baselineModelId: 'yolov3-r50vd-dcn-coco' });
    expect(biggestWins([...COCO_PRUNING, dearer], { axis: 'gflops' }).some((w) => w.modelId === 'd')).toBe(false);
  });

  it('property: every win cuts cost, loses at most the budget, and the list is sorted', () => {
    fc.assert(
      fc.property(fc.subarray(COCO_PRUNING), fc.double({ min: 0, max: 5, noNaN: true }), (entries, budget) => {
        const wins = biggestWins(entries, { axis: 'gflops', maxLossAp: budget, onePerModel: false });
        for (const w of wins) {
          expect(w.cost).toBeLessThan(w.baselineCost);
          expect(w.accuracyDelta).toBeGreaterThanOrEqual(-budget - 1e-9);
        }
        for (let i = 1; i < wins.length; i++) expect(wins[i].costCut).toBeLessThanOrEqual(wins[i - 1].costCut);
      }),
    );
  });
});
