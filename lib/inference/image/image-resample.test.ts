import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import golden from '../__fixtures__/resample.golden.json';
import { fitGeometry, type Normalization } from './image-geometry';
import { bilinearTaps, cubicTaps, resampleRgbToNormalizedChw, type ResampleOptions } from './image-resample';

const unit: Normalization = { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], channelOrder: 'rgb' };
const bytes: Normalization = { scale: 1, mean: [0, 0, 0], std: [1, 1, 1], channelOrder: 'rgb' };

const linear = (padValue: number, antialias: boolean): ResampleOptions => ({ kernel: 'linear', antialias, padValue });
const cubic = (padValue: number): ResampleOptions => ({ kernel: 'cubic', antialias: false, padValue });

/** A one-row image whose R channel is `r` (G = B = 0). */
const row = (r: number[]) => Uint8Array.from(r.flatMap((v) => [v, 0, 0]));
const stretch = (srcW: number, srcH: number, dstW: number, dstH: number) => ({ ...fitGeometry(srcW, srcH, dstW, dstH, 'stretch') });

describe('bilinear resampling (half-pixel centres)', () => {
  it('hand-computed golden: enlarging 2 -> 4 samples at -0.25, 0.25, 0.75, 1.25, clamped to the edge pixels', () => {
    // Source positions (i + 0.5) * 0.5 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> clamped 0, 0.25, 0.75, 1
    // -> 0, 0.25 * 100, 0.75 * 100, 100.
    const t = resampleRgbToNormalizedChw(row([0, 100]), stretch(2, 1, 4, 1), bytes, linear(0, true));
    expect(Array.from(t.subarray(0, 4))).toEqual([0, 25, 75, 100]);
  });

  it('hand-computed golden: shrinking 4 -> 2 with and without antialiasing', () => {
    // Antialiased: scale 2, triangle of half-width 2. Output 0: centre 1, pixel centres 0.5, 1.5, 2.5
    // -> weights 0.75, 0.75, 0.25 (sum 1.75): (0 * 0.75 + 40 * 0.75 + 80 * 0.25) / 1.75 = 50 / 1.75.
    // Output 1: centre 3, pixel centres 1.5, 2.5, 3.5 -> 0.25, 0.75, 0.75: (10 + 60 + 90) / 1.75.
    const aa = resampleRgbToNormalizedChw(row([0, 40, 80, 120]), stretch(4, 1, 2, 1), bytes, linear(0, true));
    expect(aa[0]).toBe(Math.fround(50 / 1.75));
    expect(aa[1]).toBe(Math.fround(160 / 1.75));
    // Two taps: source positions 0.5 and 2.5 -> 20 and 100.
    const plain = resampleRgbToNormalizedChw(row([0, 40, 80, 120]), stretch(4, 1, 2, 1), bytes, linear(0, false));
    expect(Array.from(plain.subarray(0, 2))).toEqual([20, 100]);
  });

  it("agrees with PyTorch's F.interpolate(bilinear, align_corners=False), antialias on and off", () => {
    // Goldens: lib/inference/__fixtures__/make_resample_goldens.py (torch float32, 9 digits).
    for (const c of golden.cases) {
      for (const antialias of [true, false]) {
        const t = resampleRgbToNormalizedChw(Uint8Array.from(c.rgb), stretch(c.srcW, c.srcH, c.dstW, c.dstH), unit, linear(0, antialias));
        const want = antialias ? c.antialias : c.plain;
        expect(t.length).toBe(want.length);
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(t[i] - want[i]));
        expect(worst, `${c.srcW}x${c.srcH} -> ${c.dstW}x${c.dstH} antialias=${antialias}`).toBeLessThan(2e-6);
      }
    }
  });

  it('letterbox: the image lands at (padLeft, padTop), the rest is the normalised pad value; BGR swaps planes', () => {
    // 4x2 uniform (10, 20, 30) into 4x4: r = 1 -> 4x2 at padTop 1; pad 114.
    const rgb = Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => [10, 20, 30][i % 3]);
    const g = fitGeometry(4, 2, 4, 4, 'letterbox');
    expect(g).toMatchObject({ newW: 4, newH: 2, padLeft: 0, padTop: 1 });
    const norm: Normalization = { scale: 1, mean: [1, 2, 3], std: [2, 2, 2], channelOrder: 'bgr' };
    const t = resampleRgbToNormalizedChw(rgb, g, norm, linear(114, true));
    // Model channel 0 = B = 30: (30 - 1) / 2 = 14.5; channel 2 = R = 10: (10 - 3) / 2 = 3.5. Pad: (114 - m) / 2.
    const want = (c: number, y: number) => (y === 1 || y === 2 ? [14.5, 9, 3.5][c] : (114 - [1, 2, 3][c]) / 2);
    for (let c = 0; c < 3; c++) for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) expect(t[c * 16 + y * 4 + x]).toBe(want(c, y));
  });

  it('degenerate: same size is the identity, a 1x1 image fills the output, bad buffers are clear errors', () => {
    const rgb = Uint8Array.from({ length: 3 * 5 * 3 }, (_, i) => (i * 37) % 256);
    const t = resampleRgbToNormalizedChw(rgb, stretch(5, 3, 5, 3), bytes, linear(0, true));
    for (let p = 0; p < 15; p++) for (let c = 0; c < 3; c++) expect(t[c * 15 + p]).toBe(rgb[p * 3 + c]);
    const one = resampleRgbToNormalizedChw(Uint8Array.from([7, 8, 9]), stretch(1, 1, 3, 2), bytes, linear(0, true));
    expect(Array.from(one)).toEqual([7, 7, 7, 7, 7, 7, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9]);
    expect(() => resampleRgbToNormalizedChw(new Uint8Array(5), stretch(2, 1, 2, 2), bytes, linear(0, true))).toThrow(/expected 6 RGB bytes for 2x1, got 5/);
    expect(() => resampleRgbToNormalizedChw(new Uint8Array(6), stretch(2, 1, 2, 2), bytes, linear(0, true), new Float32Array(3))).toThrow(/output tensor has 3 values, expected 12/);
    expect(() => bilinearTaps(0, 3, true)).toThrow(/positive integers, got 0 -> 3/);
  });

  it('property: taps are non-negative, sum to 1 and stay inside the source', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), fc.boolean(), (src, dst, aa) => {
        const t = bilinearTaps(src, dst, aa);
        for (let i = 0; i < dst; i++) {
          let sum = 0;
          expect(t.count[i]).toBeGreaterThan(0);
          expect(t.start[i]).toBeGreaterThanOrEqual(0);
          expect(t.start[i] + t.count[i]).toBeLessThanOrEqual(src);
          for (let k = 0; k < t.count[i]; k++) {
            expect(t.weights[i * t.stride + k]).toBeGreaterThanOrEqual(0);
            sum += t.weights[i * t.stride + k];
          }
          expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
        }
      }),
    );
  });

  it('property: outputs stay within the input range, and mirroring the input mirrors the output', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        fc.infiniteStream(fc.integer({ min: 0, max: 255 })),
        (sw, sh, dw, dh, aa, stream) => {
          const it = stream[Symbol.iterator]();
          const rgb = Uint8Array.from({ length: sw * sh * 3 }, () => it.next().value as number);
          const mirrored = new Uint8Array(rgb.length);
          for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) for (let c = 0; c < 3; c++) mirrored[(y * sw + (sw - 1 - x)) * 3 + c] = rgb[(y * sw + x) * 3 + c];
          const a = resampleRgbToNormalizedChw(rgb, stretch(sw, sh, dw, dh), bytes, linear(0, aa));
          const b = resampleRgbToNormalizedChw(mirrored, stretch(sw, sh, dw, dh), bytes, linear(0, aa));
          for (let c = 0; c < 3; c++) {
            let lo = 255;
            let hi = 0;
            for (let p = c; p < rgb.length; p += 3) [lo, hi] = [Math.min(lo, rgb[p]), Math.max(hi, rgb[p])];
            for (let y = 0; y < dh; y++) {
              for (let x = 0; x < dw; x++) {
                const v = a[c * dw * dh + y * dw + x];
                expect(v).toBeGreaterThanOrEqual(lo - 1e-3);
                expect(v).toBeLessThanOrEqual(hi + 1e-3);
                expect(Math.abs(v - b[c * dw * dh + y * dw + (dw - 1 - x)])).toBeLessThan(1e-3);
              }
            }
          }
        },
      ),
    );
  });
});

describe('cubic resampling (OpenCV INTER_CUBIC: half-pixel, A = -0.75, edge replicate, clamped)', () => {
  it('hand-computed golden: enlarging [0, 100] 2 -> 4', () => {
    // Keys A = -0.75 at t = 0.25: w(-1.25) = -0.10546875, w(-0.25) = 0.87890625, w(0.75) = 0.26171875,
    // w(1.75) = -0.03515625 (sum 1); at t = 0.75 the same four mirrored.
    // out 0: pos -0.25 -> floor -1, t 0.75, taps -2..1 -> pixels 0,0,0,1: 100 * w(1.25) = -10.546875 -> clamped to 0.
    // out 1: pos 0.25, taps -1..2 -> 0,0,1,1: 100 * (0.26171875 - 0.03515625) = 22.65625.
    // out 2: pos 0.75, taps -1..2 -> 0,0,1,1: 100 * (0.87890625 - 0.10546875) = 77.34375.
    // out 3: pos 1.25, taps 0..3 -> 0,1,1,1: 100 * (0.87890625 + 0.26171875 - 0.03515625) = 110.546875 (overshoot kept: <= 255).
    const t = resampleRgbToNormalizedChw(row([0, 100]), stretch(2, 1, 4, 1), bytes, cubic(0));
    expect(Array.from(t.subarray(0, 4))).toEqual([0, 22.65625, 77.34375, 110.546875]);
  });

  it("agrees with PyTorch's F.interpolate(bicubic, align_corners=False, antialias=False), clamped", () => {
    for (const c of golden.cases) {
      const t = resampleRgbToNormalizedChw(Uint8Array.from(c.rgb), stretch(c.srcW, c.srcH, c.dstW, c.dstH), unit, cubic(0));
      let worst = 0;
      for (let i = 0; i < c.cubic.length; i++) worst = Math.max(worst, Math.abs(t[i] - c.cubic[i]));
      expect(worst, `${c.srcW}x${c.srcH} -> ${c.dstW}x${c.dstH}`).toBeLessThan(2e-6);
    }
  });

  it('degenerate: a 1-pixel source fills the output; same size is the identity', () => {
    const one = resampleRgbToNormalizedChw(Uint8Array.from([7, 8, 9]), stretch(1, 1, 2, 1), bytes, cubic(0));
    expect(Array.from(one)).toEqual([7, 7, 8, 8, 9, 9]);
    const rgb = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 53) % 256);
    const same = resampleRgbToNormalizedChw(rgb, stretch(4, 3, 4, 3), bytes, cubic(0));
    for (let p = 0; p < 12; p++) for (let c = 0; c < 3; c++) expect(same[c * 12 + p]).toBe(rgb[p * 3 + c]);
  });

  it('property: merged taps are contiguous, inside the source, and sum to 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), (src, dst) => {
        const t = cubicTaps(src, dst);
        for (let i = 0; i < dst; i++) {
          expect(t.start[i]).toBeGreaterThanOrEqual(0);
          expect(t.count[i]).toBeGreaterThanOrEqual(1);
          expect(t.count[i]).toBeLessThanOrEqual(4);
          expect(t.start[i] + t.count[i]).toBeLessThanOrEqual(src);
          let sum = 0;
          for (let k = 0; k < t.count[i]; k++) sum += t.weights[i * t.stride + k];
          expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
        }
      }),
    );
  });
});
