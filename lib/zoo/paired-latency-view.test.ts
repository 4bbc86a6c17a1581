import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchmarkPaired, QUICK_PAIRED_PROTOCOL, type TPairedLatencyResult } from '../measure/benchmark-paired';
import { pairedLatencyView } from './paired-latency-view';

const ZOO = path.resolve(import.meta.dirname, '../../lib/demo-zoo/models');
let real: TPairedLatencyResult;

beforeAll(async () => {
  // A real stored shape: the quick paired protocol on two demo models (what a worker stores, plus baselineSlug).
  real = await benchmarkPaired({
    candidatePath: path.join(ZOO, 'yolov3_mobilenet_v1_x025_shapes_prune_r578.onnx'),
    baselinePath: path.join(ZOO, 'yolov3_mobilenet_v1_x025_shapes.onnx'),
    inputSize: 64,
    protocol: { ...QUICK_PAIRED_PROTOCOL, minCycles: 4, blockRuns: 2 },
    resamples: 1000,
  });
});

const trusted = (comparison: Partial<TPairedLatencyResult['comparison']>) => ({
  paired: { ...real, verdictTrusted: true, comparison: { ...real.comparison, ...comparison }, baselineSlug: 'demo-baseline' },
});

describe('pairedLatencyView', () => {
  it('hand-checked: ratio 0.715 [0.699, 0.732], significant and trusted -> "−28.5 % [−30.1, −26.8]", better', () => {
    const v = pairedLatencyView(trusted({ ratio: 0.715, ci: [0.699, 0.732], significant: true }))!;
    expect(v.text).toBe('−28.5 % [−30.1, −26.8]');
    expect(v.verdict).toBe('better');
    expect(v.title).toContain('against demo-baseline');
    expect(pairedLatencyView(trusted({ ratio: 1.2, ci: [1.1, 1.3], significant: true }))!.verdict).toBe('worse');
  });

  it('a change whose interval contains 1 is labelled not significant and not coloured', () => {
    const v = pairedLatencyView(trusted({ ratio: 1.012, ci: [0.98, 1.043], significant: false }))!;
    expect(v.text).toBe('+1.2 % [−2.0, +4.3] (not significant)');
    expect(v.verdict).toBe('neutral');
    expect(v.title).toMatch(/contains no change/);
  });

  it('an untrusted verdict (quick protocol or busy machine) is never coloured, even when significant', () => {
    const quick = pairedLatencyView({ paired: { ...real, comparison: { ...real.comparison, significant: true } } })!;
    expect(real.verdictTrusted).toBe(false);
    expect(quick.verdict).toBe('neutral');
    expect(quick.title).toMatch(/quick protocol|busy machine/);
  });

  it('degenerate: no paired block, a skipped pair or a malformed one -> null', () => {
    expect(pairedLatencyView(null)).toBeNull();
    expect(pairedLatencyView({ paired: null, pairedSkipped: 'no baseline file' })).toBeNull();
    expect(pairedLatencyView({ paired: { kind: 'paired-latency', schemaVersion: 1 } })).toBeNull();
  });
});
