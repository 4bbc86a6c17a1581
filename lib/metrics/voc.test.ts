import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseVocDetections, parseVocGroundTruth } from './formats/voc-json';
import { fixtureCases, readFixture } from './reference-fixtures';
import { evaluateVoc, vocElevenPointAp, vocIntegralAp, vocOverlap, type VocApType } from './voc';

interface VocInput {
  gt: unknown;
  dt: unknown;
}
type VocGolden = Record<string, { mAP: number; apPerClass: Array<number | null> }>;

describe('VOC mAP: reference parity (PaddleDetection DetectionMAP @ 666f597)', () => {
  for (const name of fixtureCases('voc')) {
    const input = readFixture<VocInput>(`voc/${name}.input.json`);
    const golden = readFixture<VocGolden>(`voc/${name}.golden.json`);
    for (const [key, g] of Object.entries(golden)) {
      it(`${name} ${key}: mAP and per-class AP agree to 1e-12`, () => {
        const gt = parseVocGroundTruth(input.gt, 'gt');
        const dt = parseVocDetections(input.dt, gt, 'dt');
        const ev = evaluateVoc(gt, dt, { apType: key.split('-')[0] as VocApType, evaluateDifficult: key.endsWith('-difficult') });
        expect(Math.abs(ev.mAP - g.mAP)).toBeLessThanOrEqual(1e-12);
        expect(ev.apPerClass.map((v) => v === null)).toEqual(g.apPerClass.map((v) => v === null));
        ev.apPerClass.forEach((v, c) => {
          if (v !== null) expect(Math.abs(v - (g.apPerClass[c] as number))).toBeLessThanOrEqual(1e-12);
        });
        expect(ev.mAP).toBe(g.mAP); // exact in practice
      });
    }
  }
});

const gtOf = (images: Array<{ boxes: number[][]; labels: number[]; difficult?: number[] }>, C = 1, normalized = false) =>
  parseVocGroundTruth({ num_classes: C, class_names: Array.from({ length: C }, (_, i) => `c${i}`), is_bbox_normalized: normalized, images: images.map((im, i) => ({ id: i, ...im })) }, 'gt');

describe('VOC mAP: hand-computed goldens', () => {
  it('+1 pixel overlap: [0,0,9,9] vs [5,0,14,9] is 50/150 = 1/3; normalised boxes drop the +1', () => {
    // widths with +1: 10 and 10, intersection 5..9 -> 5 wide, 10 high = 50; union 100 + 100 - 50 = 150
    expect(vocOverlap([0, 0, 9, 9], 0, [5, 0, 14, 9], 0, 1)).toBe(50 / 150);
    // normalised: 9*9 each, intersection 4*9 = 36, union 162 - 36 = 126
    expect(vocOverlap([0, 0, 9, 9], 0, [5, 0, 14, 9], 0, 0)).toBe(36 / 126);
    // touching boxes do not overlap (strict test before the +1)
    expect(vocOverlap([0, 0, 9, 9], 0, [9, 0, 19, 9], 0, 1)).toBe(0);
  });

  it('TP 0.9, FP 0.8, TP 0.7 on two GT: 11point = 28/33, integral = 5/6', () => {
    // precision [1, 1/2, 2/3], recall [1/2, 1/2, 1].
    // 11point scan: levels 0.6..1.0 see only the last point (2/3), levels 0..0.5 see max(1, 1/2, 2/3) = 1:
    //   (6 * 1 + 5 * 2/3) / 11 = 28/33.  integral: 1 * 1/2 + (2/3) * 1/2 = 5/6.
    expect(vocElevenPointAp([1, 0.5, 2 / 3], [0.5, 0.5, 1], 3)).toBeCloseTo(28 / 33, 15);
    expect(vocIntegralAp([1, 0.5, 2 / 3], [0.5, 0.5, 1], 3)).toBeCloseTo(5 / 6, 15);
    const gt = gtOf([{ boxes: [[0, 0, 9, 9], [50, 50, 59, 59]], labels: [0, 0] }]);
    const dt = parseVocDetections(
      [
        { image_id: 0, label: 0, score: 0.9, box: [0, 0, 9, 9] },
        { image_id: 0, label: 0, score: 0.8, box: [100, 100, 109, 109] },
        { image_id: 0, label: 0, score: 0.7, box: [50, 50, 59, 59] },
      ],
      gt,
      'dt',
    );
    expect(evaluateVoc(gt, dt, { apType: '11point', evaluateDifficult: false }).mAP).toBeCloseTo(28 / 33, 15);
    expect(evaluateVoc(gt, dt, { apType: 'integral', evaluateDifficult: false }).mAP).toBeCloseTo(5 / 6, 15);
  });

  it('a detection on a difficult GT is dropped (neither TP nor FP) unless evaluateDifficult', () => {
    const gt = gtOf([{ boxes: [[0, 0, 9, 9], [50, 50, 59, 59]], labels: [0, 0], difficult: [0, 1] }]);
    const dt = parseVocDetections([{ image_id: 0, label: 0, score: 0.9, box: [50, 50, 59, 59] }, { image_id: 0, label: 0, score: 0.5, box: [0, 0, 9, 9] }], gt, 'dt');
    // off: one counted GT, records [drop, TP] -> precision [1], recall [1] -> AP 1
    expect(evaluateVoc(gt, dt, { apType: 'integral', evaluateDifficult: false }).mAP).toBe(1);
    // on: two GT, both TPs -> precision [1, 1], recall [0.5, 1] -> AP 1
    expect(evaluateVoc(gt, dt, { apType: 'integral', evaluateDifficult: true }).mAP).toBe(1);
  });
});

describe('VOC mAP: degenerate cases', () => {
  it('no counted GT anywhere: mAP 0 and every class null (the reference returns its 0.0 sum)', () => {
    const gt = gtOf([{ boxes: [[0, 0, 9, 9]], labels: [0], difficult: [1] }], 2);
    const dt = parseVocDetections([{ image_id: 0, label: 1, score: 0.4, box: [0, 0, 9, 9] }], gt, 'dt');
    const ev = evaluateVoc(gt, dt, { apType: '11point', evaluateDifficult: false });
    expect(ev.mAP).toBe(0);
    expect(ev.apPerClass).toEqual([null, null]);
  });

  it('a class with GT but no detections counts as AP 0 in the mean', () => {
    const gt = gtOf([{ boxes: [[0, 0, 9, 9], [20, 20, 29, 29]], labels: [0, 1] }], 2);
    const dt = parseVocDetections([{ image_id: 0, label: 0, score: 0.4, box: [0, 0, 9, 9] }], gt, 'dt');
    const ev = evaluateVoc(gt, dt, { apType: 'integral', evaluateDifficult: false });
    expect(ev.apPerClass).toEqual([1, 0]);
    expect(ev.mAP).toBe(0.5);
  });
});

describe('VOC mAP: properties', () => {
  const boxArb = fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 80 })).map(([x, y, w, h]) => [x, y, x + w, y + h]);
  const sceneArb = fc.array(fc.array(fc.record({ box: boxArb, label: fc.nat(2) }), { maxLength: 5 }), { minLength: 1, maxLength: 6 });

  it('perfect detections give mAP 1 (both AP types)', () => {
    fc.assert(
      fc.property(sceneArb, (scene) => {
        const gt = gtOf(scene.map((objs) => ({ boxes: objs.map((o) => o.box), labels: objs.map((o) => o.label) })), 3);
        const dets = scene.flatMap((objs, i) => objs.map((o, j) => ({ image_id: i, label: o.label, score: 0.9 - i * 0.01 - j * 0.001, box: o.box })));
        if (dets.length === 0) return;
        // duplicate GT boxes in one image can only be matched once per detection: skip those scenes
        if (scene.some((objs) => new Set(objs.map((o) => `${o.label}/${o.box}`)).size !== objs.length)) return;
        const dt = parseVocDetections(dets, gt, 'dt');
        for (const apType of ['11point', 'integral'] as const) expect(evaluateVoc(gt, dt, { apType, evaluateDifficult: false }).mAP).toBeCloseTo(1, 12);
      }),
      { numRuns: 80 },
    );
  });

  it('permuting the image order does not change mAP (distinct scores; ties are broken by processing order)', () => {
    fc.assert(
      fc.property(sceneArb, fc.integer({ min: 0, max: 1000 }), (scene, seed) => {
        const images = scene.map((objs) => ({ boxes: objs.map((o) => o.box), labels: objs.map((o) => o.label) }));
        const dets = scene.flatMap((objs, i) => objs.map((o, j) => ({ image: i, label: (o.label + j) % 3, score: ((i * 7 + j * 3) % 11) / 11 + i * 1e-4 + j * 1e-6, box: [o.box[0] + j, o.box[1], o.box[2] + j, o.box[3]] })));
        if (dets.length === 0) return;
        const order = images.map((_, i) => i);
        for (let i = order.length - 1, x = seed; i > 0; i--, x = (x * 1103515245 + 12345) % 2147483648) {
          const j = x % (i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
        const a = gtOf(images, 3);
        const b = gtOf(order.map((i) => images[i]), 3);
        const pos = new Map(order.map((img, p) => [img, p]));
        for (const apType of ['11point', 'integral'] as const) {
          const ea = evaluateVoc(a, parseVocDetections(dets.map((d) => ({ ...d, image_id: d.image })), a, 'dt'), { apType, evaluateDifficult: false });
          const eb = evaluateVoc(b, parseVocDetections(dets.map((d) => ({ ...d, image_id: pos.get(d.image) })), b, 'dt'), { apType, evaluateDifficult: false });
          expect(eb.mAP).toBe(ea.mAP);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('adding a detection on an image without GT never raises mAP', () => {
    fc.assert(
      fc.property(sceneArb, boxArb, fc.nat(2), fc.integer({ min: 0, max: 10 }), (scene, box, label, score) => {
        const images = [...scene.map((objs) => ({ boxes: objs.map((o) => o.box), labels: objs.map((o) => o.label) })), { boxes: [], labels: [] }];
        const gt = gtOf(images, 3);
        const dets = scene.flatMap((objs, i) => objs.map((o, j) => ({ image_id: i, label: o.label, score: ((i + j) % 7) / 7, box: [o.box[0] + j, o.box[1], o.box[2] + j, o.box[3]] })));
        if (dets.length === 0) return;
        const before = evaluateVoc(gt, parseVocDetections(dets, gt, 'dt'), { apType: 'integral', evaluateDifficult: false });
        const after = evaluateVoc(gt, parseVocDetections([...dets, { image_id: scene.length, label, score: score / 10, box }], gt, 'dt'), { apType: 'integral', evaluateDifficult: false });
        expect(after.mAP).toBeLessThanOrEqual(before.mAP + 1e-15);
      }),
      { numRuns: 80 },
    );
  });
});
