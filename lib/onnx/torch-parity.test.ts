/**
 * Reference parity on real exporter output: two PyTorch 1.13 exports (fixtures written by
 * __fixtures__/export_fixtures.py) with Shape/Gather/Concat/Resize chains, BN folded into conv biases,
 * Clip-as-ReLU6 (opset 11), depthwise convs, a residual Add, global pooling and Gemm. The expected conv
 * output shapes and MACs come from onnx.shape_inference (strict, data propagation), not from Slimboard.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSession } from '../inference/runtime/ort';
import { pruneChannels } from './channel-prune';
import { countCompute } from './compute-count';
import { encodeModel, readModelFile } from './model-file';
import { inferShapes } from './shape-inference';

const dir = path.join(import.meta.dirname, '__fixtures__');
const reference = JSON.parse(fs.readFileSync(path.join(dir, 'torch-reference-shapes.json'), 'utf8')) as Record<
  string,
  Record<string, { convs: Array<{ name: string; output: number[]; macs: number }>; convMacs: number; outputs: Record<string, number[]> }>
>;

describe('parity with onnx.shape_inference on PyTorch exports', () => {
  for (const [file, bySize] of Object.entries(reference)) {
    for (const [size, ref] of Object.entries(bySize)) {
      it(`${file} at ${size}: every conv output shape, the conv MACs and the outputs agree`, () => {
        const { model } = readModelFile(path.join(dir, file));
        const shapes = inferShapes(model, { inputSize: Number(size) });
        const convs = model.graph!.node!.filter((n) => n.opType === 'Conv');
        expect(convs.map((n) => [n.name, shapes.tensors.get(n.output![0])!.shape])).toEqual(ref.convs.map((c) => [c.name, c.output]));
        expect(countCompute(model, shapes, 'paddleslim').count).toBe(ref.convMacs);
        for (const [name, shape] of Object.entries(ref.outputs)) expect(shapes.tensors.get(name)!.shape).toEqual(shape);
      });
    }
  }

  it('prunes the exported detector (channels flow into a Resize whose sizes are computed at run time) and it runs', async () => {
    const { model } = readModelFile(path.join(dir, 'torch-tiny-detector-opset17.onnx'));
    const { model: pruned, pruned: report } = pruneChannels(model, { params: ['a.weight', 'b.weight'], ratios: [0.5, 0.25] });
    expect(report.map((p) => p.channelsAfter)).toEqual([8, 24]);
    const s = await createSession(encodeModel(pruned));
    const out = await s.run({ input: { data: new Float32Array(3 * 96 * 96).fill(0.3), dims: [1, 3, 96, 96] } });
    await s.release();
    expect(out.out.dims).toEqual([1, 8, 48, 48]);
  });

  it('prunes the exported MobileNet block through BN-folded bias, depthwise conv and the residual Add group', async () => {
    const { model } = readModelFile(path.join(dir, 'torch-tiny-mobilenet-opset11.onnx'));
    const convs = model.graph!.node!.filter((n) => n.opType === 'Conv').map((n) => n.input![1]);
    // convs: stem (8), expand (24), depthwise (24), project (8). Pruning the expand conv carries through the
    // depthwise conv; pruning the stem prunes the project conv with it (they meet in the Add).
    const { model: pruned, pruned: report } = pruneChannels(model, { params: [convs[1], convs[0]], ratios: [0.5, 0.25] });
    expect(report.map((p) => [p.channelsBefore, p.channelsAfter])).toEqual([[24, 12], [8, 6]]);
    const shapes = inferShapes(pruned, { inputSize: 32 });
    const dw = pruned.graph!.node!.filter((n) => n.opType === 'Conv')[2];
    expect(shapes.tensors.get(dw.output![0])!.shape).toEqual([1, 12, 16, 16]);
    const s = await createSession(encodeModel(pruned));
    const out = await s.run({ input: { data: new Float32Array(3 * 32 * 32).fill(0.3), dims: [1, 3, 32, 32] } });
    await s.release();
    expect(out.logits.dims).toEqual([1, 10]);
  });
});
