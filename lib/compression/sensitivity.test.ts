/**
 * Sensitivity analysis on the real demo baseline with onnxruntime-node: 2 head parameters x 1 ratio on 3
 * synthetic val images (the full 18 x 3 on 40 images is tools/bench/sensitivity-parity.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASET_SEED, writeSyntheticSplit } from '../datasets/synthetic';
import { parseModelAdapter } from '../inference/detection/model-adapter';
import type { CliIo } from '../cli/command';
import { runCli } from '../cli/main';
import { parseSensitivityAnalysis, type TSensitivityAnalysis } from '../zoo/sensitivity-analysis';
import { readModelWithParamNames } from './param-names';
import { parseSensitivityOptions, runSensitivity, sensitivityParams, type TSensitivityCell } from './sensitivity';

const ROOT = path.join(__dirname, '../..');
const ZOO = path.join(ROOT, 'lib/demo-zoo/models');
const BASELINE = path.join(ZOO, 'yolov3_mobilenet_v1_x025_shapes.onnx');
const ADAPTER_FILE = path.join(ROOT, 'tools/bench/demo-zoo-adapter.json');
const adapter = parseModelAdapter(JSON.parse(fs.readFileSync(ADAPTER_FILE, 'utf8')), 'demo-zoo-adapter.json');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slimboard-sensitivity-'));
const val = path.join(dir, 'val');
const PARAMS = ['yolo_block.0.0.0.conv.weights', 'yolo_block.2.tip.conv.weights'];
beforeAll(async () => {
  await writeSyntheticSplit({ outDir: val, split: 'val', count: 3, seed: DEMO_DATASET_SEED });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) } satisfies CliIo & {
    out: string;
    err: string;
  };
  const code = await runCli(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('runSensitivity on the demo baseline (real onnxruntime, real files)', () => {
  const loaded = readModelWithParamNames(BASELINE, path.join(ZOO, 'manifest.json'));

  it("produces an analysis in the model page's schema; resume skips the computed cells and gives the same numbers", async () => {
    const cells: TSensitivityCell[] = [];
    let baselineAp: number | null = null;
    const progress: Array<[number, number]> = [];
    const options = { split: 'val', images: 3, inputSize: 320, ratios: [0.5], params: PARAMS };
    const first = await runSensitivity({
      model: loaded.model,
      source: loaded.source,
      modelLabel: 'baseline',
      datasetDir: val,
      options,
      adapter,
      onBaseline: (ap) => void (baselineAp = ap),
      onCell: (c) => void cells.push(c),
      onProgress: (d, t) => void progress.push([d, t]),
    });
    expect(() => parseSensitivityAnalysis(JSON.parse(JSON.stringify(first.analysis)), 'out')).not.toThrow();
    expect(Object.keys(first.analysis.parameters)).toEqual(PARAMS);
    expect([first.computed, first.reused]).toEqual([3, 0]);
    expect(progress).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(cells.map((c) => [c.param, c.ratio])).toEqual(PARAMS.map((p) => [p, 0.5]));
    expect(baselineAp).toBe(first.analysis.baselineAp);
    for (const c of cells)
      expect(first.analysis.parameters[c.param][0]).toMatchObject({ ratio: 0.5, ap: c.ap, loss: (baselineAp! - c.ap) / baselineAp! });
    // GFLOPs@608 shares as sensitivity.json states them (to its 5 decimals)
    const reference = JSON.parse(fs.readFileSync(path.join(ZOO, 'sensitivity.json'), 'utf8')) as TSensitivityAnalysis;
    for (const p of PARAMS) {
      const want = reference.parameters[p].find((r) => r.ratio === 0.5)!.gflopsReduction608!;
      expect(Math.abs(first.analysis.parameters[p][0].gflopsReduction608! - want)).toBeLessThanOrEqual(5e-6 + 1e-9);
    }

    // Restart after the first cell: only the second is computed, and the result is identical.
    const again: TSensitivityCell[] = [];
    const second = await runSensitivity({
      model: loaded.model,
      source: loaded.source,
      modelLabel: 'baseline',
      datasetDir: val,
      options,
      adapter,
      existing: { baselineAp, cells: cells.slice(0, 1) },
      onCell: (c) => void again.push(c),
    });
    expect([second.computed, second.reused]).toEqual([1, 2]);
    expect(again.map((c) => c.param)).toEqual([PARAMS[1]]);
    expect(second.analysis).toEqual(first.analysis);
  });

  it('default parameters: every conv weight prunable alone, not the head output convs (their channels are graph outputs)', () => {
    const params = sensitivityParams(loaded.model, loaded.source, [0.7]).map((p) => p.param);
    for (const p of PARAMS) expect(params).toContain(p);
    expect(params).not.toContain('model.outputs.0.weight');
    expect(params.length).toBeLessThan(50);
  });

  it('BAD CALL: options are checked by the shared schema; unknown parameters name --param-names', async () => {
    expect(() => parseSensitivityOptions({ ratios: [0.5, 0.3] })).toThrow(/ratios.1: 0.3 does not follow 0.5/);
    expect(() => parseSensitivityOptions({ images: 0 })).toThrow(/images/);
    expect(() => parseSensitivityOptions({ extra: 1 })).toThrow();
    // The baseline as exported, before tools/demo-zoo/rename-initializers.ts named its initializers.
    const anonymous = readModelWithParamNames(path.resolve('lib/demo-zoo/__fixtures__/baseline-anonymous-initializers.onnx'));
    await expect(
      runSensitivity({
        model: anonymous.model,
        source: 'b.onnx',
        modelLabel: 'b',
        datasetDir: val,
        options: { params: PARAMS, images: 3 },
        adapter,
      }),
    ).rejects.toThrow(/b.onnx: "yolo_block.0.0.0.conv.weights" is no conv weight of the model .*give --param-names/);
  });
});

describe('compress sensitivity CLI with --resume', () => {
  it('a second run with the same --resume file computes nothing and writes the same analysis', async () => {
    const resume = path.join(dir, 'resume.json');
    const args = (out: string) => [
      'compress',
      'sensitivity',
      BASELINE,
      '--dataset',
      val,
      '--split',
      'val',
      '--images',
      '2',
      '--input-size',
      '320',
      '--ratios',
      '0.3',
      '--params',
      PARAMS.join(','),
      '--param-names',
      path.join(ZOO, 'manifest.json'),
      '--adapter',
      ADAPTER_FILE,
      '--resume',
      resume,
      '--out',
      out,
      '--json',
    ];
    const a = await cli(...args(path.join(dir, 'a.json')));
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out)).toMatchObject({ computed: 3, reused: 0 });
    expect(JSON.parse(fs.readFileSync(resume, 'utf8')).cells).toHaveLength(2);
    const b = await cli(...args(path.join(dir, 'b.json')));
    expect(b.code).toBe(0);
    expect(JSON.parse(b.out)).toMatchObject({ computed: 0, reused: 3 });
    expect(fs.readFileSync(path.join(dir, 'b.json'), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'a.json'), 'utf8'));
    // the same file for another analysis is refused
    const c = await cli(...args(path.join(dir, 'c.json')).map((v) => (v === '2' ? '3' : v)));
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/^error: --resume .* was written for another analysis/);
  });
});
