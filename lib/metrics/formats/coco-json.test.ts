import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlimboardError } from '../../errors';
import { evaluateCoco } from '../coco';
import { fixtureCases, readFixture } from '../reference-fixtures';
import { parseCocoGroundTruth, parseCocoResults, readCocoGroundTruthFile, readCocoResultsFile } from './coco-json';
import { scanCocoResults } from './coco-results-scanner';

const gtJson = {
  images: [{ id: 1 }, { id: 7 }],
  annotations: [{ id: 1, image_id: 1, category_id: 3, bbox: [0, 0, 10, 10], area: 80, iscrowd: 0 }],
  categories: [{ id: 3, name: 'cat' }, { id: 1, name: 'person' }],
};
const tmp = mkdtempSync(path.join(tmpdir(), 'slimboard-coco-'));
const file = (name: string, text: string) => {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
};

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SlimboardError);
    const m = (e as Error).message;
    expect(m).not.toContain('\n');
    return m;
  }
  throw new Error('expected a SlimboardError');
}

describe('COCO JSON loading', () => {
  it('sorts images and categories by id (params.imgIds / catIds) and keeps annotation file order', () => {
    const gt = parseCocoGroundTruth(gtJson, 'gt.json');
    expect(gt.imageIds).toEqual([1, 7]);
    expect(gt.categories.map((c) => c.id)).toEqual([1, 3]);
    expect(Array.from(gt.annCategory)).toEqual([1]);
  });

  it('BAD INPUT: each problem is one line naming the file and the item', () => {
    const gt = parseCocoGroundTruth(gtJson, 'gt.json');
    const det = { image_id: 1, category_id: 3, bbox: [0, 0, 5, 5], score: 0.5 };
    expect(errorOf(() => readCocoGroundTruthFile(file('bad.json', '{"images": [')))).toMatch(/bad\.json: malformed JSON/);
    expect(errorOf(() => parseCocoResults([], gt, 'dt.json'))).toMatch(/dt\.json: \(root\): empty detection list/);
    expect(errorOf(() => parseCocoResults({}, gt, 'dt.json'))).toMatch(/expected a list/);
    expect(errorOf(() => parseCocoResults([det, { ...det, image_id: 99 }], gt, 'dt.json'))).toMatch(/dt\.json: \[1\]: image_id 99 is not an image/);
    expect(errorOf(() => parseCocoResults([{ ...det, category_id: 2 }], gt, 'dt.json', { strict: true }))).toMatch(/\[0\]: category_id 2 is not a category.*strict/);
    // not strict, a detection of an unknown category is left out, but a broken one is still an error
    expect(errorOf(() => parseCocoResults([{ ...det, category_id: 2, bbox: [0, 0, -1, 5] }], gt, 'dt.json'))).toMatch(/\[0\]: "bbox" has negative width/);
    expect(errorOf(() => parseCocoResults([{ ...det, bbox: [0, 0, -1, 5] }], gt, 'dt.json'))).toMatch(/negative width or height/);
    expect(errorOf(() => parseCocoResults([{ ...det, bbox: [0, 0, 1] }], gt, 'dt.json'))).toMatch(/"bbox" must be 4 finite numbers/);
    expect(errorOf(() => parseCocoResults([{ ...det, score: Number.NaN }], gt, 'dt.json'))).toMatch(/"score" must be a finite number, got NaN/);
    expect(errorOf(() => parseCocoResults([{ image_id: 1, category_id: 3, bbox: [0, 0, 1, 1] }], gt, 'dt.json'))).toMatch(/\[0\]: missing field "score"/);
    const noCrowd = { ...gtJson, annotations: [{ id: 1, image_id: 1, category_id: 3, bbox: [0, 0, 1, 1], area: 1 }] };
    expect(errorOf(() => parseCocoGroundTruth(noCrowd, 'gt.json'))).toMatch(/annotations\[0\]: missing field "iscrowd"/);
    const dupImage = { ...gtJson, images: [{ id: 1 }, { id: 1 }] };
    expect(errorOf(() => parseCocoGroundTruth(dupImage, 'gt.json'))).toMatch(/images\[1\]: duplicate image id 1/);
    expect(errorOf(() => parseCocoGroundTruth({ images: [] }, 'gt.json'))).toMatch(/missing array "annotations"/);
  });

  it('the byte scanner and JSON.parse agree on every well-formed results file (numbers bit for bit, unknown categories left out)', () => {
    const gt = parseCocoGroundTruth(gtJson, 'gt.json');
    const num = fc.oneof(fc.double({ min: 0, max: 1e4, noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 5000 }).map((v) => v / 1000), fc.constantFrom(0, 1e-7, 123456789.123456789, 5e-324));
    fc.assert(
      fc.property(fc.array(fc.record({ image_id: fc.constantFrom(1, 7), category_id: fc.constantFrom(1, 3, 2, 1e6), bbox: fc.tuple(num, num, num, num), score: num }), { minLength: 1, maxLength: 30 }), fc.boolean(), (dets, pretty) => {
        const text = JSON.stringify(dets, null, pretty ? 2 : undefined);
        const fast = scanCocoResults(Buffer.from(text), gt);
        expect(fast).not.toBeNull();
        expect(fast).toEqual(parseCocoResults(JSON.parse(text), gt, 'dt'));
      }),
      { numRuns: 200 },
    );
  });

  it('files the scanner does not handle (extra keys, escapes) fall back to the general path', () => {
    const gt = parseCocoGroundTruth(gtJson, 'gt.json');
    const p = file('extra.json', JSON.stringify([{ image_id: 7, category_id: 1, bbox: [1, 2, 3, 4], score: 0.25, segmentation: [[1, 2]] }]));
    expect(scanCocoResults(Buffer.from(JSON.stringify([{ image_id: 7, category_id: 1, bbox: [1, 2, 3, 4], score: 0.25, extra: 1 }])), gt)).toBeNull();
    const dt = readCocoResultsFile(p, gt);
    expect(Array.from(dt.detBox)).toEqual([1, 2, 3, 4]);
    expect(errorOf(() => readCocoResultsFile(file('unknown.json', '[{"image_id": 5, "category_id": 1, "bbox": [1,2,3,4], "score": 1}]'), gt))).toMatch(/unknown\.json: \[0\]: image_id 5/);
  });

  it('pycocotools parity: detections of a category not in the GT are left out and counted; the 12 stats equal the file without them', () => {
    for (const name of fixtureCases('coco')) {
      const input = readFixture<{ gt: { categories: Array<{ id: number }> }; dt: Array<Record<string, unknown>> }>(`coco/${name}.input.json`);
      const gt = parseCocoGroundTruth(input.gt, 'gt');
      const maxCat = Math.max(...input.gt.categories.map((c) => c.id));
      // every fourth detection copied with an unknown category (two different unknown ids), interleaved with the rest
      const extra: Array<Record<string, unknown>> = [];
      input.dt.forEach((d, i) => {
        extra.push(d);
        if (i % 4 === 0) extra.push({ ...d, category_id: maxCat + 1 + (i % 8 === 0 ? 0 : 1000), score: 0.999 });
      });
      const added = extra.length - input.dt.length;
      const plain = parseCocoResults(input.dt, gt, 'dt');
      expect(plain.ignoredUnknownCategory).toBe(0);
      for (const withUnknown of [parseCocoResults(extra, gt, 'dt'), readCocoResultsFile(file(`${name}-extra.json`, JSON.stringify(extra)), gt)]) {
        expect(withUnknown.ignoredUnknownCategory).toBe(added);
        expect(withUnknown.unknownCategoryIds).toEqual(added > 1 ? [maxCat + 1, maxCat + 1001] : [maxCat + 1]);
        expect(evaluateCoco(gt, withUnknown).stats).toEqual(evaluateCoco(gt, plain).stats);
      }
      expect(errorOf(() => readCocoResultsFile(file(`${name}-extra-strict.json`, JSON.stringify(extra)), gt, { strict: true }))).toMatch(/is not a category.*strict/);
    }
  });
});
