import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { preprocessImageFile } from './image-preprocess';
import { parseModelAdapter } from '../detection/model-adapter';
import golden from '../__fixtures__/resample.golden.json';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'slimboard-preprocess-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const output = { kind: 'decoded', boxes: 'b', scores: 's' } as const;
const letterbox = parseModelAdapter({ preprocess: { resize: 'letterbox', padValue: 114 }, output }, 'letterbox');
const stretchBgr = parseModelAdapter({ preprocess: { resize: 'stretch', channelOrder: 'bgr', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, output }, 'stretch');

/** A uniform RGB PNG (every pixel the same colour), optionally with an EXIF orientation. */
async function uniformPng(name: string, width: number, height: number, rgb: [number, number, number], orientation?: number): Promise<string> {
  let img = sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  if (orientation) img = img.withMetadata({ orientation });
  const file = path.join(tmp, name);
  writeFileSync(file, await img.png().toBuffer());
  return file;
}

const plane = (t: Float32Array, c: number, s: number) => t.subarray(c * s * s, (c + 1) * s * s);

describe('preprocessImageFile (real sharp, real PNG files)', () => {
  it('hand-computed golden: letterbox of a uniform 64x32 image into 32x32', async () => {
    const file = await uniformPng('wide.png', 64, 32, [51, 102, 255]);
    const r = await preprocessImageFile(file, letterbox, 32);
    // r = min(32/64, 32/32) = 0.5 -> 32x16, padTop = floor((32 - 16) / 2) = 8, padLeft = 0.
    expect(r.geometry).toMatchObject({ srcW: 64, srcH: 32, newW: 32, newH: 16, padLeft: 0, padTop: 8, scaleX: 0.5, scaleY: 0.5 });
    // Rows 0-7 and 24-31 are padding 114/255; rows 8-23 the colour: 51/255 = 0.2, 102/255 = 0.4, 255/255 = 1.
    const colour = [51, 102, 255];
    for (let c = 0; c < 3; c++) {
      const p = plane(r.tensor, c, 32);
      for (let y = 0; y < 32; y++) {
        const want = Math.fround((y >= 8 && y < 24 ? colour[c] : 114) / 255);
        for (let x = 0; x < 32; x++) expect(p[y * 32 + x]).toBe(want);
      }
    }
  });

  it('hand-computed golden: stretch, BGR, mean/std 0.5; a reused buffer gives the same tensor', async () => {
    const file = await uniformPng('tall.png', 20, 50, [0, 51, 255]);
    const fresh = await preprocessImageFile(file, stretchBgr, 16);
    expect(fresh.geometry).toMatchObject({ srcW: 20, srcH: 50, newW: 16, newH: 16, scaleX: 16 / 20, scaleY: 16 / 50 });
    // model channel 0 = B: (255/255 - 0.5) / 0.5 = 1; 1 = G: (0.2 - 0.5) / 0.5 = -0.6; 2 = R: (0 - 0.5) / 0.5 = -1.
    const want = [1, Math.fround((51 / 255 - 0.5) / 0.5), -1];
    for (let c = 0; c < 3; c++) expect(plane(fresh.tensor, c, 16).every((v) => v === want[c])).toBe(true);
    const buffer = new Float32Array(3 * 16 * 16).fill(NaN);
    const reused = await preprocessImageFile(file, stretchBgr, 16, file, buffer);
    expect(reused.tensor).toBe(buffer);
    expect(Array.from(reused.tensor)).toEqual(Array.from(fresh.tensor));
    // A buffer of the wrong size (another input size) is not used.
    const other = new Float32Array(7);
    expect((await preprocessImageFile(file, stretchBgr, 16, file, other)).tensor).not.toBe(other);
  });

  it('EXIF orientation 6 (rotate 90): the geometry uses the displayed size', async () => {
    const file = await uniformPng('rotated.png', 40, 10, [10, 20, 30], 6);
    const r = await preprocessImageFile(file, letterbox, 32);
    // displayed 10x40 -> r = min(32/10, 32/40) = 0.8 -> 8x32, padLeft = floor((32 - 8) / 2) = 12.
    expect(r.geometry).toMatchObject({ srcW: 10, srcH: 40, newW: 8, newH: 32, padLeft: 12, padTop: 0 });
    expect(plane(r.tensor, 0, 32)[0 * 32 + 12]).toBe(Math.fround(10 / 255));
    expect(plane(r.tensor, 0, 32)[0 * 32 + 11]).toBe(Math.fround(114 / 255));
  });

  it('bytes in memory work like a file; bad input is one clear SlimboardError line', async () => {
    const file = await uniformPng('mem.png', 8, 8, [1, 2, 3]);
    const fromFile = await preprocessImageFile(file, letterbox, 8);
    const fromBytes = await preprocessImageFile(await sharp(file).png().toBuffer(), letterbox, 8);
    expect(Array.from(fromBytes.tensor)).toEqual(Array.from(fromFile.tensor));
    await expect(preprocessImageFile(path.join(tmp, 'missing.png'), letterbox, 8)).rejects.toThrow(/missing\.png: cannot read image \(ENOENT\)/);
    const junk = path.join(tmp, 'junk.png');
    writeFileSync(junk, 'not an image');
    await expect(preprocessImageFile(junk, letterbox, 8)).rejects.toThrow(/junk\.png: cannot decode image/);
  });
});

describe('preprocessImageFile: the default linear resize is PyTorch bilinear (align_corners=False, antialias=True)', () => {
  it('matches torch on seeded random PNGs, enlarged and shrunk', async () => {
    const stretchUnit = parseModelAdapter({ preprocess: { resize: 'stretch' }, output }, 'stretch-unit');
    // The square cases of lib/inference/__fixtures__/make_resample_goldens.py.
    const square = golden.cases.filter((c) => c.dstW === c.dstH);
    expect(square.length).toBeGreaterThanOrEqual(2);
    for (const c of square) {
      const file = path.join(tmp, `golden-${c.srcW}x${c.srcH}.png`);
      writeFileSync(file, await sharp(Buffer.from(c.rgb), { raw: { width: c.srcW, height: c.srcH, channels: 3 } }).png().toBuffer());
      const r = await preprocessImageFile(file, stretchUnit, c.dstW);
      let worst = 0;
      for (let i = 0; i < c.antialias.length; i++) worst = Math.max(worst, Math.abs(r.tensor[i] - c.antialias[i]));
      expect(worst, `${c.srcW}x${c.srcH} -> ${c.dstW}`).toBeLessThan(2e-6);
    }
  });

  it('cubic is OpenCV INTER_CUBIC (torch bicubic, no antialiasing, clamped), as PaddleDetection resizes', async () => {
    const stretchCubic = parseModelAdapter({ preprocess: { resize: 'stretch', interpolation: 'cubic' }, output }, 'stretch-cubic');
    for (const c of golden.cases.filter((k) => k.dstW === k.dstH)) {
      const file = path.join(tmp, `golden-cubic-${c.srcW}x${c.srcH}.png`);
      writeFileSync(file, await sharp(Buffer.from(c.rgb), { raw: { width: c.srcW, height: c.srcH, channels: 3 } }).png().toBuffer());
      const r = await preprocessImageFile(file, stretchCubic, c.dstW);
      let worst = 0;
      for (let i = 0; i < c.cubic.length; i++) worst = Math.max(worst, Math.abs(r.tensor[i] - c.cubic[i]));
      expect(worst, `${c.srcW}x${c.srcH} -> ${c.dstW}`).toBeLessThan(2e-6);
    }
  });
});
