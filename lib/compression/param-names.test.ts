import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModelFile } from '../onnx/model-file';
import { tensorDims } from '../onnx/tensor';
import { pruneChannels } from '../onnx/channel-prune';
import { parseSensitivityAnalysis } from '../zoo/sensitivity-analysis';
import { paddleslimGflops } from './prune-to-flops';
import { FORMER_BASELINE_FILE, RENAMED_MANIFEST_FILE, renamedBaselineEntry } from '../demo-zoo/__fixtures__/former-baseline';
import { readParamNamesFile, renameParams } from './param-names';

const dir = path.resolve('lib/demo-zoo/models');
const manifestFile = RENAMED_MANIFEST_FILE;
/** The 2026-11-29 baseline as exported (anonymous initializers) and the map its manifest kept for it. */
const former = renamedBaselineEntry().supersedes![0];
const formerModel = readModelFile(FORMER_BASELINE_FILE);
const loaded = readModelFile(path.join(dir, 'yolov3_mobilenet_v1_x025_shapes.onnx'));
// Same architecture: the GFLOPs shares of the shipped analysis hold for the 2026-11-29 file too.
const analysis = parseSensitivityAnalysis(JSON.parse(readFileSync(path.join(dir, 'sensitivity.json'), 'utf8')), 'sensitivity.json');

describe('parameter names of the anonymous 2026-11-29 demo baseline (the map its manifest kept in `supersedes`)', () => {
  const names = readParamNamesFile(manifestFile, former.sha256);
  const model = renameParams(formerModel.model, names, 'baseline-anonymous-initializers.onnx');
  const inits = new Map((model.graph!.initializer ?? []).map((t) => [t.name ?? '', t]));
  const conv = (param: string) => model.graph!.node!.find((n) => n.opType === 'Conv' && n.input![1] === param)!;

  it('covers the 18 analysed head convs and the 2 transitions', () => {
    expect(Object.keys(names).sort()).toEqual(
      [...Object.keys(analysis.parameters), 'yolo_transition.0.conv.weights', 'yolo_transition.1.conv.weights'].sort(),
    );
  });

  it('each name sits on the conv whose exported node name is that module (level 0: conv, 1: conv_1, 2: conv_2)', () => {
    const moduleOf: Record<string, string> = { '0.0': '0_0_0', '0.1': '0_0_1', '1.0': '0_1_0', '1.1': '0_1_1', tip: 'tip' };
    for (const p of Object.keys(analysis.parameters)) {
      const [, level, a, b] = /^yolo_block\.(\d)\.(\w+)(?:\.(\d))?\.conv\.weights$/.exec(p)!;
      const key = b === undefined ? a : `${a}.${b}`;
      const expected =
        key === '2' ? `/model/blocks.${level}.2/conv/Conv` : `/model/${moduleOf[key]}/conv${level === '0' ? '' : `_${level}`}/Conv`;
      expect(conv(p).name, p).toBe(expected);
    }
  });

  it('shapes follow model.py: widths c, 2c (c = 96, 48, 24), 3x3 for .0.1/.1.1/tip, and each conv reads the previous one', () => {
    const order = ['0.0', '0.1', '1.0', '1.1', '2', 'tip'];
    [96, 48, 24].forEach((c, level) => {
      let prev: string | undefined;
      for (const k of order) {
        const p = `yolo_block.${level}.${k}.conv.weights`;
        const dims = tensorDims(inits.get(p)!);
        const wide = k === '0.1' || k === '1.1' || k === 'tip';
        expect([dims[0], dims[2]], p).toEqual([wide ? 2 * c : c, wide ? 3 : 1]);
        if (prev) {
          const producer = conv(prev);
          // the conv's input is the ReLU of the previous conv's output
          const relu = model.graph!.node!.find((n) => n.input![0] === producer.output![0])!;
          expect(relu.opType).toBe('Relu');
          expect(conv(p).input![0]).toBe(relu.output![0]);
        }
        prev = p;
      }
    });
  });

  it('pruning each mapped parameter alone removes the GFLOPs@608 share that sensitivity.json states for it (to its 5 decimals)', () => {
    const before = paddleslimGflops(model, 608);
    for (const [p, rows] of Object.entries(analysis.parameters)) {
      for (const row of rows) {
        const pruned = pruneChannels(model, { params: [p], ratios: [row.ratio], inputSize: 608 }).model;
        const reduction = 1 - paddleslimGflops(pruned, 608) / before;
        expect(Math.abs(reduction - row.gflopsReduction608!), `${p} @ ${row.ratio}`).toBeLessThanOrEqual(5e-6 + 1e-9);
      }
    }
  });

  it('a plain JSON map works too; bad maps are clear errors', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'slimboard-names-'));
    const f = path.join(tmp, 'names.json');
    writeFileSync(f, JSON.stringify({ 'a.weights': 'onnx::Conv_950' }));
    expect(readParamNamesFile(f, 'x')).toEqual({ 'a.weights': 'onnx::Conv_950' });
    expect(() => renameParams(loaded.model, { 'a.weights': 'nope' }, 'm.onnx')).toThrow(/"nope", which is no initializer of the model/);
    const [p0, p1] = ['yolo_block.0.0.0.conv.weights', 'yolo_block.0.0.1.conv.weights'];
    expect(() => renameParams(loaded.model, { a: p0, b: p0 }, 'm.onnx')).toThrow(/maps both "a" and "b"/);
    expect(() => renameParams(loaded.model, { [p1]: p0 }, 'm.onnx')).toThrow(/already has a tensor named/);
    writeFileSync(f, '[1]');
    expect(() => readParamNamesFile(f, 'x')).toThrow(/--param-names .*names.json: expected/);
    expect(() => readParamNamesFile(manifestFile, '0'.repeat(64))).toThrow(
      /no model of this manifest \(nor a file it supersedes\) has the model file's sha256/,
    );
    expect(() => readParamNamesFile(path.join(tmp, 'missing.json'), 'x')).toThrow(/cannot read \(ENOENT\)/);
  });
});
