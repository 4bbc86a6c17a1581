import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseVocDetections, parseVocGroundTruth } from './formats/voc-json';
import { fixtureCases, readFixture } from './reference-fixtures';
import { evaluateVoc, type VocApType, type VocDetections, type VocGroundTruth, type VocOptions } from './voc';
import { createVocMapScratch, prepareVocMapWeighting, vocMapDeltaBootstrap, weightedVocMap } from './voc-bootstrap';

const cases = fixtureCases('voc');
const load = (name: string) => {
  const input = readFixture<{ gt: unknown; dt: unknown }>(`voc/${name}.input.json`);
  const gt = parseVocGroundTruth(input.gt, 'gt');
  return { gt, dt: parseVocDetections(input.dt, gt, 'dt') };
};
const modes: VocOptions[] = (['11point', 'integral'] as VocApType[]).flatMap((apType) =>
  [false, true].map((evaluateDifficult) => ({ apType, evaluateDifficult })),
);
const mapOf = (gt: VocGroundTruth, dt: VocDetections, o: VocOptions, w: Int32Array | null) =>
  weightedVocMap(prepareVocMapWeighting(gt, dt, o), w, createVocMapScratch());

/** Image i becomes weights[i] consecutive images; detections of each copy keep their input order. */
function replicate(gt: VocGroundTruth, dt: VocDetections, weights: Int32Array): { gt: VocGroundTruth; dt: VocDetections } {
  const first: number[] = [];
  const images: VocGroundTruth['images'] = [];
  gt.images.forEach((im, i) => {
    first.push(images.length);
    for (let c = 0; c < weights[i]; c++) images.push({ ...im, id: `${im.id}#${c}` });
  });
  const idx: number[] = [];
  const img: number[] = [];
  dt.detImage.forEach((im, d) => {
    for (let c = 0; c < weights[im]; c++) {
      idx.push(d);
      img.push(first[im] + c);
    }
  });
  const detBox = new Float64Array(idx.length * 4);
  idx.forEach((d, j) => detBox.set(dt.detBox.subarray(d * 4, d * 4 + 4), j * 4));
  return {
    gt: { ...gt, images },
    dt: {
      detImage: Int32Array.from(img),
      detLabel: Int32Array.from(idx, (d) => dt.detLabel[d]),
      detScore: Float64Array.from(idx, (d) => dt.detScore[d]),
      detBox,
    },
  };
}

describe('weighted VOC mAP', () => {
  for (const name of cases) {
    it(`${name}: golden identity: weights all 1 (and null) give evaluateVoc's mAP bit for bit, both AP types and difficult modes`, () => {
      const { gt, dt } = load(name);
      for (const o of modes) {
        const expected = evaluateVoc(gt, dt, o).mAP;
        expect(mapOf(gt, dt, o, null)).toBe(expected);
        expect(mapOf(gt, dt, o, new Int32Array(gt.images.length).fill(1))).toBe(expected);
      }
    });
  }

  it('property: weights w equal evaluateVoc on the multiset spelled out, bit for bit', () => {
    const weightsArb = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 32, maxLength: 32 });
    const loaded = cases.map(load);
    fc.assert(
      fc.property(fc.nat(cases.length - 1), fc.nat(modes.length - 1), weightsArb, (c, m, ws) => {
        const { gt, dt } = loaded[c];
        const weights = Int32Array.from({ length: gt.images.length }, (_, i) => ws[i % ws.length]);
        const rep = replicate(gt, dt, weights);
        expect(mapOf(gt, dt, modes[m], weights)).toBe(evaluateVoc(rep.gt, rep.dt, modes[m]).mAP);
      }),
      { numRuns: 60 },
    );
  });

  it('property: weight 2 everywhere gives the 11point mAP of weight 1 (distinct scores); the integral AP has no envelope and moves', () => {
    // 11point reads the best precision at recall >= each level, and the doubled curve's extra points never beat the
    // original ones. 'integral' sums raw precision × Δrecall, so the extra first-copy points (lower precision) count.
    let integralMoved = false;
    for (const name of cases) {
      const { gt, dt } = load(name);
      const distinct = { ...dt, detScore: dt.detScore.map((v, d) => v + d * 1e-12) };
      const twos = new Int32Array(gt.images.length).fill(2);
      for (const o of modes) {
        const two = mapOf(gt, distinct, o, twos);
        const one = mapOf(gt, distinct, o, null);
        if (o.apType === '11point') expect(two).toBe(one);
        else if (two !== one) integralMoved = true;
      }
    }
    expect(integralMoved).toBe(true);
  });

  it('degenerate: the same file twice gives ΔmAP 0 with interval [0, 0]; no image drawn gives mAP 0 as the reference', () => {
    const { gt, dt } = load(cases[0]);
    const r = vocMapDeltaBootstrap(gt, dt, dt, { apType: 'integral', evaluateDifficult: false });
    expect(r.metrics.mAP).toMatchObject({ delta: 0, lower: 0, upper: 0, significant: false });
    expect(mapOf(gt, dt, modes[0], new Int32Array(gt.images.length))).toBe(0);
  });
});
