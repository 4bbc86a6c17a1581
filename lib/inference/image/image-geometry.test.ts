import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitGeometry, mapBoxesToOriginal, rgbHwcToNormalizedChw } from './image-geometry';

describe('fitGeometry', () => {
  it('hand-computed goldens', () => {
    // 640x480 into 416x416 letterbox: r = min(0.65, 0.8667) = 0.65; newW = 416, newH = round(312) = 312;
    // padTop = floor((416-312)/2) = 52.
    expect(fitGeometry(640, 480, 416, 416, 'letterbox')).toEqual({
      srcW: 640, srcH: 480, dstW: 416, dstH: 416, newW: 416, newH: 312, padLeft: 0, padTop: 52, scaleX: 0.65, scaleY: 0.65,
    });
    // 200x150 into 320: r = 1.6; newW 320, newH 240, padTop 40.
    expect(fitGeometry(200, 150, 320, 320, 'letterbox')).toMatchObject({ newW: 320, newH: 240, padLeft: 0, padTop: 40, scaleX: 1.6, scaleY: 1.6 });
    // 101x50 into 64: r = 64/101; newH = round(31.68) = 32; padTop = 16; scaleY = 32/50 = 0.64 (not r)
    expect(fitGeometry(101, 50, 64, 64, 'letterbox')).toMatchObject({ newW: 64, newH: 32, padTop: 16, scaleY: 0.64 });
    expect(fitGeometry(640, 480, 608, 608, 'stretch')).toMatchObject({ newW: 608, newH: 608, padLeft: 0, padTop: 0, scaleX: 0.95, scaleY: 608 / 480 });
  });

  it('degenerate: 1x1 images, extreme aspect ratios, bad sizes', () => {
    expect(fitGeometry(1, 1, 32, 32, 'letterbox')).toMatchObject({ newW: 32, newH: 32, padLeft: 0, padTop: 0 });
    expect(fitGeometry(10000, 1, 32, 32, 'letterbox')).toMatchObject({ newW: 32, newH: 1, padTop: 15 });
    expect(() => fitGeometry(0, 10, 32, 32, 'letterbox')).toThrow(/srcW/);
    expect(() => fitGeometry(10, 10, 32.5, 32, 'stretch')).toThrow(/dstW/);
  });

  it('property: the resized image fits inside the input; mapping a box forward then back is the identity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 32, max: 800 }),
        fc.constantFrom('letterbox' as const, 'stretch' as const),
        fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }),
        (w, h, s, mode, fx, fy) => {
          const g = fitGeometry(w, h, s, s, mode);
          expect(g.padLeft + g.newW).toBeLessThanOrEqual(s);
          expect(g.padTop + g.newH).toBeLessThanOrEqual(s);
          expect(g.padLeft).toBeGreaterThanOrEqual(0);
          const x = fx * w, y = fy * h;
          const box = new Float64Array([x * g.scaleX + g.padLeft, y * g.scaleY + g.padTop, w * g.scaleX + g.padLeft, h * g.scaleY + g.padTop]);
          mapBoxesToOriginal(box, g);
          expect(box[0]).toBeCloseTo(x, 6);
          expect(box[1]).toBeCloseTo(y, 6);
          expect(box[2]).toBeCloseTo(w, 6);
          expect(box[3]).toBeCloseTo(h, 6);
        },
      ),
    );
  });

  it('mapBoxesToOriginal clips to the image', () => {
    const g = fitGeometry(200, 150, 320, 320, 'letterbox'); // scale 1.6, padTop 40
    const b = new Float32Array([-10, 0, 400, 330]);
    mapBoxesToOriginal(b, g);
    // x1 = -10/1.6 -> clipped 0; y1 = (0-40)/1.6 -> 0; x2 = 250 -> 200; y2 = (330-40)/1.6 = 181.25 -> 150
    expect(Array.from(b)).toEqual([0, 0, 200, 150]);
  });
});

describe('rgbHwcToNormalizedChw', () => {
  it('hand-computed golden (2x1 image, BGR, ImageNet-like numbers)', () => {
    const rgb = new Uint8Array([255, 0, 51, 0, 102, 255]); // pixel0 = (255,0,51), pixel1 = (0,102,255)
    const out = rgbHwcToNormalizedChw(rgb, 2, 1, { scale: 1 / 255, mean: [0.5, 0, 0], std: [0.5, 1, 2], channelOrder: 'bgr' });
    // channel 0 = B: (51/255 - 0.5)/0.5 = -0.6, (255/255 - 0.5)/0.5 = 1
    // channel 1 = G: 0, 0.4
    // channel 2 = R: 1/2 = 0.5, 0
    const expected = [-0.6, 1, 0, 0.4, 0.5, 0];
    Array.from(out).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });
  it('degenerate: wrong buffer length', () => {
    expect(() => rgbHwcToNormalizedChw(new Uint8Array(5), 2, 1, { scale: 1, mean: [0, 0, 0], std: [1, 1, 1], channelOrder: 'rgb' })).toThrow(/expected 6/);
  });
  it('property: identity normalisation puts byte values in planar order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.nat(), (w, h, seed) => {
        const rgb = Uint8Array.from({ length: 3 * w * h }, (_, i) => (i * 31 + seed) % 256);
        const out = rgbHwcToNormalizedChw(rgb, w, h, { scale: 1, mean: [0, 0, 0], std: [1, 1, 1], channelOrder: 'rgb' });
        for (let p = 0; p < w * h; p++) for (let c = 0; c < 3; c++) expect(out[c * w * h + p]).toBe(rgb[3 * p + c]);
      }),
    );
  });
  it('property: equals the direct formula per value, both channel orders, fresh or reused output', () => {
    const triple = fc.tuple(fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }));
    const stdTriple = fc.tuple(fc.double({ min: 0.01, max: 3, noNaN: true }), fc.double({ min: 0.01, max: 3, noNaN: true }), fc.double({ min: 0.01, max: 3, noNaN: true }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.nat(), fc.double({ min: 1e-4, max: 2, noNaN: true }), triple, stdTriple, fc.constantFrom('rgb', 'bgr'), (w, h, seed, scale, mean, std, order) => {
        const rgb = Uint8Array.from({ length: 3 * w * h }, (_, i) => (i * 97 + seed) % 256);
        const norm = { scale, mean, std, channelOrder: order as 'rgb' | 'bgr' };
        const fresh = rgbHwcToNormalizedChw(rgb, w, h, norm);
        const reused = rgbHwcToNormalizedChw(rgb, w, h, norm, new Float32Array(3 * w * h).fill(NaN));
        for (let c = 0; c < 3; c++) {
          const src = order === 'rgb' ? c : 2 - c;
          for (let p = 0; p < w * h; p++) {
            const want = Math.fround((rgb[3 * p + src] * scale - mean[c]) / std[c]);
            expect(fresh[c * w * h + p]).toBe(want);
            expect(reused[c * w * h + p]).toBe(want);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
  it('degenerate: an output buffer of the wrong length is refused', () => {
    const norm = { scale: 1, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number], channelOrder: 'rgb' as const };
    expect(() => rgbHwcToNormalizedChw(new Uint8Array(6), 2, 1, norm, new Float32Array(5))).toThrow(/output tensor has 5 values, expected 6/);
  });
});
