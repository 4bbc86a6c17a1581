/**
 * From raw model outputs to detections in original-image pixels (pure; runs in pipeline workers).
 *
 * Shapes: tensors are row-major { data, dims }. Candidates are parallel arrays: boxes [4N] as
 * [x1, y1, x2, y2] in MODEL-INPUT pixels (continuous coordinates), scores [N], classes [N].
 * Multi-label: one box with several classes above the threshold yields one candidate per class
 * (as PaddleDetection's multiclass_nms). Score thresholds are strict: kept when score > threshold.
 */
import { SlimboardError } from '../../errors';
import { mapBoxesToOriginal, type FitGeometry } from '../image/image-geometry';
import type { TDecodedOutput, TModelAdapter, TYoloOutput } from './model-adapter';
import { nmsClassAware } from './nms';

export interface RawTensor {
  data: Float32Array;
  dims: readonly number[];
}

export interface Candidates {
  boxes: Float32Array;
  scores: Float32Array;
  classes: Int32Array;
}

/** One detection: box [x1, y1, x2, y2] in original-image pixels. */
export interface Detection {
  classIndex: number;
  score: number;
  box: [number, number, number, number];
}

/** Growable typed arrays for candidates (hundreds of thousands per image for a poorly trained model). */
class CandidateBuilder {
  private n = 0;
  private boxes = new Float32Array(4 * 1024);
  private scores = new Float32Array(1024);
  private classes = new Int32Array(1024);
  /** Candidates with a non-finite coordinate or score (a broken model) are dropped here. */
  push(x1: number, y1: number, x2: number, y2: number, score: number, cls: number): void {
    if (!(Number.isFinite(x1) && Number.isFinite(y1) && Number.isFinite(x2) && Number.isFinite(y2) && Number.isFinite(score))) return;
    if (this.n === this.scores.length) {
      const grow = <T extends Float32Array | Int32Array>(a: T, make: (len: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.boxes = grow(this.boxes, (l) => new Float32Array(l));
      this.scores = grow(this.scores, (l) => new Float32Array(l));
      this.classes = grow(this.classes, (l) => new Int32Array(l));
    }
    const i = this.n++;
    this.boxes[4 * i] = x1;
    this.boxes[4 * i + 1] = y1;
    this.boxes[4 * i + 2] = x2;
    this.boxes[4 * i + 3] = y2;
    this.scores[i] = score;
    this.classes[i] = cls;
  }
  build(): Candidates {
    return { boxes: this.boxes.slice(0, 4 * this.n), scores: this.scores.slice(0, this.n), classes: this.classes.slice(0, this.n) };
  }
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Inverse of sigmoid: logit(p) = ln(p / (1 - p)); -Infinity at p <= 0, +Infinity at p >= 1. */
export function logit(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  return Math.log(p / (1 - p));
}

/** Leading batch dim of 1 is optional: [1, N, K] or [N, K] -> N. */
function rowsOf(t: RawTensor, k: number, what: string): number {
  const d = t.dims;
  const ok = (d.length === 2 && d[1] === k) || (d.length === 3 && d[0] === 1 && d[2] === k);
  if (!ok) throw new SlimboardError('bad_model_output', `${what} has shape [${d.join(',')}], expected [N,${k}] or [1,N,${k}]`);
  return d.length === 2 ? d[0] : d[1];
}

/**
 * "decoded" adapter: boxes [1?, N, 4] + scores [1?, N, C].
 * boxFormat xyxy | xywh (x1, y1, w, h) | cxcywh; 'normalized' coordinates are multiplied by the input size.
 */
export function decodeBoxesAndScores(
  boxesT: RawTensor,
  scoresT: RawTensor,
  o: Pick<TDecodedOutput, 'boxFormat' | 'boxCoordinates' | 'scoreActivation'>,
  inputW: number,
  inputH: number,
  scoreThreshold: number,
): Candidates {
  const n = rowsOf(boxesT, 4, 'boxes output');
  const c = scoresT.dims[scoresT.dims.length - 1];
  if (rowsOf(scoresT, c, 'scores output') !== n) {
    throw new SlimboardError('bad_model_output', `boxes output has ${n} rows but scores output has shape [${scoresT.dims.join(',')}]`);
  }
  const sx = o.boxCoordinates === 'normalized' ? inputW : 1;
  const sy = o.boxCoordinates === 'normalized' ? inputH : 1;
  const out = new CandidateBuilder();
  const row = new Float64Array(c);
  for (let i = 0; i < n; i++) {
    const a = boxesT.data[4 * i] * sx,
      b = boxesT.data[4 * i + 1] * sy,
      p = boxesT.data[4 * i + 2] * sx,
      q = boxesT.data[4 * i + 3] * sy;
    let x1: number, y1: number, x2: number, y2: number;
    if (o.boxFormat === 'xyxy') [x1, y1, x2, y2] = [a, b, p, q];
    else if (o.boxFormat === 'xywh') [x1, y1, x2, y2] = [a, b, a + p, b + q];
    else [x1, y1, x2, y2] = [a - p / 2, b - q / 2, a + p / 2, b + q / 2];
    for (let k = 0; k < c; k++) row[k] = scoresT.data[i * c + k];
    if (o.scoreActivation === 'sigmoid') for (let k = 0; k < c; k++) row[k] = sigmoid(row[k]);
    else if (o.scoreActivation === 'softmax') {
      let m = -Infinity;
      for (let k = 0; k < c; k++) m = Math.max(m, row[k]);
      let s = 0;
      for (let k = 0; k < c; k++) s += row[k] = Math.exp(row[k] - m);
      for (let k = 0; k < c; k++) row[k] /= s;
    }
    for (let k = 0; k < c; k++) if (row[k] > scoreThreshold) out.push(x1, y1, x2, y2, row[k], k);
  }
  return out.build();
}

export interface YoloHeadTensor extends RawTensor {
  stride: number;
  anchors: ReadonlyArray<readonly [number, number]>;
}

/**
 * Raw YOLOv3 heads, PaddleDetection yolo_box semantics with img_size = the model input size:
 * for head [1, A*(5+C), GH, GW], anchor a, cell (gy, gx), channel base = a*(5+C):
 *   obj = sigmoid(t[base+4]); skipped when obj < confThreshold
 *   cx = (gx + sigmoid(tx) * scaleXY - (scaleXY - 1) / 2) * inputW / GW   (= * stride)
 *   cy likewise; w = exp(tw) * anchorW; h = exp(th) * anchorH
 *   score_k = obj * sigmoid(t[base+5+k]); a candidate per class with score_k > scoreThreshold.
 */
export function decodeYoloHeads(
  heads: readonly YoloHeadTensor[],
  o: Pick<TYoloOutput, 'scaleXY' | 'confThreshold'>,
  inputW: number,
  inputH: number,
  scoreThreshold: number,
): Candidates {
  // Pass 1: check the heads and bound the candidate count from the raw logits (no exp): a candidate
  // needs obj >= confThreshold and obj * sigmoid(cls) > scoreThreshold, so sigmoid(cls) > scoreThreshold
  // (obj <= 1). The arrays are allocated once at that size (a poorly trained model gives ~500k).
  let numClasses: number | undefined;
  const objLogitMin = logit(o.confThreshold) - 1e-6;
  const clsLogitFloor = logit(scoreThreshold) - 1e-6;
  let capacity = 0;
  for (const h of heads) {
    if (h.dims.length !== 4 || h.dims[0] !== 1)
      throw new SlimboardError('bad_model_output', `YOLO head has shape [${h.dims.join(',')}], expected [1, A*(5+C), H, W]`);
    const [, ch, gh, gw] = h.dims;
    const a = h.anchors.length;
    if (ch % a !== 0 || ch / a <= 5)
      throw new SlimboardError('bad_model_output', `YOLO head has ${ch} channels, not ${a} anchors x (5 + C)`);
    const c = ch / a - 5;
    if (numClasses !== undefined && numClasses !== c)
      throw new SlimboardError('bad_model_output', `YOLO heads disagree on the class count (${numClasses} vs ${c})`);
    numClasses = c;
    const plane = gh * gw;
    const d = h.data;
    for (let ai = 0; ai < a; ai++) {
      const base = ai * (5 + c) * plane;
      for (let cell = 0; cell < plane; cell++) {
        if (!(d[base + 4 * plane + cell] >= objLogitMin)) continue;
        for (let k = 0, at = base + 5 * plane + cell; k < c; k++, at += plane) if (d[at] >= clsLogitFloor) capacity++;
      }
    }
  }
  const boxes = new Float32Array(4 * capacity);
  const scores = new Float32Array(capacity);
  const classes = new Int32Array(capacity);
  let n = 0;
  // Pass 2: the exact decode, candidates in (head, anchor, row, column, class) order.
  for (const h of heads) {
    const [, ch, gh, gw] = h.dims;
    const a = h.anchors.length;
    const c = ch / a - 5;
    const plane = gh * gw;
    const bias = (o.scaleXY - 1) / 2;
    const d = h.data;
    const strideX = inputW / gw;
    const strideY = inputH / gh;
    for (let ai = 0; ai < a; ai++) {
      const base = ai * (5 + c) * plane;
      const [aw, ah] = h.anchors[ai];
      for (let gy = 0, cell = 0; gy < gh; gy++) {
        for (let gx = 0; gx < gw; gx++, cell++) {
          // Fast rejection on raw logits (sigmoid is monotone): sigmoid(x) < t  <=>  x < logit(t). The
          // margin keeps the exact comparison (on the sigmoid, as the reference) for values near the edge.
          const objRaw = d[base + 4 * plane + cell];
          if (objRaw < objLogitMin) continue;
          const obj = sigmoid(objRaw);
          if (obj < o.confThreshold) continue;
          const clsLogitMin = logit(scoreThreshold / obj) - 1e-6;
          let boxDone = false;
          let boxOk = false;
          let x1 = 0,
            y1 = 0,
            x2 = 0,
            y2 = 0;
          for (let k = 0, at = base + 5 * plane + cell; k < c; k++, at += plane) {
            const clsRaw = d[at];
            if (clsRaw < clsLogitMin) continue;
            const score = obj * sigmoid(clsRaw);
            if (!(score > scoreThreshold)) continue;
            if (!boxDone) {
              boxDone = true;
              const cx = (gx + sigmoid(d[base + cell]) * o.scaleXY - bias) * strideX;
              const cy = (gy + sigmoid(d[base + plane + cell]) * o.scaleXY - bias) * strideY;
              const w = Math.exp(d[base + 2 * plane + cell]) * aw;
              const hh = Math.exp(d[base + 3 * plane + cell]) * ah;
              x1 = cx - w / 2;
              y1 = cy - hh / 2;
              x2 = cx + w / 2;
              y2 = cy + hh / 2;
              // A broken model (non-finite box) gives no candidates for this cell.
              boxOk = Number.isFinite(x1) && Number.isFinite(y1) && Number.isFinite(x2) && Number.isFinite(y2);
            }
            if (!boxOk) break;
            boxes[4 * n] = x1;
            boxes[4 * n + 1] = y1;
            boxes[4 * n + 2] = x2;
            boxes[4 * n + 3] = y2;
            scores[n] = score;
            classes[n] = k;
            n++;
          }
        }
      }
    }
  }
  // Pass 1 is an upper bound by construction; a miscount would silently lose candidates, so say so.
  if (n > capacity) throw new Error(`internal: YOLO decode found ${n} candidates, more than its bound ${capacity}`);
  return n === capacity
    ? { boxes, scores, classes }
    : { boxes: boxes.subarray(0, 4 * n), scores: scores.subarray(0, n), classes: classes.subarray(0, n) };
}

/** PaddleDetection [N, 6] rows (class, score, x1, y1, x2, y2), original pixels; class < 0 rows are padding. */
export function decodePaddleNmsRows(rows: RawTensor, scoreThreshold: number, imageW: number, imageH: number): Detection[] {
  const n = rowsOf(rows, 6, 'detections output');
  const out: Detection[] = [];
  for (let i = 0; i < n; i++) {
    const r = rows.data.subarray(6 * i, 6 * i + 6);
    if (r[0] < 0 || !(r[1] > scoreThreshold) || !r.every((v) => Number.isFinite(v))) continue;
    const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
    out.push({
      classIndex: Math.round(r[0]),
      score: r[1],
      box: [clip(r[2], imageW), clip(r[3], imageH), clip(r[4], imageW), clip(r[5], imageH)],
    });
  }
  out.sort((p, q) => q.score - p.score);
  return out;
}

/**
 * Everything after the model run for one image: decode per the adapter, class-aware NMS (not for
 * paddle-nms), map back to the original image, keep `maxDetections` by score.
 * `outputs` are keyed by output name; YOLO head strides are checked against the actual sizes.
 */
export function postprocessDetections(adapter: TModelAdapter, outputs: Record<string, RawTensor>, geometry: FitGeometry): Detection[] {
  const p = adapter.postprocess;
  const o = adapter.output;
  const get = (name: string) => {
    const t = outputs[name];
    if (!t) throw new SlimboardError('bad_model_output', `model output "${name}" missing (got ${Object.keys(outputs).join(', ')})`);
    return t;
  };
  if (o.kind === 'paddle-nms') {
    return decodePaddleNmsRows(get(o.detections), p.scoreThreshold, geometry.srcW, geometry.srcH).slice(0, p.maxDetections);
  }
  let cand: Candidates;
  if (o.kind === 'decoded') {
    cand = decodeBoxesAndScores(get(o.boxes), get(o.scores), o, geometry.dstW, geometry.dstH, p.scoreThreshold);
  } else {
    const heads = o.heads.map((h) => {
      const t = get(h.output);
      const gh = t.dims[2];
      if (t.dims.length === 4 && gh * h.stride !== geometry.dstH) {
        throw new SlimboardError(
          'bad_model_output',
          `YOLO head "${h.output}" is ${gh} cells high at input ${geometry.dstH}, which is not stride ${h.stride}`,
        );
      }
      return { ...t, stride: h.stride, anchors: h.anchors };
    });
    cand = decodeYoloHeads(heads, o, geometry.dstW, geometry.dstH, p.scoreThreshold);
  }
  const keep = nmsClassAware(cand.boxes, cand.scores, cand.classes, {
    iouThreshold: p.nmsIouThreshold,
    preNmsTopK: p.preNmsTopK,
    maxDetections: p.maxDetections,
  });
  const boxes = new Float64Array(4 * keep.length);
  keep.forEach((k, j) => boxes.set(cand.boxes.subarray(4 * k, 4 * k + 4), 4 * j));
  mapBoxesToOriginal(boxes, geometry);
  return keep.map((k, j) => ({
    classIndex: cand.classes[k],
    score: cand.scores[k],
    box: [boxes[4 * j], boxes[4 * j + 1], boxes[4 * j + 2], boxes[4 * j + 3]],
  }));
}
