/**
 * Pascal VOC mAP, reproducing PaddleDetection's `DetectionMAP` (PaddlePaddle/PaddleDetection @ 666f597,
 * `ppdet/metrics/map_utils.py`) as `VOCMetric` drives it: one `update()` per image in dataset order,
 * then `accumulate()`.
 *
 * Semantics reproduced:
 * - Boxes are [x1, y1, x2, y2]. Unnormalised boxes use the +1 pixel convention (width = x2 - x1 + 1);
 *   `isBboxNormalized` boxes do not. Overlap is 0 unless the boxes intersect strictly.
 * - Per image, detections are processed in input order; each takes the GT of its label with the highest
 *   overlap (first one on ties, over all GT including difficult ones). overlap > 0.5 (strict): a TP if that
 *   GT is not yet taken, else an FP; if the GT is difficult and evaluateDifficult is off, the detection
 *   is dropped (neither). overlap <= 0.5: FP.
 * - GT counts per class skip difficult GT unless evaluateDifficult.
 * - Per class, detections are sorted by score, highest first, stable (Python's sorted(reverse=True)): ties
 *   keep processing order (image order, then input order).
 * - precision = tp / (tp + fp), recall = tp / count. `11point`: the reference's own scan of 11 recall
 *   levels (max precision at recall >= j/10), summed left to right and divided by 11. `integral`: sum of
 *   precision * |Δrecall| over points where recall moves by more than 1e-6.
 * - A class with no counted GT is skipped (apPerClass null, not in the mean). A class with GT but no
 *   detections counts with AP 0. mAP = sum / number of counted classes, or 0 if there are none.
 */
import { ProgressReporter, type EvaluationHooks } from './progress';
import { sortByScoreDescStable } from './score-order';

export type VocApType = '11point' | 'integral';

export interface VocImage {
  id: string | number;
  /** [G×4] x1, y1, x2, y2. */
  boxes: Float64Array;
  /** [G] class index 0..C-1. */
  labels: Int32Array;
  /** [G] 1 = difficult. */
  difficult: Uint8Array;
}

export interface VocGroundTruth {
  classNames: string[];
  isBboxNormalized: boolean;
  /** In evaluation (dataset) order. */
  images: VocImage[];
}

/** Detections in input order, [D]. */
export interface VocDetections {
  /** [D] index into VocGroundTruth.images. */
  detImage: Int32Array;
  detLabel: Int32Array;
  detScore: Float64Array;
  /** [D×4] x1, y1, x2, y2. */
  detBox: Float64Array;
}

export interface VocOptions extends EvaluationHooks {
  apType: VocApType;
  evaluateDifficult: boolean;
  /** Default 0.5. */
  overlapThresh?: number;
}

export interface VocEvaluation {
  mAP: number;
  /** [C] AP per class; null for a class without counted GT (skipped by the reference). */
  apPerClass: Array<number | null>;
  /** [C] counted GT per class. */
  gtCounts: number[];
}

/** `bbox_area`: (x2 - x1 + norm) * (y2 - y1 + norm), norm = 1 for pixel boxes, 0 for normalised ones. */
function boxArea(x1: number, y1: number, x2: number, y2: number, norm: number): number {
  return (x2 - x1 + norm) * (y2 - y1 + norm);
}

/** `jaccard_overlap(pred, gt, is_bbox_normalized)`. */
export function vocOverlap(p: ArrayLike<number>, po: number, g: ArrayLike<number>, go: number, norm: number): number {
  if (p[po] >= g[go + 2] || p[po + 2] <= g[go] || p[po + 1] >= g[go + 3] || p[po + 3] <= g[go + 1]) return 0;
  const ix1 = Math.max(p[po], g[go]);
  const iy1 = Math.max(p[po + 1], g[go + 1]);
  const ix2 = Math.min(p[po + 2], g[go + 2]);
  const iy2 = Math.min(p[po + 3], g[go + 3]);
  const inter = boxArea(ix1, iy1, ix2, iy2, norm);
  const pa = boxArea(p[po], p[po + 1], p[po + 2], p[po + 3], norm);
  const ga = boxArea(g[go], g[go + 1], g[go + 2], g[go + 3], norm);
  return inter / (pa + ga - inter);
}

/** The reference's 11-point AP scan, literally (precision/recall in score order). */
export function vocElevenPointAp(precision: ArrayLike<number>, recall: ArrayLike<number>, n: number): number {
  const maxPrecisions = new Array<number>(11).fill(0);
  let startIdx = n - 1;
  for (let j = 10; j >= 0; j--) {
    for (let i = startIdx; i >= 0; i--) {
      if (recall[i] < j / 10) {
        startIdx = i;
        if (j > 0) {
          maxPrecisions[j - 1] = maxPrecisions[j];
          break;
        }
      } else if (maxPrecisions[j] < precision[i]) {
        maxPrecisions[j] = precision[i];
      }
    }
  }
  let sum = 0;
  for (let j = 0; j < 11; j++) sum += maxPrecisions[j];
  return sum / 11;
}

/** The reference's integral AP: sum of precision * |Δrecall| where recall moves by more than 1e-6. */
export function vocIntegralAp(precision: ArrayLike<number>, recall: ArrayLike<number>, n: number): number {
  let ap = 0;
  let prevRecall = 0;
  for (let i = 0; i < n; i++) {
    const gap = Math.abs(recall[i] - prevRecall);
    if (gap > 1e-6) {
      ap += precision[i] * gap;
      prevRecall = recall[i];
    }
  }
  return ap;
}

/**
 * Stage 1 (`DetectionMAP.update` per image): one record per detection that counts (class, score, TP flag,
 * image), in processing order (image order, then input order); detections matched to a difficult GT are
 * dropped unless evaluateDifficult. `gtCounts` [C] counted GT per class over all images.
 */
export interface VocImageRecords {
  n: number;
  recClass: Int32Array;
  recScore: Float64Array;
  recTp: Uint8Array;
  recImage: Int32Array;
  gtCounts: number[];
}

export function matchVocImages(gt: VocGroundTruth, dt: VocDetections, options: VocOptions): VocImageRecords {
  const C = gt.classNames.length;
  const thresh = options.overlapThresh ?? 0.5;
  const norm = 1 - (gt.isBboxNormalized ? 1 : 0);
  const I = gt.images.length;
  const D = dt.detImage.length;

  // Detections of each image in input order (counting sort by image, stable).
  const start = new Int32Array(I + 1);
  for (let d = 0; d < D; d++) start[dt.detImage[d] + 1]++;
  for (let i = 0; i < I; i++) start[i + 1] += start[i];
  const fill = start.slice(0, I);
  const byImage = new Int32Array(D);
  for (let d = 0; d < D; d++) byImage[fill[dt.detImage[d]]++] = d;

  // class_score_poss, flattened: records in processing order with their class, score and TP flag.
  const recClass = new Int32Array(D);
  const recScore = new Float64Array(D);
  const recTp = new Uint8Array(D);
  const recImage = new Int32Array(D);
  let nRec = 0;
  const gtCounts = new Array<number>(C).fill(0);
  const progress = new ProgressReporter(options, 'evaluate', I);

  for (let i = 0; i < I; i++) {
    const im = gt.images[i];
    const G = im.labels.length;
    for (let g = 0; g < G; g++) if (options.evaluateDifficult || im.difficult[g] === 0) gtCounts[im.labels[g]] += 1;
    const visited = new Uint8Array(G);
    for (let q = start[i]; q < start[i + 1]; q++) {
      const d = byImage[q];
      const l = dt.detLabel[d];
      let maxIdx = -1;
      let maxOverlap = -1.0;
      for (let g = 0; g < G; g++) {
        if (im.labels[g] !== l) continue;
        const o = vocOverlap(dt.detBox, d * 4, im.boxes, g * 4, norm);
        if (o > maxOverlap) {
          maxOverlap = o;
          maxIdx = g;
        }
      }
      if (maxOverlap > thresh) {
        if (options.evaluateDifficult || im.difficult[maxIdx] === 0) {
          recClass[nRec] = l;
          recScore[nRec] = dt.detScore[d];
          recImage[nRec] = i;
          if (!visited[maxIdx]) {
            recTp[nRec] = 1;
            visited[maxIdx] = 1;
          } else recTp[nRec] = 0;
          nRec++;
        }
      } else {
        recClass[nRec] = l;
        recScore[nRec] = dt.detScore[d];
        recImage[nRec] = i;
        recTp[nRec] = 0;
        nRec++;
      }
    }
    progress.tick(i + 1);
  }
  progress.finish();
  return { n: nRec, recClass, recScore, recTp, recImage, gtCounts };
}

export function evaluateVoc(gt: VocGroundTruth, dt: VocDetections, options: VocOptions): VocEvaluation {
  const C = gt.classNames.length;
  const { n: nRec, recClass, recScore, recTp, gtCounts } = matchVocImages(gt, dt, options);

  // Records per class in processing order, then stable sort by score.
  const cStart = new Int32Array(C + 1);
  for (let r = 0; r < nRec; r++) cStart[recClass[r] + 1]++;
  for (let c = 0; c < C; c++) cStart[c + 1] += cStart[c];
  const cFill = cStart.slice(0, C);
  const byClass = new Int32Array(nRec);
  for (let r = 0; r < nRec; r++) byClass[cFill[recClass[r]]++] = r;
  const scratch = new Int32Array(Math.max(nRec, 1));
  const precision = new Float64Array(Math.max(nRec, 1));
  const recall = new Float64Array(Math.max(nRec, 1));

  let mAP = 0;
  let validCnt = 0;
  const apPerClass: Array<number | null> = new Array(C).fill(null);
  for (let c = 0; c < C; c++) {
    const count = gtCounts[c];
    if (count === 0) continue;
    const n = cStart[c + 1] - cStart[c];
    if (n === 0) {
      validCnt += 1;
      apPerClass[c] = 0;
      continue;
    }
    sortByScoreDescStable(byClass, cStart[c], cStart[c + 1], recScore, scratch);
    let tp = 0;
    let fp = 0;
    for (let q = 0; q < n; q++) {
      const pos = recTp[byClass[cStart[c] + q]];
      tp += pos;
      fp += 1 - pos;
      precision[q] = tp / (tp + fp);
      recall[q] = tp / count;
    }
    const ap = options.apType === '11point' ? vocElevenPointAp(precision, recall, n) : vocIntegralAp(precision, recall, n);
    mAP += ap;
    validCnt += 1;
    apPerClass[c] = ap;
  }
  return { mAP: validCnt > 0 ? mAP / validCnt : mAP, apPerClass, gtCounts };
}
