import fc from 'fast-check';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeModel } from './analyze-model';
import { A, GraphBuilder } from './graph';
import { readModelFile } from './model-file';
import { onnx, type ModelProto } from './proto';
import { auditPruning, classifyFilters, NEAR_ZERO_RELATIVE } from './pruning-audit';
import { SeededRandom } from './seeded-random';
import { makeFloatTensor, readFloat32, tensorDims } from './tensor';

const ZOO = path.join(__dirname, '../../lib/demo-zoo/models');
const BASELINE = path.join(ZOO, 'yolov3_mobilenet_v1_x025_shapes.onnx');
const rng = new SeededRandom(16);

/** A copy of `model` with filters `zero` of weight `name` set to 0 (filter = output channel, axis 0). */
function zeroFilters(model: ModelProto, name: string, zero: number[], value = 0): ModelProto {
  const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
  const t = copy.graph!.initializer!.find((i) => i.name === name)!;
  const dims = tensorDims(t);
  const w = Float32Array.from(readFloat32(t));
  const inner = w.length / dims[0];
  for (const c of zero) w.fill(value, c * inner, (c + 1) * inner);
  Object.assign(t, makeFloatTensor(name, dims, w));
  return copy;
}

describe('classifyFilters', () => {
  it('golden: norms [0, 1e-10, 1, 2, 3] -> mean 1.2, limit 1.2e-8: zero [0], near zero [1]', () => {
    expect(classifyFilters([0, 1e-10, 1, 2, 3])).toEqual({ zero: [0], nearZero: [1] });
    // 2e-8 is above 1e-8 x mean (mean 1.2 -> limit 1.2e-8)
    expect(classifyFilters([0, 2e-8, 1, 2, 3])).toEqual({ zero: [0], nearZero: [] });
  });

  it('degenerate: empty, all zero, NaN norms', () => {
    expect(classifyFilters([])).toEqual({ zero: [], nearZero: [] });
    expect(classifyFilters([0, 0, 0])).toEqual({ zero: [0, 1, 2], nearZero: [] });
    expect(classifyFilters([NaN, 0, 1, 1e-12])).toEqual({ zero: [1], nearZero: [3] });
  });

  it('property: classes are disjoint, bounded by the rule, and do not change when every norm is scaled', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.constant(0), fc.double({ min: 1e-14, max: 1e-9, noNaN: true }), fc.double({ min: 0.01, max: 100, noNaN: true })),
          { maxLength: 30 },
        ),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        (norms, k) => {
          const r = classifyFilters(norms);
          const mean = norms.length ? norms.reduce((a, b) => a + b, 0) / norms.length : 0;
          expect(r.zero.filter((c) => r.nearZero.includes(c))).toEqual([]);
          for (const c of r.zero) expect(norms[c]).toBe(0);
          for (const c of r.nearZero) expect(norms[c]).toBeLessThanOrEqual(NEAR_ZERO_RELATIVE * mean);
          for (let c = 0; c < norms.length; c++) {
            if (!r.zero.includes(c) && !r.nearZero.includes(c)) expect(norms[c]).toBeGreaterThan(NEAR_ZERO_RELATIVE * mean);
          }
          const scaled = classifyFilters(norms.map((v) => v * k));
          // scaling can move a norm across the limit only by float rounding; exclude exact-boundary cases
          const borderline = norms.some((v) => v > 0 && Math.abs(v / (NEAR_ZERO_RELATIVE * mean) - 1) < 1e-9);
          if (!borderline) expect(scaled).toEqual(r);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('auditPruning on hand-built graphs', () => {
  const weight = (cOut: number, cIn: number, k: number) => rng.normals(cOut * cIn * k * k, 0.5);

  it("a zero filter feeding a 3x3 conv: effective MACs lose its own and the consumer's share", () => {
    const b = new GraphBuilder('chain');
    b.input('x', [1, 2, 8, 8]);
    b.node('Conv', ['x', b.weight('w1', [4, 2, 1, 1], weight(4, 2, 1))], ['a']);
    b.node('Relu', ['a'], ['r']);
    b.node('Conv', ['r', b.weight('w2', [3, 4, 3, 3], weight(3, 4, 3))], ['y'], { pads: A.ints([1, 1, 1, 1]) });
    b.output('y', [1, 3, 8, 8]);
    const model = zeroFilters(b.build(), 'w1', [2]);
    const a = auditPruning(model, { convention: 'paddleslim' });
    // realised: 64 x (4 x 2) + 64 x (3 x 4 x 9) = 512 + 6912 = 7424; effective: 64 x (3 x 2) + 64 x (3 x 3 x 9) = 384 + 5184 = 5568
    expect(a.realised.operations).toBe(7424);
    expect(a.effective!.operations).toBe(5568);
    // params: w1 8 + w2 108 = 116 -> 6 + 81 = 87
    expect([a.realised.params, a.effective!.params]).toEqual([116, 87]);
    expect(a).toMatchObject({ filters: 7, zeroFilters: 1, nearZeroFilters: 0, removableFilters: 1, zeroedNotRemoved: true });
    expect(a.layers).toEqual([{ param: 'w1', filters: 4, zeroFilters: 1, nearZeroFilters: 0, removedFilters: 1 }]);
  });

  it('near-zero filters count separately and are removed too', () => {
    const b = new GraphBuilder('near');
    b.input('x', [1, 2, 4, 4]);
    b.node('Conv', ['x', b.weight('w1', [4, 2, 1, 1], weight(4, 2, 1))], ['a']);
    b.node('Conv', ['a', b.weight('w2', [2, 4, 1, 1], weight(2, 4, 1))], ['y']);
    b.output('y', [1, 2, 4, 4]);
    const model = zeroFilters(zeroFilters(b.build(), 'w1', [0]), 'w1', [3], 1e-12);
    const a = auditPruning(model, { convention: 'paddleslim' });
    expect(a.layers).toEqual([{ param: 'w1', filters: 4, zeroFilters: 1, nearZeroFilters: 1, removedFilters: 2 }]);
    // 16 x (4 x 2 + 2 x 4) = 256 -> 16 x (2 x 2 + 2 x 2) = 128
    expect([a.realised.operations, a.effective!.operations]).toEqual([256, 128]);
  });

  it('keeps filters whose channels are graph outputs, or whose Add partner is not zero there', () => {
    const b = new GraphBuilder('add');
    b.input('x', [1, 2, 4, 4]);
    b.node('Conv', ['x', b.weight('p', [3, 2, 1, 1], weight(3, 2, 1))], ['pa']);
    b.node('Conv', ['x', b.weight('q', [3, 2, 1, 1], weight(3, 2, 1))], ['qa']);
    b.node('Add', ['pa', 'qa'], ['s']);
    b.node('Conv', ['s', b.weight('h', [2, 3, 1, 1], weight(2, 3, 1))], ['y']);
    b.output('y', [1, 2, 4, 4]);
    // p: filters 0 and 1 zero; q: only filter 1 zero -> only channel 1 can go (from both); h: filter 0 zero but it is an output channel
    const model = zeroFilters(zeroFilters(zeroFilters(b.build(), 'p', [0, 1]), 'q', [1]), 'h', [0]);
    const a = auditPruning(model, { convention: 'paddleslim' });
    const byParam = Object.fromEntries(a.layers.map((l) => [l.param, l]));
    expect(byParam.p).toMatchObject({ zeroFilters: 2, removedFilters: 1 });
    expect(byParam.p.keptBecause).toMatch(/group/);
    expect(byParam.q).toMatchObject({ zeroFilters: 1, removedFilters: 1 });
    expect(byParam.h).toMatchObject({ zeroFilters: 1, removedFilters: 0 });
    expect(byParam.h.keptBecause).toMatch(/graph output "y"/);
    // 16 x (3x2 + 3x2 + 2x3) = 288 -> channel 1 removed: 16 x (2x2 + 2x2 + 2x2) = 192
    expect([a.realised.operations, a.effective!.operations]).toEqual([288, 192]);
  });

  it('a model without negligible filters: effective = realised, nothing flagged', () => {
    const b = new GraphBuilder('clean');
    b.input('x', [1, 2, 4, 4]);
    b.node('Conv', ['x', b.weight('w', [3, 2, 3, 3], weight(3, 2, 3))], ['y'], { pads: A.ints([1, 1, 1, 1]) });
    b.output('y', [1, 3, 4, 4]);
    const a = auditPruning(b.build(), { convention: 'macs' });
    expect(a).toMatchObject({ zeroFilters: 0, nearZeroFilters: 0, removableFilters: 0, zeroedNotRemoved: false, layers: [] });
    expect(a.effective).toEqual(a.realised);
  });
});

describe('pruning audit on the demo zoo', () => {
  it("baseline with 25 % of one conv's filters zeroed: 12 zero filters and the hand-computed effective GFLOPs at 416", () => {
    const loaded = readModelFile(BASELINE);
    // The Conv with weight yolo_block.1.0.0.conv.weights [48, 176, 1, 1] on 26x26 at 416, read by its BatchNormalization,
    // a Relu, then the conv of yolo_block.1.0.1 [96, 48, 3, 3] at 26x26. Zero 12 of 48 filters (25 %): every 4th.
    const zeroed = Array.from({ length: 12 }, (_, i) => 4 * i);
    const model = zeroFilters(loaded.model, 'yolo_block.1.0.0.conv.weights', zeroed);
    const before = analyzeModel(loaded, { inputSize: 416, convention: 'paddleslim' });
    const after = analyzeModel({ ...loaded, model }, { inputSize: 416, convention: 'paddleslim' });
    const a = after.pruningAudit;
    expect(before.pruningAudit.zeroFilters).toBe(0);
    expect(a).toMatchObject({ zeroFilters: 12, nearZeroFilters: 0, removableFilters: 12, zeroedNotRemoved: true });
    expect(a.layers).toEqual([
      { param: 'yolo_block.1.0.0.conv.weights', filters: 48, zeroFilters: 12, nearZeroFilters: 0, removedFilters: 12 },
    ]);
    // realised is what the graph computes: unchanged by zeroing
    expect(a.realised.operations).toBe(before.operations);
    expect(a.realised.params).toBe(before.params);
    // own: 12 filters x 26 x 26 x 176 = 1,427,712; consumer: 96 x 26 x 26 x 12 x 9 = 7,008,768; total 8,436,480 MACs
    expect(before.operations - a.effective!.operations).toBe(8_436_480);
    expect(a.effective!.gflops).toBeCloseTo((before.operations - 8_436_480) / 2 ** 30, 12);
    // params: 12 x 176 weights + 12 x 4 BatchNorm entries (scale, offset, mean, var; the conv has no bias)
    // + 96 x 12 x 9 consumer weights = 2,112 + 48 + 10,368 = 12,528
    expect(before.params - a.effective!.params).toBe(12_528);
  });

  it.each(['prune_sensity', 'prune_r578', 'prune_r578_distillby_teacher'])('real pruned demo model %s reports 0 zeroed filters', (id) => {
    const loaded = readModelFile(path.join(ZOO, `yolov3_mobilenet_v1_x025_shapes_${id}.onnx`));
    const r = analyzeModel(loaded, { inputSize: 416, convention: 'paddleslim' });
    expect(r.pruningAudit).toMatchObject({ zeroFilters: 0, nearZeroFilters: 0, zeroedNotRemoved: false });
    expect(r.pruningAudit.filters).toBeGreaterThan(0);
    expect(r.pruningAudit.effective).toEqual(r.pruningAudit.realised);
  });
});
