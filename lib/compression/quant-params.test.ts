import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activationParams, fakeQuantizeUint8, quantizeBias, quantizeWeightsPerChannel } from './quant-params';

describe('activationParams (uint8 asymmetric)', () => {
  it('goldens: ReLU range, a range across 0, ranges widened to contain 0', () => {
    expect(activationParams(0, 2.55)).toEqual({ scale: Math.fround(0.01), zeroPoint: 0 });
    // [-0.5, 2]: scale 2.5 / 255, zero point 0.5 / scale = 51
    expect(activationParams(-0.5, 2)).toEqual({ scale: Math.fround(2.5 / 255), zeroPoint: 51 });
    // [1, 3] -> [0, 3]; [-2, -1] -> [-2, 0]: zero point at the top
    expect(activationParams(1, 3)).toEqual({ scale: Math.fround(3 / 255), zeroPoint: 0 });
    expect(activationParams(-2, -1)).toEqual({ scale: Math.fround(2 / 255), zeroPoint: 255 });
  });

  it('degenerate: empty range gives scale 1; NaN or reversed ranges are errors', () => {
    expect(activationParams(0, 0)).toEqual({ scale: 1, zeroPoint: 0 });
    expect(() => activationParams(NaN, 1)).toThrow(/not a finite interval/);
    expect(() => activationParams(2, 1)).toThrow(/not a finite interval/);
  });

  it('property: 0 is exact, values inside the range come back within half a step, outside values clamp', () => {
    fc.assert(
      fc.property(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (lo, width, t) => {
        const hi = lo + width;
        const p = activationParams(lo, hi);
        expect(p.zeroPoint).toBeGreaterThanOrEqual(0);
        expect(p.zeroPoint).toBeLessThanOrEqual(255);
        expect(fakeQuantizeUint8(0, p)).toBe(0);
        const a = Math.min(lo, 0);
        const b = Math.max(hi, 0);
        const x = a + t * (b - a);
        expect(Math.abs(fakeQuantizeUint8(x, p) - x)).toBeLessThanOrEqual(p.scale * 0.5 + 1e-9 * (b - a) + p.scale * 1e-4);
        expect(fakeQuantizeUint8(b + 10 * (b - a), p)).toBeCloseTo((255 - p.zeroPoint) * p.scale, 9);
      }),
      { numRuns: 300 },
    );
  });
});

describe('quantizeWeightsPerChannel (int8 symmetric)', () => {
  it('golden along axis 0: scale max|w| / 127, half to even, an all-zero channel gets scale 1', () => {
    // channel 0: max 254 -> scale 2; 127/2 = 63.5 -> 64 (even); -254/2 = -127; 5/2 = 2.5 -> 2 (even)
    const r = quantizeWeightsPerChannel([127, -254, 5, 0, 0, 0], [2, 3], 0);
    expect(Array.from(r.scales)).toEqual([2, 1]);
    expect(Array.from(r.values)).toEqual([64, -127, 2, 0, 0, 0]);
  });

  it('golden along axis 1 (MatMul / Gemm [K, N]): per column', () => {
    // columns: [127, -63.5] (scale 1: -63.5 -> -64) and [0.5, 254] (scale 2: 0.25 -> 0, 127)
    const r = quantizeWeightsPerChannel([127, 0.5, -63.5, 254], [2, 2], 1);
    expect(Array.from(r.scales)).toEqual([1, 2]);
    expect(Array.from(r.values)).toEqual([127, 0, -64, 127]);
  });

  it('degenerate: empty channels, wrong sizes, non-finite weights, bad axis', () => {
    expect(Array.from(quantizeWeightsPerChannel([], [0, 3], 0).values)).toEqual([]);
    expect(() => quantizeWeightsPerChannel([1, 2, 3], [2, 2], 0)).toThrow(/3 weight values/);
    expect(() => quantizeWeightsPerChannel([1, Infinity], [2, 1], 0)).toThrow(/not finite/);
    expect(() => quantizeWeightsPerChannel([1, 2], [2, 1], 2)).toThrow(/axis 2/);
  });

  it('property: |q| <= 127, the largest |q| of a non-zero channel is 127, and q x scale is within half a step', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1 }), fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 30, maxLength: 30 }), (a, b, axis, pool) => {
        const dims = [a, b];
        const w = Array.from({ length: a * b }, (_, i) => pool[i % pool.length]);
        const r = quantizeWeightsPerChannel(w, dims, axis);
        const ch = (i: number) => (axis === 0 ? Math.floor(i / b) : i % b);
        const maxQ = new Array(dims[axis]).fill(0);
        w.forEach((v, i) => {
          const s = r.scales[ch(i)];
          expect(Math.abs(r.values[i])).toBeLessThanOrEqual(127);
          expect(Math.abs(r.values[i] * s - v)).toBeLessThanOrEqual(s / 2 + 1e-6 * s);
          maxQ[ch(i)] = Math.max(maxQ[ch(i)], Math.abs(r.values[i]));
        });
        maxQ.forEach((m, c) => expect(m).toBe(r.scales[c] === 1 && m === 0 ? 0 : 127));
      }),
      { numRuns: 200 },
    );
  });
});

describe('quantizeBias (int32)', () => {
  it('golden: scale = input scale x weight scale, half to even', () => {
    // scales 0.5 x [0.25, 2] = [0.125, 1]: 1 / 0.125 = 8, -3 / 1 = -3, 0.1875 / 0.125 = 1.5 -> 2
    expect(Array.from(quantizeBias([1, -3], 0.5, [0.25, 2]).values)).toEqual([8, -3]);
    expect(Array.from(quantizeBias([0.1875], 0.5, [0.25]).values)).toEqual([2]);
    expect(Array.from(quantizeBias([1, -3], 0.5, [0.25, 2]).scales)).toEqual([0.125, 1]);
  });

  it('degenerate: empty bias, mismatched lengths, saturation at int32', () => {
    expect(Array.from(quantizeBias([], 1, []).values)).toEqual([]);
    expect(() => quantizeBias([1], 1, [1, 2])).toThrow(/1 bias values for 2/);
    expect(Array.from(quantizeBias([1e12, -1e12], 1, [1, 1]).values)).toEqual([2 ** 31 - 1, -(2 ** 31)]);
  });
});
