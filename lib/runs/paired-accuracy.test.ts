import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWiderFaceDatasetGroundTruth } from '../datasets/dataset-registry';
import { writeSyntheticSplit } from '../datasets/synthetic';
import { writeSyntheticFacesSplit } from '../datasets/synthetic/faces-split';
import { readVocDirectory } from '../metrics/formats/voc-directory';
import { parseVocDetections } from '../metrics/formats/voc-json';
import { parseWiderFacePredictions } from '../metrics/formats/widerface-files';
import { evaluateVoc } from '../metrics/voc';
import { evaluateWiderFace } from '../metrics/widerface';
import { groundTruthSha256, pairedAccuracyOf, unpairableReason, type TStoredDetections } from './paired-accuracy';

/**
 * The format-generic pairing the worker uses (lib/runs/paired-accuracy.ts) on real VOC and WIDER FACE folders:
 * detections written in the interchange the worker stores, deltas checked against the full evaluators, the
 * ground-truth hash checked for what it must and must not see.
 */

let tmp: string;
let voc: string;
let faces: string;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'slimboard-paired-accuracy-'));
  voc = path.join(tmp, 'shapes');
  faces = path.join(tmp, 'faces');
  await writeSyntheticSplit({ outDir: voc, split: 'val', count: 12, seed: 5 });
  await writeSyntheticFacesSplit({ outDir: faces, perEvent: 4, seed: 5 });
}, 120_000);
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function writeJson(name: string, value: unknown): Promise<string> {
  const file = path.join(tmp, name);
  await fs.writeFile(file, JSON.stringify(value));
  return file;
}

/** VOC detections: every GT box with score 0.9, on the images `keep` accepts (image index). */
function vocRows(keep: (i: number) => boolean) {
  const gt = readVocDirectory(voc, { imageSet: 'val' });
  return gt.images.flatMap((im, i) =>
    keep(i)
      ? Array.from(im.labels, (label, g) => ({
          image_id: String(im.id),
          label,
          score: 0.9,
          box: Array.from(im.boxes.subarray(g * 4, g * 4 + 4)),
        }))
      : [],
  );
}

/** WIDER predictions: every GT face (x, y, w, h) with score 0.9 on the images `keep` accepts, none elsewhere. */
function widerRows(keep: (i: number) => boolean) {
  const gt = readWiderFaceDatasetGroundTruth(faces);
  let i = 0;
  const out: Record<string, Record<string, number[][]>> = {};
  for (const ev of gt.events) {
    out[ev.name] = {};
    for (const im of ev.images) {
      const rows: number[][] = [];
      if (keep(i++)) for (let g = 0; g < im.boxes.length / 4; g++) rows.push([...Array.from(im.boxes.subarray(g * 4, g * 4 + 4)), 0.9]);
      out[ev.name][im.name] = rows;
    }
  }
  return out;
}

describe('pairedAccuracyOf', () => {
  it("VOC: ΔmAP equals the difference of the full evaluator's mAPs; the point estimate lies in the interval", async () => {
    const gt = readVocDirectory(voc, { imageSet: 'val' });
    const all = vocRows(() => true);
    const half = vocRows((i) => i % 2 === 0);
    const [a, b] = [await writeJson('voc-all.json', all), await writeJson('voc-half.json', half)];
    const r = pairedAccuracyOf({ format: 'voc', datasetDir: voc, imageSet: 'val' }, a, b, { vocApType: '11point' });
    const full = (rows: unknown) => evaluateVoc(gt, parseVocDetections(rows, gt, 'x'), { apType: '11point', evaluateDifficult: false }).mAP;
    expect(r.images).toBe(12);
    // Every GT box found with one score: the 11-point mAP of the complete set is 1 (precision 1 at every recall).
    expect(r.metrics.mAP.candidate).toBe(1);
    expect(r.metrics.mAP.delta).toBeCloseTo(full(all) - full(half), 12);
    expect(r.metrics.mAP.delta!).toBeGreaterThan(0);
    expect(r.metrics.mAP.lower!).toBeLessThanOrEqual(r.metrics.mAP.delta!);
    expect(r.metrics.mAP.upper!).toBeGreaterThanOrEqual(r.metrics.mAP.delta!);
    expect(() => pairedAccuracyOf({ format: 'voc', datasetDir: voc }, a, b)).toThrow(/vocApType/);
  });

  it('WIDER FACE: Δeasy/medium/hard equal the differences of the full evaluator; identical files give 0 [0, 0]', async () => {
    const gt = readWiderFaceDatasetGroundTruth(faces);
    const all = widerRows(() => true);
    const some = widerRows((i) => i % 3 !== 0);
    const [a, b] = [await writeJson('wider-all.json', all), await writeJson('wider-some.json', some)];
    const r = pairedAccuracyOf({ format: 'widerface', datasetDir: faces }, a, b);
    const full = (rows: unknown) => evaluateWiderFace(gt, parseWiderFacePredictions(rows, 'x'));
    for (const s of ['easy', 'medium', 'hard'] as const) expect(r.metrics[s].delta).toBeCloseTo(full(all)[s] - full(some)[s], 12);
    const same = pairedAccuracyOf({ format: 'widerface', datasetDir: faces }, a, a);
    for (const s of ['easy', 'medium', 'hard'] as const) {
      expect(same.metrics[s]).toMatchObject({ delta: 0, lower: 0, upper: 0, significant: false });
    }
  });

  it('EXPECTED FAILURE: a WIDER file missing an image is refused with the image named', async () => {
    const rows = widerRows(() => true);
    const [event] = Object.keys(rows);
    const [image] = Object.keys(rows[event]);
    delete rows[event][image];
    const broken = await writeJson('wider-broken.json', rows);
    const ok = await writeJson(
      'wider-ok.json',
      widerRows(() => true),
    );
    expect(() => pairedAccuracyOf({ format: 'widerface', datasetDir: faces }, broken, ok)).toThrow(new RegExp(`${event}/${image}`));
  });
});

describe('groundTruthSha256', () => {
  it('VOC and WIDER FACE: a copy of the folder hashes the same; one changed box, another image set or folder do not', async () => {
    const copy = path.join(tmp, 'shapes-copy');
    await fs.cp(voc, copy, { recursive: true });
    const h = await groundTruthSha256({ format: 'voc', datasetDir: voc, imageSet: 'val' });
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(await groundTruthSha256({ format: 'voc', datasetDir: copy, imageSet: 'val' })).toBe(h);
    // One image fewer in the image set.
    const setFile = path.join(copy, 'ImageSets', 'Main', 'val.txt');
    const lines = (await fs.readFile(setFile, 'utf8')).trim().split('\n');
    await fs.writeFile(path.join(copy, 'ImageSets', 'Main', 'fewer.txt'), lines.slice(1).join('\n') + '\n');
    expect(await groundTruthSha256({ format: 'voc', datasetDir: copy, imageSet: 'fewer' })).not.toBe(h);
    // One coordinate of one box moved by a pixel.
    const xml = path.join(copy, 'Annotations', `${lines[0]}.xml`);
    const text = await fs.readFile(xml, 'utf8');
    await fs.writeFile(
      xml,
      text.replace(/<xmin>(\d+)<\/xmin>/, (_m, v: string) => `<xmin>${Number(v) + 1}</xmin>`),
    );
    expect(await groundTruthSha256({ format: 'voc', datasetDir: copy, imageSet: 'val' })).not.toBe(h);
    const w = await groundTruthSha256({ format: 'widerface', datasetDir: faces });
    expect(w).not.toBe(h);
    const facesCopy = path.join(tmp, 'faces-copy');
    await fs.cp(faces, facesCopy, { recursive: true });
    expect(await groundTruthSha256({ format: 'widerface', datasetDir: facesCopy })).toBe(w);
  });
});

describe('unpairableReason', () => {
  const d = (o: Partial<TStoredDetections>): TStoredDetections =>
    ({ format: 'voc', sha256: 'a'.repeat(64), gtSha256: 'b'.repeat(64), count: 3, vocApType: '11point', ...o }) as TStoredDetections;
  it('pairs the same format, ground truth and AP convention; names what differs otherwise', () => {
    expect(unpairableReason(d({}), d({ sha256: 'c'.repeat(64), count: 9 }))).toBeNull();
    expect(unpairableReason(d({}), d({ format: 'widerface', vocApType: undefined }))).toBe('evaluated as widerface, not voc');
    expect(unpairableReason(d({}), d({ gtSha256: 'c'.repeat(64) }))).toBe('evaluated against other ground-truth bytes');
    expect(unpairableReason(d({}), d({ vocApType: 'integral' }))).toBe('evaluated with VOC AP convention integral, not 11point');
  });
});
