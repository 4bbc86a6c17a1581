import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeBoxesAndScores, decodePaddleNmsRows, decodeYoloHeads, postprocessDetections, sigmoid, logit } from './detection-decoding';
import { fitGeometry } from '../image/image-geometry';
import { parseModelAdapter, resolveAutoYoloStrides } from './model-adapter';

const xyxy = { boxFormat: 'xyxy', boxCoordinates: 'input-pixels', scoreActivation: 'none' } as const;

describe('decodeBoxesAndScores', () => {
  it('hand-computed goldens: formats, normalised coordinates, multi-label threshold', () => {
    const boxes = { data: new Float32Array([10, 20, 30, 40]), dims: [1, 1, 4] };
    const scores = { data: new Float32Array([0.5, 0.01, 0.3]), dims: [1, 1, 3] };
    const a = decodeBoxesAndScores(boxes, scores, xyxy, 100, 100, 0.01);
    // 0.01 is not > 0.01: two candidates (classes 0 and 2)
    expect(Array.from(a.classes)).toEqual([0, 2]);
    expect(Array.from(a.boxes)).toEqual([10, 20, 30, 40, 10, 20, 30, 40]);
    // cxcywh: (10,20,30,40) -> x1 = 10-15 = -5, y1 = 20-20 = 0, x2 = 25, y2 = 40
    const b = decodeBoxesAndScores(boxes, scores, { ...xyxy, boxFormat: 'cxcywh' }, 100, 100, 0.4);
    expect(Array.from(b.boxes)).toEqual([-5, 0, 25, 40]);
    // xywh: x2 = 10+30 = 40, y2 = 20+40 = 60
    expect(Array.from(decodeBoxesAndScores(boxes, scores, { ...xyxy, boxFormat: 'xywh' }, 100, 100, 0.4).boxes)).toEqual([10, 20, 40, 60]);
    // normalised against a 200x100 input: x *200, y *100
    const n = decodeBoxesAndScores({ data: new Float32Array([0.1, 0.2, 0.5, 0.5]), dims: [1, 4] }, { data: new Float32Array([0.9]), dims: [1, 1] }, { ...xyxy, boxCoordinates: 'normalized' }, 200, 100, 0);
    expect(Array.from(n.boxes).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([20, 20, 100, 50]);
    // softmax of logits [0, ln 3] = [0.25, 0.75]
    const s = decodeBoxesAndScores(boxes, { data: new Float32Array([0, Math.log(3)]), dims: [1, 1, 2] }, { ...xyxy, scoreActivation: 'softmax' }, 100, 100, 0);
    expect(s.scores[0]).toBeCloseTo(0.25, 6);
    expect(s.scores[1]).toBeCloseTo(0.75, 6);
  });
  it('degenerate: NaN / infinite boxes or scores from a broken model are dropped', () => {
    const boxes = { data: new Float32Array([NaN, 0, 1, 1, 0, 0, Infinity, 1, 0, 0, 2, 2]), dims: [3, 4] };
    const scores = { data: new Float32Array([0.9, 0.9, NaN]), dims: [3, 1] };
    expect(decodeBoxesAndScores(boxes, scores, xyxy, 10, 10, 0).scores.length).toBe(0);
    const rows = { data: new Float32Array([0, 0.9, NaN, 0, 1, 1, 0, 0.8, 0, 0, 1, 1]), dims: [2, 6] };
    expect(decodePaddleNmsRows(rows, 0.01, 10, 10)).toHaveLength(1);
  });
  it('degenerate: zero rows, mismatched rows, wrong box width', () => {
    const e = decodeBoxesAndScores({ data: new Float32Array(0), dims: [1, 0, 4] }, { data: new Float32Array(0), dims: [1, 0, 80] }, xyxy, 64, 64, 0);
    expect(e.scores.length).toBe(0);
    expect(() => decodeBoxesAndScores({ data: new Float32Array(4), dims: [1, 1, 4] }, { data: new Float32Array(4), dims: [1, 2, 2] }, xyxy, 64, 64, 0)).toThrow(/1 rows/);
    expect(() => decodeBoxesAndScores({ data: new Float32Array(5), dims: [1, 1, 5] }, { data: new Float32Array(1), dims: [1, 1, 1] }, xyxy, 64, 64, 0)).toThrow(/expected \[N,4\]/);
  });
});

/** Build a [1, A*(5+C), gh, gw] head filled with `fill`, then set channel `ch` of cell (gy, gx). */
function head(a: number, c: number, gh: number, gw: number, fill = -20) {
  const data = new Float32Array(a * (5 + c) * gh * gw).fill(fill);
  const set = (anchor: number, ch: number, gy: number, gx: number, v: number) => {
    data[(anchor * (5 + c) + ch) * gh * gw + gy * gw + gx] = v;
  };
  return { data, dims: [1, a * (5 + c), gh, gw], set };
}

describe('decodeYoloHeads (PaddleDetection yolo_box)', () => {
  it('hand-computed golden', () => {
    // input 32x32, one head 2x2 (stride 16), anchor (10, 13), C = 1.
    const h = head(1, 1, 2, 2);
    // cell gy=1, gx=0: tx = ty = 0 -> sigmoid 0.5 -> cx = (0 + 0.5) * 16 = 8, cy = (1 + 0.5) * 16 = 24;
    // tw = ln 2 -> w = 2 * 10 = 20; th = 0 -> h = 13; obj = cls = 0 -> score = 0.5 * 0.5 = 0.25.
    for (const [ch, v] of [[0, 0], [1, 0], [2, Math.log(2)], [3, 0], [4, 0], [5, 0]] as const) h.set(0, ch, 1, 0, v);
    const r = decodeYoloHeads([{ ...h, stride: 16, anchors: [[10, 13]] }], { scaleXY: 1, confThreshold: 0.005 }, 32, 32, 0.01);
    expect(Array.from(r.scores)).toEqual([0.25]);
    expect(Array.from(r.boxes)).toEqual([-2, 17.5, 18, 30.5]);
    // scaleXY 1.05 with tx = ln 3 (sigmoid 0.75): cx = (0 + 0.75*1.05 - 0.025) * 16 = 12.2 -> x1 = 2.2
    h.set(0, 0, 1, 0, Math.log(3));
    const s = decodeYoloHeads([{ ...h, stride: 16, anchors: [[10, 13]] }], { scaleXY: 1.05, confThreshold: 0.005 }, 32, 32, 0.01);
    expect(s.boxes[0]).toBeCloseTo(2.2, 5);
    // confThreshold 0.6 > obj 0.5: dropped
    expect(decodeYoloHeads([{ ...h, stride: 16, anchors: [[10, 13]] }], { scaleXY: 1, confThreshold: 0.6 }, 32, 32, 0.01).scores.length).toBe(0);
  });
  it('degenerate: all-background head gives nothing; bad channel count throws', () => {
    const h = head(3, 2, 4, 4);
    expect(decodeYoloHeads([{ ...h, stride: 8, anchors: [[1, 1], [2, 2], [3, 3]] }], { scaleXY: 1, confThreshold: 0.005 }, 32, 32, 0.01).scores.length).toBe(0);
    expect(() => decodeYoloHeads([{ ...h, stride: 8, anchors: [[1, 1], [2, 2]] }], { scaleXY: 1, confThreshold: 0.005 }, 32, 32, 0)).toThrow(/21 channels/);
  });
  it('property: the logit-threshold shortcut gives exactly what a naive yolo_box decode gives', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: 2 * 7 * 9, maxLength: 2 * 7 * 9 }), fc.double({ min: 0, max: 0.9, noNaN: true }), fc.double({ min: 0, max: 0.9, noNaN: true }), (vals, conf, thr) => {
        // 2 anchors x (5 + 2 classes) channels, 3x3 grid, stride 8 (input 24)
        const data = Float32Array.from(vals);
        const anchors: Array<[number, number]> = [[5, 7], [11, 13]];
        const got = decodeYoloHeads([{ data, dims: [1, 14, 3, 3], stride: 8, anchors }], { scaleXY: 1, confThreshold: conf }, 24, 24, thr);
        const want: number[][] = [];
        for (let a = 0; a < 2; a++) for (let gy = 0; gy < 3; gy++) for (let gx = 0; gx < 3; gx++) {
          const v = (ch: number) => data[(a * 7 + ch) * 9 + gy * 3 + gx];
          const obj = sigmoid(v(4));
          if (obj < conf) continue;
          for (let k = 0; k < 2; k++) {
            const score = obj * sigmoid(v(5 + k));
            if (!(score > thr)) continue;
            const cx = (gx + sigmoid(v(0))) * 8, cy = (gy + sigmoid(v(1))) * 8, w = Math.exp(v(2)) * anchors[a][0], h = Math.exp(v(3)) * anchors[a][1];
            want.push([Math.fround(cx - w / 2), Math.fround(cy - h / 2), Math.fround(cx + w / 2), Math.fround(cy + h / 2), Math.fround(score), k]);
          }
        }
        const gotRows = Array.from(got.scores, (sc, i) => [...Array.from(got.boxes.subarray(4 * i, 4 * i + 4)), sc, got.classes[i]]);
        expect(gotRows).toEqual(want);
      }),
      { numRuns: 200 },
    );
    expect(logit(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(logit(1)).toBe(Number.POSITIVE_INFINITY);
    expect(sigmoid(logit(0.3))).toBeCloseTo(0.3, 12);
  });

  it('property: two heads, non-finite logits, zero thresholds: the one-allocation decode equals a naive decode', () => {
    // Values include NaN and +-Infinity (a broken model): a NaN objectness or score gives nothing, a
    // non-finite box drops the cell. Thresholds include 0, where every finite candidate counts, so the
    // upper bound of pass 1 is reached exactly.
    const value = fc.oneof(fc.double({ min: -6, max: 6, noNaN: true }), fc.constantFrom(NaN, Infinity, -Infinity, 0));
    fc.assert(
      fc.property(fc.array(value, { minLength: 7 * 4 + 7 * 1, maxLength: 7 * 4 + 7 * 1 }), fc.constantFrom(0, 0.005, 0.3), fc.constantFrom(0, 0.01, 0.5), (vals, conf, thr) => {
        // head A: 1 anchor x (5 + 2), 2x2 grid, stride 4 (input 8); head B: 1 anchor, 1x1 grid, stride 8.
        const a = Float32Array.from(vals.slice(0, 28));
        const b = Float32Array.from(vals.slice(28));
        const heads = [
          { data: a, dims: [1, 7, 2, 2], stride: 4, anchors: [[3, 5]] as Array<[number, number]> },
          { data: b, dims: [1, 7, 1, 1], stride: 8, anchors: [[7, 9]] as Array<[number, number]> },
        ];
        const got = decodeYoloHeads(heads, { scaleXY: 1.05, confThreshold: conf }, 8, 8, thr);
        const want: number[][] = [];
        for (const h of heads) {
          const [, , gh, gw] = h.dims;
          for (let gy = 0; gy < gh; gy++) for (let gx = 0; gx < gw; gx++) {
            const v = (ch: number) => h.data[ch * gh * gw + gy * gw + gx];
            const obj = sigmoid(v(4));
            if (obj < conf) continue;
            for (let k = 0; k < 2; k++) {
              const score = obj * sigmoid(v(5 + k));
              if (!(score > thr)) continue;
              const cx = (gx + sigmoid(v(0)) * 1.05 - 0.025) * (8 / gw), cy = (gy + sigmoid(v(1)) * 1.05 - 0.025) * (8 / gh);
              const w = Math.exp(v(2)) * h.anchors[0][0], hh = Math.exp(v(3)) * h.anchors[0][1];
              const box = [cx - w / 2, cy - hh / 2, cx + w / 2, cy + hh / 2];
              if (!box.every(Number.isFinite)) continue;
              want.push([...box.map(Math.fround), Math.fround(score), k]);
            }
          }
        }
        const gotRows = Array.from(got.scores, (sc, i) => [...Array.from(got.boxes.subarray(4 * i, 4 * i + 4)), sc, got.classes[i]]);
        expect(gotRows).toEqual(want);
        expect(got.boxes.length).toBe(4 * got.scores.length);
        expect(got.classes.length).toBe(got.scores.length);
      }),
      { numRuns: 300 },
    );
  });
  it('degenerate: thresholds 0 keep every candidate of a finite head (the pass-1 bound is exact)', () => {
    // 2 anchors x (5 + 3 classes), 2x3 grid, every logit 0: obj = 0.5 >= 0, score = 0.25 > 0 -> 2*6*3 = 36 candidates.
    const h = head(2, 3, 2, 3, 0);
    const got = decodeYoloHeads([{ ...h, stride: 4, anchors: [[2, 2], [4, 4]] }], { scaleXY: 1, confThreshold: 0 }, 12, 8, 0);
    expect(got.scores.length).toBe(36);
    expect(got.scores.every((v) => v === 0.25)).toBe(true);
    // first candidate: anchor 0, cell (0, 0): cx = 0.5 * 4 = 2, cy = 0.5 * 4 = 2, w = h = 2 -> [1, 1, 3, 3], classes 0, 1, 2
    expect(Array.from(got.boxes.subarray(0, 4))).toEqual([1, 1, 3, 3]);
    expect(Array.from(got.classes.subarray(0, 3))).toEqual([0, 1, 2]);
  });
  it('edge: a score just above the threshold is kept, just below is dropped (no false negative in the bound)', () => {
    // obj logit 30 -> obj = 1 - 9.4e-14; class 0 logit = logit(0.0101) -> score ~ 0.0101 > 0.01 (kept);
    // class 1 logit = logit(0.0099) -> score ~ 0.0099 (dropped).
    const h = head(1, 2, 1, 1, 0);
    h.set(0, 4, 0, 0, 30);
    h.set(0, 5, 0, 0, logit(0.0101));
    h.set(0, 6, 0, 0, logit(0.0099));
    const got = decodeYoloHeads([{ ...h, stride: 8, anchors: [[4, 4]] }], { scaleXY: 1, confThreshold: 0.005 }, 8, 8, 0.01);
    expect(Array.from(got.classes)).toEqual([0]);
    expect(got.scores[0]).toBeCloseTo(0.0101, 6);
  });
  it('property: encoding a box as PaddleDetection would and decoding it gives the box back', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 63, noNaN: true }), fc.double({ min: 1, max: 63, noNaN: true }),
        fc.double({ min: 2, max: 60, noNaN: true }), fc.double({ min: 2, max: 60, noNaN: true }),
        (cx, cy, w, hh) => {
          const stride = 8, g = 8, anchor: [number, number] = [16, 30];
          const h = head(1, 1, g, g);
          const gx = Math.floor(cx / stride), gy = Math.floor(cy / stride);
          const fx = Math.min(Math.max(cx / stride - gx, 1e-6), 1 - 1e-6), fy = Math.min(Math.max(cy / stride - gy, 1e-6), 1 - 1e-6);
          h.set(0, 0, gy, gx, Math.log(fx / (1 - fx)));
          h.set(0, 1, gy, gx, Math.log(fy / (1 - fy)));
          h.set(0, 2, gy, gx, Math.log(w / anchor[0]));
          h.set(0, 3, gy, gx, Math.log(hh / anchor[1]));
          h.set(0, 4, gy, gx, 10);
          h.set(0, 5, gy, gx, 10);
          const r = decodeYoloHeads([{ ...h, stride, anchors: [anchor] }], { scaleXY: 1, confThreshold: 0.005 }, 64, 64, 0.5);
          expect(r.scores.length).toBe(1);
          const ecx = (gx + fx) * stride, ecy = (gy + fy) * stride;
          expect(r.boxes[0]).toBeCloseTo(ecx - w / 2, 2);
          expect(r.boxes[1]).toBeCloseTo(ecy - hh / 2, 2);
          expect(r.boxes[2]).toBeCloseTo(ecx + w / 2, 2);
          expect(r.boxes[3]).toBeCloseTo(ecy + hh / 2, 2);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('decodePaddleNmsRows', () => {
  it('skips padding rows and low scores, clips to the image, sorts by score', () => {
    const rows = { data: new Float32Array([
      -1, 0, 0, 0, 0, 0, // padding (PaddleDetection emits it when nothing is found)
      2, 0.3, -5, 10, 50, 300, // clipped to 0..100 x 0..200
      1, 0.9, 1, 2, 3, 4,
      0, 0.005, 1, 1, 2, 2, // below threshold 0.01
    ]), dims: [4, 6] };
    expect(decodePaddleNmsRows(rows, 0.01, 100, 200)).toEqual([
      { classIndex: 1, score: expect.closeTo(0.9, 6), box: [1, 2, 3, 4] },
      { classIndex: 2, score: expect.closeTo(0.3, 6), box: [0, 10, 50, 200] },
    ]);
    expect(decodePaddleNmsRows({ data: new Float32Array(0), dims: [0, 6] }, 0, 10, 10)).toEqual([]);
  });
});

describe('postprocessDetections', () => {
  it('decoded adapter: duplicate suppressed by class-aware NMS, boxes mapped back through the letterbox', () => {
    const adapter = parseModelAdapter({ output: { kind: 'decoded', boxes: 'b', scores: 's' }, postprocess: { nmsIouThreshold: 0.5 } }, 't');
    const g = fitGeometry(200, 150, 320, 320, 'letterbox'); // scale 1.6, padTop 40
    // box 0 and box 1 overlap (IoU 0.81 > 0.5, same class 0) -> 1 suppressed; box 0 as class 1 (0.2) kept.
    const outputs = {
      b: { data: new Float32Array([32, 72, 128, 136, 35, 75, 128, 136]), dims: [1, 2, 4] },
      s: { data: new Float32Array([0.9, 0.2, 0.8, 0.0]), dims: [1, 2, 2] },
    };
    const d = postprocessDetections(adapter, outputs, g);
    // (32,72,128,136) -> x: 32/1.6 = 20, 128/1.6 = 80; y: (72-40)/1.6 = 20, (136-40)/1.6 = 60
    expect(d).toEqual([
      { classIndex: 0, score: expect.closeTo(0.9, 6), box: [20, 20, 80, 60] },
      { classIndex: 1, score: expect.closeTo(0.2, 6), box: [20, 20, 80, 60] },
    ]);
  });
  it('yolo: a stride that does not fit the output size is an error; auto strides are resolved from sizes', () => {
    const h = head(3, 1, 4, 4);
    const adapter = parseModelAdapter({ name: 'auto:yolo', output: { kind: 'yolo', heads: [{ output: 'h', stride: 32, anchors: [[1, 1], [2, 2], [3, 3]] }] } }, 't');
    const g = fitGeometry(64, 64, 64, 64, 'letterbox');
    expect(() => postprocessDetections(adapter, { h }, g)).toThrow(/not stride 32/);
    const fixed = resolveAutoYoloStrides(adapter, { h: 4 }, 64);
    expect(fixed.output.kind === 'yolo' && fixed.output.heads[0].stride).toBe(16);
    expect(postprocessDetections(fixed, { h }, g)).toEqual([]);
  });
});
