/**
 * Class-aware non-maximum suppression (pure).
 *
 * Conventions:
 * - boxes: Float32Array/Float64Array of length 4N, box i = [x1, y1, x2, y2] at 4i..4i+3, continuous
 *   coordinates (no +1 pixel; area = (x2 - x1) * (y2 - y1), negative extents count as 0).
 * - scores: length N; classes: length N (integer class index).
 * - Order: candidates are visited by descending score; ties keep the lower index first (stable).
 * - A candidate is suppressed when its IoU with an already KEPT box of the SAME class is
 *   strictly greater than `iouThreshold` (so iouThreshold = 1 suppresses nothing, as torchvision/ORT).
 * - `preNmsTopK` (per class, like PaddleDetection's multiclass_nms nms_top_k) limits the candidates of
 *   each class before NMS; `maxDetections` (keep_top_k) limits the total afterwards, by score.
 * Returns the kept indices, sorted by descending score (stable).
 */
import { SlimboardError } from '../../errors';

export interface NmsOptions {
  iouThreshold: number;
  /** Keep at most this many boxes in total (Infinity: no limit). */
  maxDetections?: number;
  /** Consider at most this many highest-scoring candidates per class (Infinity: all). */
  preNmsTopK?: number;
  /**
   * Performance only (same result): with a finite maxDetections and more than 4x this many candidates,
   * first visit only the candidates scoring >= the `selectChunk`-th best score (found by quickselect,
   * O(n)), and sort the rest only if they are still needed. Default 4096.
   */
  selectChunk?: number;
}

type Floats = ArrayLike<number>;

/** IoU of boxes i and j of the same array (continuous coordinates; 0 when the union is empty). */
export function boxIou(boxes: Floats, i: number, j: number): number {
  const ax1 = boxes[4 * i],
    ay1 = boxes[4 * i + 1],
    ax2 = boxes[4 * i + 2],
    ay2 = boxes[4 * i + 3];
  const bx1 = boxes[4 * j],
    by1 = boxes[4 * j + 1],
    bx2 = boxes[4 * j + 2],
    by2 = boxes[4 * j + 3];
  const iw = Math.min(ax2, bx2) - Math.max(ax1, bx1);
  const ih = Math.min(ay2, by2) - Math.max(ay1, by1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const areaA = Math.max(0, ax2 - ax1) * Math.max(0, ay2 - ay1);
  const areaB = Math.max(0, bx2 - bx1) * Math.max(0, by2 - by1);
  const union = areaA + areaB - inter;
  return union > 0 ? inter / union : 0;
}

/** Indices 0..n-1 sorted by descending score, ties by ascending index. */
export function argsortByScoreDesc(scores: Floats, indices?: ArrayLike<number>): number[] {
  const idx = indices ? Array.from(indices) : Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => scores[b] - scores[a] || a - b);
  return idx;
}

/**
 * Indices ordered by descending score, ties by ascending index (all of 0..n-1, or the given subset).
 * Fast path: for non-negative float32-exact scores and indices < 2^21, each candidate is packed into
 * one exact float64 key (float32 bit pattern * 2^21 + (2^21 - 1 - index) < 2^53; the bit pattern of a
 * non-negative float32 is monotone in its value) and sorted natively. Otherwise (negative, NaN or not
 * float32-exact scores) a comparator sort.
 */
export function orderByScoreDesc(scores: Floats, subset?: ArrayLike<number>): Int32Array {
  const m = subset ? subset.length : scores.length;
  const at = subset ? (j: number) => subset[j] : (j: number) => j;
  const order = new Int32Array(m);
  const SHIFT = 2 ** 21;
  let fast = scores.length <= SHIFT;
  for (let j = 0; fast && j < m; j++) {
    const v = scores[at(j)];
    if (!(v >= 0) || Math.fround(v) !== v) fast = false;
  }
  if (fast) {
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    const keys = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      const i = at(j);
      f32[0] = scores[i];
      keys[j] = u32[0] * SHIFT + (SHIFT - 1 - i);
    }
    keys.sort();
    for (let j = 0; j < m; j++) order[j] = SHIFT - 1 - (keys[m - 1 - j] % SHIFT);
    return order;
  }
  const idx = argsortByScoreDesc(scores, subset ? Array.from(subset) : undefined);
  for (let j = 0; j < m; j++) order[j] = idx[j];
  return order;
}

/** The k-th largest (1-based) of `values` (non-empty, no NaN, 1 <= k <= length); reorders `values`. */
export function kthLargestInPlace(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const target = k - 1; // position in descending order
  while (lo < hi) {
    // median of three as pivot, Hoare partition in descending order
    const mid = (lo + hi) >>> 1;
    const a = values[lo],
      b = values[mid],
      c = values[hi];
    const pivot = a > b ? (b > c ? b : a > c ? c : a) : a > c ? a : b > c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] > pivot) i++;
      while (values[j] < pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target];
  }
  return values[target];
}

export function nmsClassAware(boxes: Floats, scores: Floats, classes: ArrayLike<number>, options: NmsOptions): number[] {
  const n = scores.length;
  if (boxes.length !== 4 * n || classes.length !== n) {
    throw new SlimboardError(
      'bad_nms_input',
      `nms: ${n} scores need ${4 * n} box values and ${n} classes, got ${boxes.length} and ${classes.length}`,
    );
  }
  const { iouThreshold } = options;
  if (!(iouThreshold >= 0 && iouThreshold <= 1))
    throw new SlimboardError('bad_nms_input', `nms: iouThreshold must be in [0, 1], got ${iouThreshold}`);
  const maxDetections = options.maxDetections ?? Number.POSITIVE_INFINITY;
  const preNmsTopK = options.preNmsTopK ?? Number.POSITIVE_INFINITY;

  // One pass over all candidates in global score order. A candidate's fate depends only on the
  // higher-scored candidates of its class, so visiting them globally gives the same per-class result
  // as per-class NMS, and the first `maxDetections` survivors are exactly the best ones: we can stop.
  // NaN scores are skipped. Visiting in global order also allows the split into a best chunk and
  // the rest (selectChunk): every candidate of the first chunk comes before every other one.
  const seen = new Map<number, number>();
  const keptByClass = new Map<number, number[]>();
  const kept: number[] = [];
  const visit = (order: Int32Array) => {
    for (let j = 0; j < order.length && kept.length < maxDetections; j++) {
      const i = order[j];
      const c = classes[i];
      const s = seen.get(c) ?? 0;
      if (s >= preNmsTopK) continue;
      seen.set(c, s + 1);
      let group = keptByClass.get(c);
      if (!group) keptByClass.set(c, (group = []));
      let suppressed = false;
      for (let g = 0; g < group.length; g++) {
        if (boxIou(boxes, i, group[g]) > iouThreshold) {
          suppressed = true;
          break;
        }
      }
      if (!suppressed) {
        group.push(i);
        kept.push(i);
      }
    }
  };
  const valid = new Int32Array(n);
  let nv = 0;
  for (let i = 0; i < n; i++) if (!Number.isNaN(scores[i])) valid[nv++] = i;
  const chunk = options.selectChunk ?? 4096;
  if (Number.isFinite(maxDetections) && nv > 4 * chunk) {
    const vals = new Float64Array(nv);
    for (let j = 0; j < nv; j++) vals[j] = scores[valid[j]];
    const tau = kthLargestInPlace(vals, chunk);
    let nh = 0;
    for (let j = 0; j < nv; j++) if (scores[valid[j]] >= tau) nh++;
    const head = new Int32Array(nh);
    const tail = new Int32Array(nv - nh);
    for (let j = 0, h = 0, t = 0; j < nv; j++) {
      const i = valid[j];
      if (scores[i] >= tau) head[h++] = i;
      else tail[t++] = i;
    }
    visit(orderByScoreDesc(scores, head));
    if (kept.length < maxDetections) visit(orderByScoreDesc(scores, tail));
  } else {
    visit(orderByScoreDesc(scores, nv === n ? undefined : valid.subarray(0, nv)));
  }
  return kept;
}
