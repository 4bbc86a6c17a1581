import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneChannels } from '../onnx/channel-prune';
import { readModelFile } from '../onnx/model-file';
import { parseSensitivityAnalysis } from '../zoo/sensitivity-analysis';
import { readParamNamesFile, renameParams } from './param-names';
import { paddleslimGflops, pruneToFlopsTarget, sensitivityCurves } from './prune-to-flops';
import { ratiosByLoss } from './ratios-by-loss';

const dir = path.resolve('lib/demo-zoo/models');
const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
  models: Array<{
    id: string;
    file: string;
    sha256: string;
    lineage: { prunedParams?: string[]; ratios?: number[]; lossThreshold?: number };
  }>;
};
const baseline = manifest.models.find((m) => m.id === 'baseline')!;
const sensity = manifest.models.find((m) => m.id === 'prune_sensity')!;
const model = renameParams(
  readModelFile(path.join(dir, baseline.file)).model,
  readParamNamesFile(path.join(dir, 'manifest.json'), baseline.sha256),
);
const analysis = parseSensitivityAnalysis(JSON.parse(readFileSync(path.join(dir, 'sensitivity.json'), 'utf8')), 'sensitivity.json');

describe('pruneToFlopsTarget on the demo baseline and lib/demo-zoo/models/sensitivity.json', () => {
  for (const rule of ['paddleslim', 'with-origin'] as const) {
    it(`${rule}: -35 % GFLOPs within 1 point, every ratio's interpolated loss <= the threshold found`, () => {
      const r = pruneToFlopsTarget(model, analysis, { flopsTarget: 0.35, rule });
      expect(Math.abs(r.reduction - 0.35)).toBeLessThanOrEqual(0.01);
      expect(r.reduction).toBeCloseTo(1 - paddleslimGflops(r.model, 320) / paddleslimGflops(model, 320), 12);
      for (const p of r.ratios) expect(p.interpolatedLoss, p.param).toBeLessThanOrEqual(r.lossThreshold + 1e-9);
      // the selection fits the analysis schema, so the new run can store the analysis with it
      expect(parseSensitivityAnalysis({ ...analysis, selection: r.selection }, 'with selection').selection).toEqual({
        lossThreshold: r.lossThreshold,
        targetGflopsReduction: 0.35,
        rule,
      });
      // the bracket: the smallest threshold reaching -35 % and the largest one missing it; the result is the nearer
      const { above, below } = r.bracket;
      expect(above.reduction).toBeGreaterThanOrEqual(0.35);
      expect(below!.reduction).toBeLessThan(0.35);
      expect(Math.abs(r.reduction - 0.35)).toBe(Math.min(above.reduction - 0.35, 0.35 - below!.reduction));
      // recount the `below` side independently
      const fewer = ratiosByLoss(sensitivityCurves(analysis), below!.threshold, { withOrigin: rule === 'with-origin' });
      const list = Object.keys(fewer).filter((p) => fewer[p] > 0);
      const smaller = pruneChannels(model, { params: list, ratios: list.map((p) => fewer[p]), inputSize: 320 }).model;
      expect(1 - paddleslimGflops(smaller, 320) / paddleslimGflops(model, 320)).toBeCloseTo(below!.reduction, 12);
      if (rule === 'paddleslim') {
        // no (0, 0) point: a parameter is either unpruned or at least at its first measured ratio
        for (const p of r.ratios) expect(p.ratio === 0 || p.ratio >= 0.3 - 1e-12, p.param).toBe(true);
      }
    });
  }

  it("the demo's sensity ratios: at its own threshold, PaddleSlim's rule gives 0 to the parameters whose ratio lies below 0.3", () => {
    const t = sensity.lineage.lossThreshold!;
    const curves = sensitivityCurves(analysis);
    const plain = ratiosByLoss(curves, t);
    const origin = ratiosByLoss(curves, t, { withOrigin: true });
    const shipped = Object.fromEntries(sensity.lineage.prunedParams!.map((p, i) => [p, sensity.lineage.ratios![i]]));
    const belowFirst = Object.keys(shipped).filter((p) => shipped[p] < 0.3);
    expect(belowFirst.length).toBe(9); // 0.21, 0.27, 0.2, 0.22, 0.17, 0.22, 0.22, 0.23, 0.14
    for (const p of belowFirst) expect(plain[p], p).toBe(0);
    // with-origin reproduces every shipped ratio once rounded to 0.01, as the demo pipeline rounded them
    for (const p of Object.keys(shipped)) expect(Math.round(origin[p] * 100) / 100, p).toBe(shipped[p]);
    const differ = Object.keys(shipped).filter((p) => Math.abs(plain[p] - origin[p]) > 1e-9);
    expect(differ.sort()).toEqual(belowFirst.sort());
  });

  it('bad input: missing parameters name --param-names; unreachable targets state the maximum', () => {
    // The baseline as exported, before tools/demo-zoo/rename-initializers.ts named its initializers.
    const anonymous = readModelFile(path.resolve('lib/demo-zoo/__fixtures__/baseline-anonymous-initializers.onnx')).model;
    expect(() => pruneToFlopsTarget(anonymous, analysis, { flopsTarget: 0.35, rule: 'paddleslim' }, 'b.onnx')).toThrow(
      /b.onnx: the analysis names 18 parameter\(s\) .* \(give --param-names\)/,
    );
    expect(() => pruneToFlopsTarget(model, analysis, { flopsTarget: 0.95, rule: 'paddleslim' })).toThrow(/cannot be reached/);
    expect(() => pruneToFlopsTarget(model, analysis, { flopsTarget: 1.5, rule: 'paddleslim' })).toThrow();
  });
});
