import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSession } from '../inference/runtime/ort';
import { foldBatchNorm } from './fold-batchnorm';
import { A, GraphBuilder } from './graph';
import { encodeModel } from './model-file';
import type { ModelProto } from './proto';
import { SeededRandom } from './seeded-random';
import { readFloat32, tensorDims } from './tensor';

const f32 = (v: number[]) => Float32Array.from(v);
const init = (model: ModelProto, name: string) => model.graph!.initializer!.find((t) => t.name === name);
const values = (model: ModelProto, name: string) => Array.from(readFloat32(init(model, name)!));
const ops = (model: ModelProto) => model.graph!.node!.map((n) => n.opType);

async function run(model: ModelProto, x: Float32Array, dims: number[]): Promise<Float32Array> {
  const s = await createSession(encodeModel(model));
  try {
    const out = await s.run({ x: { data: x, dims } });
    return out.y.data as Float32Array;
  } finally {
    await s.release();
  }
}

/**
 * x [1, 1, 1, 1] -> Conv 1x1 (2 filters: 2, -1) -> BatchNorm -> y. Hand-computed fold with epsilon 1:
 * s = scale / sqrt(var + 1) = [3 / 2, 1 / 1] = [1.5, 1]; W' = [2 x 1.5, -1 x 1] = [3, -1];
 * b' = (0 - mean) x s + B = [-1 x 1.5 + 0.5, 2 x 1 + 0] = [-1, 2].
 * At x = 4: the pair gives [(8 - 1) / 2 x 3 + 0.5, (-4 + 2) / 1 x 1] = [11, -2]; the fold 3 x 4 - 1 = 11, -4 + 2 = -2.
 */
/** x [1, 1, 1, 1] -> Conv "conv" (weight w = [2, -1], with `bias` b = [1, 1]) -> `convOut`; graph output y [1, 2, 1, 1]. */
function oneConv(graphName: string, convOut: string, bias = false): GraphBuilder {
  const g = new GraphBuilder(graphName);
  g.input('x', [1, 1, 1, 1]);
  g.output('y', [1, 2, 1, 1]);
  g.weight('w', [2, 1, 1, 1], f32([2, -1]));
  const convInputs = ['x', 'w'];
  if (bias) convInputs.push(g.weight('b', [2], f32([1, 1])));
  g.node('Conv', convInputs, [convOut], {}, 'conv');
  return g;
}

function handModel(opts: { bias?: boolean; extraReader?: boolean; sharedWeight?: boolean } = {}): ModelProto {
  const g = oneConv('bn', 'c', opts.bias);
  g.weight('scale', [2], f32([3, 1]));
  g.weight('shift', [2], f32([0.5, 0]));
  g.weight('mean', [2], f32([1, -2]));
  g.weight('var', [2], f32([3, 0]));
  g.node('BatchNormalization', ['c', 'scale', 'shift', 'mean', 'var'], ['y'], { epsilon: A.float(1) }, 'bn');
  if (opts.extraReader) {
    g.output('c2', [1, 2, 1, 1]);
    g.node('Relu', ['c'], ['c2'], {}, 'relu');
  }
  if (opts.sharedWeight) {
    g.output('z', [1, 2, 1, 1]);
    g.node('Conv', ['x', 'w'], ['z'], {}, 'conv2');
  }
  return g.build();
}

describe('foldBatchNorm: hand-computed', () => {
  it("folds the pair into W' = [3, -1], b' = [-1, 2] and computes the same outputs in onnxruntime", async () => {
    const model = handModel();
    const before = await run(model, f32([4]), [1, 1, 1, 1]);
    const r = foldBatchNorm(model, 'hand');
    expect(r).toEqual({ folded: ['Conv node "conv"'], skipped: [] });
    expect(ops(model)).toEqual(['Conv']);
    expect(model.graph!.node![0].output).toEqual(['y']);
    expect(values(model, 'w')).toEqual([3, -1]);
    expect(values(model, model.graph!.node![0].input![2])).toEqual([-1, 2]);
    // The BatchNorm's parameters are gone.
    expect(model.graph!.initializer!.map((t) => t.name).sort()).toEqual(['w', 'w_bias_bn_folded']);
    expect(Array.from(before)).toEqual([11, -2]);
    expect(Array.from(await run(model, f32([4]), [1, 1, 1, 1]))).toEqual([11, -2]);
  });

  it("keeps an existing bias input: b' = (b - mean) x s + B = [0.5, 3]", () => {
    const model = handModel({ bias: true });
    foldBatchNorm(model, 'hand');
    expect(model.graph!.node![0].input).toEqual(['x', 'w', 'b']);
    expect(values(model, 'b')).toEqual([0.5, 3]);
  });
});

describe('foldBatchNorm: degenerate and refused cases', () => {
  it('a graph without BatchNorm is left exactly as it was', () => {
    const model = oneConv('plain', 'y').build();
    const bytes = encodeModel(model);
    expect(foldBatchNorm(model, 'plain')).toEqual({ folded: [], skipped: [] });
    expect(encodeModel(model)).toEqual(bytes);
  });

  it('a Conv output that another node also reads is not folded (the other reader needs the unnormalised value)', () => {
    const model = handModel({ extraReader: true });
    const r = foldBatchNorm(model, 'hand');
    expect(r.folded).toEqual([]);
    expect(r.skipped).toEqual([{ node: 'BatchNormalization node "bn"', reason: 'the Conv\'s output "c" is also read elsewhere' }]);
    expect(ops(model)).toEqual(['Conv', 'BatchNormalization', 'Relu']);
  });

  it('a weight another Conv shares is copied, not changed, and the other Conv computes what it did', async () => {
    const model = handModel({ sharedWeight: true });
    foldBatchNorm(model, 'hand');
    const [conv, conv2] = model.graph!.node!;
    expect(conv.input![1]).toBe('w_bn_folded');
    expect(conv2.input![1]).toBe('w');
    expect(values(model, 'w')).toEqual([2, -1]);
    expect(values(model, 'w_bn_folded')).toEqual([3, -1]);
    const s = await createSession(encodeModel(model));
    const out = await s.run({ x: { data: f32([4]), dims: [1, 1, 1, 1] } });
    await s.release();
    expect(Array.from(out.y.data as Float32Array)).toEqual([11, -2]);
    expect(Array.from(out.z.data as Float32Array)).toEqual([8, -4]);
  });

  it('skips a BatchNorm after a non-Conv, in training mode, or with a parameter that is not an initializer', () => {
    const g = new GraphBuilder('odd', 15);
    g.input('x', [1, 2, 1, 1]);
    g.input('runtimeScale', [2]);
    g.output('y1', [1, 2, 1, 1]);
    g.output('y2', [1, 2, 1, 1]);
    g.output('y3', [1, 2, 1, 1]);
    for (const n of ['s', 'b', 'm', 'v']) g.weight(n, [2], f32([1, 1]));
    g.weight('w', [2, 2, 1, 1], f32([1, 0, 0, 1]));
    g.weight('w3', [2, 2, 1, 1], f32([1, 0, 0, 1]));
    g.node('Relu', ['x'], ['r'], {}, 'relu');
    g.node('BatchNormalization', ['r', 's', 'b', 'm', 'v'], ['y1'], {}, 'afterRelu');
    g.node('Conv', ['x', 'w'], ['c'], {}, 'conv');
    g.node('BatchNormalization', ['c', 's', 'b', 'm', 'v'], ['y2', 'rm', 'rv'], { training_mode: A.int(1) }, 'training');
    g.node('Conv', ['x', 'w3'], ['c3'], {}, 'conv3');
    g.node('BatchNormalization', ['c3', 'runtimeScale', 'b', 'm', 'v'], ['y3'], {}, 'runtime');
    const model = g.build();
    const r = foldBatchNorm(model, 'odd');
    expect(r.folded).toEqual([]);
    expect(r.skipped.map((s) => s.reason)).toEqual([
      'its input is not the output of a Conv',
      'training mode (more than one output)',
      '"runtimeScale" is not an initializer',
    ]);
    expect(model.graph!.node!).toHaveLength(6);
    expect(values(model, 'w')).toEqual([1, 0, 0, 1]);
  });

  it('skips a BatchNorm whose parameters do not have one value per output channel', () => {
    const g = oneConv('short', 'c');
    for (const n of ['s', 'b', 'm']) g.weight(n, [2], f32([1, 1]));
    g.weight('v', [1], f32([1]));
    g.node('BatchNormalization', ['c', 's', 'b', 'm', 'v'], ['y'], {}, 'bn');
    expect(foldBatchNorm(g.build(), 'short').skipped[0].reason).toBe('"v" has 1 values for 2 channels');
  });
});

describe('foldBatchNorm: property', () => {
  it('random Conv (groups, kernel, bias or none) + BatchNorm chains: onnxruntime outputs agree before and after folding', async () => {
    const arb = fc.record({
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      groups: fc.constantFrom(1, 2),
      cPerGroupIn: fc.integer({ min: 1, max: 3 }),
      cPerGroupOut: fc.integer({ min: 1, max: 3 }),
      k: fc.constantFrom(1, 3),
      bias: fc.boolean(),
      epsilon: fc.constantFrom(1e-5, 1e-3, 0.1),
      layers: fc.integer({ min: 1, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(arb, async (p) => {
        const rng = new SeededRandom(p.seed);
        const g = new GraphBuilder('chain');
        let c = p.groups * p.cPerGroupIn;
        const size = 5;
        g.input('x', [1, c, size, size]);
        let x = 'x';
        for (let l = 0; l < p.layers; l++) {
          const cOut = p.groups * p.cPerGroupOut;
          const groups = p.groups; // every layer's input and output channels are multiples of it
          const w = g.weight(`w${l}`, [cOut, c / groups, p.k, p.k], rng.normals(cOut * (c / groups) * p.k * p.k, 0.7));
          const inputs = [x, w];
          if (p.bias) inputs.push(g.weight(`b${l}`, [cOut], rng.normals(cOut, 0.5)));
          g.node('Conv', inputs, [`c${l}`], { group: A.int(groups), pads: A.ints([p.k >> 1, p.k >> 1, p.k >> 1, p.k >> 1]) }, `conv${l}`);
          const variance = rng.uniforms(cOut, 0, 3);
          g.weight(`s${l}`, [cOut], rng.normals(cOut, 1));
          g.weight(`sh${l}`, [cOut], rng.normals(cOut, 1));
          g.weight(`m${l}`, [cOut], rng.normals(cOut, 1));
          g.weight(`v${l}`, [cOut], variance);
          const y = l === p.layers - 1 ? 'y' : `r${l}`;
          const bnOut = l === p.layers - 1 ? 'y' : `n${l}`;
          g.node('BatchNormalization', [`c${l}`, `s${l}`, `sh${l}`, `m${l}`, `v${l}`], [bnOut], { epsilon: A.float(p.epsilon) }, `bn${l}`);
          if (l < p.layers - 1) g.node('Relu', [bnOut], [y], {}, `relu${l}`);
          x = y;
          c = cOut;
        }
        g.output('y', [1, c, size, size]);
        const model = g.build();
        const input = new SeededRandom(p.seed + 1).uniforms(p.groups * p.cPerGroupIn * size * size, -1, 1);
        const dims = [1, p.groups * p.cPerGroupIn, size, size];
        const before = await run(model, input, dims);
        const r = foldBatchNorm(model, 'chain');
        expect(r.folded).toHaveLength(p.layers);
        expect(ops(model).filter((o) => o === 'BatchNormalization')).toEqual([]);
        for (const t of model.graph!.initializer!) expect(tensorDims(t).length).toBeGreaterThan(0);
        const after = await run(model, input, dims);
        const scale = Math.max(1, ...Array.from(before, Math.abs));
        for (let i = 0; i < before.length; i++) expect(Math.abs(after[i] - before[i])).toBeLessThanOrEqual(2e-5 * scale);
      }),
      { numRuns: 40 },
    );
  });
});
