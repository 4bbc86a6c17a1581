/**
 * Pascal VOC mAP (PaddleDetection DetectionMAP semantics, lib/metrics/voc.ts) under image weights, and the
 * paired bootstrap of ΔmAP between two detection files on the same ground truth (docs/accuracy-intervals.md).
 *
 * The per-image matching (matchVocImages) runs once per model. A resample with weights w[I] is the multiset in
 * which image i appears w[i] times (consecutively, in image order): its records and its counted GT count w[i]
 * times. Per class the records are score-sorted once; a weighted pass rebuilds the precision/recall points
 * (w copies of a record are w consecutive points; a block of equal-score records of one image is repeated
 * w times, as the copies interleave) and the reference's 11point / integral AP is read from them. With every
 * weight 1 this is evaluateVoc's mAP bit for bit (tested).
 */
import { pairedBootstrap, type TPairedBootstrapOptions, type TPairedBootstrapResult } from './paired-bootstrap';
import { sortByScoreDescStable } from './score-order';
import {
  matchVocImages,
  vocElevenPointAp,
  vocIntegralAp,
  type VocApType,
  type VocDetections,
  type VocGroundTruth,
  type VocOptions,
} from './voc';

export interface VocMapWeighting {
  I: number;
  C: number;
  apType: VocApType;
  /** [C+1] records of class c are [recStart[c], recStart[c+1]) in score order (stable). */
  recStart: Int32Array;
  recImage: Int32Array;
  recTp: Uint8Array;
  /** 1 when the record has the same score and image as the previous one of its class. */
  tieWithPrevious: Uint8Array;
  /** [C+1] images with counted GT of class c: gtImage[gtStart[c] .. gtStart[c+1]), gtCount their counts. */
  gtStart: Int32Array;
  gtImage: Int32Array;
  gtCount: Int32Array;
}

export function prepareVocMapWeighting(gt: VocGroundTruth, dt: VocDetections, options: VocOptions): VocMapWeighting {
  const C = gt.classNames.length;
  const I = gt.images.length;
  const r = matchVocImages(gt, dt, options);
  const recStart = new Int32Array(C + 1);
  for (let q = 0; q < r.n; q++) recStart[r.recClass[q] + 1]++;
  for (let c = 0; c < C; c++) recStart[c + 1] += recStart[c];
  const fill = recStart.slice(0, C);
  const order = new Int32Array(r.n);
  for (let q = 0; q < r.n; q++) order[fill[r.recClass[q]]++] = q;
  const scratch = new Int32Array(Math.max(r.n, 1));
  for (let c = 0; c < C; c++) sortByScoreDescStable(order, recStart[c], recStart[c + 1], r.recScore, scratch);
  const recImage = new Int32Array(r.n);
  const recTp = new Uint8Array(r.n);
  const tieWithPrevious = new Uint8Array(r.n);
  for (let c = 0; c < C; c++) {
    for (let j = recStart[c]; j < recStart[c + 1]; j++) {
      const q = order[j];
      recImage[j] = r.recImage[q];
      recTp[j] = r.recTp[q];
      if (j > recStart[c]) {
        const prev = order[j - 1];
        tieWithPrevious[j] = r.recScore[prev] === r.recScore[q] && r.recImage[prev] === r.recImage[q] ? 1 : 0;
      }
    }
  }
  // counted GT per (class, image)
  const counts: Array<Map<number, number>> = Array.from({ length: C }, () => new Map());
  gt.images.forEach((im, i) => {
    for (let g = 0; g < im.labels.length; g++) {
      if (!options.evaluateDifficult && im.difficult[g] !== 0) continue;
      const m = counts[im.labels[g]];
      m.set(i, (m.get(i) ?? 0) + 1);
    }
  });
  const gtStart = new Int32Array(C + 1);
  for (let c = 0; c < C; c++) gtStart[c + 1] = gtStart[c] + counts[c].size;
  const gtImage = new Int32Array(gtStart[C]);
  const gtCount = new Int32Array(gtStart[C]);
  counts.forEach((m, c) => {
    let j = gtStart[c];
    for (const [i, n] of [...m.entries()].sort((a, b) => a[0] - b[0])) {
      gtImage[j] = i;
      gtCount[j++] = n;
    }
  });
  return { I, C, apType: options.apType, recStart, recImage, recTp, tieWithPrevious, gtStart, gtImage, gtCount };
}

/** Scratch buffers of weightedVocMap (grown on demand). */
export interface VocMapScratch {
  precision: Float64Array;
  recall: Float64Array;
}

export function createVocMapScratch(): VocMapScratch {
  return { precision: new Float64Array(64), recall: new Float64Array(64) };
}

/** mAP of the image multiset with multiplicities `weights` [I] (null: every image once); 0 without counted GT, as the reference. */
export function weightedVocMap(s: VocMapWeighting, weights: Int32Array | null, scratch: VocMapScratch): number {
  let mAP = 0;
  let validCnt = 0;
  for (let c = 0; c < s.C; c++) {
    let count = 0;
    for (let j = s.gtStart[c]; j < s.gtStart[c + 1]; j++) count += (weights ? weights[s.gtImage[j]] : 1) * s.gtCount[j];
    if (count === 0) continue;
    const end = s.recStart[c + 1];
    let total = 0;
    for (let j = s.recStart[c]; j < end; j++) total += weights ? weights[s.recImage[j]] : 1;
    if (total === 0) {
      validCnt += 1;
      continue; // AP 0
    }
    if (scratch.precision.length < total) {
      scratch.precision = new Float64Array(total * 2);
      scratch.recall = new Float64Array(total * 2);
    }
    const precision = scratch.precision;
    const recall = scratch.recall;
    let tp = 0;
    let fp = 0;
    let n = 0;
    for (let i = s.recStart[c]; i < end; ) {
      let j = i + 1;
      while (j < end && s.tieWithPrevious[j]) j++;
      const w = weights ? weights[s.recImage[i]] : 1;
      const reps = j - i === 1 ? 1 : w;
      const per = j - i === 1 ? w : 1;
      for (let rep = 0; rep < reps; rep++) {
        for (let q = i; q < j; q++) {
          const pos = s.recTp[q];
          for (let k = 0; k < per; k++) {
            tp += pos;
            fp += 1 - pos;
            precision[n] = tp / (tp + fp);
            recall[n] = tp / count;
            n++;
          }
        }
      }
      i = j;
    }
    mAP += s.apType === '11point' ? vocElevenPointAp(precision, recall, n) : vocIntegralAp(precision, recall, n);
    validCnt += 1;
  }
  return validCnt > 0 ? mAP / validCnt : mAP;
}

/** Paired bootstrap over images of ΔmAP = candidate − baseline (both read against the same `gt`). */
export function vocMapDeltaBootstrap(
  gt: VocGroundTruth,
  candidate: VocDetections,
  baseline: VocDetections,
  options: VocOptions & TPairedBootstrapOptions,
): TPairedBootstrapResult {
  const { resamples, seed, confidence, ...voc } = options;
  const sc = prepareVocMapWeighting(gt, candidate, voc);
  const sb = prepareVocMapWeighting(gt, baseline, voc);
  const scratchC = createVocMapScratch();
  const scratchB = createVocMapScratch();
  return pairedBootstrap(
    gt.images.length,
    ['mAP'],
    (w) => ({ candidate: [weightedVocMap(sc, w, scratchC)], baseline: [weightedVocMap(sb, w, scratchB)] }),
    { resamples, seed, confidence },
  );
}
