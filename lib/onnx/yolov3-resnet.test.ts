/**
 * YOLOv3 with the ResNet backbones. ResNet50-vd-dcn is in the published table (44.71 GFLOPs at 608,
 * sensity 37.53 (-16.06%), r578 29.98 (-32.94%)); its stage-5 3x3 convs are deformable (ONNX
 * DeformConv, opset 19) and, as in PaddleSlim, count 0 under `paddleslim` while their offset convs count.
 * ResNet34 has no published GFLOPs; it is checked for structure and that it runs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../inference/runtime/ort';
import { pruneChannels } from './channel-prune';
import { countCompute } from './compute-count';
import { encodeModel } from './model-file';
import type { ModelProto } from './proto';
import { inferShapes } from './shape-inference';
import { buildYoloV3, RATIOS_R578, RATIOS_SENSITY, YOLO_HEAD_PRUNED_PARAMS } from './yolov3';

const r2 = (x: number) => Number(x.toFixed(2));
let r34: ModelProto;
let r50: ModelProto;

beforeAll(() => {
  r34 = buildYoloV3({ backbone: 'resnet34', numClasses: 80 });
  r50 = buildYoloV3({ backbone: 'resnet50_vd_dcn', numClasses: 80 });
}, 120_000);

describe('YOLOv3 ResNet reference graphs', () => {
  it('use PaddleDetection ResNet names (NameAdapter quirks included)', () => {
    const n34 = new Set(r34.graph!.initializer!.map((t) => t.name));
    for (const n of ['conv1_weights', 'bn_conv1_scale', 'res2a_branch1_weights', 'bn2a_branch1_mean', 'res5c_branch2b_weights', 'bn5c_branch2b_variance']) expect(n34.has(n), n).toBe(true);
    const n50 = new Set(r50.graph!.initializer!.map((t) => t.name));
    for (const n of ['conv1_1_weights', 'bnv1_1_scale', 'res5a_branch2b_conv_offset.w_0', 'res5a_branch2b_conv_offset.b_0', 'res4f_branch2c_weights', 'bn3a_branch1_offset']) expect(n50.has(n), n).toBe(true);
    expect(r50.graph!.node!.filter((n) => n.opType === 'DeformConv')).toHaveLength(3);
    expect(r50.graph!.node!.filter((n) => n.opType === 'AveragePool')).toHaveLength(3); // vd shortcuts of stages 3-5
  });

  it('ResNet50-vd-dcn: baseline, sensity and r578 GFLOPs match the published table at 608', () => {
    const g = (m: ModelProto) => countCompute(m, inferShapes(m, { inputSize: 608 }), 'paddleslim').gflops;
    const base = g(r50);
    const sens = g(pruneChannels(r50, { params: YOLO_HEAD_PRUNED_PARAMS, ratios: RATIOS_SENSITY }).model);
    const r578 = g(pruneChannels(r50, { params: YOLO_HEAD_PRUNED_PARAMS, ratios: RATIOS_R578 }).model);
    expect(r2(base)).toBe(44.71);
    expect(r2(sens)).toBe(37.53);
    expect(r2(r578)).toBe(29.98);
    expect(r2(((sens - base) / base) * 100)).toBe(-16.06);
    expect(r2(((r578 - base) / base) * 100)).toBe(-32.94);
    // DeformConv MACs are real work: the macs convention counts them
    const macs = countCompute(r50, inferShapes(r50, { inputSize: 608 }), 'macs');
    const deform = macs.layers.filter((l) => l.op === 'DeformConv').reduce((s, l) => s + l.macs, 0);
    // 3 deformable 3x3 convs 512 -> 512 at 19x19: 19*19*512*512*9 each
    expect(deform).toBe(3 * 19 * 19 * 512 * 512 * 9);
  }, 120_000);

  it('both run in onnxruntime-node at 320', async () => {
    const size = 320;
    const x = new Float32Array(3 * size * size).fill(0.25);
    for (const m of [r34, r50]) {
      const s = await createSession(encodeModel(m));
      const out = await s.run({ image: { data: x, dims: [1, 3, size, size] } });
      await s.release();
      expect(Object.entries(out).map(([k, v]) => [k, v.dims])).toEqual([
        ['yolo_output.0', [1, 255, 10, 10]],
        ['yolo_output.1', [1, 255, 20, 20]],
        ['yolo_output.2', [1, 255, 40, 40]],
      ]);
    }
  }, 120_000);
});
