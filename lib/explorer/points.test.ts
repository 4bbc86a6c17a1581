import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COCO_PRUNING, makeEntry, p4 } from './__fixtures__/entries';
import { baselineArrows, inputSizeCurves } from './curves';
import { extractPoints, resolveSelection } from './points';
import { DEFAULT_VIEW } from './view-state';

describe('resolveSelection', () => {
  it('fills the dataset default metric and first device', () => {
    const sel = resolveSelection({ ...DEFAULT_VIEW, x: 'latency' }, COCO_PRUNING);
    expect(sel.y).toBe('boxAp');
    expect(sel.device).toBe('tesla-p4-trt');
    expect(sel.sizes).toBeNull();
  });
  it('EXPECTED FAILURE: a metric the dataset lacks, a device without data', () => {
    expect(() => resolveSelection({ ...DEFAULT_VIEW, y: 'vocMap' }, COCO_PRUNING)).toThrow(/y: dataset "coco" has no metric "vocMap"/);
    expect(() => resolveSelection({ ...DEFAULT_VIEW, device: 'kirin-970' }, COCO_PRUNING)).toThrow(/device: no latency for "kirin-970"/);
  });
});

describe('extractPoints', () => {
  it('golden: GFLOPs at 608 gives 6 points with baselines linked at the same size', () => {
    const sel = resolveSelection({ ...DEFAULT_VIEW, sizes: [608] }, COCO_PRUNING);
    const { points, missingValue } = extractPoints(COCO_PRUNING, sel);
    expect(points.map((p) => [p.key, p.cost, p.accuracy, p.baselineKey])).toEqual([
      ['yolov3-r50vd-dcn-coco@608', 44.71, 39.1, null],
      ['yolov3-r50vd-dcn-coco-prune-sensity@608', 37.53, 39.8, 'yolov3-r50vd-dcn-coco@608'],
      ['yolov3-r50vd-dcn-coco-prune-r578@608', 29.98, 38.3, 'yolov3-r50vd-dcn-coco@608'],
      ['yolov3-mbv1-coco@608', 20.64, 29.3, null],
      ['yolov3-mbv1-coco-prune-sensity@608', 13.57, 30.2, 'yolov3-mbv1-coco@608'],
      ['yolov3-mbv1-coco-prune-r578@608', 6.27, 27.8, 'yolov3-mbv1-coco@608'],
    ]);
    expect(missingValue).toBe(0);
  });

  it('latency axis: only entries with a P4 number are drawn, flagged as the published statistic', () => {
    const sel = resolveSelection({ ...DEFAULT_VIEW, x: 'latency', pct: 'p99' }, COCO_PRUNING);
    const { points, missingValue } = extractPoints(COCO_PRUNING, sel);
    expect(points.map((p) => p.cost)).toEqual([36.127, 33.245, 29.138]);
    expect(points.every((p) => p.latencyReported)).toBe(true);
    expect(missingValue).toBe(9);
  });

  it('a measured percentile wins over the reported number', () => {
    const e = makeEntry({
      modelId: 'm', inputSize: 320, gflops: 1, accuracy: { boxAp: 20 },
      latency: [{ ...p4(10), p90Ms: 12 }],
    });
    const sel = resolveSelection({ ...DEFAULT_VIEW, x: 'latency', pct: 'p90' }, [e]);
    expect(extractPoints([e], sel).points[0]).toMatchObject({ cost: 12, latencyReported: false });
    const p50 = resolveSelection({ ...DEFAULT_VIEW, x: 'latency', pct: 'p50' }, [e]);
    expect(extractPoints([e], p50).points[0]).toMatchObject({ cost: 10, latencyReported: true });
  });

  it('filters by method and source; baseline link dropped when the baseline is filtered out', () => {
    const sel = resolveSelection({ ...DEFAULT_VIEW, methods: ['prune'] }, COCO_PRUNING);
    const { points } = extractPoints(COCO_PRUNING, sel);
    expect(points).toHaveLength(8);
    expect(points.every((p) => p.baselineKey === null)).toBe(true);
    const measured = resolveSelection({ ...DEFAULT_VIEW, source: 'measured' }, COCO_PRUNING);
    expect(extractPoints(COCO_PRUNING, measured).points).toHaveLength(0);
  });

  it('DEGENERATE: no entries, other dataset, entries without the cost', () => {
    const sel = resolveSelection(DEFAULT_VIEW, []);
    expect(sel.y).toBe('boxAp');
    expect(extractPoints([], sel)).toEqual({ points: [], missingValue: 0, nonPositiveCost: 0 });
    const voc = resolveSelection({ ...DEFAULT_VIEW, dataset: 'voc' }, COCO_PRUNING);
    expect(extractPoints(COCO_PRUNING, voc).points).toEqual([]);
    const params = resolveSelection({ ...DEFAULT_VIEW, x: 'params' }, COCO_PRUNING);
    expect(extractPoints(COCO_PRUNING, params)).toMatchObject({ points: [], missingValue: 12 });
  });

  it('EXPECTED FAILURE: duplicate model@size entries are refused', () => {
    const sel = resolveSelection(DEFAULT_VIEW, COCO_PRUNING);
    expect(() => extractPoints([...COCO_PRUNING, COCO_PRUNING[0]], sel)).toThrow(/"yolov3-r50vd-dcn-coco@608" appears twice/);
  });

  it('an array changed in place is indexed afresh: a repeated call sees the new entries, a duplicate still throws', () => {
    const sel = resolveSelection({ ...DEFAULT_VIEW, sizes: [608] }, COCO_PRUNING);
    const entries = [...COCO_PRUNING];
    const first = extractPoints(entries, sel).points.map((p) => p.key);
    expect(extractPoints(entries, sel).points.map((p) => p.key)).toEqual(first);
    // drop the ResNet baseline at 608: its two pruned children lose their baseline link
    const at = entries.findIndex((e) => e.modelId === 'yolov3-r50vd-dcn-coco' && e.inputSize === 608);
    entries.splice(at, 1);
    const after = extractPoints(entries, sel).points;
    expect(after.map((p) => p.key)).toEqual(first.filter((k) => k !== 'yolov3-r50vd-dcn-coco@608'));
    expect(after.find((p) => p.key === 'yolov3-r50vd-dcn-coco-prune-sensity@608')?.baselineKey).toBeNull();
    entries.push(entries[0]);
    expect(() => extractPoints(entries, sel)).toThrow(/appears twice/);
  });

  it('property: every drawn point passes the filters and the counts add up', () => {
    fc.assert(
      fc.property(fc.subarray(COCO_PRUNING), fc.subarray([320, 416, 608], { minLength: 1 }), (entries, sizes) => {
        const sel = resolveSelection({ ...DEFAULT_VIEW, sizes }, entries);
        const { points, missingValue } = extractPoints(entries, sel);
        expect(points.length + missingValue).toBe(entries.filter((e) => sizes.includes(e.inputSize)).length);
        for (const p of points) expect(sizes).toContain(p.inputSize);
      }),
    );
  });
});

describe('inputSizeCurves and baselineArrows', () => {
  it('golden: three MobileNetV1 models joined over 320/416/608; R50 models have one size each', () => {
    const { points } = extractPoints(COCO_PRUNING, resolveSelection(DEFAULT_VIEW, COCO_PRUNING));
    const curves = inputSizeCurves(points);
    expect(curves.map((c) => [c.modelId, c.points.map((p) => p.inputSize)])).toEqual([
      ['yolov3-mbv1-coco', [320, 416, 608]],
      ['yolov3-mbv1-coco-prune-sensity', [320, 416, 608]],
      ['yolov3-mbv1-coco-prune-r578', [320, 416, 608]],
    ]);
    // 2 R50 compressed + 6 MobileNetV1 compressed, each to its baseline at the same size
    const arrows = baselineArrows(points);
    expect(arrows).toHaveLength(8);
    for (const a of arrows) expect(a.from.inputSize).toBe(a.to.inputSize);
  });
  it('DEGENERATE: nothing drawn', () => {
    expect(inputSizeCurves([])).toEqual([]);
    expect(baselineArrows([])).toEqual([]);
  });
});

describe('buildChartModel', () => {
  it('golden: default COCO view on the pruning fixture', async () => {
    const { buildChartModel } = await import('./chart-model');
    const m = buildChartModel(COCO_PRUNING, DEFAULT_VIEW);
    expect(m.points).toHaveLength(12);
    expect(m.frontier).toHaveLength(8); // see frontier.test.ts for the hand sweep
    expect(m.byMethod.map((g) => [g.method, g.points.length])).toEqual([['baseline', 4], ['prune', 8]]);
    expect(m.xTitle).toBe('Compute (GFLOPs)');
    expect(m.yTitle).toBe('COCO Box AP (%)');
    expect(m.title).toBe('COCO Box AP vs GFLOPs');
    expect(m.xDomain[0]).toBe(0);
    const at608 = buildChartModel(COCO_PRUNING, { ...DEFAULT_VIEW, sizes: [608], x: 'latency' });
    expect(at608.title).toBe('COCO Box AP vs p50 latency on Tesla P4 (TensorRT) at 608 px');
    expect(at608.points).toHaveLength(3);
  });
});
