/**
 * The published GFLOPs column of PaddleDetection's slim benchmark (YOLOv3-MobileNetV1, COCO and VOC),
 * recomputed from the built graphs and from the graphs this module prunes. Expected values are the
 * published ones, compared after rounding the computed value to 2 decimals as the table does.
 * Why they come out: only conv2d MACs count, / 2^30 (see compute-count.ts); COCO and VOC differ only
 * in the three yolo_output convs (3 * (80 + 5) = 255 vs 3 * (20 + 5) = 75 filters).
 */
import crypto from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../inference/runtime/ort';
import { pruneChannels } from './channel-prune';
import { countCompute, weightInitializers } from './compute-count';
import { encodeModel } from './model-file';
import type { ModelProto } from './proto';
import { inferShapes } from './shape-inference';
import { tensorDims } from './tensor';
import { buildYoloV3, RATIOS_R578, RATIOS_SENSITY, YOLO_HEAD_PRUNED_PARAMS } from './yolov3';

const gflops = (m: ModelProto, size: number) => countCompute(m, inferShapes(m, { inputSize: size }), 'paddleslim').gflops;
const r2 = (x: number) => Number(x.toFixed(2));
const reduction = (pruned: number, base: number) => r2(((pruned - base) / base) * 100);

const PUBLISHED = {
  coco: { baseline: [20.64, 9.66, 5.72], r578: [6.27, 2.93, 1.74], sensity: [13.57, 6.35, 3.76], r578Reduction: -69.64, sensityReduction: -34.27 },
  voc: { baseline: [20.2, 9.46, 5.6], r578: [6.15, 2.88, 1.7], sensity: [13.22, 6.19, 3.66], r578Reduction: -69.57, sensityReduction: -34.55 },
};
const SIZES = [608, 416, 320];

const models: Record<'coco' | 'voc', { baseline: ModelProto; r578: ModelProto; sensity: ModelProto }> = {} as never;

beforeAll(() => {
  for (const [ds, numClasses] of [['coco', 80], ['voc', 20]] as const) {
    const baseline = buildYoloV3({ backbone: 'mobilenet_v1', numClasses });
    const r578 = pruneChannels(baseline, { params: YOLO_HEAD_PRUNED_PARAMS, ratios: RATIOS_R578 }).model;
    const sensity = pruneChannels(baseline, { params: YOLO_HEAD_PRUNED_PARAMS, ratios: RATIOS_SENSITY }).model;
    models[ds] = { baseline, r578, sensity };
  }
}, 240_000);

describe('YOLOv3-MobileNetV1 reference graphs', () => {
  it('have PaddleDetection parameter names and structure', () => {
    const names = new Set(models.coco.baseline.graph!.initializer!.map((t) => t.name));
    for (const n of [
      'conv1_weights', 'conv1_bn_scale', 'conv2_1_dw_weights', 'conv2_1_sep_bn_variance', 'conv6_sep_weights',
      'yolo_block.0.0.0.conv.weights', 'yolo_block.0.0.0.bn.var', 'yolo_block.2.tip.conv.weights', 'yolo_transition.1.conv.weights',
      'yolo_output.0.conv.weights', 'yolo_output.0.conv.bias', ...YOLO_HEAD_PRUNED_PARAMS,
    ]) expect(names.has(n), n).toBe(true);
    const byName = (n: string) => tensorDims(models.coco.baseline.graph!.initializer!.find((t) => t.name === n)!);
    expect(byName('conv2_1_dw_weights')).toEqual([32, 1, 3, 3]);
    expect(byName('yolo_block.1.0.0.conv.weights')).toEqual([256, 256 + 512, 1, 1]); // concat [transition 256, conv4_2 512]
    expect(byName('yolo_block.2.0.0.conv.weights')).toEqual([128, 128 + 256, 1, 1]);
    expect(byName('yolo_output.2.conv.weights')).toEqual([255, 256, 1, 1]);
    expect(models.coco.baseline.graph!.output!.map((o) => o.name)).toEqual(['yolo_output.0', 'yolo_output.1', 'yolo_output.2']);
    // backbone: conv1 + 13 depthwise-separable pairs = 27; head: 3 x (6 block convs + 1 output) + 2 transitions = 23
    expect(models.coco.baseline.graph!.node!.filter((n) => n.opType === 'Conv')).toHaveLength(50);
  });

  it('are deterministic for a seed', () => {
    const a = crypto.createHash('sha256').update(encodeModel(models.voc.baseline)).digest('hex');
    const b = crypto.createHash('sha256').update(encodeModel(buildYoloV3({ backbone: 'mobilenet_v1', numClasses: 20 }))).digest('hex');
    expect(b).toBe(a);
    expect(weightInitializers(models.voc.baseline).size).toBeGreaterThan(200);
  }, 60_000);

  for (const ds of ['coco', 'voc'] as const) {
    it(`${ds}: baseline, r578 and sensity GFLOPs (paddleslim) match the published table at 608/416/320`, () => {
      const p = PUBLISHED[ds];
      const base = SIZES.map((s) => gflops(models[ds].baseline, s));
      const r578 = SIZES.map((s) => gflops(models[ds].r578, s));
      const sens = SIZES.map((s) => gflops(models[ds].sensity, s));
      expect(base.map(r2)).toEqual(p.baseline);
      expect(r578.map(r2)).toEqual(p.r578);
      expect(sens.map(r2)).toEqual(p.sensity);
      // the reduction is the same at every size (only channel counts change)
      for (let i = 0; i < 3; i++) {
        expect(reduction(r578[i], base[i])).toBe(p.r578Reduction);
        expect(reduction(sens[i], base[i])).toBe(p.sensityReduction);
      }
    });
  }

  it('pruned channel counts follow round(C x ratio)', () => {
    const r = pruneChannels(models.voc.baseline, { params: YOLO_HEAD_PRUNED_PARAMS.slice(6, 8), ratios: [0.7, 0.7] });
    // yolo_block.1.0.0: 256 * 0.7 = 179.2 -> 179; yolo_block.1.0.1: 512 * 0.7 = 358.4 -> 358
    expect(r.pruned.map((p) => [p.prunedChannels, p.channelsAfter])).toEqual([[179, 77], [358, 154]]);
  }, 60_000);

  it('baseline and pruned graphs run in onnxruntime-node with the same output names and shapes', async () => {
    const size = 320;
    const x = new Float32Array(3 * size * size).fill(0.5);
    const shapes: string[] = [];
    for (const m of [models.coco.baseline, models.coco.r578, models.coco.sensity]) {
      const s = await createSession(encodeModel(m));
      const out = await s.run({ image: { data: x, dims: [1, 3, size, size] } });
      await s.release();
      expect(Object.values(out).every((t) => t.data.every(Number.isFinite))).toBe(true);
      shapes.push(JSON.stringify(Object.entries(out).map(([k, v]) => [k, v.dims])));
    }
    expect(shapes[0]).toBe(JSON.stringify([['yolo_output.0', [1, 255, 10, 10]], ['yolo_output.1', [1, 255, 20, 20]], ['yolo_output.2', [1, 255, 40, 40]]]));
    expect(new Set(shapes).size).toBe(1);
  }, 120_000);

  it('EXPECTED FAILURE: an input size that does not fit the strides names the concat', () => {
    expect(() => gflops(models.voc.baseline, 610)).toThrow(/Concat node "yolo_block.1.concat": input shapes \[1,256,40,40\] and \[1,512,39,39\] differ/);
  });
});
