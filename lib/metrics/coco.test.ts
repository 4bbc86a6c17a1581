import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accumulateCoco, defaultCocoParams, evaluateCoco, evaluateCocoImages, summarizeCoco, type CocoDetections, type CocoGroundTruth } from './coco';
import { parseCocoGroundTruth, parseCocoResults } from './formats/coco-json';
import { decodeRunLength, fixtureCases, maxAbsDiff, readFixture } from './reference-fixtures';

interface CocoInput {
  gt: unknown;
  dt: unknown;
}
interface CocoGolden {
  stats: number[];
  perCategoryAp: Array<number | null>;
  precision: Array<[number, number]>;
  recall: Array<[number, number]>;
  scores?: Array<[number, number]>;
  counts: number[];
}

function load(input: CocoInput): { gt: CocoGroundTruth; dt: CocoDetections } {
  const gt = parseCocoGroundTruth(input.gt, 'gt');
  return { gt, dt: parseCocoResults(input.dt, gt, 'dt') };
}

type Ann = { id: number; image_id: number; category_id: number; bbox: number[]; area: number; iscrowd: number };
type Det = { image_id: number; category_id: number; bbox: number[]; score: number };
function build(images: number[], cats: number[], anns: Ann[], dets: Det[]) {
  const gt = parseCocoGroundTruth({ images: images.map((id) => ({ id })), annotations: anns, categories: cats.map((id) => ({ id, name: `c${id}` })) }, 'gt');
  return { gt, dt: parseCocoResults(dets, gt, 'dt') };
}

describe('COCO bbox evaluation: reference parity (pycocotools 2.0 @ 8c9bcc3, numpy 1.24.2)', () => {
  for (const name of fixtureCases('coco')) {
    it(`${name}: stats, per-category AP, precision/recall/scores arrays agree to 1e-12`, () => {
      const input = readFixture<CocoInput>(`coco/${name}.input.json`);
      const golden = readFixture<CocoGolden>(`coco/${name}.golden.json`);
      const { gt, dt } = load(input);
      const ev = evaluateCoco(gt, dt);
      expect(ev.counts).toEqual(golden.counts);
      expect(maxAbsDiff(ev.stats, golden.stats)).toBeLessThanOrEqual(1e-12);
      expect(ev.perCategoryAp.map((v) => (v === null ? -99 : v))).toHaveLength(golden.perCategoryAp.length);
      ev.perCategoryAp.forEach((v, k) => {
        const g = golden.perCategoryAp[k];
        if (g === null) expect(v).toBeNull();
        else expect(Math.abs((v as number) - g)).toBeLessThanOrEqual(1e-12);
      });
      expect(maxAbsDiff(ev.precision, decodeRunLength(golden.precision))).toBeLessThanOrEqual(1e-12);
      expect(maxAbsDiff(ev.recall, decodeRunLength(golden.recall))).toBeLessThanOrEqual(1e-12);
      if (golden.scores) expect(maxAbsDiff(ev.scores, decodeRunLength(golden.scores))).toBeLessThanOrEqual(1e-12);
      // in practice the agreement is exact: same operations in the same order
      expect(ev.stats).toEqual(golden.stats);
    });
  }
});

describe('COCO bbox evaluation: hand-computed golden', () => {
  it('two GT, detections TP (0.9), FP (0.8), TP (0.7)', () => {
    // One image, one category, GT areas 100 (small). Matches are exact (IoU 1) at every threshold.
    // tp = [1,1,2], fp = [0,1,1] -> recall [0.5, 0.5, 1], precision [1, 0.5, 2/3], envelope [1, 2/3, 2/3].
    // Recall thresholds 0.00..0.50 (51 of them) read index 0 -> 1; 0.51..1.00 (50) read index 2 -> 2/3.
    // AP = (51 * 1 + 50 * 2/3) / 101 at every IoU threshold; AR1 = 0.5 (only the first detection).
    const { gt, dt } = build(
      [1],
      [1],
      [
        { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 },
        { id: 2, image_id: 1, category_id: 1, bbox: [50, 50, 10, 10], area: 100, iscrowd: 0 },
      ],
      [
        { image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.9 },
        { image_id: 1, category_id: 1, bbox: [200, 200, 10, 10], score: 0.8 },
        { image_id: 1, category_id: 1, bbox: [50, 50, 10, 10], score: 0.7 },
      ],
    );
    const s = evaluateCoco(gt, dt).stats;
    const ap = (51 * 1 + 50 * (2 / 3)) / 101;
    expect(s[0]).toBeCloseTo(ap, 14);
    expect(s[1]).toBeCloseTo(ap, 14);
    expect(s[2]).toBeCloseTo(ap, 14);
    expect(s[3]).toBeCloseTo(ap, 14); // small
    expect(s[4]).toBe(-1); // no medium GT
    expect(s[5]).toBe(-1);
    expect(s[6]).toBe(0.5);
    expect(s[7]).toBe(1);
    expect(s[8]).toBe(1);
    expect(s[9]).toBe(1);
    expect(s[10]).toBe(-1);
    expect(s[11]).toBe(-1);
  });
});

describe('COCO bbox evaluation: degenerate cases', () => {
  it('no GT at all: every statistic is -1 and per-category AP is null', () => {
    const { gt, dt } = build([1, 2], [1, 2], [], [{ image_id: 1, category_id: 1, bbox: [0, 0, 5, 5], score: 0.5 }]);
    const ev = evaluateCoco(gt, dt);
    expect(ev.stats).toEqual(new Array(12).fill(-1));
    expect(ev.perCategoryAp).toEqual([null, null]);
  });

  it('zero detections through the API (the loader rejects an empty file): AP and AR are 0, not a crash', () => {
    const { gt } = build([1], [1], [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 50, 50], area: 2500, iscrowd: 0 }], [{ image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], score: 1 }]);
    const empty: CocoDetections = { detImage: new Int32Array(0), detCategory: new Int32Array(0), detBox: new Float64Array(0), detScore: new Float64Array(0) };
    const ev = evaluateCoco(gt, empty);
    expect(ev.stats[0]).toBe(0);
    expect(ev.stats[8]).toBe(0);
    expect(ev.stats[3]).toBe(-1);
  });

  it('progress hook reports done/total per stage, ending at total', () => {
    const input = readFixture<CocoInput>('coco/random-larger.input.json');
    const { gt, dt } = load(input);
    const seen: Array<{ stage: string; done: number; total: number }> = [];
    evaluateCoco(gt, dt, { onProgress: (p) => seen.push(p) });
    for (const stage of ['evaluate', 'accumulate']) {
      const s = seen.filter((p) => p.stage === stage);
      expect(s.length).toBeGreaterThan(0);
      expect(s[s.length - 1].done).toBe(s[s.length - 1].total);
      for (let i = 1; i < s.length; i++) expect(s[i].done).toBeGreaterThanOrEqual(s[i - 1].done);
    }
  });

  it('an aborted signal stops the evaluation with a SlimboardError', () => {
    const { gt, dt } = load(readFixture<CocoInput>('coco/random-larger.input.json'));
    const ac = new AbortController();
    ac.abort();
    expect(() => evaluateCoco(gt, dt, { signal: ac.signal })).toThrow(/aborted/);
  });
});

// --- property tests ----------------------------------------------------------------------------

const boxArb = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 200 }));
const sceneArb = fc.record({
  images: fc.integer({ min: 1, max: 6 }),
  anns: fc.array(fc.record({ img: fc.nat(5), cat: fc.integer({ min: 1, max: 3 }), box: boxArb, crowd: fc.boolean() }), { maxLength: 25 }),
  dets: fc.array(fc.record({ img: fc.nat(5), cat: fc.integer({ min: 1, max: 3 }), box: boxArb, score: fc.integer({ min: 0, max: 20 }) }), { maxLength: 40 }),
});
type Scene = typeof sceneArb extends fc.Arbitrary<infer S> ? S : never;

function sceneToCoco(s: Scene, imageIds: number[]) {
  const anns: Ann[] = s.anns
    .filter((a) => a.img < s.images)
    .map((a, i) => ({ id: i + 1, image_id: imageIds[a.img], category_id: a.cat, bbox: a.box, area: a.box[2] * a.box[3], iscrowd: a.crowd ? 1 : 0 }));
  const dets: Det[] = s.dets.filter((d) => d.img < s.images).map((d) => ({ image_id: imageIds[d.img], category_id: d.cat, bbox: d.box, score: d.score / 20 }));
  return { anns, dets };
}

describe('COCO bbox evaluation: properties', () => {
  it('perfect detections (one per non-crowd GT, distinct scores) give AP = 1 where the reference does', () => {
    // The reference's precision is tp / (tp + fp + 2^-52): with a single GT that is 1 / (1 + 2^-52) =
    // 0.9999999999999998, so a category with exactly one GT scores just below 1 in pycocotools too.
    fc.assert(
      fc.property(sceneArb, (s) => {
        const ids = Array.from({ length: s.images }, (_, i) => i + 1);
        const { anns } = sceneToCoco(s, ids);
        const dets: Det[] = anns.filter((a) => !a.iscrowd).map((a, i) => ({ image_id: a.image_id, category_id: a.category_id, bbox: a.bbox, score: 1 - i * 1e-3 }));
        if (dets.length === 0) return;
        // duplicated GT boxes would make a perfect set impossible to define; skip those scenes
        const keys = new Set(anns.map((a) => `${a.image_id}/${a.category_id}/${a.bbox.join(',')}`));
        if (keys.size !== anns.length) return;
        const { gt, dt } = build(ids, [1, 2, 3], anns, dets);
        const ev = evaluateCoco(gt, dt);
        ev.perCategoryAp.forEach((v, k) => {
          const n = anns.filter((a) => !a.iscrowd && a.category_id === k + 1).length;
          if (n === 0) return;
          if (n >= 2) expect(v).toBe(1);
          else expect(v).toBeCloseTo(1 / (1 + 2 ** -52), 15);
        });
        if (ev.perCategoryAp.every((v, k) => v === null || anns.filter((a) => !a.iscrowd && a.category_id === k + 1).length !== 1)) expect(ev.stats[0]).toBe(1);
      }),
      { numRuns: 60 },
    );
  });

  it('permuting the image ids (and so the image order) does not change any statistic', () => {
    fc.assert(
      fc.property(sceneArb, fc.integer({ min: 0, max: 1000 }), (s, seed) => {
        const ids = Array.from({ length: s.images }, (_, i) => i + 1);
        const perm = ids.slice();
        for (let i = perm.length - 1, x = seed; i > 0; i--, x = (x * 1103515245 + 12345) % 2147483648) {
          const j = x % (i + 1);
          [perm[i], perm[j]] = [perm[j], perm[i]];
        }
        const a = sceneToCoco(s, ids);
        const b = sceneToCoco(s, perm);
        if (a.dets.length === 0) return;
        // ties in score across images are broken by image order in the reference, so use distinct scores
        a.dets.forEach((d, i) => (d.score = d.score + i * 1e-6));
        b.dets.forEach((d, i) => (d.score = d.score + i * 1e-6));
        const ea = evaluateCoco(build(ids, [1, 2, 3], a.anns, a.dets).gt, build(ids, [1, 2, 3], a.anns, a.dets).dt).stats;
        const gb = build(ids, [1, 2, 3], b.anns, b.dets);
        const eb = evaluateCoco(gb.gt, gb.dt).stats;
        expect(eb).toEqual(ea);
      }),
      { numRuns: 60 },
    );
  });

  it('adding a detection on an image without GT never raises AP', () => {
    fc.assert(
      fc.property(sceneArb, boxArb, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 20 }), (s, box, cat, score) => {
        const ids = Array.from({ length: s.images + 1 }, (_, i) => i + 1); // the last image never has GT
        const { anns, dets } = sceneToCoco(s, ids);
        if (dets.length === 0) return;
        const base = build(ids, [1, 2, 3], anns, dets);
        const more = build(ids, [1, 2, 3], anns, [...dets, { image_id: ids[ids.length - 1], category_id: cat, bbox: box, score: score / 20 }]);
        const before = evaluateCoco(base.gt, base.dt);
        const after = evaluateCoco(more.gt, more.dt);
        for (const i of [0, 1, 2, 3, 4, 5]) if (before.stats[i] !== -1) expect(after.stats[i]).toBeLessThanOrEqual(before.stats[i] + 1e-15);
      }),
      { numRuns: 60 },
    );
  });

  it('the three stages compose to evaluateCoco', () => {
    const { gt, dt } = load(readFixture<CocoInput>('coco/random-ties-crowd-areas.input.json'));
    const acc = accumulateCoco(evaluateCocoImages(gt, dt, defaultCocoParams()));
    expect(summarizeCoco(acc).stats).toEqual(evaluateCoco(gt, dt).stats);
  });
});
