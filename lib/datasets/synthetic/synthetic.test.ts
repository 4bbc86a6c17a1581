import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { SlimboardError } from '../../errors';
import { DEMO_DATASET_SEED, Prng, SHAPE_CLASSES, renderSplitImage, writeSyntheticSplit, type CocoDataset } from './index';
import { mix32 } from './prng';
import { fillRatio, insidePolygon, insideShape, starVertices } from './shapes';

const tmpDirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'slimboard-synth-'));
  tmpDirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of tmpDirs) await rm(d, { recursive: true, force: true });
});

async function hashTree(root: string): Promise<string> {
  const h = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else {
        h.update(path.relative(root, p));
        h.update(await readFile(p));
      }
    }
  };
  await walk(root);
  return h.digest('hex');
}

/** Decode a column-major uncompressed COCO RLE into a row-major 0/1 mask [height * width]. */
function decodeRle(counts: number[], height: number, width: number): Uint8Array {
  const mask = new Uint8Array(height * width);
  let pos = 0;
  counts.forEach((run, k) => {
    for (let j = 0; j < run; j++, pos++) {
      if (k % 2 === 1) mask[(pos % height) * width + Math.floor(pos / height)] = 1;
    }
  });
  return mask;
}

describe('prng', () => {
  it('mix32 golden: fmix32(0) = 0 (every step maps 0 to 0)', () => {
    expect(mix32(0)).toBe(0);
  });
  it('int(lo, hi) stays in range and float() in [0, 1) for any seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 100 }), (seed, lo, span) => {
        const p = new Prng(seed);
        for (let i = 0; i < 20; i++) {
          const v = p.int(lo, lo + span);
          const f = p.float();
          if (!Number.isInteger(v) || v < lo || v > lo + span || f < 0 || f >= 1) return false;
        }
        return true;
      }),
    );
  });
  it('the same seed gives the same sequence, different seeds differ', () => {
    const a = new Prng(7);
    const b = new Prng(7);
    const c = new Prng(8);
    const sa = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(sa);
  });
});

describe('shapes', () => {
  it('fill ratio goldens: cross with half-thickness 0.5 covers 3/4 of its box (bars 2+2, overlap 1, of 4)', () => {
    expect(fillRatio('cross', 0.5)).toBeCloseTo(0.75, 12);
    expect(fillRatio('rectangle', 0)).toBe(1);
    expect(fillRatio('triangle', 0)).toBe(0.5);
  });
  it('point-in-polygon on the unit square, and the triangle apex/base', () => {
    const sq: Array<[number, number]> = [[0, 0], [1, 0], [1, 1], [0, 1]];
    expect(insidePolygon(sq, 0.5, 0.5)).toBe(true);
    expect(insidePolygon(sq, 1.5, 0.5)).toBe(false);
    expect(insideShape({ kind: 'triangle', detail: 0 }, 0, -0.9)).toBe(true);
    expect(insideShape({ kind: 'triangle', detail: 0 }, 0.9, -0.9)).toBe(false);
    expect(insideShape({ kind: 'triangle', detail: 0 }, 0.9, 0.95)).toBe(true);
    expect(insideShape({ kind: 'ring', detail: 0.5 }, 0, 0)).toBe(false);
    expect(insideShape({ kind: 'ring', detail: 0.5 }, 0.7, 0)).toBe(true);
  });
  it('star: centre inside, outer tip inside, point between tips outside', () => {
    const g = { kind: 'star' as const, detail: 0.4, star: starVertices(0.4) };
    expect(insideShape(g, 0, 0)).toBe(true);
    expect(insideShape(g, 0, -0.95)).toBe(true);
    // direction of the first inner vertex (36 degrees from the top) at radius 0.8 > 0.4: outside
    expect(insideShape(g, 0.587785 * 0.8, -0.809017 * 0.8)).toBe(false);
  });
});

describe('renderScene', () => {
  it('is deterministic and pinned: raw pixels + annotations of val images 0..2 (seed 20261129)', () => {
    // Pinned when the demo zoo was trained: the shipped models' AP refers to exactly this data, so a
    // change here means lib/demo-zoo/models must be retrained (see tools/demo-zoo/README.md).
    const h = createHash('sha256');
    for (let i = 0; i < 3; i++) {
      const s = renderSplitImage(DEMO_DATASET_SEED, 'val', i);
      h.update(s.rgb);
      h.update(JSON.stringify(s.objects));
    }
    expect(h.digest('hex')).toBe('b37c2ab39f5c49f566b2528a1a8523fdef7b5fa7ecace2967a633b717fe9a2e6');
  });

  it('annotations agree with the masks: bbox = extent of the RLE mask, area = its pixel count', () => {
    for (let i = 0; i < 12; i++) {
      const s = renderSplitImage(3, 'val', i);
      expect(s.rgb.length).toBe(s.width * s.height * 3);
      for (const o of s.objects) {
        const total = o.rleCounts.reduce((a, b) => a + b, 0);
        expect(total).toBe(s.width * s.height);
        const mask = decodeRle(o.rleCounts, s.height, s.width);
        let n = 0;
        let x0 = Infinity;
        let y0 = Infinity;
        let x1 = -1;
        let y1 = -1;
        for (let y = 0; y < s.height; y++) {
          for (let x = 0; x < s.width; x++) {
            if (!mask[y * s.width + x]) continue;
            n++;
            x0 = Math.min(x0, x);
            y0 = Math.min(y0, y);
            x1 = Math.max(x1, x);
            y1 = Math.max(y1, y);
          }
        }
        expect(n).toBe(o.area);
        expect(o.bbox).toEqual([x0, y0, x1 - x0 + 1, y1 - y0 + 1]);
        expect(o.occludedFraction).toBeLessThanOrEqual(0.5 + 1e-9);
      }
    }
  });

  it('spreads sizes over COCO small / medium / large, varies image sizes, and has occlusion', () => {
    const areas: number[] = [];
    const widths = new Set<number>();
    let occluded = 0;
    let truncated = 0;
    const classes = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const s = renderSplitImage(DEMO_DATASET_SEED, 'dist', i);
      expect(s.width).toBeGreaterThanOrEqual(256);
      expect(s.width).toBeLessThanOrEqual(416);
      expect(s.height).toBeGreaterThanOrEqual(256);
      expect(s.height).toBeLessThanOrEqual(416);
      widths.add(s.width);
      expect(s.objects.length).toBeGreaterThanOrEqual(1);
      for (const o of s.objects) {
        areas.push(o.area);
        classes.add(o.kind);
        if (o.occludedFraction > 0.05) occluded++;
        if (o.truncated) truncated++;
      }
    }
    const share = (f: (a: number) => boolean) => areas.filter(f).length / areas.length;
    expect(share((a) => a < 32 * 32)).toBeGreaterThan(0.2);
    expect(share((a) => a >= 32 * 32 && a < 96 * 96)).toBeGreaterThan(0.2);
    expect(share((a) => a >= 96 * 96)).toBeGreaterThan(0.08);
    expect(widths.size).toBeGreaterThan(30);
    expect(classes.size).toBe(SHAPE_CLASSES.length);
    expect(occluded).toBeGreaterThan(5);
    expect(truncated).toBeGreaterThan(5);
  });
});

describe('writeSyntheticSplit', () => {
  it('writes byte-identical files twice for the same seed (PNG, COCO JSON, VOC XML, image set)', async () => {
    const [a, b] = [await tmp(), await tmp()];
    await writeSyntheticSplit({ outDir: a, split: 'val', count: 4, seed: 11 });
    await writeSyntheticSplit({ outDir: b, split: 'val', count: 4, seed: 11, concurrency: 1 });
    expect(await hashTree(a)).toBe(await hashTree(b));
    const c = await tmp();
    await writeSyntheticSplit({ outDir: c, split: 'val', count: 4, seed: 12 });
    expect(await hashTree(c)).not.toBe(await hashTree(a));
  });

  it('writes valid COCO and VOC that describe the same images and boxes', async () => {
    const dir = await tmp();
    const res = await writeSyntheticSplit({ outDir: dir, split: 'train', count: 5, seed: 5 });
    const coco = JSON.parse(await readFile(res.cocoPath, 'utf8')) as CocoDataset;
    expect(coco.images.map((i) => i.id)).toEqual([1, 2, 3, 4, 5]);
    expect(coco.categories.map((c) => c.name)).toEqual([...SHAPE_CLASSES]);
    const annIds = new Set(coco.annotations.map((a) => a.id));
    expect(annIds.size).toBe(coco.annotations.length);
    expect(res.annotations).toBe(coco.annotations.length);
    for (const a of coco.annotations) {
      const im = coco.images.find((i) => i.id === a.image_id)!;
      const [x, y, w, h] = a.bbox;
      expect(a.iscrowd).toBe(0);
      expect(a.category_id).toBeGreaterThanOrEqual(1);
      expect(a.category_id).toBeLessThanOrEqual(SHAPE_CLASSES.length);
      expect(x >= 0 && y >= 0 && w >= 1 && h >= 1 && x + w <= im.width && y + h <= im.height).toBe(true);
      expect(a.area).toBeGreaterThan(0);
      expect(a.area).toBeLessThanOrEqual(w * h);
      expect(a.segmentation.size).toEqual([im.height, im.width]);
    }
    const list = (await readFile(path.join(dir, 'ImageSets', 'Main', 'train.txt'), 'utf8')).trim().split('\n');
    expect(list).toEqual(coco.images.map((i) => i.file_name.replace(/\.png$/, '')));
    for (const im of coco.images) {
      const meta = await sharp(path.join(res.imageDir, im.file_name)).metadata();
      expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', im.width, im.height, 3]);
      const xml = await readFile(path.join(dir, 'Annotations', im.file_name.replace(/\.png$/, '.xml')), 'utf8');
      expect(xml).toContain(`<width>${im.width}</width>`);
      expect(xml).toContain(`<filename>${im.file_name}</filename>`);
      const vocBoxes = [...xml.matchAll(/<name>(\w+)<\/name>[\s\S]*?<xmin>(\d+)<\/xmin>\s*<ymin>(\d+)<\/ymin>\s*<xmax>(\d+)<\/xmax>\s*<ymax>(\d+)<\/ymax>/g)].map((m) => [
        m[1],
        Number(m[2]),
        Number(m[3]),
        Number(m[4]),
        Number(m[5]),
      ]);
      // VOC is 1-based inclusive: xmin = x + 1, xmax = x + w.
      const cocoBoxes = coco.annotations
        .filter((a) => a.image_id === im.id)
        .map((a) => [SHAPE_CLASSES[a.category_id - 1], a.bbox[0] + 1, a.bbox[1] + 1, a.bbox[0] + a.bbox[2], a.bbox[1] + a.bbox[3]]);
      expect(vocBoxes).toEqual(cocoBoxes);
    }
  });

  it('BAD CALL: rejects a bad split name, count or seed with a SlimboardError', async () => {
    const dir = await tmp();
    await expect(writeSyntheticSplit({ outDir: dir, split: '../x', count: 1, seed: 1 })).rejects.toThrow(SlimboardError);
    await expect(writeSyntheticSplit({ outDir: dir, split: 'val', count: 0, seed: 1 })).rejects.toThrow(/count/);
    await expect(writeSyntheticSplit({ outDir: dir, split: 'val', count: 1, seed: -1 })).rejects.toThrow(/seed/);
  });
});
