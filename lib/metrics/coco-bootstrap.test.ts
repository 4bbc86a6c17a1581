import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateCoco, type CocoDetections, type CocoGroundTruth } from './coco';
import { cocoApDeltaBootstrap, createCocoApScratch, prepareCocoApWeighting, weightedCocoAp } from './coco-bootstrap';
import { parseCocoGroundTruth, parseCocoResults } from './formats/coco-json';
import { fixtureCases, readFixture } from './reference-fixtures';

interface CocoInput {
  gt: unknown;
  dt: unknown;
}

function load(name: string): { gt: CocoGroundTruth; dt: CocoDetections } {
  const input = readFixture<CocoInput>(`coco/${name}.input.json`);
  const gt = parseCocoGroundTruth(input.gt, 'gt');
  return { gt, dt: parseCocoResults(input.dt, gt, 'dt') };
}

function apOf(gt: CocoGroundTruth, dt: CocoDetections, weights: Int32Array | null): number[] {
  const s = prepareCocoApWeighting(gt, dt);
  return Array.from(weightedCocoAp(s, weights, createCocoApScratch(s), new Float64Array(3)));
}

/**
 * The multiset spelled out: image i becomes weights[i] consecutive images (copies of its GT and detections,
 * detections of a copy in the original file order), as the bootstrap defines a resample.
 */
function replicate(gt: CocoGroundTruth, dt: CocoDetections, weights: Int32Array): { gt: CocoGroundTruth; dt: CocoDetections } {
  const first: number[] = [];
  let I2 = 0;
  for (const w of weights) {
    first.push(I2);
    I2 += w;
  }
  const annIdx: number[] = [];
  const annImg: number[] = [];
  gt.annImage.forEach((im, g) => {
    for (let c = 0; c < weights[im]; c++) {
      annIdx.push(g);
      annImg.push(first[im] + c);
    }
  });
  const G = annIdx.length;
  const gt2: CocoGroundTruth = {
    imageIds: Array.from({ length: I2 }, (_, i) => i + 1),
    categories: gt.categories,
    annImage: Int32Array.from(annImg),
    annCategory: Int32Array.from(annIdx, (g) => gt.annCategory[g]),
    annBox: new Float64Array(G * 4),
    annArea: Float64Array.from(annIdx, (g) => gt.annArea[g]),
    annCrowd: Uint8Array.from(annIdx, (g) => gt.annCrowd[g]),
    annId: Float64Array.from(annIdx, (g) => gt.annId[g]),
  };
  annIdx.forEach((g, j) => gt2.annBox.set(gt.annBox.subarray(g * 4, g * 4 + 4), j * 4));
  const detIdx: number[] = [];
  const detImg: number[] = [];
  dt.detImage.forEach((im, d) => {
    for (let c = 0; c < weights[im]; c++) {
      detIdx.push(d);
      detImg.push(first[im] + c);
    }
  });
  const D = detIdx.length;
  const dt2: CocoDetections = {
    detImage: Int32Array.from(detImg),
    detCategory: Int32Array.from(detIdx, (d) => dt.detCategory[d]),
    detBox: new Float64Array(D * 4),
    detScore: Float64Array.from(detIdx, (d) => dt.detScore[d]),
  };
  detIdx.forEach((d, j) => dt2.detBox.set(dt.detBox.subarray(d * 4, d * 4 + 4), j * 4));
  return { gt: gt2, dt: dt2 };
}

const cases = fixtureCases('coco');

describe('weighted COCO AP: golden identity with the plain evaluator', () => {
  for (const name of cases) {
    it(`${name}: weights all 1 (and null) give AP, AP50, AP75 of evaluateCoco bit for bit`, () => {
      const { gt, dt } = load(name);
      const expected = evaluateCoco(gt, dt).stats.slice(0, 3);
      expect(apOf(gt, dt, null)).toEqual(expected);
      expect(apOf(gt, dt, new Int32Array(gt.imageIds.length).fill(1))).toEqual(expected);
    });
  }

  it('hand-computed: one image drawn twice, TP 0.9 / FP 0.8 / TP 0.7 on two GT', () => {
    // Twice the image: GT 4, sequence TP TP FP FP TP TP -> precision at the TPs 1, 1, 3/5, 4/6; envelope 1, 1, 2/3, 2/3;
    // recall 1/4, 2/4, 3/4, 1. Thresholds 0..0.50 (51) read 1, 0.51..1 (50) read 2/3: the same AP as the image once.
    const gt = parseCocoGroundTruth(
      {
        images: [{ id: 1 }],
        categories: [{ id: 1, name: 'a' }],
        annotations: [
          { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 },
          { id: 2, image_id: 1, category_id: 1, bbox: [50, 50, 10, 10], area: 100, iscrowd: 0 },
        ],
      },
      'gt',
    );
    const dt = parseCocoResults(
      [
        { image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.9 },
        { image_id: 1, category_id: 1, bbox: [200, 200, 10, 10], score: 0.8 },
        { image_id: 1, category_id: 1, bbox: [50, 50, 10, 10], score: 0.7 },
      ],
      gt,
      'dt',
    );
    const ap = (51 * 1 + 50 * (2 / 3)) / 101;
    const twice = apOf(gt, dt, Int32Array.of(2));
    twice.forEach((v) => expect(v).toBeCloseTo(ap, 14));
    expect(apOf(gt, dt, Int32Array.of(0))).toEqual([-1, -1, -1]); // no image drawn: no GT, undefined
  });
});

describe('weighted COCO AP: properties', () => {
  it('weights w equal the plain evaluator on the multiset spelled out (w copies of each image), bit for bit', () => {
    const loaded = cases.map(load);
    fc.assert(
      fc.property(fc.nat(cases.length - 1), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 64, maxLength: 64 }), (c, ws) => {
        const { gt, dt } = loaded[c];
        const weights = Int32Array.from({ length: gt.imageIds.length }, (_, i) => ws[i % ws.length]);
        const rep = replicate(gt, dt, weights);
        const expected = rep.gt.imageIds.length === 0 ? [-1, -1, -1] : evaluateCoco(rep.gt, rep.dt).stats.slice(0, 3);
        expect(apOf(gt, dt, weights)).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('weight 2 for every image gives the AP of weight 1 (distinct scores; to 1e-15: only the 2^-52 in precision differs)', () => {
    // With tied scores inside one image the copies interleave (TP FP TP FP instead of TP FP): the reference on the
    // duplicated set gives another AP there, as the multiset test above checks, so this property needs distinct scores.
    for (const name of cases) {
      const { gt, dt } = load(name);
      const distinct: CocoDetections = { ...dt, detScore: dt.detScore.map((v, d) => v + d * 1e-12) };
      const one = apOf(gt, distinct, null);
      const two = apOf(gt, distinct, new Int32Array(gt.imageIds.length).fill(2));
      two.forEach((v, i) => expect(Math.abs(v - one[i])).toBeLessThanOrEqual(1e-15));
    }
  });
});

describe('paired bootstrap of ΔAP', () => {
  it('the same file as candidate and baseline: ΔAP 0 with interval [0, 0], not significant', () => {
    const { gt, dt } = load('random-larger');
    const r = cocoApDeltaBootstrap(gt, dt, dt);
    expect(r.resamples).toBe(1000);
    for (const m of ['AP', 'AP50', 'AP75']) {
      expect(r.metrics[m]).toMatchObject({ delta: 0, lower: 0, upper: 0, significant: false, undefinedResamples: 0 });
    }
  });

  it('full-data values are the plain evaluator; the same seed gives the same interval; the delta is inside it here', () => {
    const { gt, dt } = load('random-larger');
    // baseline: drop every third detection (a worse model on the same GT)
    const keep = Array.from(dt.detScore.keys()).filter((d) => d % 3 !== 0);
    const base: CocoDetections = {
      detImage: Int32Array.from(keep, (d) => dt.detImage[d]),
      detCategory: Int32Array.from(keep, (d) => dt.detCategory[d]),
      detBox: Float64Array.from(keep.flatMap((d) => Array.from(dt.detBox.subarray(d * 4, d * 4 + 4)))),
      detScore: Float64Array.from(keep, (d) => dt.detScore[d]),
    };
    const a = cocoApDeltaBootstrap(gt, dt, base, { seed: 7 });
    const b = cocoApDeltaBootstrap(gt, dt, base, { seed: 7 });
    const c = cocoApDeltaBootstrap(gt, dt, base, { seed: 8 });
    expect(a).toEqual(b);
    expect(c.metrics.AP.lower).not.toBe(a.metrics.AP.lower);
    const sa = evaluateCoco(gt, dt).stats;
    const sb = evaluateCoco(gt, base).stats;
    expect(a.metrics.AP).toMatchObject({ candidate: sa[0], baseline: sb[0], delta: sa[0] - sb[0] });
    expect(a.metrics.AP.lower as number).toBeLessThanOrEqual(a.metrics.AP.delta as number);
    expect(a.metrics.AP.upper as number).toBeGreaterThanOrEqual(a.metrics.AP.delta as number);
    expect(a.metrics.AP.significant).toBe((a.metrics.AP.lower as number) > 0 || (a.metrics.AP.upper as number) < 0);
  });

  it('no ground truth at all: every AP is undefined, the delta and interval are null, not significant', () => {
    const gt = parseCocoGroundTruth({ images: [{ id: 1 }, { id: 2 }], categories: [{ id: 1, name: 'a' }], annotations: [] }, 'gt');
    const dt = parseCocoResults([{ image_id: 1, category_id: 1, bbox: [0, 0, 5, 5], score: 0.5 }], gt, 'dt');
    const r = cocoApDeltaBootstrap(gt, dt, dt);
    expect(r.metrics.AP).toMatchObject({ candidate: -1, baseline: -1, delta: null, lower: null, upper: null, significant: false });
    expect(r.metrics.AP.undefinedResamples).toBe(1000);
  });

  it('fewer than 1000 resamples is refused with a clear error', () => {
    const { gt, dt } = load('perfect');
    expect(() => cocoApDeltaBootstrap(gt, dt, dt, { resamples: 10 })).toThrow(/resamples/);
  });
});
