/**
 * COCO AP, AP50 and AP75 under image weights, and the paired bootstrap of their deltas between two detection
 * files on the same ground truth (docs/accuracy-intervals.md).
 *
 * Stage 1 of the evaluator (evaluateCocoImages: IoU and greedy matching per image and category) does not
 * depend on which other images are in the set, so it runs once per model. A resample is a multiset of images;
 * an image with weight w contributes its detections and its ground truth w times. prepareCocoApWeighting keeps,
 * for area range 'all' and maxDets 100, each detection's image, TP/FP/ignored flags per IoU threshold and its
 * place in the accumulate order; weightedCocoAp then redoes only the accumulate step with the weights:
 * w copies of a detection add w to the FP counts or w consecutive points to the PR curve, and npig is
 * Σ w·(non-ignored GT of the image). This is exactly accumulate() on the multiset listed in image order with
 * the copies of an image next to each other (so score ties break as the reference would break them there).
 * With every weight 1 it reproduces stats[0..2] of evaluateCoco bit for bit (tested).
 */
import { SlimboardError } from '../errors';
import {
  defaultCocoParams,
  DET_FP,
  DET_IGNORED,
  DET_TP,
  evaluateCocoImages,
  type CocoDetections,
  type CocoGroundTruth,
  type CocoParams,
} from './coco';
import { NUMPY_SPACING_ONE, numpyMean } from './numpy-semantics';
import { pairedBootstrap, type TPairedBootstrapOptions, type TPairedBootstrapResult } from './paired-bootstrap';
import { sortByScoreDescStable } from './score-order';

/** The statistics weightedCocoAp returns, in its order (COCOeval.summarize's first three). */
export const COCO_BOOTSTRAP_METRICS = ['AP', 'AP50', 'AP75'] as const;

const KIND_ALL_FP = 0;
const KIND_ALL_IGNORED = 1;
const KIND_MIXED = 2;

/** Per-image evaluation state of one model, reduced to what AP (area 'all', maxDets 100) needs. */
export interface CocoApWeighting {
  /** I images, K categories, T IoU thresholds, R recall thresholds. */
  I: number;
  K: number;
  T: number;
  R: number;
  recThrs: Float64Array;
  /** IoU threshold index of 0.5 and of 0.75 (−1 when the params lack it). */
  t50: number;
  t75: number;
  /** [K+1] detections of category k are [catStart[k], catStart[k+1]) in accumulate order (score desc, stable). */
  catStart: Int32Array;
  /** [N] image index of each detection. */
  detImage: Int32Array;
  /**
   * [N] 1 when detection n has the same score and image as detection n−1 (a block of ties within one image:
   * in the multiset their copies interleave).
   */
  tieWithPrevious: Uint8Array;
  /** [N] 0 FP at every threshold, 1 ignored at every threshold, 2 anything else. */
  kind: Uint8Array;
  /** [N×T] DET_TP / DET_FP / DET_IGNORED. */
  status: Uint8Array;
  /** [K+1] images with non-ignored GT of category k are gtImage[gtStart[k] .. gtStart[k+1]). */
  gtStart: Int32Array;
  gtImage: Int32Array;
  /** Non-ignored GT count of that image and category (npig of one image). */
  gtCount: Int32Array;
}

/** Builds the weighting state of one detection file (runs stage 1 of the evaluator once). */
export function prepareCocoApWeighting(gt: CocoGroundTruth, dt: CocoDetections, params: CocoParams = defaultCocoParams()): CocoApWeighting {
  const all = params.areaRngLbl.indexOf('all');
  if (all < 0) throw new SlimboardError('bad_params', "COCO bootstrap needs the area range 'all'");
  if (!params.maxDets.includes(100)) throw new SlimboardError('bad_params', 'COCO bootstrap needs maxDets 100');
  // Stage 1 matches each area range independently: only 'all' is needed (a quarter of the work).
  const ev = evaluateCocoImages(gt, dt, { ...params, areaRng: [params.areaRng[all]], areaRngLbl: ['all'] });
  // locals: imported bindings can compile to getter calls (tsx/esbuild), too slow in the loops below
  const FP = DET_FP;
  const IGNORED = DET_IGNORED;
  const p = ev.params;
  const a = 0;
  const I = gt.imageIds.length;
  const K = ev.K;
  const T = p.iouThrs.length;
  const A = p.areaRng.length;
  const TS = ev.statusStride;
  const N0 = ev.kept.length;

  // accumulate order: per category, stable sort by score of the concatenation (image order, score order within)
  const order = new Int32Array(N0);
  const scratch = new Int32Array(Math.max(N0, 1));
  for (let i = 0; i < N0; i++) order[i] = i;
  let N = 0;
  for (let i = 0; i < N0; i++) if (ev.rank[i] < 100) N++;
  const catStart = new Int32Array(K + 1);
  const detImage = new Int32Array(N);
  const kind = new Uint8Array(N);
  const tieWithPrevious = new Uint8Array(N);
  const status = new Uint8Array(N * T);
  let n = 0;
  let prevScore = 0;
  for (let k = 0; k < K; k++) {
    const s0 = ev.catStart[k];
    const s1 = ev.catStart[k + 1];
    sortByScoreDescStable(order, s0, s1, ev.score, scratch);
    catStart[k] = n;
    for (let i = s0; i < s1; i++) {
      const pos = order[i];
      if (ev.rank[pos] >= 100) continue;
      detImage[n] = dt.detImage[ev.kept[pos]];
      tieWithPrevious[n] = n > catStart[k] && ev.score[pos] === prevScore && detImage[n - 1] === detImage[n] ? 1 : 0;
      prevScore = ev.score[pos];
      const row = pos * A * TS + a * TS;
      let allFp = true;
      let allIgn = true;
      for (let t = 0; t < T; t++) {
        const st = ev.status[row + t];
        status[n * T + t] = st;
        if (st !== FP) allFp = false;
        if (st !== IGNORED) allIgn = false;
      }
      kind[n] = allFp ? KIND_ALL_FP : allIgn ? KIND_ALL_IGNORED : KIND_MIXED;
      n++;
    }
  }
  catStart[K] = n;

  // npig per (category, image) for area 'all' (crowd GT and GT outside the range are ignored)
  const [lo, hi] = p.areaRng[a];
  const perCatImage = new Map<number, number>();
  for (let g = 0; g < gt.annImage.length; g++) {
    const ar = gt.annArea[g];
    if (gt.annCrowd[g] !== 0 || ar < lo || ar > hi) continue;
    const key = gt.annCategory[g] * I + gt.annImage[g];
    perCatImage.set(key, (perCatImage.get(key) ?? 0) + 1);
  }
  const keys = [...perCatImage.keys()].sort((x, y) => x - y);
  const gtStart = new Int32Array(K + 1);
  const gtImage = new Int32Array(keys.length);
  const gtCount = new Int32Array(keys.length);
  keys.forEach((key, j) => {
    gtStart[Math.floor(key / I) + 1]++;
    gtImage[j] = key % I;
    gtCount[j] = perCatImage.get(key) as number;
  });
  for (let k = 0; k < K; k++) gtStart[k + 1] += gtStart[k];

  const t50 = p.iouThrs.indexOf(0.5);
  const t75 = p.iouThrs.indexOf(0.75);
  const R = p.recThrs.length;
  return { I, K, T, R, recThrs: p.recThrs, t50, t75, catStart, detImage, tieWithPrevious, kind, status, gtStart, gtImage, gtCount };
}

/** Scratch buffers reused across calls of weightedCocoAp (one per state is enough). */
export interface CocoApScratch {
  precision: Float64Array;
  gather: Float64Array;
  evFp: Int32Array;
  pr: Float64Array;
  rc: Float64Array;
  fp: Int32Array;
  nTp: Int32Array;
}

export function createCocoApScratch(s: CocoApWeighting): CocoApScratch {
  const n = Math.max(s.T * s.R * s.K, 1);
  return {
    precision: new Float64Array(n),
    gather: new Float64Array(n),
    evFp: new Int32Array(s.T * 16),
    pr: new Float64Array(16),
    rc: new Float64Array(16),
    fp: new Int32Array(s.T),
    nTp: new Int32Array(s.T),
  };
}

/**
 * [AP, AP50, AP75] (−1 where undefined, as the reference) of the image multiset with multiplicities `weights`
 * [I] (null: every image once). Written into `out` [3].
 */
export function weightedCocoAp(s: CocoApWeighting, weights: Int32Array | null, scratch: CocoApScratch, out: Float64Array): Float64Array {
  const { K, T, R, recThrs } = s;
  if (weights && weights.length !== s.I) throw new SlimboardError('bad_input', `expected ${s.I} image weights, got ${weights.length}`);
  const eps = NUMPY_SPACING_ONE;
  const FP = DET_FP; // locals, not imported bindings, in the hot loop (see prepareCocoApWeighting)
  const TP = DET_TP;
  const precision = scratch.precision;
  precision.fill(-1);
  const fp = scratch.fp;
  const nTp = scratch.nTp;
  for (let k = 0; k < K; k++) {
    let npig = 0;
    for (let j = s.gtStart[k]; j < s.gtStart[k + 1]; j++) npig += (weights ? weights[s.gtImage[j]] : 1) * s.gtCount[j];
    if (npig === 0) continue;
    const cap = npig + 1; // a TP consumes a distinct non-ignored GT copy
    if (scratch.evFp.length < T * cap) scratch.evFp = new Int32Array(T * cap * 2);
    if (scratch.pr.length < cap) {
      scratch.pr = new Float64Array(cap * 2);
      scratch.rc = new Float64Array(cap * 2);
    }
    const evFp = scratch.evFp;
    const pr = scratch.pr;
    const rc = scratch.rc;
    fp.fill(0);
    nTp.fill(0);
    let fpAll = 0;
    let nd = 0;
    const end = s.catStart[k + 1];
    for (let i = s.catStart[k]; i < end; ) {
      let j = i + 1;
      while (j < end && s.tieWithPrevious[j]) j++;
      const w = weights ? weights[s.detImage[i]] : 1;
      if (w !== 0) {
        nd += w * (j - i);
        // the copies of a block of tied detections interleave (d, e, d, e): the block is repeated w times;
        // a block of one detection takes its w copies at once
        const reps = j - i === 1 ? 1 : w;
        const per = j - i === 1 ? w : 1;
        for (let rep = 0; rep < reps; rep++) {
          for (let d = i; d < j; d++) {
            const kd = s.kind[d];
            if (kd === KIND_ALL_IGNORED) continue;
            if (kd === KIND_ALL_FP) {
              fpAll += per;
              continue;
            }
            const row = d * T;
            for (let t = 0; t < T; t++) {
              const st = s.status[row + t];
              if (st === FP) fp[t] += per;
              else if (st === TP) {
                const f = fp[t] + fpAll;
                const base = t * cap;
                for (let c = 0; c < per; c++) evFp[base + nTp[t]++] = f;
              }
            }
          }
        }
      }
      i = j;
    }
    for (let t = 0; t < T; t++) {
      const n = nTp[t];
      const base = t * cap;
      for (let j = 0; j < n; j++) {
        const tp = j + 1;
        rc[j] = tp / npig;
        pr[j] = tp / (evFp[base + j] + tp + eps);
      }
      for (let j = n - 1; j > 0; j--) if (pr[j] > pr[j - 1]) pr[j - 1] = pr[j];
      let ti = 0;
      for (let r = 0; r < R; r++) {
        const at = (t * R + r) * K + k;
        const thr = recThrs[r];
        if (thr <= 0 && nd > 0) {
          precision[at] = n > 0 ? pr[0] : 0;
          continue;
        }
        while (ti < n && rc[ti] < thr) ti++;
        if (ti < n) precision[at] = pr[ti];
        else {
          for (let r2 = r; r2 < R; r2++) precision[(t * R + r2) * K + k] = 0;
          break;
        }
      }
    }
  }
  out[0] = meanOverThresholds(precision, scratch.gather, 0, T, R, K);
  out[1] = s.t50 < 0 ? -1 : meanOverThresholds(precision, scratch.gather, s.t50, s.t50 + 1, R, K);
  out[2] = s.t75 < 0 ? -1 : meanOverThresholds(precision, scratch.gather, s.t75, s.t75 + 1, R, K);
  return out;
}

/** Mean of precision[t0..t1) × R × K over entries > −1 in C order, NumPy's summation (summarize's `_summarize`). */
function meanOverThresholds(precision: Float64Array, buf: Float64Array, t0: number, t1: number, R: number, K: number): number {
  let n = 0;
  for (let i = t0 * R * K; i < t1 * R * K; i++) {
    const v = precision[i];
    if (v > -1) buf[n++] = v;
  }
  return n === 0 ? -1 : numpyMean(buf.subarray(0, n));
}

/**
 * Paired bootstrap over images of ΔAP, ΔAP50 and ΔAP75 = candidate − baseline (AP units, [−1, 1]).
 * Both detection files must be indexed against the same `gt`.
 */
export function cocoApDeltaBootstrap(
  gt: CocoGroundTruth,
  candidate: CocoDetections,
  baseline: CocoDetections,
  options: TPairedBootstrapOptions & { params?: CocoParams } = {},
): TPairedBootstrapResult {
  const { params, ...bootstrap } = options;
  const sc = prepareCocoApWeighting(gt, candidate, params);
  const sb = prepareCocoApWeighting(gt, baseline, params);
  const scratchC = createCocoApScratch(sc);
  const scratchB = createCocoApScratch(sb);
  const outC = new Float64Array(3);
  const outB = new Float64Array(3);
  return pairedBootstrap(
    gt.imageIds.length,
    COCO_BOOTSTRAP_METRICS,
    (w) => ({ candidate: weightedCocoAp(sc, w, scratchC, outC), baseline: weightedCocoAp(sb, w, scratchB, outB) }),
    bootstrap,
  );
}
