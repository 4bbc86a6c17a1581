import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { onnx } from '../onnx/proto';
import { makeFloatTensor } from '../onnx/tensor';
import { classifyFloat32, FLOAT32_MIN_NORMAL, modelSubnormals } from './denormals';

describe('classifyFloat32', () => {
  it('hand golden: each class at its boundary', () => {
    // Float32Array rounds: 1e-40 and -1e-45 (-> -2^-149, the smallest subnormal) stay subnormal; 2^-126 is normal.
    const v = new Float32Array([0, -0, 1e-40, -1e-45, FLOAT32_MIN_NORMAL, -FLOAT32_MIN_NORMAL, 1, Infinity, NaN, 3.4e38]);
    expect(classifyFloat32(v)).toEqual({ total: 10, zero: 2, subnormal: 2, nonFinite: 2 });
  });
  it('degenerate: empty input', () => {
    expect(classifyFloat32(new Float32Array(0))).toEqual({ total: 0, zero: 0, subnormal: 0, nonFinite: 0 });
  });
  it('property: counts add up and scaling normal values by 2^-140 makes every non-zero one subnormal or zero', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: Math.fround(1e-3), max: Math.fround(1e3), noNaN: true })), (xs) => {
        const v = Float32Array.from(xs);
        const c = classifyFloat32(v);
        expect(c.zero + c.subnormal + c.nonFinite).toBeLessThanOrEqual(c.total);
        const tiny = v.map((x) => x * 2 ** -140);
        const t = classifyFloat32(tiny);
        expect(t.subnormal + t.zero).toBe(v.length);
      }),
    );
  });
});

describe('modelSubnormals', () => {
  it('counts FLOAT initializers and names the tensors with subnormals', () => {
    const model = onnx.ModelProto.create({
      graph: {
        initializer: [
          makeFloatTensor('w', [2, 2], new Float32Array([1, 1e-40, 0, 2])),
          makeFloatTensor('b', [2], new Float32Array([0.5, 0.25])),
        ],
      },
    });
    const r = modelSubnormals(model);
    expect(r).toMatchObject({ total: 6, zero: 1, subnormal: 1, nonFinite: 0 });
    expect(r.tensorsWithSubnormals).toEqual([{ name: 'w', subnormal: 1, total: 4 }]);
  });
});
