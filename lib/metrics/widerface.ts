/**
 * WIDER FACE easy / medium / hard AP, reproducing the official Python evaluation as in
 * wondervictor/WiderFace-Evaluation @ 53474e0 (`evaluation.py`, `box_overlaps.pyx`).
 *
 * Semantics reproduced:
 * - Scores are normalised over ALL predictions (also those of images not in the ground truth):
 *   s' = (s - min) / (max - min) with max = max(0, scores), min = min(1, scores).
 * - Per image, predictions are used in file order (they are not sorted): each takes the GT with the
 *   highest overlap (first on ties); overlap >= 0.5: if the GT is not in the setting's keep list it is
 *   marked ignored and the prediction stops being a proposal; else the GT becomes recalled.
 * - Overlap uses the +1 pixel convention on [x, y, x + w, y + h] boxes.
 * - 1000 thresholds, thresh_t = 1 - (t + 1) / 1000: at each, the last prediction (in file order) with
 *   score >= thresh_t gives the proposal count up to it and the recalled count at it.
 * - Images without GT boxes or without predictions are skipped but their keep lists count as faces.
 * - precision = recalled / proposals (0/0 = NaN where no proposal reaches a threshold, which the
 *   envelope propagates as np.maximum does), recall = recalled / faces; AP as py-faster-rcnn's voc_ap
 *   with NumPy's pairwise sum.
 */
import { numpySum } from './numpy-semantics';
import { ProgressReporter, type EvaluationHooks } from './progress';

export interface WiderFaceImage {
  name: string;
  /** [G×4] x, y, w, h. */
  boxes: Float64Array;
  /** 1-based indices of the boxes kept in each setting (as in wider_{easy,medium,hard}_val.mat). */
  easy: Int32Array;
  medium: Int32Array;
  hard: Int32Array;
}

export interface WiderFaceGroundTruth {
  events: Array<{ name: string; images: WiderFaceImage[] }>;
}

/** event name -> image name (without .jpg) -> [n×5] rows x, y, w, h, score in file order. */
export type WiderFacePredictions = Map<string, Map<string, Float64Array>>;

export interface WiderFaceEvaluation {
  easy: number;
  medium: number;
  hard: number;
}

export const WIDER_THRESH_NUM = 1000;
export const WIDER_SETTINGS = ['easy', 'medium', 'hard'] as const;

/** Min and max of the reference's norm_score (max starts at 0, min at 1). */
export function widerScoreRange(preds: WiderFacePredictions): { min: number; max: number } {
  let max = 0;
  let min = 1;
  for (const images of preds.values()) {
    for (const rows of images.values()) {
      const n = rows.length / 5;
      if (n === 0) continue;
      let lo = rows[4];
      let hi = rows[4];
      for (let h = 1; h < n; h++) {
        const s = rows[h * 5 + 4];
        if (s < lo) lo = s;
        if (s > hi) hi = s;
      }
      if (hi > max) max = hi;
      if (lo < min) min = lo;
    }
  }
  return { min, max };
}

/** `bbox_overlaps` of one prediction against all GT of an image, +1 convention, boxes as x1 y1 x2 y2. */
function overlapsOf(p: Float64Array, gtX2: Float64Array, gtY2: Float64Array, gt: Float64Array, G: number, out: Float64Array): void {
  const px1 = p[0], py1 = p[1], px2 = p[2], py2 = p[3];
  for (let k = 0; k < G; k++) {
    const qx1 = gt[k * 4], qy1 = gt[k * 4 + 1], qx2 = gtX2[k], qy2 = gtY2[k];
    const boxArea = (qx2 - qx1 + 1) * (qy2 - qy1 + 1);
    let o = 0;
    const iw = (px2 < qx2 ? px2 : qx2) - (px1 > qx1 ? px1 : qx1) + 1;
    if (iw > 0) {
      const ih = (py2 < qy2 ? py2 : qy2) - (py1 > qy1 ? py1 : qy1) + 1;
      if (ih > 0) {
        const ua = (px2 - px1 + 1) * (py2 - py1 + 1) + boxArea - iw * ih;
        o = (iw * ih) / ua;
      }
    }
    out[k] = o;
  }
}

/** `voc_ap(rec, prec)` of py-faster-rcnn as the WIDER FACE evaluation uses it. */
export function widerVocAp(rec: Float64Array, prec: Float64Array): number {
  const n = rec.length;
  const mrec = new Float64Array(n + 2);
  const mpre = new Float64Array(n + 2);
  mrec.set(rec, 1);
  mrec[n + 1] = 1;
  mpre.set(prec, 1);
  for (let i = n + 1; i > 0; i--) {
    const a = mpre[i - 1];
    const b = mpre[i];
    mpre[i - 1] = a !== a || b !== b ? NaN : a > b ? a : b; // np.maximum propagates NaN
  }
  const terms: number[] = [];
  for (let i = 0; i < n + 1; i++) if (mrec[i + 1] !== mrec[i]) terms.push((mrec[i + 1] - mrec[i]) * mpre[i + 1]);
  return numpySum(terms);
}

/**
 * One image's share of the reference's pr_curve in one setting (its `img_pr_info`), as steps: from threshold
 * index t[k] on (up to t[k+1]) the image adds proposals[k] to pr_curve[:, 0] and recalled[k] to pr_curve[:, 1].
 * Thresholds before t[0] get nothing. Images without GT boxes or predictions have no steps.
 */
export interface WiderImageSteps {
  t: Int32Array;
  proposals: Int32Array;
  recalled: Int32Array;
}

const NO_STEPS: WiderImageSteps = { t: new Int32Array(0), proposals: new Int32Array(0), recalled: new Int32Array(0) };

/** The per-image matching of `evaluation.py` (image_eval + img_pr_info) for one setting's keep list. */
export function widerImageSteps(
  image: WiderFaceImage,
  rows: Float64Array | undefined,
  keep: Int32Array,
  score: { min: number; max: number },
  thresh: Float64Array,
  iouThresh: number,
): WiderImageSteps {
  const TN = thresh.length;
  const minScore = score.min;
  const diff = score.max - score.min;
  const G = image.boxes.length / 4;
  const H = rows ? rows.length / 5 : 0;
  if (G === 0 || H === 0 || !rows) return NO_STEPS;
  const keepFlag = new Uint8Array(G); // the reference's `ignore` (1 = kept)
  for (let q = 0; q < keep.length; q++) keepFlag[keep[q] - 1] = 1;
  const gx2 = new Float64Array(G);
  const gy2 = new Float64Array(G);
  for (let k = 0; k < G; k++) {
    gx2[k] = image.boxes[k * 4 + 2] + image.boxes[k * 4];
    gy2[k] = image.boxes[k * 4 + 3] + image.boxes[k * 4 + 1];
  }
  const overlaps = new Float64Array(G);
  const recallState = new Int8Array(G); // recall_list: 0, 1 or -1
  const predRecall = new Int32Array(H);
  const isProposal = new Uint8Array(H);
  const scores = new Float64Array(H);
  const p = new Float64Array(4);
  let recalled = 0;
  for (let h = 0; h < H; h++) {
    p[0] = rows[h * 5];
    p[1] = rows[h * 5 + 1];
    p[2] = rows[h * 5 + 2] + rows[h * 5];
    p[3] = rows[h * 5 + 3] + rows[h * 5 + 1];
    scores[h] = (rows[h * 5 + 4] - minScore) / diff;
    overlapsOf(p, gx2, gy2, image.boxes, G, overlaps);
    let maxIdx = 0;
    for (let k = 1; k < G; k++) if (overlaps[k] > overlaps[maxIdx]) maxIdx = k;
    isProposal[h] = 1;
    if (overlaps[maxIdx] >= iouThresh) {
      if (keepFlag[maxIdx] === 0) {
        recallState[maxIdx] = -1;
        isProposal[h] = 0;
      } else if (recallState[maxIdx] === 0) {
        recallState[maxIdx] = 1;
        recalled++;
      }
    }
    predRecall[h] = recalled;
  }
  // img_pr_info: r(t) = last h with score >= thresh[t]; thresholds decrease with t, so each
  // prediction enters at the first t it passes and r(t) is a running maximum.
  const enter = new Int32Array(TN).fill(-1);
  for (let h = 0; h < H; h++) {
    const s = scores[h];
    if (!(s >= thresh[TN - 1])) continue;
    let lo = 0;
    let hi = TN - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s >= thresh[mid]) hi = mid;
      else lo = mid + 1;
    }
    if (h > enter[lo]) enter[lo] = h;
  }
  const proposalsUpTo = new Int32Array(H);
  let pc = 0;
  for (let h = 0; h < H; h++) {
    pc += isProposal[h];
    proposalsUpTo[h] = pc;
  }
  const st: number[] = [];
  const sp: number[] = [];
  const sr: number[] = [];
  let r = -1;
  for (let t = 0; t < TN; t++) {
    if (enter[t] > r) {
      r = enter[t];
      st.push(t);
      sp.push(proposalsUpTo[r]);
      sr.push(predRecall[r]);
    }
  }
  return { t: Int32Array.from(st), proposals: Int32Array.from(sp), recalled: Int32Array.from(sr) };
}

/** thresh_t = 1 - (t + 1) / 1000 for t = 0..999. */
export function widerThresholds(): Float64Array {
  const TN = WIDER_THRESH_NUM;
  const thresh = new Float64Array(TN);
  for (let t = 0; t < TN; t++) thresh[t] = 1 - (t + 1) / TN;
  return thresh;
}

/** AP of one setting from the accumulated pr_curve columns and the face count. */
export function widerSettingAp(prProposals: Float64Array, prRecalled: Float64Array, countFace: number): number {
  const TN = prProposals.length;
  const precision = new Float64Array(TN);
  const recall = new Float64Array(TN);
  for (let t = 0; t < TN; t++) {
    precision[t] = prRecalled[t] / prProposals[t];
    recall[t] = prRecalled[t] / countFace;
  }
  return widerVocAp(recall, precision);
}

export function evaluateWiderFace(
  gt: WiderFaceGroundTruth,
  preds: WiderFacePredictions,
  options: EvaluationHooks & { iouThresh?: number } = {},
): WiderFaceEvaluation {
  const iouThresh = options.iouThresh ?? 0.5;
  const TN = WIDER_THRESH_NUM;
  const thresh = widerThresholds();
  const range = widerScoreRange(preds);

  const totalImages = gt.events.reduce((s, e) => s + e.images.length, 0);
  const progress = new ProgressReporter(options, 'evaluate', 3 * totalImages);
  let doneImages = 0;
  const out: Record<string, number> = {};

  for (const setting of WIDER_SETTINGS) {
    let countFace = 0;
    const prProposals = new Float64Array(TN); // pr_curve[:, 0]
    const prRecalled = new Float64Array(TN); // pr_curve[:, 1]
    for (const event of gt.events) {
      const eventPreds = preds.get(event.name);
      for (const image of event.images) {
        const keep = image[setting];
        countFace += keep.length;
        doneImages++;
        progress.tick(doneImages);
        const steps = widerImageSteps(image, eventPreds?.get(image.name), keep, range, thresh, iouThresh);
        const n = steps.t.length;
        for (let k = 0; k < n; k++) {
          const end = k + 1 < n ? steps.t[k + 1] : TN;
          const pv = steps.proposals[k];
          const rv = steps.recalled[k];
          for (let t = steps.t[k]; t < end; t++) {
            prProposals[t] += pv;
            prRecalled[t] += rv;
          }
        }
      }
    }
    out[setting] = widerSettingAp(prProposals, prRecalled, countFace);
  }
  progress.finish();
  return { easy: out.easy, medium: out.medium, hard: out.hard };
}
