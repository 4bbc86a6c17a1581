import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { argsortByScoreDesc, boxIou, kthLargestInPlace, nmsClassAware, orderByScoreDesc } from './nms';

/** Straightforward reference: per class, visit by score, suppress against kept; then merge, cut. */
function naiveNms(boxes: number[], scores: number[], classes: number[], iou: number, maxDet = Infinity, topK = Infinity): number[] {
  const byClass = new Map<number, number[]>();
  for (const i of argsortByScoreDesc(scores)) {
    const g = byClass.get(classes[i]) ?? [];
    if (g.length < topK) g.push(i);
    byClass.set(classes[i], g);
  }
  const kept: number[] = [];
  for (const g of byClass.values()) {
    const k: number[] = [];
    for (const i of g) if (!k.some((j) => boxIou(boxes, i, j) > iou)) k.push(i);
    kept.push(...k);
  }
  return argsortByScoreDesc(scores, kept).slice(0, maxDet);
}

describe('boxIou', () => {
  it('hand-computed goldens', () => {
    // [0,0,2,2] vs [1,1,3,3]: inter 1x1 = 1, union 4 + 4 - 1 = 7
    expect(boxIou([0, 0, 2, 2, 1, 1, 3, 3], 0, 1)).toBeCloseTo(1 / 7, 15);
    // [0,0,4,2] vs [2,0,6,2]: inter 2x2 = 4, union 8 + 8 - 4 = 12
    expect(boxIou([0, 0, 4, 2, 2, 0, 6, 2], 0, 1)).toBeCloseTo(1 / 3, 15);
    expect(boxIou([0, 0, 1, 1, 0, 0, 1, 1], 0, 1)).toBe(1);
  });
  it('degenerate: touching, disjoint, zero-area, inverted boxes give 0', () => {
    expect(boxIou([0, 0, 1, 1, 1, 0, 2, 1], 0, 1)).toBe(0);
    expect(boxIou([0, 0, 1, 1, 5, 5, 6, 6], 0, 1)).toBe(0);
    expect(boxIou([0, 0, 0, 0, 0, 0, 0, 0], 0, 1)).toBe(0);
    expect(boxIou([2, 2, 0, 0, 0, 0, 3, 3], 0, 1)).toBe(0);
  });
});

describe('nmsClassAware', () => {
  it('hand-computed golden: overlapping same-class box suppressed, other class kept', () => {
    const boxes = [
      0, 0, 10, 10, // 0: class 0, score 0.9
      1, 1, 11, 11, // 1: class 0, score 0.8, IoU with 0 = 81 / (100+100-81) = 0.6807 > 0.5 -> suppressed
      1, 1, 11, 11, // 2: class 1, score 0.7: other class -> kept
      20, 20, 30, 30, // 3: class 0, score 0.95, disjoint -> kept
      0, 0, 10, 5, // 4: class 0, score 0.6, IoU with 0 = 50/100 = 0.5, not > 0.5 -> kept
    ];
    const kept = nmsClassAware(boxes, [0.9, 0.8, 0.7, 0.95, 0.6], [0, 0, 1, 0, 0], { iouThreshold: 0.5 });
    expect(kept).toEqual([3, 0, 2, 4]);
    expect(nmsClassAware(boxes, [0.9, 0.8, 0.7, 0.95, 0.6], [0, 0, 1, 0, 0], { iouThreshold: 0.5, maxDetections: 2 })).toEqual([3, 0]);
    // preNmsTopK = 1 per class: class 0 keeps only its best candidate (3), class 1 keeps 2.
    expect(nmsClassAware(boxes, [0.9, 0.8, 0.7, 0.95, 0.6], [0, 0, 1, 0, 0], { iouThreshold: 0.5, preNmsTopK: 1 })).toEqual([3, 2]);
  });

  it('degenerate: empty input, ties are stable, threshold 1 keeps all, threshold 0 keeps disjoint only', () => {
    expect(nmsClassAware([], [], [], { iouThreshold: 0.5 })).toEqual([]);
    const same = [0, 0, 1, 1, 0, 0, 1, 1];
    expect(nmsClassAware(same, [0.5, 0.5], [0, 0], { iouThreshold: 0.5 })).toEqual([0]);
    expect(nmsClassAware(same, [0.5, 0.5], [0, 0], { iouThreshold: 1 })).toEqual([0, 1]);
    expect(nmsClassAware([0, 0, 2, 2, 1, 1, 3, 3, 5, 5, 6, 6], [0.3, 0.2, 0.1], [0, 0, 0], { iouThreshold: 0 })).toEqual([0, 2]);
    expect(() => nmsClassAware([0, 0, 1], [0.5], [0], { iouThreshold: 0.5 })).toThrow(/4 box values/);
    expect(() => nmsClassAware([0, 0, 1, 1], [0.5], [0], { iouThreshold: 2 })).toThrow(/iouThreshold/);
  });

  const candidates = fc
    .array(
      fc.record({
        x: fc.integer({ min: 0, max: 50 }),
        y: fc.integer({ min: 0, max: 50 }),
        w: fc.integer({ min: 1, max: 30 }),
        h: fc.integer({ min: 1, max: 30 }),
        s: fc.double({ min: 0, max: 1, noNaN: true }),
        c: fc.integer({ min: 0, max: 2 }),
      }),
      { maxLength: 40 },
    )
    .map((cs) => ({
      boxes: cs.flatMap((b) => [b.x, b.y, b.x + b.w, b.y + b.h]),
      scores: cs.map((b) => b.s),
      classes: cs.map((b) => b.c),
    }));

  it('property: kept same-class boxes never overlap above the threshold; every dropped box is explained', () => {
    fc.assert(
      fc.property(candidates, fc.double({ min: 0.1, max: 0.9, noNaN: true }), ({ boxes, scores, classes }, thr) => {
        const kept = nmsClassAware(boxes, scores, classes, { iouThreshold: thr });
        const keptSet = new Set(kept);
        for (const a of kept) for (const b of kept) if (a !== b && classes[a] === classes[b]) expect(boxIou(boxes, a, b)).toBeLessThanOrEqual(thr);
        for (let i = 0; i < scores.length; i++) {
          if (keptSet.has(i)) continue;
          const by = kept.filter((k) => classes[k] === classes[i] && boxIou(boxes, i, k) > thr && scores[k] >= scores[i]);
          expect(by.length).toBeGreaterThan(0);
        }
        for (let k = 1; k < kept.length; k++) expect(scores[kept[k - 1]]).toBeGreaterThanOrEqual(scores[kept[k]]);
      }),
    );
  });

  it('property: equals the straightforward per-class reference (float32 scores, top-K, max detections)', () => {
    fc.assert(
      fc.property(candidates, fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }), ({ boxes, scores, classes }, maxDet, topK) => {
        const s32 = Array.from(Float32Array.from(scores));
        expect(nmsClassAware(boxes, s32, classes, { iouThreshold: 0.5, maxDetections: maxDet, preNmsTopK: topK })).toEqual(naiveNms(boxes, s32, classes, 0.5, maxDet, topK));
        expect(nmsClassAware(boxes, s32, classes, { iouThreshold: 0.3 })).toEqual(naiveNms(boxes, s32, classes, 0.3));
      }),
    );
  });

  it('property: the quickselect shortcut (selectChunk) gives the same result as the full sort', () => {
    fc.assert(
      fc.property(candidates, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 5 }), ({ boxes, scores, classes }, chunk, maxDet, topK) => {
        // coarse scores make many ties at the chunk threshold
        const s32 = scores.map((v) => Math.round(v * 8) / 8);
        expect(nmsClassAware(boxes, s32, classes, { iouThreshold: 0.5, maxDetections: maxDet, preNmsTopK: topK, selectChunk: chunk })).toEqual(naiveNms(boxes, s32, classes, 0.5, maxDet, topK));
      }),
    );
  });

  it('kthLargestInPlace: goldens and property against a full sort', () => {
    expect(kthLargestInPlace(Float64Array.from([3, 1, 2]), 1)).toBe(3);
    expect(kthLargestInPlace(Float64Array.from([3, 1, 2]), 3)).toBe(1);
    expect(kthLargestInPlace(Float64Array.from([5, 5, 5, 1]), 3)).toBe(5);
    expect(kthLargestInPlace(Float64Array.from([7]), 1)).toBe(7);
    fc.assert(fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 60 }), fc.nat(), (xs, kr) => {
      const k = (kr % xs.length) + 1;
      const sorted = [...xs].sort((a, b) => b - a);
      expect(kthLargestInPlace(Float64Array.from(xs), k)).toBe(sorted[k - 1]);
    }));
  });

  it('orderByScoreDesc: fast packed-key path and comparator path agree (ties by index)', () => {
    expect(Array.from(orderByScoreDesc([0.5, 0.9, 0.5, 0, 0.9]))).toEqual([1, 4, 0, 2, 3]);
    // a negative score takes the comparator path
    expect(Array.from(orderByScoreDesc([0.5, -1, 0.5, 0.9]))).toEqual([3, 0, 2, 1]);
    fc.assert(fc.property(fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { maxLength: 200 }), (xs) => {
      expect(Array.from(orderByScoreDesc(Float32Array.from(xs)))).toEqual(argsortByScoreDesc(Float32Array.from(xs)));
    }));
  });

  it('property: idempotent, and per-class results equal NMS run on each class alone', () => {
    fc.assert(
      fc.property(candidates, ({ boxes, scores, classes }) => {
        const kept = nmsClassAware(boxes, scores, classes, { iouThreshold: 0.5 });
        const sub = (idx: number[]) => ({
          boxes: idx.flatMap((i) => boxes.slice(4 * i, 4 * i + 4)),
          scores: idx.map((i) => scores[i]),
          classes: idx.map((i) => classes[i]),
        });
        const again = sub(kept);
        expect(nmsClassAware(again.boxes, again.scores, again.classes, { iouThreshold: 0.5 })).toEqual(kept.map((_, i) => i));
        for (const c of [0, 1, 2]) {
          const idx = classes.map((cc, i) => (cc === c ? i : -1)).filter((i) => i >= 0);
          const one = sub(idx);
          const keptAlone = nmsClassAware(one.boxes, one.scores, one.classes, { iouThreshold: 0.5 }).map((j) => idx[j]);
          expect(new Set(keptAlone)).toEqual(new Set(kept.filter((k) => classes[k] === c)));
        }
      }),
    );
  });
});
