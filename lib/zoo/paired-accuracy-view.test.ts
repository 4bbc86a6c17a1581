import { describe, expect, it } from 'vitest';
import type { TPairedDelta } from '../metrics/paired-bootstrap';
import { formatSignedPoints, pairedAccuracyView } from './paired-accuracy-view';

function stored(ap: Partial<TPairedDelta>, extra: Record<string, unknown> = {}, key = 'AP') {
  const metric: TPairedDelta = {
    candidate: 0.4254,
    baseline: 0.6619,
    delta: null,
    lower: null,
    upper: null,
    significant: false,
    undefinedResamples: 0,
    ...ap,
  };
  return {
    AP: 0.4254,
    pairedAccuracy: {
      baselineRunId: 'r-base',
      baselineSlug: 'demo-baseline',
      baselineJobId: 'job-b',
      candidateJobId: 'job-c',
      comparison: {
        method: 'paired-bootstrap-images-percentile',
        images: 300,
        resamples: 1000,
        seed: 20261204,
        confidence: 0.95,
        metrics: { [key]: metric },
      },
      ...extra,
    },
  };
}

describe('formatSignedPoints', () => {
  it('one decimal with a true minus; zero and values rounding to zero print +0.0', () => {
    expect(formatSignedPoints(-0.4)).toBe('\u22120.4');
    expect(formatSignedPoints(0.1)).toBe('+0.1');
    expect(formatSignedPoints(0)).toBe('+0.0');
    expect(formatSignedPoints(-0.04)).toBe('+0.0');
    expect(formatSignedPoints(-23.65, 2)).toBe('\u221223.65');
  });
});

describe('pairedAccuracyView', () => {
  it('golden: AP units become points; an interval containing 0 is neutral and says so', () => {
    // delta −0.004 → −0.4 points, [−0.009, +0.001] → [−0.9, +0.1]
    const v = pairedAccuracyView(stored({ delta: -0.004, lower: -0.009, upper: 0.001, significant: false }))!;
    expect(v.text).toBe('ΔAP \u22120.4 [\u22120.9, +0.1] (not significant)');
    expect(v.verdict).toBe('neutral');
    expect(v.delta).toBeCloseTo(-0.4, 12);
    expect(v.title).toMatch(/against demo-baseline/);
    expect(v.title).toMatch(/Not coloured/);
  });

  it('a significant loss is worse, a significant gain better', () => {
    const loss = pairedAccuracyView(stored({ delta: -0.2365, lower: -0.25, upper: -0.2232, significant: true }))!;
    expect(loss.text).toBe('ΔAP \u221223.7 [\u221225.0, \u221222.3]');
    expect(loss.verdict).toBe('worse');
    expect(pairedAccuracyView(stored({ delta: 0.01, lower: 0.005, upper: 0.02, significant: true }))!.verdict).toBe('better');
  });

  it('VOC mAP and WIDER FACE settings: each zoo metric reads its own comparison key, labelled by what it is', () => {
    const voc = stored({ delta: 0.012, lower: 0.004, upper: 0.02, significant: true }, {}, 'mAP');
    expect(pairedAccuracyView(voc, 'voc_map')!.text).toBe('ΔmAP +1.2 [+0.4, +2.0]');
    expect(pairedAccuracyView(voc, 'box_ap')).toBeNull();
    const hard = stored({ delta: -0.031, lower: -0.05, upper: -0.012, significant: true }, {}, 'hard');
    expect(pairedAccuracyView(hard, 'wider_hard')!.text).toBe('ΔAP \u22123.1 [\u22125.0, \u22121.2]');
    expect(pairedAccuracyView(hard, 'wider_hard')!.title).toMatch(/; hard 42\.54 vs 66\.19/);
    expect(pairedAccuracyView(hard, 'wider_easy')).toBeNull();
  });

  it('degenerate: nothing stored, a malformed block, or an undefined delta give null', () => {
    expect(pairedAccuracyView(null)).toBeNull();
    expect(pairedAccuracyView({ AP: 0.5 })).toBeNull();
    expect(pairedAccuracyView({ pairedAccuracy: { baselineSlug: 3 } })).toBeNull();
    expect(pairedAccuracyView(stored({ delta: null, lower: null, upper: null }))).toBeNull();
    expect(pairedAccuracyView(stored({ delta: -0.004, lower: -0.009, upper: 0.001 }), 'AP50')).toBeNull();
  });
});
