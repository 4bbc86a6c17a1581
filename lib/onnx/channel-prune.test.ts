import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSession } from '../inference/runtime/ort';
import { prunedChannelCount, pruneChannels, roundHalfEven, smallestIndices } from './channel-prune';
import { A, attrInt, GraphBuilder } from './graph';
import { encodeModel } from './model-file';
import type { ModelProto } from './proto';
import { SeededRandom } from './seeded-random';
import { inferShapes } from './shape-inference';
import { countCompute } from './compute-count';
import { readFloat32, tensorDims } from './tensor';

const rng = new SeededRandom(7);
const init = (model: ModelProto, name: string) => model.graph!.initializer!.find((t) => t.name === name)!;
const values = (model: ModelProto, name: string) => Array.from(readFloat32(init(model, name)));
const dims = (model: ModelProto, name: string) => tensorDims(init(model, name));

/** Random conv weight [cOut, cIn, k, k] whose filters listed in `zero` are all 0. */
function weight(cOut: number, cIn: number, k: number, zero: number[] = []): Float32Array {
  const w = rng.normals(cOut * cIn * k * k, 0.5);
  for (const c of zero) w.fill(0, c * cIn * k * k, (c + 1) * cIn * k * k);
  return w;
}

async function run(model: ModelProto, size: number) {
  const s = await createSession(encodeModel(model));
  const x = new SeededRandom(1).uniforms(3 * size * size, -1, 1);
  const out = await s.run({ x: { data: x, dims: [1, 3, size, size] } });
  await s.release();
  return out;
}

describe('PaddleSlim rounding and selection', () => {
  it('round(C x ratio) with Python half-to-even rounding', () => {
    expect(prunedChannelCount(1024, 0.7)).toBe(717); // 716.8
    expect(prunedChannelCount(128, 0.1)).toBe(13); // 12.8
    expect(prunedChannelCount(5, 0.5)).toBe(2); // 2.5 -> even 2
    expect(prunedChannelCount(7, 0.5)).toBe(4); // 3.5 -> even 4
    expect(prunedChannelCount(10, 0)).toBe(0);
    expect([0.5, 1.5, 2.5, 3.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3]);
  });

  it('property: smallestIndices picks `count` channels none of which beats a kept one', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 40 }), fc.nat(), (scores, n) => {
        const count = n % (scores.length + 1);
        const idx = smallestIndices(scores, count);
        expect(idx).toHaveLength(count);
        expect([...idx].sort((a, b) => a - b)).toEqual(idx);
        const kept = scores.map((_, i) => i).filter((i) => !idx.includes(i));
        for (const r of idx) for (const k of kept) expect(scores[r] < scores[k] || (scores[r] === scores[k] && r < k)).toBe(true);
      }),
    );
  });
});

describe('pruneChannels properties', () => {
  it('conv chain: the pruned MACs follow C1\' = C1 - round(C1 x r) exactly, and channels left = C1\'', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 24 }), fc.integer({ min: 1, max: 5 }), fc.double({ min: 0, max: 0.95, noNaN: true }), fc.integer({ min: 4, max: 12 }),
        (cIn, c1, c2, ratio, size) => {
          const removed = prunedChannelCount(c1, ratio);
          if (removed >= c1) return; // would remove every channel: an error, tested elsewhere
          const b = new GraphBuilder('chain');
          b.input('x', [1, cIn, size, size]);
          b.node('Conv', ['x', b.weight('w1', [c1, cIn, 3, 3], weight(c1, cIn, 3))], ['a'], { pads: A.ints([1, 1, 1, 1]) });
          b.node('LeakyRelu', ['a'], ['r']);
          b.node('Conv', ['r', b.weight('w2', [c2, c1, 1, 1], weight(c2, c1, 1))], ['y']);
          b.output('y', [1, c2, size, size]);
          const { model, pruned } = pruneChannels(b.build(), { params: ['w1'], ratios: [ratio] });
          const kept = c1 - removed;
          expect(pruned[0].channelsAfter).toBe(kept);
          expect(dims(model, 'w1')).toEqual([kept, cIn, 3, 3]);
          expect(dims(model, 'w2')).toEqual([c2, kept, 1, 1]);
          const macs = countCompute(model, inferShapes(model), 'paddleslim').count;
          expect(macs).toBe(size * size * (kept * cIn * 9 + c2 * kept));
          // the kept filters are the original ones with the largest L1 norms, in original order
          const w1 = readFloat32(init(b.build(), 'w1'));
          const norms = Array.from({ length: c1 }, (_, c) => w1.slice(c * cIn * 9, (c + 1) * cIn * 9).reduce((s, v) => s + Math.abs(v), 0));
          const keptIdx = Array.from({ length: c1 }, (_, i) => i).filter((i) => !smallestIndices(norms, removed).includes(i));
          expect(values(model, 'w1')).toEqual(keptIdx.flatMap((c) => Array.from(w1.slice(c * cIn * 9, (c + 1) * cIn * 9))));
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('pruneChannels on hand-built graphs', () => {
  it('removes the smallest-L1 filters and the same channels from BN and the next conv', () => {
    const b = new GraphBuilder('bn');
    b.input('x', [1, 1, 'H', 'W']);
    // filters (1x1, one input channel): L1 = |3|, |-1|, |0.5|, |2| -> the two smallest are channels 1 and 2
    b.node('Conv', ['x', b.weight('c1_w', [4, 1, 1, 1], Float32Array.of(3, -1, 0.5, 2))], ['c1']);
    const bn = ['s', 'b', 'm', 'v'].map((p, j) => b.weight(`bn_${p}`, [4], Float32Array.of(10 * j + 0, 10 * j + 1, 10 * j + 2, 10 * j + 3)));
    b.node('BatchNormalization', ['c1', ...bn], ['n1']);
    b.node('Relu', ['n1'], ['r1']);
    // next conv [2, 4, 1, 1]: rows [0..3] and [4..7]
    b.node('Conv', ['r1', b.weight('c2_w', [2, 4, 1, 1], Float32Array.of(0, 1, 2, 3, 4, 5, 6, 7))], ['y']);
    b.output('y', ['N', 2, 'H', 'W']);
    const { model, pruned } = pruneChannels(b.build(), { params: ['c1_w'], ratios: [0.5] });
    // affected besides c1_w: c1, bn_s, bn_b, bn_m, bn_v, n1, r1 (channel axis 1) and c2_w (axis 1) = 8
    expect(pruned).toEqual([{ param: 'c1_w', ratio: 0.5, channelsBefore: 4, channelsAfter: 2, prunedChannels: 2, affectedTensors: 8 }]);
    expect(values(model, 'c1_w')).toEqual([3, 2]);
    expect(values(model, 'bn_s')).toEqual([0, 3]);
    expect(values(model, 'bn_v')).toEqual([30, 33]);
    expect(values(model, 'c2_w')).toEqual([0, 3, 4, 7]);
    expect(dims(model, 'c2_w')).toEqual([2, 2, 1, 1]);
  });

  it('a pruned graph computes the same outputs when the removed filters were zero (through Resize and Concat)', async () => {
    const b = new GraphBuilder('concat');
    b.input('x', [1, 3, 'H', 'W']);
    const pads = { pads: A.ints([1, 1, 1, 1]) };
    // branch A: 6 filters, channels 1 and 4 all-zero (bias 0 too) -> relu gives exactly 0 there
    b.node('Conv', ['x', b.weight('a_w', [6, 3, 3, 3], weight(6, 3, 3, [1, 4])), b.weight('a_b', [6], Float32Array.of(0.1, 0, 0.2, 0.3, 0, 0.4))], ['a'], pads);
    b.node('Relu', ['a'], ['ar']);
    const scales = b.weight('scales', [4], Float32Array.of(1, 1, 2, 2));
    b.node('Resize', ['ar', '', scales], ['au'], { mode: A.str('nearest') });
    // branch B: 5 filters, channel 2 all-zero
    b.node('Conv', ['x', b.weight('b_w', [5, 3, 3, 3], weight(5, 3, 3, [2]))], ['bc'], pads);
    b.node('LeakyRelu', ['bc'], ['br'], { alpha: A.float(0.1) });
    b.node('Resize', ['br', '', scales], ['bu'], { mode: A.str('nearest') });
    b.node('Concat', ['au', 'bu'], ['cat'], { axis: A.int(1) });
    b.node('Conv', ['cat', b.weight('c_w', [4, 11, 3, 3], weight(4, 11, 3))], ['y'], pads);
    b.output('y', ['N', 4, 'H2', 'W2']);
    const original = b.build();
    // a: round(6 * 0.34) = round(2.04) = 2 -> channels 1, 4 (L1 0); b: round(5 * 0.2) = 1 -> channel 2
    const { model, pruned } = pruneChannels(original, { params: ['a_w', 'b_w'], ratios: [0.34, 0.2] });
    expect(pruned.map((p) => p.prunedChannels)).toEqual([2, 1]);
    expect(dims(model, 'a_b')).toEqual([4]);
    expect(values(model, 'a_b')).toEqual([0.1, 0.2, 0.3, 0.4].map(Math.fround));
    // concat input channels 1, 4 (branch A) and 6 + 2 = 8 (branch B) are gone from c_w's axis 1
    expect(dims(model, 'c_w')).toEqual([4, 8, 3, 3]);
    const cw = readFloat32(init(original, 'c_w'));
    const keptCols = [0, 2, 3, 5, 6, 7, 9, 10];
    expect(values(model, 'c_w').slice(0, 9 * 8)).toEqual(keptCols.flatMap((c) => Array.from(cw.slice(c * 9, c * 9 + 9))));
    const before = await run(original, 12);
    const after = await run(model, 12);
    expect(after.y.dims).toEqual([1, 4, 24, 24]);
    expect(after.y.dims).toEqual(before.y.dims);
    for (let i = 0; i < before.y.data.length; i++) expect(after.y.data[i]).toBeCloseTo(before.y.data[i], 4);
  });

  it('prunes both operands of an Add as one group (the second listed conv is then skipped)', async () => {
    const b = new GraphBuilder('add');
    b.input('x', [1, 3, 'H', 'W']);
    b.node('Conv', ['x', b.weight('p_w', [4, 3, 1, 1], Float32Array.from({ length: 12 }, (_, i) => (Math.floor(i / 3) === 2 ? 0.01 : i + 1)))], ['p']);
    b.node('Conv', ['x', b.weight('q_w', [4, 3, 1, 1], weight(4, 3, 1))], ['q']);
    b.node('Add', ['p', 'q'], ['s']);
    b.node('Relu', ['s'], ['r']);
    b.node('Conv', ['r', b.weight('o_w', [2, 4, 1, 1], weight(2, 4, 1))], ['y']);
    b.output('y', ['N', 2, 'H', 'W']);
    const { model, pruned } = pruneChannels(b.build(), { params: ['p_w', 'q_w'], ratios: [0.25, 0.5] });
    expect(pruned[0]).toMatchObject({ prunedChannels: 1, channelsAfter: 3 });
    expect(pruned[1]).toMatchObject({ prunedChannels: 0, channelsBefore: 3, skippedBecause: expect.stringMatching(/already pruned/) });
    expect(dims(model, 'q_w')).toEqual([3, 3, 1, 1]);
    expect(dims(model, 'o_w')).toEqual([2, 3, 1, 1]);
    expect((await run(model, 8)).y.dims).toEqual([1, 2, 8, 8]);
  });

  it('carries the channels through a depthwise conv and shrinks its group', async () => {
    const b = new GraphBuilder('dw');
    b.input('x', [1, 3, 'H', 'W']);
    b.node('Conv', ['x', b.weight('c1_w', [4, 3, 1, 1], weight(4, 3, 1))], ['c1']);
    b.node('Conv', ['c1', b.weight('dw_w', [4, 1, 3, 3], weight(4, 1, 3))], ['dw'], { group: A.int(4), pads: A.ints([1, 1, 1, 1]) }, 'dw');
    const bn = ['s', 'b', 'm'].map((p) => b.weight(`bn_${p}`, [4], Float32Array.of(0.5, 0.5, 0.5, 0.5)));
    b.node('BatchNormalization', ['dw', ...bn, b.weight('bn_v', [4], Float32Array.of(1, 1, 1, 1))], ['n']);
    b.node('Conv', ['n', b.weight('c2_w', [2, 4, 1, 1], weight(2, 4, 1))], ['y']);
    b.output('y', ['N', 2, 'H', 'W']);
    const { model } = pruneChannels(b.build(), { params: ['c1_w'], ratios: [0.5] });
    expect(dims(model, 'dw_w')).toEqual([2, 1, 3, 3]);
    expect(attrInt(model.graph!.node!.find((n) => n.name === 'dw')!, 'group', 0)).toBe(2);
    expect(dims(model, 'c2_w')).toEqual([2, 2, 1, 1]);
    expect(inferShapes(model, { inputSize: 8 }).tensors.get('n')!.shape).toEqual([1, 2, 8, 8]);
    expect((await run(model, 8)).y.dims).toEqual([1, 2, 8, 8]);
  });

  it('a bias shared by two convs (directly or through Identity, as PyTorch exports) is copied, not pruned for both', async () => {
    const b = new GraphBuilder('shared');
    b.input('x', [1, 3, 'H', 'W']);
    const bias = b.weight('zero_bias', [4], new Float32Array(4));
    b.node('Identity', [bias], ['bias_alias']);
    b.node('Conv', ['x', b.weight('p_w', [4, 3, 1, 1], weight(4, 3, 1)), 'bias_alias'], ['p']);
    b.node('Conv', ['x', b.weight('q_w', [4, 3, 1, 1], weight(4, 3, 1)), 'bias_alias'], ['q']);
    b.node('Conv', ['x', b.weight('r_w', [4, 3, 1, 1], weight(4, 3, 1)), bias], ['r']);
    b.node('Conv', ['p', b.weight('p2_w', [2, 4, 1, 1], weight(2, 4, 1))], ['py']);
    b.node('Concat', ['py', 'q', 'r'], ['y'], { axis: A.int(1) });
    b.output('y', ['N', 10, 'H', 'W']);
    const { model, pruned } = pruneChannels(b.build(), { params: ['p_w'], ratios: [0.5] });
    expect(pruned[0].affectedTensors).toBe(3); // p, bias_alias (its private copy), p2_w axis 1
    expect(dims(model, 'bias_alias')).toEqual([2]);
    const qBias = model.graph!.node!.find((n) => n.input![1] === 'q_w')!.input![2];
    expect(qBias).not.toBe('bias_alias');
    expect(dims(model, qBias)).toEqual([4]);
    expect(dims(model, 'zero_bias')).toEqual([4]);
    expect((await run(model, 6)).y.dims).toEqual([1, 10, 6, 6]);
  });

  it('prunes an int8 QDQ conv weight, ranking by dequantized L1 and slicing its per-channel scales', async () => {
    const b = new GraphBuilder('qdq');
    b.input('x', [1, 3, 'H', 'W']);
    // int8 weight [4, 3, 1, 1]; per-channel scales [1, 1, 0.01, 1]: channel 2 has the largest ints but the smallest real L1
    const q = Int8Array.of(1, 1, 1, 2, 2, 2, 100, 100, 100, 3, 3, 3);
    b.initializers.push({ name: 'w_q', dims: [4, 3, 1, 1], dataType: 3, rawData: new Uint8Array(q.buffer) });
    const scale = b.weight('w_scale', [4], Float32Array.of(1, 1, 0.01, 1));
    b.initializers.push({ name: 'w_zp', dims: [4], dataType: 3, rawData: new Uint8Array(4) });
    b.node('DequantizeLinear', ['w_q', scale, 'w_zp'], ['w'], { axis: A.int(0) });
    b.node('Conv', ['x', 'w'], ['c']);
    b.node('Conv', ['c', b.weight('c2_w', [2, 4, 1, 1], weight(2, 4, 1))], ['y']);
    b.output('y', ['N', 2, 'H', 'W']);
    // real L1: 3, 6, 3 (100 * 0.01 * 3), 9 -> ties broken by index: remove channels 0 and 2
    const { model } = pruneChannels(b.build(), { params: ['w_q'], ratios: [0.5] });
    expect(dims(model, 'w_q')).toEqual([2, 3, 1, 1]);
    expect(values(model, 'w_scale')).toEqual([1, 1]);
    expect(dims(model, 'w_zp')).toEqual([2]);
    expect(dims(model, 'c2_w')).toEqual([2, 2, 1, 1]);
    expect((await run(model, 5)).y.dims).toEqual([1, 2, 5, 5]);
  });

  it('ratio 0 changes nothing', () => {
    const b = new GraphBuilder('zero');
    b.input('x', [1, 3, 4, 4]);
    b.node('Conv', ['x', b.weight('w', [4, 3, 1, 1], weight(4, 3, 1))], ['c']);
    b.node('Conv', ['c', b.weight('w2', [2, 4, 1, 1], weight(2, 4, 1))], ['y']);
    b.output('y', [1, 2, 4, 4]);
    const m = b.build();
    const r = pruneChannels(m, { params: ['w'], ratios: [0] });
    expect(r.pruned[0].prunedChannels).toBe(0);
    expect(values(r.model, 'w2')).toEqual(values(m, 'w2'));
  });

  describe('EXPECTED FAILURE', () => {
    const base = () => {
      const b = new GraphBuilder('bad');
      b.input('x', [1, 3, 4, 4]);
      b.node('Conv', ['x', b.weight('w', [4, 3, 1, 1], weight(4, 3, 1))], ['c'], {}, 'c');
      b.node('BatchNormalization', ['c', ...['s', 'b', 'm', 'v'].map((p) => b.weight(`bn_${p}`, [4], Float32Array.of(1, 1, 1, 1)))], ['n']);
      return b;
    };
    it('bad requests name the problem', () => {
      const b = base();
      b.node('Conv', ['n', b.weight('w2', [1, 4, 1, 1], weight(1, 4, 1))], ['y']);
      b.output('y', [1, 1, 4, 4]);
      const m = b.build();
      expect(() => pruneChannels(m, { params: ['nope'], ratios: [0.5] }, 'm.onnx')).toThrow(/m\.onnx: parameter "nope" does not exist in the model \(2 conv weights, e\.g\. "w", "w2"\)/);
      expect(() => pruneChannels(m, { params: ['w'], ratios: [1] })).toThrow(/must be in \[0, 1\), got 1/);
      expect(() => pruneChannels(m, { params: ['w'], ratios: [-0.1] })).toThrow(/must be in \[0, 1\)/);
      expect(() => pruneChannels(m, { params: ['w', 'w2'], ratios: [0.5] })).toThrow(/2 parameters but 1 ratios/);
      expect(() => pruneChannels(m, { params: ['bn_s'], ratios: [0.5] })).toThrow(/"bn_s" is not a convolution weight/);
      expect(() => pruneChannels(m, { params: ['w2'], ratios: [0.6] })).toThrow(/would remove all 1 channels of "w2"/);
      const o = new GraphBuilder('out');
      o.input('x', [1, 3, 4, 4]);
      o.node('Conv', ['x', o.weight('w', [2, 3, 1, 1], weight(2, 3, 1))], ['y']);
      o.output('y', [1, 2, 4, 4]);
      expect(() => pruneChannels(o.build(), { params: ['w'], ratios: [0.5] })).toThrow(/would change the channels of graph output "y"/);
    });
    it('a Reshape of a pruned tensor cannot be carried', () => {
      const b = base();
      b.node('Reshape', ['n', b.int64('shape', [2], [1, -1])], ['y'], {}, 'flatten_it');
      b.output('y', [1, 64]);
      expect(() => pruneChannels(b.build(), { params: ['w'], ratios: [0.5] })).toThrow(/cannot prune through Reshape node "flatten_it": no pruning rule for op "Reshape"/);
    });
  });
});
