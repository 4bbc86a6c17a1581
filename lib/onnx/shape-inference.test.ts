import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlimboardError } from '../errors';
import { A, GraphBuilder } from './graph';
import { broadcastShapes, inferShapes, windowOutput } from './shape-inference';

const zeros = (n: number) => new Float32Array(n);
const never = (m: string): never => {
  throw new Error(m);
};

describe('windowOutput', () => {
  it('hand-computed sizes', () => {
    // 608 input, 3x3 stride 2 pad 1: floor((608 + 2 - 3) / 2) + 1 = 304
    expect(windowOutput(608, 3, 2, 1, 1, 1)).toBe(304);
    // 19 with 3x3 stride 2 pad 1: floor(18/2)+1 = 10
    expect(windowOutput(19, 3, 2, 1, 1, 1)).toBe(10);
    // ceil mode: 5 with 2x2 stride 2: ceil(3/2)+1 = 3, floor gives 2
    expect(windowOutput(5, 2, 2, 0, 0, 1, true)).toBe(3);
    expect(windowOutput(5, 2, 2, 0, 0, 1, false)).toBe(2);
    // dilation 2 turns a 3x3 into a 5x5 window: 7 -> 3
    expect(windowOutput(7, 3, 1, 0, 0, 2)).toBe(3);
  });
  it('DEGENERATE: window larger than the padded input gives 0', () => {
    expect(windowOutput(2, 3, 1, 0, 0, 1)).toBe(0);
  });
  it('property: equals the number of window positions counted one by one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 }), (n, k, s, p) => {
        let count = 0;
        for (let start = -p; start + k <= n + p; start += s) count++;
        expect(windowOutput(n, k, s, p, p, 1)).toBe(count);
      }),
    );
  });
});

describe('broadcastShapes', () => {
  it('numpy rules', () => {
    expect(broadcastShapes([[1, 8, 4, 4], [8, 1, 1]], never)).toEqual([1, 8, 4, 4]);
    expect(broadcastShapes([[3, 1], [1, 5]], never)).toEqual([3, 5]);
    expect(() => broadcastShapes([[2, 3], [4, 3]], never)).toThrow(/cannot be broadcast/);
  });
});

describe('inferShapes', () => {
  it('binds symbolic H/W and batch, through a Shape->Gather->Concat->Reshape chain and Resize with sizes', () => {
    const b = new GraphBuilder('chain');
    b.input('x', ['N', 4, 'H', 'W']);
    b.node('Conv', ['x', b.weight('w', [6, 4, 3, 3], zeros(216))], ['c'], { strides: A.ints([2, 2]), pads: A.ints([1, 1, 1, 1]) });
    b.node('Shape', ['c'], ['s']);
    b.node('Gather', ['s', b.int64('i0', [], [0])], ['n']);
    b.node('Unsqueeze', ['n', b.int64('ax0', [1], [0])], ['n1']);
    b.node('Concat', ['n1', b.int64('rest', [1], [-1])], ['target'], { axis: A.int(0) });
    b.node('Reshape', ['c', 'target'], ['flat']);
    b.node('Resize', ['c', '', '', b.int64('sizes', [4], [1, 6, 7, 9])], ['r'], { mode: A.str('nearest') });
    b.node('Slice', ['r', b.int64('st', [1], [1]), b.int64('en', [1], [100]), b.int64('axes', [1], [3])], ['sl']);
    b.node('Transpose', ['sl'], ['tr'], { perm: A.ints([0, 2, 3, 1]) });
    b.output('flat', []);
    b.output('tr', []);
    const s = inferShapes(b.build(), { inputSize: 320 });
    expect(s.inputs).toEqual({ x: [1, 4, 320, 320] });
    expect(s.tensors.get('c')!.shape).toEqual([1, 6, 160, 160]);
    expect(s.tensors.get('target')!.value).toEqual([1, -1]);
    expect(s.tensors.get('flat')!.shape).toEqual([1, 6 * 160 * 160]);
    expect(s.tensors.get('r')!.shape).toEqual([1, 6, 7, 9]);
    expect(s.tensors.get('sl')!.shape).toEqual([1, 6, 7, 8]);
    expect(s.tensors.get('tr')!.shape).toEqual([1, 7, 8, 6]);
  });

  it('older and newer operator forms: Upsample (opset 9), Resize with scales (opset 11), Pad, Split, pools', () => {
    const b9 = new GraphBuilder('up9', 9);
    b9.input('x', [1, 2, 'H', 'W']);
    b9.node('Upsample', ['x', b9.weight('sc', [4], Float32Array.of(1, 1, 2, 3))], ['u'], { mode: A.str('nearest') });
    b9.output('u', []);
    expect(inferShapes(b9.build(), { inputSize: 5 }).tensors.get('u')!.shape).toEqual([1, 2, 10, 15]);

    const b = new GraphBuilder('misc', 11);
    b.input('x', [1, 6, 'H', 'W']);
    b.node('Resize', ['x', b.weight('roi', [0], new Float32Array(0)), b.weight('scales', [4], Float32Array.of(1, 1, 0.5, 0.5))], ['r'], { mode: A.str('nearest') });
    b.node('Pad', ['x', b.int64('pads', [8], [0, 0, 1, 2, 0, 0, 3, 4])], ['p']);
    b.node('Split', ['x'], ['s1', 's2'], { axis: A.int(1), split: A.ints([2, 4]) });
    b.node('MaxPool', ['x'], ['mp'], { kernel_shape: A.ints([3, 3]), strides: A.ints([2, 2]), pads: A.ints([1, 1, 1, 1]) });
    b.node('AveragePool', ['x'], ['ap'], { kernel_shape: A.ints([2, 2]), strides: A.ints([2, 2]), ceil_mode: A.int(1) });
    b.node('GlobalAveragePool', ['x'], ['gap']);
    b.node('Flatten', ['gap'], ['flat']);
    for (const o of ['r', 'p', 's1', 's2', 'mp', 'ap', 'flat']) b.output(o, []);
    const t = inferShapes(b.build(), { inputSize: 9 }).tensors;
    expect(t.get('r')!.shape).toEqual([1, 6, 4, 4]); // floor(9 * 0.5)
    expect(t.get('p')!.shape).toEqual([1, 6, 13, 15]); // 9 + 1 + 3, 9 + 2 + 4
    expect([t.get('s1')!.shape, t.get('s2')!.shape]).toEqual([[1, 2, 9, 9], [1, 4, 9, 9]]);
    expect(t.get('mp')!.shape).toEqual([1, 6, 5, 5]); // floor((9 + 2 - 3) / 2) + 1
    expect(t.get('ap')!.shape).toEqual([1, 6, 5, 5]); // ceil((9 - 2) / 2) + 1
    expect(t.get('flat')!.shape).toEqual([1, 6]);
  });

  it('QDQ and QLinearConv keep conv shapes', () => {
    const b = new GraphBuilder('qdq');
    b.input('x', [1, 2, 'H', 'W']);
    const sc = b.weight('sc', [], Float32Array.of(0.1));
    b.initializers.push({ name: 'zp', dims: [], dataType: 2, rawData: new Uint8Array(1) });
    b.node('QuantizeLinear', ['x', sc, 'zp'], ['xq']);
    b.initializers.push({ name: 'wq', dims: [3, 2, 3, 3], dataType: 2, rawData: new Uint8Array(54) });
    b.node('QLinearConv', ['xq', sc, 'zp', 'wq', sc, 'zp', sc, 'zp'], ['yq'], { pads: A.ints([1, 1, 1, 1]) });
    b.node('DequantizeLinear', ['yq', sc, 'zp'], ['y']);
    b.output('y', []);
    const s = inferShapes(b.build(), { inputSize: 16 });
    expect(s.tensors.get('yq')).toMatchObject({ shape: [1, 3, 16, 16], elemType: 2 });
    expect(s.tensors.get('y')).toMatchObject({ shape: [1, 3, 16, 16], elemType: 1 });
  });

  it('EXPECTED FAILURE: an unknown op names the op and node', () => {
    const b = new GraphBuilder('unk');
    b.input('x', [1, 3, 8, 8]);
    b.node('FancyOp', ['x'], ['y'], {}, 'my_fancy');
    b.output('y', []);
    expect(() => inferShapes(b.build(), {}, 'm.onnx')).toThrow(/m\.onnx: FancyOp node "my_fancy": unknown op "FancyOp"/);
    const c = new GraphBuilder('custom');
    c.input('x', [1, 3, 8, 8]);
    c.node('Thing', ['x'], ['y'], {}, 'thing', 'com.example');
    c.output('y', []);
    expect(() => inferShapes(c.build())).toThrow(SlimboardError);
  });

  it('EXPECTED FAILURE: op names of Object.prototype members are unknown ops, not table lookups', () => {
    for (const op of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const b = new GraphBuilder('proto');
      b.input('x', [1, 3, 8, 8]);
      b.node(op, ['x'], ['y'], {}, 'n');
      b.output('y', []);
      expect(() => inferShapes(b.build(), {}, 'm.onnx'), op).toThrow(`unknown op "${op}": shape inference does not support it`);
    }
  });

  it('EXPECTED FAILURE: a size the model cannot take (kernel larger than input; fixed input size)', () => {
    const b = new GraphBuilder('small');
    b.input('x', [1, 1, 'H', 'W']);
    b.node('Conv', ['x', b.weight('w', [1, 1, 5, 5], zeros(25))], ['y']);
    b.output('y', []);
    expect(() => inferShapes(b.build(), { inputSize: 3 })).toThrow(/too small/);
    const f = new GraphBuilder('fixed');
    f.input('x', [1, 3, 416, 416]);
    f.node('Relu', ['x'], ['y']);
    f.output('y', []);
    expect(() => inferShapes(f.build(), { inputSize: 608 })).toThrow(/fixed height of 416; it cannot take input size 608/);
    expect(inferShapes(f.build(), { inputSize: 416 }).inputs.x).toEqual([1, 3, 416, 416]);
    expect(() => inferShapes(b.build(), {})).toThrow(/symbolic; give --input-size/);
    expect(() => inferShapes(b.build(), { inputSize: 0 })).toThrow(/must be an integer in \[1, 16384\]/);
  });
});
