import { describe, expect, it } from 'vitest';
import { COCO_PRUNING } from './__fixtures__/entries';
import { chartCsv, csvField } from './chart-csv';
import { entryKey } from './entry';
import { paretoFrontierIndices } from './frontier';
import { extractPoints, resolveSelection } from './points';
import { DEFAULT_VIEW } from './view-state';

describe('csvField', () => {
  it('quotes commas, quotes and newlines; neutralises formulas; writes numbers plainly', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(-0.8)).toBe('-0.8');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField(true)).toBe('true');
  });
});

describe('chartCsv', () => {
  it('golden: one header and one line per drawn point, frontier marked', () => {
    const sel = resolveSelection({ ...DEFAULT_VIEW, sizes: [608], methods: ['baseline'] }, COCO_PRUNING);
    const { points } = extractPoints(COCO_PRUNING, sel);
    // baselines at 608: R50 (44.71, 39.1) and MobileNetV1 (20.64, 29.3); neither dominates the other -> both frontier
    const frontier = new Set(paretoFrontierIndices(points).map((i) => points[i].key));
    const csv = chartCsv(points, frontier, new Map(COCO_PRUNING.map((e) => [entryKey(e), e])), sel);
    expect(csv.split('\r\n')).toEqual([
      'key,model_id,name,dataset,backbone,method,strategy,source,input_size,gflops (GFLOPs),boxAp (%),on_frontier,baseline_key,latency_statistic,provenance',
      'yolov3-r50vd-dcn-coco@608,yolov3-r50vd-dcn-coco,yolov3-r50vd-dcn-coco,coco,ResNet50-vd-dcn,baseline,baseline,published,608,44.71,39.1,true,,,reported: PaddleDetection slim benchmark',
      'yolov3-mbv1-coco@608,yolov3-mbv1-coco,yolov3-mbv1-coco,coco,MobileNetV1,baseline,baseline,published,608,20.64,29.3,true,,,reported: PaddleDetection slim benchmark',
      '',
    ]);
  });
  it('DEGENERATE: no points gives the header only; latency column names device and percentile', () => {
    const sel = resolveSelection({ ...DEFAULT_VIEW, x: 'latency', pct: 'p90' }, COCO_PRUNING);
    const csv = chartCsv([], new Set(), new Map(), sel);
    expect(csv.split('\r\n')).toHaveLength(2);
    expect(csv).toContain('latency_p90_tesla-p4-trt (ms/image)');
  });
});
