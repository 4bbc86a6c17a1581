import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countCompute, weightInitializers, type Convention } from './compute-count';
import { A, GraphBuilder } from './graph';
import { DataType } from './proto';
import { inferShapes } from './shape-inference';

const zeros = (n: number) => new Float32Array(n);

function total(b: GraphBuilder, convention: Convention, inputSize?: number) {
  const model = b.build();
  return countCompute(model, inferShapes(model, { inputSize }), convention);
}

/** conv (no bias) + BN + relu, as PaddleSlim's test helper conv_bn_layer. */
function convBnRelu(b: GraphBuilder, x: string, cIn: number, cOut: number, name: string): string {
  const w = b.weight(`${name}_w`, [cOut, cIn, 3, 3], zeros(cOut * cIn * 9));
  const c = b.node('Conv', [x, w], [`${name}_c`], { kernel_shape: A.ints([3, 3]), pads: A.ints([1, 1, 1, 1]) }, name);
  const ps = ['s', 'b', 'm', 'v'].map((p) => b.weight(`${name}_bn_${p}`, [cOut], zeros(cOut)));
  const n = b.node('BatchNormalization', [c, ...ps], [`${name}_bn`], {}, `${name}_bn`);
  return b.node('Relu', [n], [`${name}_relu`], {}, `${name}_relu`);
}

/** PaddleSlim's own FLOPs test graph (tests/test_flops.py): six conv_bn_layers on a 16x16 image, two sums. */
function paddleSlimGraph(): GraphBuilder {
  const b = new GraphBuilder('paddleslim_test_flops');
  b.input('image', ['N', 3, 16, 16]);
  const c1 = convBnRelu(b, 'image', 3, 8, 'conv1');
  const c2 = convBnRelu(b, c1, 8, 8, 'conv2');
  const sum1 = b.node('Add', [c1, c2], ['sum1'], {}, 'sum1');
  const c3 = convBnRelu(b, sum1, 8, 8, 'conv3');
  const c4 = convBnRelu(b, c3, 8, 8, 'conv4');
  const sum2 = b.node('Add', [c4, sum1], ['sum2'], {}, 'sum2');
  const c5 = convBnRelu(b, sum2, 8, 8, 'conv5');
  const c6 = convBnRelu(b, c5, 8, 8, 'conv6');
  b.output(c6, ['N', 8, 16, 16]);
  return b;
}

describe('paddleslim convention', () => {
  it('reproduces PaddleSlim test_flops: six 3x3 convs on 16x16 give 792,576', () => {
    // conv1: 16*16 outputs * 8 channels * (3 in * 3*3) = 55,296; conv2..6: 16*16*8*(8*9) = 147,456 each.
    // 55,296 + 5 * 147,456 = 792,576 (BN, relu and the two adds count nothing).
    const r = total(paddleSlimGraph(), 'paddleslim');
    expect(r.count).toBe(792_576);
    expect(r.gflops).toBe(792_576 / 1024 ** 3);
    expect(r.convention).toBe('paddleslim');
  });

  it('counts depthwise and grouped convs with C_in/groups, and never the bias', () => {
    const b = new GraphBuilder('dw');
    b.input('x', [1, 8, 10, 10]);
    const dw = b.node('Conv', ['x', b.weight('dw_w', [8, 1, 3, 3], zeros(72)), b.weight('dw_b', [8], zeros(8))], ['dw'], { group: A.int(8), pads: A.ints([1, 1, 1, 1]) });
    // grouped 1x1: 8 -> 4 channels in 2 groups, each output sees 4 inputs, stride 2 -> 5x5
    const g = b.node('Conv', [dw, b.weight('g_w', [4, 4, 1, 1], zeros(16))], ['g'], { group: A.int(2), strides: A.ints([2, 2]) });
    b.output(g, [1, 4, 5, 5]);
    // depthwise: 10*10*8*(1*9) = 7,200; grouped: 5*5*4*(4*1) = 400
    const r = total(b, 'paddleslim');
    expect(r.count).toBe(7_200 + 400);
    expect(r.layers.map((l) => l.count)).toEqual([7_200, 400]);
    expect(r.layers[0]).toMatchObject({ kernel: [3, 3], stride: [1, 1], groups: 8, params: 72 + 8 });
  });

  it('counts 0 for ConvTranspose (Paddle\'s conv2d_transpose is not a conv2d op)', () => {
    const b = new GraphBuilder('others', 19);
    b.input('x', [1, 4, 5, 5]);
    const t = b.node('ConvTranspose', ['x', b.weight('t_w', [4, 2, 3, 3], zeros(72))], ['t'], { strides: A.ints([2, 2]) });
    b.output(t, [1, 2, 11, 11]);
    const r = total(b, 'paddleslim');
    expect(r.count).toBe(0);
  });
});

describe('macs and flops conventions', () => {
  it('macs: ConvTranspose, Gemm and MatMul by hand', () => {
    const b = new GraphBuilder('macs');
    b.input('x', [1, 4, 5, 5]);
    b.input('v', [1, 512]);
    b.input('m', [2, 3, 4]);
    // ConvTranspose: each of 4*5*5 inputs is multiplied into 2*3*3 outputs = 100 * 18 = 1,800 MACs; out (5-1)*2+3 = 11
    const t = b.node('ConvTranspose', ['x', b.weight('t_w', [4, 2, 3, 3], zeros(72))], ['t'], { strides: A.ints([2, 2]) });
    // Gemm [1,512] x [512,10]: 10 outputs * 512 = 5,120 MACs
    const g = b.node('Gemm', ['v', b.weight('fc_w', [512, 10], zeros(5120)), b.weight('fc_b', [10], zeros(10))], ['g']);
    // MatMul [2,3,4] x [4,5]: 2*3*5 outputs * 4 = 120 MACs
    const mm = b.node('MatMul', ['m', b.weight('mm_w', [4, 5], zeros(20))], ['mm']);
    [t, g, mm].forEach((o) => b.output(o, []));
    const model = b.build();
    const shapes = inferShapes(model);
    expect(shapes.tensors.get('t')!.shape).toEqual([1, 2, 11, 11]);
    const r = countCompute(model, shapes, 'macs');
    expect(r.layers.map((l) => l.macs)).toEqual([1_800, 5_120, 120]);
    expect(r.count).toBe(7_040);
    expect(r.gflops).toBeCloseTo(7_040 / 1e9, 18);
  });

  it('flops: 2 x MACs plus one per element of BN, relu and add', () => {
    // 2 * 792,576 = 1,585,152; BN and relu: 6 nodes each * 8*16*16 = 2,048 elements -> 24,576; adds: 2 * 2,048 = 4,096
    const r = total(paddleSlimGraph(), 'flops');
    expect(r.count).toBe(1_585_152 + 24_576 + 4_096);
    expect(r.unit).toMatch(/10\^9/);
  });

  it('DEGENERATE: a graph without compute counts 0 in every convention', () => {
    const b = new GraphBuilder('empty');
    b.input('x', [1, 3, 4, 4]);
    b.node('Identity', ['x'], ['y']);
    b.output('y', [1, 3, 4, 4]);
    for (const c of ['paddleslim', 'macs', 'flops'] as const) expect(total(b, c).count).toBe(0);
  });

  it('DEGENERATE: a 1x1 image through a padded 3x3 conv is one output pixel', () => {
    const b = new GraphBuilder('one');
    b.input('x', [1, 2, 'H', 'W']);
    b.node('Conv', ['x', b.weight('w', [3, 2, 3, 3], zeros(54))], ['y'], { pads: A.ints([1, 1, 1, 1]) });
    b.output('y', [1, 3, 'H', 'W']);
    expect(total(b, 'paddleslim', 1).count).toBe(1 * 3 * 2 * 9);
  });
});

describe('weight count', () => {
  it('counts float and int8 weights, not int64 shapes or Q/DQ scales', () => {
    const b = new GraphBuilder('q');
    b.input('x', [1, 2, 4, 4]);
    b.initializers.push({ name: 'wq', dims: [3, 2, 1, 1], dataType: DataType.INT8, rawData: new Uint8Array(6) });
    const s = b.weight('ws', [], Float32Array.of(0.1));
    const w = b.node('DequantizeLinear', ['wq', s], ['w']);
    const y = b.node('Conv', ['x', w, b.weight('bias', [3], zeros(3))], ['y']);
    const shape = b.int64('shape', [2], [1, 48]);
    b.node('Reshape', [y, shape], ['r']);
    b.output('r', [1, 48]);
    const weights = weightInitializers(b.build());
    expect([...weights.entries()].sort()).toEqual([['bias', 3], ['wq', 6]]);
  });
});

describe('properties', () => {
  const convCase = fc.record({
    cInPerGroup: fc.integer({ min: 1, max: 6 }),
    groups: fc.integer({ min: 1, max: 3 }),
    outPerGroup: fc.integer({ min: 1, max: 4 }),
    k: fc.integer({ min: 1, max: 5 }),
    stride: fc.integer({ min: 1, max: 3 }),
    pad: fc.integer({ min: 0, max: 2 }),
    size: fc.integer({ min: 5, max: 40 }),
  });

  it('a conv counts output elements x (C_in/groups) x kH x kW, equal under paddleslim and macs', () => {
    fc.assert(
      fc.property(convCase, ({ cInPerGroup, groups, outPerGroup, k, stride, pad, size }) => {
        const cIn = cInPerGroup * groups;
        const cOut = outPerGroup * groups;
        const b = new GraphBuilder('p');
        b.input('x', [1, cIn, 'H', 'W']);
        b.node('Conv', ['x', b.weight('w', [cOut, cInPerGroup, k, k], zeros(cOut * cInPerGroup * k * k))], ['y'], {
          group: A.int(groups), strides: A.ints([stride, stride]), pads: A.ints([pad, pad, pad, pad]),
        });
        b.output('y', []);
        const model = b.build();
        if (size + 2 * pad < k) return; // the model cannot take this size (covered by shape tests)
        const shapes = inferShapes(model, { inputSize: size });
        // brute force: count window positions
        let positions = 0;
        for (let p = -pad; p + k <= size + pad; p += stride) positions++;
        const expected = positions * positions * cOut * cInPerGroup * k * k;
        expect(countCompute(model, shapes, 'paddleslim').count).toBe(expected);
        expect(countCompute(model, shapes, 'macs').count).toBe(expected);
        expect(countCompute(model, shapes, 'flops').count).toBe(2 * expected);
      }),
      { numRuns: 150 },
    );
  });

  it('splitting a conv into two convs over halves of its filters and concatenating keeps the count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 3, max: 20 }), (a, c, cIn, size) => {
        const whole = new GraphBuilder('whole');
        whole.input('x', [1, cIn, size, size]);
        whole.node('Conv', ['x', whole.weight('w', [a + c, cIn, 3, 3], zeros((a + c) * cIn * 9))], ['y'], { pads: A.ints([1, 1, 1, 1]) });
        whole.output('y', []);
        const split = new GraphBuilder('split');
        split.input('x', [1, cIn, size, size]);
        split.node('Conv', ['x', split.weight('w1', [a, cIn, 3, 3], zeros(a * cIn * 9))], ['y1'], { pads: A.ints([1, 1, 1, 1]) });
        split.node('Conv', ['x', split.weight('w2', [c, cIn, 3, 3], zeros(c * cIn * 9))], ['y2'], { pads: A.ints([1, 1, 1, 1]) });
        split.node('Concat', ['y1', 'y2'], ['y'], { axis: A.int(1) });
        split.output('y', []);
        expect(total(split, 'paddleslim').count).toBe(total(whole, 'paddleslim').count);
        expect(total(split, 'flops').count).toBe(total(whole, 'flops').count);
      }),
      { numRuns: 60 },
    );
  });
});
