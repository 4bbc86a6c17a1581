/**
 * COCO bounding-box evaluation, reproducing pycocotools `COCOeval` (cocodataset/cocoapi @ 8c9bcc3,
 * `PythonAPI/pycocotools/cocoeval.py`, `coco.py`, `common/maskApi.c:bbIou`) with iouType='bbox', useCats=1.
 *
 * Three stages, as in the reference:
 *   evaluateCocoImages  (per image and category: IoU, greedy matching)  -> CocoImageEvaluation
 *   accumulateCoco      (precision [T×R×K×A×M], recall [T×K×A×M])        -> CocoAccumulation
 *   summarizeCoco       (the 12 statistics, per-category AP)
 * Dimension letters: T IoU thresholds, R recall thresholds, K categories, A area ranges, M maxDets,
 * I images, G ground-truth boxes, D detections. All multi-dimensional arrays are flat, C order.
 *
 * Quirks reproduced on purpose: the GT `area` field (not the box) decides GT area ranges, the box w*h
 * decides detection area ranges; crowd GT uses IoU = intersection / detection area and can absorb many
 * detections; a later GT with an equal IoU wins a match; a match to a GT whose id is 0 counts as
 * unmatched (pycocotools stores matched ids and tests them for truthiness); the `ignore` field of GT is
 * overwritten by `iscrowd`; ties in score keep file order (stable mergesort); precision uses
 * tp / (tp + fp + np.spacing(1)); means use NumPy's pairwise summation.
 */
import { linspace, NUMPY_SPACING_ONE, numpyMean } from './numpy-semantics';
import { ProgressReporter, type EvaluationHooks } from './progress';
import { sortByScoreDescStable } from './score-order';

export interface CocoCategory {
  id: number;
  name: string;
}

/**
 * Ground truth in columnar form. `imageIds` and `categories` are sorted ascending by id (the
 * reference's `params.imgIds` / `params.catIds`); annotation columns [G] are in file order.
 */
export interface CocoGroundTruth {
  imageIds: number[];
  categories: CocoCategory[];
  /** [G] index into imageIds. */
  annImage: Int32Array;
  /** [G] index into categories. */
  annCategory: Int32Array;
  /** [G×4] x, y, width, height. */
  annBox: Float64Array;
  /** [G] the annotation's `area` field (used for area ranges, not the box). */
  annArea: Float64Array;
  /** [G] 1 for crowd regions. */
  annCrowd: Uint8Array;
  /** [G] annotation id (a match to id 0 counts as no match, as in the reference). */
  annId: Float64Array;
}

/** Detections in columnar form, [D] in results-file order (the reference numbers them 1..D). */
export interface CocoDetections {
  detImage: Int32Array;
  detCategory: Int32Array;
  /** [D×4] x, y, width, height. */
  detBox: Float64Array;
  detScore: Float64Array;
}

export interface CocoParams {
  /** [T] IoU thresholds, np.linspace(.5, .95, 10). */
  iouThrs: Float64Array;
  /** [R] recall thresholds, np.linspace(0, 1, 101). */
  recThrs: Float64Array;
  /** [M] ascending. */
  maxDets: number[];
  /** [A] inclusive [min, max] area. */
  areaRng: Array<[number, number]>;
  areaRngLbl: string[];
}

export function defaultCocoParams(): CocoParams {
  return {
    iouThrs: linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1),
    recThrs: linspace(0.0, 1.0, Math.round((1.0 - 0.0) / 0.01) + 1),
    maxDets: [1, 10, 100],
    areaRng: [
      [0 ** 2, 1e5 ** 2],
      [0 ** 2, 32 ** 2],
      [32 ** 2, 96 ** 2],
      [96 ** 2, 1e5 ** 2],
    ],
    areaRngLbl: ['all', 'small', 'medium', 'large'],
  };
}

/** Detection outcome codes in CocoImageEvaluation.status. */
export const DET_FP = 0;
export const DET_TP = 1;
export const DET_IGNORED = 2;

/**
 * Stage 1 output: the reference's `evalImgs`, collapsed. Detections kept (the first maxDets[-1] by
 * score of each image and category) are listed in "concatenation order": by category index, then image
 * index, then score (stable), which is the order accumulate() concatenates them in.
 */
export interface CocoImageEvaluation {
  params: CocoParams;
  K: number;
  /** [N] detection index (into CocoDetections) of each kept detection. */
  kept: Int32Array;
  /** [K+1] kept[catStart[k] .. catStart[k+1]) belong to category k. */
  catStart: Int32Array;
  /** [N] rank of the detection within its image and category (0 = highest score). */
  rank: Int32Array;
  /** [N] score of each kept detection. */
  score: Float64Array;
  /**
   * [N×A×TS] DET_TP / DET_FP / DET_IGNORED (dtMatches + dtIgnore of the reference), detection-major;
   * TS = T rounded up to a multiple of 4 (padding bytes unused) so each (detection, area) row is word aligned.
   */
  status: Uint8Array;
  /** Row length of `status` per area range (T rounded up to a multiple of 4). */
  statusStride: number;
  /** [K×A] number of GT not ignored (npig). */
  npig: Int32Array;
}

export interface CocoAccumulation {
  params: CocoParams;
  /** [T, R, K, A, M] */
  counts: [number, number, number, number, number];
  /** [T×R×K×A×M]; -1 where the category has no non-ignored GT in that area range. */
  precision: Float64Array;
  /** [T×K×A×M]; -1 likewise. */
  recall: Float64Array;
  /** [T×R×K×A×M] score at each recall threshold (0 beyond the last reached recall). */
  scores: Float64Array;
}

export interface CocoSummary {
  /** The 12 statistics of COCOeval.summarize(), in its order. */
  stats: number[];
  /** [K] mean of precision[:, :, k, all, maxDets[-1]] over entries > -1 (as detectron2/mmdet); null without GT. */
  perCategoryAp: Array<number | null>;
}

export interface CocoEvaluation extends CocoAccumulation, CocoSummary {}

/** Counting sort of [0..n) by key (stable): returns the permutation and the [numKeys+1] offsets. */
function stableBucket(keys: Int32Array, numKeys: number, input: Int32Array): { order: Int32Array; start: Int32Array } {
  const start = new Int32Array(numKeys + 1);
  for (let i = 0; i < input.length; i++) start[keys[input[i]] + 1]++;
  for (let k = 0; k < numKeys; k++) start[k + 1] += start[k];
  const fill = start.slice(0, numKeys);
  const order = new Int32Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const v = input[i];
    order[fill[keys[v]]++] = v;
  }
  return { order, start };
}

function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** Order items by (category, image), file order within: two stable counting passes. */
function groupByCategoryImage(image: Int32Array, category: Int32Array, I: number, K: number): { order: Int32Array; catStart: Int32Array } {
  const byImage = stableBucket(image, I, identity(image.length)).order;
  const byCat = stableBucket(category, K, byImage);
  return { order: byCat.order, catStart: byCat.start };
}

/**
 * Stage 1 (`COCOeval.evaluate`): for every category k, image i and area range a, match the image's
 * detections of category k (highest score first, at most maxDets[-1]) to its GT at every IoU threshold.
 */
export function evaluateCocoImages(
  gt: CocoGroundTruth,
  dt: CocoDetections,
  paramsIn: CocoParams = defaultCocoParams(),
  hooks?: EvaluationHooks,
): CocoImageEvaluation {
  const params: CocoParams = { ...paramsIn, maxDets: [...paramsIn.maxDets].sort((a, b) => a - b) }; // the reference sorts them too
  const I = gt.imageIds.length;
  const K = gt.categories.length;
  const T = params.iouThrs.length;
  const A = params.areaRng.length;
  const maxDet = params.maxDets[params.maxDets.length - 1];
  const D = dt.detImage.length;

  const gtGroups = groupByCategoryImage(gt.annImage, gt.annCategory, I, K);
  const dtGroups = groupByCategoryImage(dt.detImage, dt.detCategory, I, K);
  const gOrder = gtGroups.order;
  const dOrder = dtGroups.order;

  // Output buffers sized for the worst case (all detections kept), trimmed at the end.
  const kept = new Int32Array(D);
  const rank = new Int32Array(D);
  const keptScore = new Float64Array(D);
  const catStart = new Int32Array(K + 1);
  const npig = new Int32Array(K * A);
  // status is written per kept position; allocate after counting kept detections (first pass below).

  // First pass: per (k, i) group, sort detections by score (stable) and keep the first maxDet.
  const scratch = new Int32Array(Math.max(D, 1));
  const sortedD = dOrder.slice();
  let N = 0;
  {
    let dp = 0;
    for (let k = 0; k < K; k++) {
      catStart[k] = N;
      const dEnd = dtGroups.catStart[k + 1];
      while (dp < dEnd) {
        const img = dt.detImage[sortedD[dp]];
        let q = dp + 1;
        while (q < dEnd && dt.detImage[sortedD[q]] === img) q++;
        sortByScoreDescStable(sortedD, dp, q, dt.detScore, scratch);
        const n = Math.min(q - dp, maxDet);
        for (let r = 0; r < n; r++) {
          const d = sortedD[dp + r];
          kept[N] = d;
          rank[N] = r;
          keptScore[N] = dt.detScore[d];
          N++;
        }
        dp = q;
      }
    }
    catStart[K] = N;
  }

  const TS = (T + 3) & ~3;
  const rowStride = A * TS; // status bytes per kept detection
  const status = new Uint8Array(N * rowStride);
  const thr = new Float64Array(T);
  for (let t = 0; t < T; t++) thr[t] = Math.min(params.iouThrs[t], 1 - 1e-10);

  // Scratch per group, grown on demand.
  let cap = 16;
  let ious = new Float64Array(cap * cap); // [Dg×Gg] row-major by detection (grown to the largest Dg*Gg)
  let gIgn = new Uint8Array(cap); // per GT in file order
  let gSorted = new Int32Array(cap); // GT indices (within group), non-ignored first
  let gMatched = new Uint8Array(cap); // per sorted GT position, for the current threshold
  let dOutside = new Uint8Array(cap); // per kept detection: area outside range
  let sIgn = new Uint8Array(cap); // ignore flag per sorted GT position
  let sCrowd = new Uint8Array(cap); // crowd flag per sorted GT position
  let sIdNonZero = new Uint8Array(cap); // annotation id !== 0 per sorted GT position
  let dMaxIou = new Float64Array(cap); // best IoU of each detection over the group's GT

  // progress unit: one GT box or kept detection walked
  const progress = new ProgressReporter(hooks, 'evaluate', N + gOrder.length);
  let keptPos = 0;
  let gp = 0;
  for (let k = 0; k < K; k++) {
    const gEnd = gtGroups.catStart[k + 1];
    const kEnd = catStart[k + 1];
    // Walk images of category k that have GT or kept detections, in image order.
    while (gp < gEnd || keptPos < kEnd) {
      const gImg = gp < gEnd ? gt.annImage[gOrder[gp]] : I;
      const dImg = keptPos < kEnd ? dt.detImage[kept[keptPos]] : I;
      const img = Math.min(gImg, dImg);
      let gq = gp;
      while (gq < gEnd && gt.annImage[gOrder[gq]] === img) gq++;
      let dq = keptPos;
      while (dq < kEnd && dt.detImage[kept[dq]] === img) dq++;
      const Gg = gq - gp;
      const Dg = dq - keptPos;

      if (Dg * Gg > ious.length) ious = new Float64Array(Dg * Gg * 2);
      if (Gg > cap || Dg > cap) {
        cap = Math.max(cap * 2, Gg, Dg);
        gIgn = new Uint8Array(cap);
        gSorted = new Int32Array(cap);
        gMatched = new Uint8Array(cap);
        dOutside = new Uint8Array(cap);
        sIgn = new Uint8Array(cap);
        sCrowd = new Uint8Array(cap);
        sIdNonZero = new Uint8Array(cap);
        dMaxIou = new Float64Array(cap);
      }

      // IoU [Dg×Gg] as maskApi.c bbIou (detections in score order, GT in file order).
      if (Dg > 0 && Gg > 0) {
        for (let g = 0; g < Gg; g++) {
          const gi = gOrder[gp + g] * 4;
          const gx = gt.annBox[gi],
            gy = gt.annBox[gi + 1],
            gw = gt.annBox[gi + 2],
            gh = gt.annBox[gi + 3];
          const ga = gw * gh;
          const crowd = gt.annCrowd[gOrder[gp + g]] !== 0;
          for (let d = 0; d < Dg; d++) {
            const di = kept[keptPos + d] * 4;
            const dx = dt.detBox[di],
              dy = dt.detBox[di + 1],
              dw = dt.detBox[di + 2],
              dh = dt.detBox[di + 3];
            let o = 0;
            const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
            if (w > 0) {
              const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
              if (h > 0) {
                const da = dw * dh;
                const inter = w * h;
                o = inter / (crowd ? da : da + ga - inter);
              }
            }
            ious[d * Gg + g] = o;
          }
        }
        for (let d = 0; d < Dg; d++) {
          let best = 0;
          for (let g = 0; g < Gg; g++) if (ious[d * Gg + g] > best) best = ious[d * Gg + g];
          dMaxIou[d] = best;
        }
      }

      for (let a = 0; a < A; a++) {
        const lo = params.areaRng[a][0];
        const hi = params.areaRng[a][1];
        // GT ignore flags and order (stable: non-ignored first).
        let nNonIgnored = 0;
        for (let g = 0; g < Gg; g++) {
          const ann = gOrder[gp + g];
          const ar = gt.annArea[ann];
          const ign = gt.annCrowd[ann] !== 0 || ar < lo || ar > hi ? 1 : 0;
          gIgn[g] = ign;
          if (!ign) gSorted[nNonIgnored++] = g;
        }
        npig[k * A + a] += nNonIgnored;
        if (Dg === 0) continue;
        {
          let p = nNonIgnored;
          for (let g = 0; g < Gg; g++) if (gIgn[g]) gSorted[p++] = g;
          for (let q = 0; q < Gg; q++) {
            const ann = gOrder[gp + gSorted[q]];
            sIgn[q] = gIgn[gSorted[q]];
            sCrowd[q] = gt.annCrowd[ann];
            sIdNonZero[q] = gt.annId[ann] !== 0 ? 1 : 0;
          }
        }
        for (let d = 0; d < Dg; d++) {
          const di = kept[keptPos + d] * 4;
          const da = dt.detBox[di + 2] * dt.detBox[di + 3];
          dOutside[d] = da < lo || da > hi ? 1 : 0;
        }
        const aBase = keptPos * rowStride + a * TS;
        if (Gg === 0) {
          // nothing to match: unmatched detections are false positives unless outside the area range
          for (let d = 0; d < Dg; d++) {
            const st = dOutside[d] ? DET_IGNORED : DET_FP;
            for (let t = 0; t < T; t++) status[aBase + d * rowStride + t] = st;
          }
          continue;
        }
        for (let t = 0; t < T; t++) {
          gMatched.fill(0, 0, Gg);
          for (let d = 0; d < Dg; d++) {
            let iou = thr[t];
            let m = -1;
            const row = d * Gg;
            // no GT reaches the threshold: the scan below could not match (a shortcut, same result)
            const scanTo = dMaxIou[d] < iou ? 0 : Gg;
            for (let q = 0; q < scanTo; q++) {
              // an already matched, non-crowd GT is skipped
              if (gMatched[q] && !sCrowd[q]) continue;
              // once matched to a regular GT, stop at the first ignored GT
              if (m > -1 && sIgn[m] === 0 && sIgn[q] === 1) break;
              const v = ious[row + gSorted[q]];
              if (v < iou) continue;
              iou = v;
              m = q;
            }
            let st: number;
            if (m === -1) {
              st = dOutside[d] ? DET_IGNORED : DET_FP;
            } else {
              gMatched[m] = 1;
              if (sIgn[m]) st = DET_IGNORED;
              else if (sIdNonZero[m]) st = DET_TP;
              else st = dOutside[d] ? DET_IGNORED : DET_FP; // matched to GT id 0: dtm == 0 in the reference
            }
            status[aBase + d * rowStride + t] = st;
          }
        }
      }
      gp = gq;
      keptPos = dq;
      progress.tick(gp + keptPos);
    }
  }
  progress.finish();

  return {
    params,
    K,
    kept: kept.subarray(0, N),
    catStart,
    rank: rank.subarray(0, N),
    score: keptScore.subarray(0, N),
    status,
    statusStride: TS,
    npig,
  };
}

/**
 * Stage 2 (`COCOeval.accumulate`): per category, area range and maxDets, concatenate the image results,
 * sort by score (stable), and read precision at the R recall thresholds from the interpolated curve.
 */
export function accumulateCoco(ev: CocoImageEvaluation, hooks?: EvaluationHooks): CocoAccumulation {
  const p = ev.params;
  const T = p.iouThrs.length;
  const R = p.recThrs.length;
  const K = ev.K;
  const A = p.areaRng.length;
  const M = p.maxDets.length;
  const N = ev.kept.length;
  const AT = A * T;
  const C = M * AT; // curves per category, c = (m*A + a)*T + t
  const TS = ev.statusStride;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const scores = new Float64Array(T * R * K * A * M).fill(-1);
  const eps = NUMPY_SPACING_ONE; // a local: module bindings are getters after some transpilers

  // A TP consumes a distinct non-ignored GT, so a curve of category k has at most
  // min(max_a npig[k, a], detections of k) true positives: `cap` is that bound for the current category.
  let cap = 1;
  const order = new Int32Array(N);
  const scratch = new Int32Array(Math.max(N, 1));
  const tpCount = new Int32Array(C);
  const fpCount = new Int32Array(C); // FPs counted one threshold at a time
  const fpAllT = new Int32Array(M * A); // FPs at every threshold, counted once per (m, a)
  let evFp = new Int32Array(C * 16); // [C×cap] fp count at each TP of each curve (grown per category)
  let evScore = new Float64Array(C * 16); // [C×cap] score of each TP of each curve
  const nd = new Int32Array(M);
  const firstScore = new Float64Array(M);
  let pr = new Float64Array(16);
  let rc = new Float64Array(16);
  const rowKind = new Uint8Array(A); // per area of the current detection: 0 all FP, 1 all ignored, 2 mixed
  // Word view of the status rows (little-endian hosts): a row of T bytes is "all FP" when its words are 0.
  const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
  const words = littleEndian ? new Uint32Array(ev.status.buffer, ev.status.byteOffset, ev.status.byteLength >> 2) : null;
  const fullWords = T >> 2;
  const tailMask = (T & 3) === 0 ? 0 : 2 ** (8 * (T & 3)) - 1;
  const IGN4 = 0x02020202;
  const progress = new ProgressReporter(hooks, 'accumulate', K);

  for (let k = 0; k < K; k++) {
    const s0 = ev.catStart[k];
    const s1 = ev.catStart[k + 1];
    for (let i = s0; i < s1; i++) order[i] = i;
    // np.argsort(-dtScores, kind='mergesort') over the concatenation (image order, score order within)
    sortByScoreDescStable(order, s0, s1, ev.score, scratch);
    let maxNpig = 0;
    for (let a = 0; a < A; a++) maxNpig = Math.max(maxNpig, ev.npig[k * A + a]);
    cap = Math.min(maxNpig, s1 - s0) + 1;
    if (evFp.length < C * cap) {
      evFp = new Int32Array(C * cap * 2);
      evScore = new Float64Array(C * cap * 2);
    }
    if (pr.length < cap) {
      pr = new Float64Array(cap * 2);
      rc = new Float64Array(cap * 2);
    }
    tpCount.fill(0);
    fpCount.fill(0);
    fpAllT.fill(0);
    nd.fill(0);
    // One pass over the sorted detections feeds every curve (maxDets m, area a, IoU t): a detection of
    // rank r is in the list of maxDets[m] iff r < maxDets[m].
    for (let i = s0; i < s1; i++) {
      const pos = order[i];
      const r = ev.rank[pos];
      const sc = ev.score[pos];
      const sBase = pos * A * TS;
      for (let a = 0; a < A; a++) {
        let kind = 2;
        if (words) {
          const w0 = (sBase + a * TS) >> 2;
          let or = 0;
          let allIgn = true;
          for (let w = 0; w < fullWords; w++) {
            const x = words[w0 + w];
            or |= x;
            if (x !== IGN4) allIgn = false;
          }
          if (tailMask !== 0) {
            const x = words[w0 + fullWords] & tailMask;
            or |= x;
            if (x !== (IGN4 & tailMask)) allIgn = false;
          }
          kind = or === 0 ? 0 : allIgn ? 1 : 2;
        }
        rowKind[a] = kind;
      }
      for (let m = M - 1; m >= 0 && r < p.maxDets[m]; m--) {
        if (nd[m]++ === 0) firstScore[m] = sc;
        for (let a = 0; a < A; a++) {
          const kind = rowKind[a];
          if (kind === 1) continue;
          if (kind === 0) {
            fpAllT[m * A + a]++;
            continue;
          }
          const cBase = (m * A + a) * T;
          const rowBase = sBase + a * TS;
          for (let t = 0; t < T; t++) {
            const st = ev.status[rowBase + t];
            if (st === DET_FP) fpCount[cBase + t]++;
            else if (st === DET_TP) {
              const c = cBase + t;
              const at = c * cap + tpCount[c]++;
              evFp[at] = fpCount[c] + fpAllT[m * A + a];
              evScore[at] = sc;
            }
          }
        }
      }
    }
    // The reference builds rc/pr over all nd detections, takes the suffix maximum of pr, and reads it at
    // searchsorted(rc, recThrs, 'left'). Only true positives raise rc and pr, so for a threshold > 0 the
    // first index with rc >= thr is a TP, and the suffix maximum from a TP is the maximum over the TPs from
    // there on; for a threshold <= 0 it is index 0. Recording pr/rc at TPs gives bit-identical values.
    for (let m = 0; m < M; m++) {
      for (let a = 0; a < A; a++) {
        const npig = ev.npig[k * A + a];
        if (npig === 0) continue;
        for (let t = 0; t < T; t++) {
          const c = (m * A + a) * T + t;
          const nTp = tpCount[c];
          for (let n = 0; n < nTp; n++) {
            const tp = n + 1;
            rc[n] = tp / npig;
            pr[n] = tp / (evFp[c * cap + n] + tp + eps);
          }
          recall[((t * K + k) * A + a) * M + m] = nd[m] ? (nTp === 0 ? 0 / npig : rc[nTp - 1]) : 0;
          for (let n = nTp - 1; n > 0; n--) if (pr[n] > pr[n - 1]) pr[n - 1] = pr[n];
          let ti = 0;
          for (let ri = 0; ri < R; ri++) {
            const at = (((t * R + ri) * K + k) * A + a) * M + m;
            const thrR = p.recThrs[ri];
            if (thrR <= 0 && nd[m] > 0) {
              precision[at] = nTp > 0 ? pr[0] : 0;
              scores[at] = firstScore[m];
              continue;
            }
            while (ti < nTp && rc[ti] < thrR) ti++;
            if (ti < nTp) {
              precision[at] = pr[ti];
              scores[at] = evScore[c * cap + ti];
            } else {
              // past the end of rc the reference leaves 0 (its IndexError is caught)
              for (let r2 = ri; r2 < R; r2++) {
                const at2 = (((t * R + r2) * K + k) * A + a) * M + m;
                precision[at2] = 0;
                scores[at2] = 0;
              }
              break;
            }
          }
        }
      }
    }
    progress.tick(k + 1);
  }
  progress.finish();
  return { params: p, counts: [T, R, K, A, M], precision, recall, scores };
}

/** Mean of the entries > -1, or -1 if there are none (`_summarize`). Values gathered in C order. */
function meanAboveMinusOne(values: Float64Array, count: number): number {
  return count === 0 ? -1 : numpyMean(values.subarray(0, count));
}

/**
 * Stage 3 (`COCOeval.summarize` for bbox): the 12 statistics
 * [AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl], and per-category AP.
 */
export function summarizeCoco(acc: CocoAccumulation): CocoSummary {
  const p = acc.params;
  const [T, R, K, A, M] = acc.counts;
  const buf = new Float64Array(Math.max(T * R * K, 1));

  const summarize = (ap: boolean, iouThr: number | null, areaLbl: string, maxDets: number): number => {
    const tIdx: number[] = [];
    for (let t = 0; t < T; t++) if (iouThr === null || p.iouThrs[t] === iouThr) tIdx.push(t);
    const a = p.areaRngLbl.indexOf(areaLbl);
    const m = p.maxDets.indexOf(maxDets);
    if (a < 0 || m < 0) return -1;
    let n = 0;
    for (const t of tIdx) {
      if (ap) {
        for (let r = 0; r < R; r++) {
          for (let k = 0; k < K; k++) {
            const v = acc.precision[(((t * R + r) * K + k) * A + a) * M + m];
            if (v > -1) buf[n++] = v;
          }
        }
      } else {
        for (let k = 0; k < K; k++) {
          const v = acc.recall[((t * K + k) * A + a) * M + m];
          if (v > -1) buf[n++] = v;
        }
      }
    }
    return meanAboveMinusOne(buf, n);
  };

  const md = p.maxDets;
  const stats = [
    summarize(true, null, 'all', 100),
    summarize(true, 0.5, 'all', md[2]),
    summarize(true, 0.75, 'all', md[2]),
    summarize(true, null, 'small', md[2]),
    summarize(true, null, 'medium', md[2]),
    summarize(true, null, 'large', md[2]),
    summarize(false, null, 'all', md[0]),
    summarize(false, null, 'all', md[1]),
    summarize(false, null, 'all', md[2]),
    summarize(false, null, 'small', md[2]),
    summarize(false, null, 'medium', md[2]),
    summarize(false, null, 'large', md[2]),
  ];

  const perCategoryAp: Array<number | null> = [];
  for (let k = 0; k < K; k++) {
    let n = 0;
    for (let t = 0; t < T; t++) {
      for (let r = 0; r < R; r++) {
        const v = acc.precision[(((t * R + r) * K + k) * A + 0) * M + (M - 1)];
        if (v > -1) buf[n++] = v;
      }
    }
    perCategoryAp.push(n === 0 ? null : numpyMean(buf.subarray(0, n)));
  }
  return { stats, perCategoryAp };
}

/** All three stages. */
export function evaluateCoco(
  gt: CocoGroundTruth,
  dt: CocoDetections,
  options: EvaluationHooks & { params?: CocoParams } = {},
): CocoEvaluation {
  const params = options.params ?? defaultCocoParams();
  const images = evaluateCocoImages(gt, dt, params, options);
  const acc = accumulateCoco(images, options);
  return { ...acc, ...summarizeCoco(acc) };
}

/** The 12 statistics by name, as the CLI and the zoo report them. */
export const COCO_STAT_NAMES = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'] as const;
export type CocoStatName = (typeof COCO_STAT_NAMES)[number];
