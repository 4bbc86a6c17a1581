import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWiderFaceGroundTruth, parseWiderFacePredictions, readWiderFaceMatDirectory, readWiderFacePredictionDirectory } from './formats/widerface-files';
import { FIXTURES_DIR, fixtureCases, readFixture } from './reference-fixtures';
import { evaluateWiderFace, widerVocAp } from './widerface';

interface WiderInput {
  gt: unknown;
  pred: unknown;
}
type WiderGolden = { easy: number; medium: number; hard: number };

describe('WIDER FACE: reference parity (wondervictor/WiderFace-Evaluation @ 53474e0)', () => {
  for (const name of fixtureCases('widerface')) {
    it(`${name}: easy/medium/hard agree to 1e-12`, () => {
      const input = readFixture<WiderInput>(`widerface/${name}.input.json`);
      const golden = readFixture<WiderGolden>(`widerface/${name}.golden.json`);
      const ev = evaluateWiderFace(parseWiderFaceGroundTruth(input.gt, 'gt'), parseWiderFacePredictions(input.pred, 'pred'));
      for (const k of ['easy', 'medium', 'hard'] as const) expect(Math.abs(ev[k] - golden[k])).toBeLessThanOrEqual(1e-12);
      expect(ev).toEqual(golden); // exact in practice
    });
  }

  it('official files (.mat ground truth written by scipy.io.savemat, predictions directory) give the reference result', () => {
    const dir = path.join(FIXTURES_DIR, 'widerface/official-files');
    const golden = readFixture<WiderGolden>('widerface/official-files/golden.json');
    const gt = readWiderFaceMatDirectory(path.join(dir, 'ground_truth'));
    const preds = readWiderFacePredictionDirectory(path.join(dir, 'predictions'));
    expect(evaluateWiderFace(gt, preds)).toEqual(golden);
    // and the .mat content is exactly the JSON case it was written from
    const json = readFixture<WiderInput>('widerface/random-sorted.input.json');
    expect(gt).toEqual(parseWiderFaceGroundTruth(json.gt, 'gt'));
  });
});

const gtOf = (images: Array<{ boxes: number[][]; keep?: number[] }>) =>
  parseWiderFaceGroundTruth(
    { events: [{ name: 'e', images: images.map((im, i) => { const keep = im.keep ?? im.boxes.map((_, j) => j + 1); return { name: `i${i}`, boxes: im.boxes, easy: keep, medium: keep, hard: keep }; }) }] },
    'gt',
  );

describe('WIDER FACE: hand-computed goldens', () => {
  it('one hit (score 0.9) and one miss (score 0.5) on two faces: AP 0.5', () => {
    // Normalised scores: max(0, 0.9) = 0.9, min(1, 0.5) = 0.5 -> 1 and 0. For t < 999 only the first
    // prediction passes: precision 1/1, recall 1/2. At t = 999 (threshold 0) both: precision 1/2, recall 1/2.
    // voc_ap: recall rises 0 -> 0.5 under envelope precision 1, then 0.5 -> 1 (sentinel) under 0: AP = 0.5.
    const gt = gtOf([{ boxes: [[0, 0, 10, 10], [100, 100, 10, 10]] }]);
    const preds = parseWiderFacePredictions({ e: { i0: [[0, 0, 10, 10, 0.9], [50, 50, 10, 10, 0.5]] } }, 'pred');
    expect(evaluateWiderFace(gt, preds)).toEqual({ easy: 0.5, medium: 0.5, hard: 0.5 });
  });

  it('a hit on a face outside the keep list is neither a proposal nor a recall', () => {
    // keep = [1]: the prediction on face 2 is dropped; the one on face 1 is a TP -> precision 1, recall 1
    const gt = gtOf([{ boxes: [[0, 0, 10, 10], [100, 100, 10, 10]], keep: [1] }]);
    const preds = parseWiderFacePredictions({ e: { i0: [[100, 100, 10, 10, 0.9], [0, 0, 10, 10, 0.8]] } }, 'pred');
    // scores normalise to (0.9-0.8)/(0.9-0.8) = 1 and 0: t < 999 -> no proposal counted yet (precision 0/0)
    // except the dropped one; at t = 999 both -> 1 proposal, 1 recalled. AP integrates recall 0 -> 1 at 1.
    expect(evaluateWiderFace(gt, preds).easy).toBe(1);
  });

  it('voc_ap propagates NaN precision like np.maximum but ignores it where recall does not move', () => {
    expect(widerVocAp(Float64Array.from([0, 0.5]), Float64Array.from([NaN, 1]))).toBe(0.5);
  });
});

describe('WIDER FACE: degenerate cases and properties', () => {
  it('images without predictions rows or without faces are skipped but their faces still count', () => {
    const gt = gtOf([{ boxes: [[0, 0, 10, 10]] }, { boxes: [[0, 0, 10, 10]] }]);
    const preds = parseWiderFacePredictions({ e: { i0: [[0, 0, 10, 10, 0.9], [300, 300, 5, 5, 0.1]], i1: [] } }, 'pred');
    // normalised scores 1 and 0; one of two faces found: precision 1 at recall 0.5 -> AP 0.5
    expect(evaluateWiderFace(gt, preds).hard).toBe(0.5);
  });

  it('a single prediction (max = min) normalises to 0/0 = NaN, passes no threshold, and scores AP 0 as in the reference', () => {
    const gt = gtOf([{ boxes: [[0, 0, 10, 10]] }]);
    const preds = parseWiderFacePredictions({ e: { i0: [[0, 0, 10, 10, 0.9]] } }, 'pred');
    expect(evaluateWiderFace(gt, preds)).toEqual({ easy: 0, medium: 0, hard: 0 });
  });

  it('property: a prediction on an image without faces never changes AP when its score is inside the range', () => {
    // Images without GT boxes are skipped; only the score normalisation could react, and a score inside
    // [min, max] leaves it unchanged. (A score outside the range renormalises everything: not monotone.)
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 2, max: 40 }), fc.integer({ min: 0, max: 100 })), { minLength: 2, maxLength: 10 }),
        fc.integer({ min: 0, max: 100 }),
        (rows, extra) => {
          const gt = gtOf([{ boxes: rows.map(([x, y, s]) => [x, y, s, s]) }, { boxes: [] }]);
          const preds = rows.map(([x, y, s, sc]) => [x + 1, y, s, s, sc / 100]);
          const lo = Math.min(...preds.map((r) => r[4]));
          const hi = Math.max(...preds.map((r) => r[4]));
          const score = lo + ((hi - lo) * extra) / 100;
          const before = evaluateWiderFace(gt, parseWiderFacePredictions({ e: { i0: preds, i1: [] } }, 'pred'));
          const after = evaluateWiderFace(gt, parseWiderFacePredictions({ e: { i0: preds, i1: [[0, 0, 10, 10, score]] } }, 'pred'));
          expect(after).toEqual(before);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('property: perfect predictions with distinct scores give AP 1', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 2, max: 60 })), { minLength: 2, maxLength: 12 }), (faces) => {
        // faces far apart so that every prediction overlaps only its own face
        const boxes = faces.map(([, , s], i) => [i * 200, 0, s, s]);
        const gt = gtOf([{ boxes }]);
        const rows = boxes.map((b, i) => [...b, 1 - i / 100]);
        expect(evaluateWiderFace(gt, parseWiderFacePredictions({ e: { i0: rows } }, 'pred')).hard).toBeCloseTo(1, 12);
      }),
      { numRuns: 50 },
    );
  });
});
