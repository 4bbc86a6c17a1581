import { describe, expect, it } from 'vitest';
import { SlimboardError } from '../errors';
import type { TSensitivityAnalysis } from '../zoo/sensitivity-analysis';
import { requirePruningAnalysis } from './require-pruning-analysis';

const analysis: TSensitivityAnalysis = {
  model: 'base',
  metric: 'COCO AP(0.5:0.95)',
  inputSize: 320,
  valImages: 8,
  baselineAp: 0.6,
  lossDefinition: '(AP_baseline - AP_pruned) / AP_baseline',
  criterion: 'L1 norm',
  ratios: [0.3],
  parameters: { 'a.w': [{ ratio: 0.3, ap: 0.54, loss: 0.1 }] },
};
const run = { id: 'r1', slug: 'pruned-model' };

function refusal(meta: { sensitivityAnalysis?: TSensitivityAnalysis }): SlimboardError {
  try {
    requirePruningAnalysis(meta, run);
  } catch (e) {
    expect(e).toBeInstanceOf(SlimboardError);
    return e as SlimboardError;
  }
  throw new Error('expected a refusal');
}

describe('requirePruningAnalysis', () => {
  it('an analysis of the model itself (no selection) is the one to prune with', () => {
    expect(requirePruningAnalysis({ sensitivityAnalysis: analysis }, run)).toBe(analysis);
  });

  it('EXPECTED FAILURE: no analysis, or the parent analysis its own ratios came from: 409 saying what to do', () => {
    const none = refusal({});
    expect(none.status).toBe(409);
    expect(none.message).toBe(
      'run r1 (pruned-model) has no sensitivity analysis to read ratios from: start a "sensitivity" compression of it first',
    );
    const parent = refusal({ sensitivityAnalysis: { ...analysis, selection: { lossThreshold: -0.01, rule: 'paddleslim' } } });
    expect(parent.status).toBe(409);
    expect(parent.code).toBe('analysis_of_parent');
    expect(parent.message).toMatch(
      /^run r1 \(pruned-model\) was itself pruned with ratios chosen from the sensitivity analysis of "base"; /,
    );
    expect(parent.message).toContain('start a "sensitivity" compression of this model first');
  });
});
