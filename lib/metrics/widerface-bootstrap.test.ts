import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseWiderFaceGroundTruth,
  parseWiderFacePredictions,
  readWiderFaceMatDirectory,
  readWiderFacePredictionDirectory,
} from './formats/widerface-files';
import { FIXTURES_DIR, fixtureCases, readFixture } from './reference-fixtures';
import { evaluateWiderFace, type WiderFaceGroundTruth, type WiderFacePredictions } from './widerface';
import {
  createWiderFaceScratch,
  prepareWiderFaceWeighting,
  weightedWiderFaceAp,
  widerFaceDeltaBootstrap,
  widerImageCount,
} from './widerface-bootstrap';

const cases = fixtureCases('widerface');
const load = (name: string) => {
  const input = readFixture<{ gt: unknown; pred: unknown }>(`widerface/${name}.input.json`);
  return { gt: parseWiderFaceGroundTruth(input.gt, 'gt'), preds: parseWiderFacePredictions(input.pred, 'pred') };
};
const apOf = (gt: WiderFaceGroundTruth, preds: WiderFacePredictions, w: Int32Array | null) =>
  Array.from(weightedWiderFaceAp(prepareWiderFaceWeighting(gt, preds), w, createWiderFaceScratch(), new Float64Array(3)));
const plain = (gt: WiderFaceGroundTruth, preds: WiderFacePredictions) => {
  const e = evaluateWiderFace(gt, preds);
  return [e.easy, e.medium, e.hard];
};

/**
 * Image i becomes weights[i] copies (`name#c`, same GT and predictions). Predictions of every original image are
 * kept under their own name (not a GT image: the reference still normalises scores over them), so the score
 * range is the full set's, as the weighted evaluation keeps it.
 */
function replicate(gt: WiderFaceGroundTruth, preds: WiderFacePredictions, weights: Int32Array) {
  let i = 0;
  const events = gt.events.map((ev) => ({
    name: ev.name,
    images: ev.images.flatMap((im) => Array.from({ length: weights[i++] }, (_, c) => ({ ...im, name: `${im.name}#${c}` }))),
  }));
  const out: WiderFacePredictions = new Map();
  for (const ev of gt.events) {
    const src = preds.get(ev.name);
    const m = new Map<string, Float64Array>(src ?? []);
    for (const im of ev.images) {
      const rows = src?.get(im.name);
      if (rows) for (let c = 0; c < 8; c++) m.set(`${im.name}#${c}`, rows);
    }
    out.set(ev.name, m);
  }
  for (const [name, m] of preds) if (!out.has(name)) out.set(name, m);
  return { gt: { events }, preds: out };
}

describe('weighted WIDER FACE AP', () => {
  for (const name of cases) {
    it(`${name}: golden identity: weights all 1 (and null) give evaluateWiderFace bit for bit`, () => {
      const { gt, preds } = load(name);
      expect(apOf(gt, preds, null)).toEqual(plain(gt, preds));
      expect(apOf(gt, preds, new Int32Array(widerImageCount(gt)).fill(1))).toEqual(plain(gt, preds));
    });
  }

  it('official files (.mat + prediction directory): identity as well', () => {
    const dir = path.join(FIXTURES_DIR, 'widerface/official-files');
    const gt = readWiderFaceMatDirectory(path.join(dir, 'ground_truth'));
    const preds = readWiderFacePredictionDirectory(path.join(dir, 'predictions'));
    expect(apOf(gt, preds, null)).toEqual(plain(gt, preds));
  });

  it('property: weights w equal evaluateWiderFace on the multiset spelled out, bit for bit', () => {
    const loaded = cases.map(load);
    fc.assert(
      fc.property(fc.nat(cases.length - 1), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 32, maxLength: 32 }), (c, ws) => {
        const { gt, preds } = loaded[c];
        const weights = Int32Array.from({ length: widerImageCount(gt) }, (_, i) => ws[i % ws.length]);
        const rep = replicate(gt, preds, weights);
        const expected = plain(rep.gt, rep.preds);
        const got = apOf(gt, preds, weights);
        got.forEach((v, k) => (Number.isNaN(expected[k]) ? expect(v).toBeNaN() : expect(v).toBe(expected[k])));
      }),
      { numRuns: 60 },
    );
  });

  it('property: weight 2 everywhere gives the AP of weight 1 exactly (pr_curve doubles, precision and recall do not move)', () => {
    for (const name of cases) {
      const { gt, preds } = load(name);
      expect(apOf(gt, preds, new Int32Array(widerImageCount(gt)).fill(2))).toEqual(apOf(gt, preds, null));
    }
  });

  it('degenerate: the same predictions twice give Δ 0 with interval [0, 0] in every setting', () => {
    const { gt, preds } = load(cases[0]);
    const r = widerFaceDeltaBootstrap(gt, preds, preds);
    for (const k of ['easy', 'medium', 'hard']) expect(r.metrics[k]).toMatchObject({ delta: 0, lower: 0, upper: 0, significant: false });
  });
});
