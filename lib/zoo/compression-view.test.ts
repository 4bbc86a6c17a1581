import { describe, expect, it } from 'vitest';
import { compressionView } from './compression-view';

const SOURCE_RUN = '0b6f3c1e-8a52-4d3e-9c1f-2a4b6c8d0e1f';
const report = {
  inputSize: 320,
  rule: 'paddleslim',
  flopsTarget: 0.02,
  lossThreshold: -0.004,
  ratios: [
    { param: 'a.w', ratio: 0.3, interpolatedLoss: -0.01 },
    { param: 'b.w', ratio: 0, interpolatedLoss: 0 },
  ],
  gflopsBefore: 0.26,
  gflopsAfter: 0.255,
  reduction: 0.019,
  predictedReduction: 0.021,
  paramsBefore: 10,
  paramsAfter: 9,
};
const compression = (request: unknown, r: unknown = report) => ({
  jobId: '42',
  sourceRunId: SOURCE_RUN,
  sourceModel: 'base',
  request,
  report: r,
});

describe('compressionView', () => {
  it('prune-to-target: the report with only the pruned parameters, and the request in one line', () => {
    const v = compressionView(compression({ method: 'prune-to-target', flopsTarget: 0.02, rule: 'paddleslim' }))!;
    expect(v).toMatchObject({ jobId: '42', sourceModel: 'base', method: 'prune-to-target' });
    expect(v.description).toBe('pruned to \u22122.0 % GFLOPs (paddleslim rule)');
    expect(v.target).toMatchObject({
      flopsTarget: 0.02,
      lossThreshold: -0.004,
      gflopsBefore: 0.26,
      gflopsAfter: 0.255,
      reduction: 0.019,
      predictedReduction: 0.021,
    });
    expect(v.target!.pruned).toEqual([{ param: 'a.w', ratio: 0.3, interpolatedLoss: -0.01 }]);
  });

  it('other methods: no target numbers; not made by a job or unreadable: null (degenerate)', () => {
    const q = compressionView(compression({ method: 'prune', params: ['a.w'], ratios: [0.3] }, { inputSize: 320 }))!;
    expect(q.target).toBeNull();
    expect(q.description).toBe('pruned (1 conv, ratios 0.3)');
    expect(compressionView(undefined)).toBeNull();
    expect(compressionView({ jobId: 1 })).toBeNull();
    // A prune-to-target whose report lacks a field shows the request without numbers.
    expect(compressionView(compression({ method: 'prune-to-target', flopsTarget: 0.02 }, { inputSize: 320 }))!.target).toBeNull();
  });
});
