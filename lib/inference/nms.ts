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
import { SlimboardError } from '../errors';

export interface NmsOptions {
  iouThreshold: number;
  /** Keep at most this many boxes in total (Infinity: no limit). */
  maxDetections?: number;
  /** Consider at most this many highest-scoring candidates per class (Infinity: all). */
  preNmsTopK?: number;
}

type Floats = ArrayLike<number>;

/** IoU of boxes i and j of the same array (continuous coordinates; 0 when the union is empty). */
export function boxIou(boxes: Floats, i: number, j: number): number {
  const ax1 = boxes[4 * i], ay1 = boxes[4 * i + 1], ax2 = boxes[4 * i + 2], ay2 = boxes[4 * i + 3];
  const bx1 = boxes[4 * j], by1 = boxes[4 * j + 1], bx2 = boxes[4 * j + 2], by2 = boxes[4 * j + 3];
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
 * All indices ordered by descending score, ties by ascending index. Fast path: for non-negative
 * float32 scores and n < 2^21, each candidate is packed into one exact float64 key
 * (float32 bit pattern * 2^21 + (2^21 - 1 - index) < 2^53; the bit pattern of a non-negative float32 is
 * monotone in its value) and sorted natively. Otherwise a comparator sort.
 */
export function orderByScoreDesc(scores: Floats): Int32Array {
  const n = scores.length;
  const order = new Int32Array(n);
  const SHIFT = 2 ** 21;
  let fast = n < SHIFT;
  for (let i = 0; fast && i < n; i++) if (!(scores[i] >= 0) || Math.fround(scores[i]) !== scores[i]) fast = false;
  if (fast) {
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      f32[0] = scores[i];
      keys[i] = u32[0] * SHIFT + (SHIFT - 1 - i);
    }
    keys.sort();
    for (let j = 0; j < n; j++) order[j] = SHIFT - 1 - (keys[n - 1 - j] % SHIFT);
    return order;
  }
  const idx = argsortByScoreDesc(scores);
  for (let j = 0; j < n; j++) order[j] = idx[j];
  return order;
}

export function nmsClassAware(boxes: Floats, scores: Floats, classes: ArrayLike<number>, options: NmsOptions): number[] {
  const n = scores.length;
  if (boxes.length !== 4 * n || classes.length !== n) {
    throw new SlimboardError('bad_nms_input', `nms: ${n} scores need ${4 * n} box values and ${n} classes, got ${boxes.length} and ${classes.length}`);
  }
  const { iouThreshold } = options;
  if (!(iouThreshold >= 0 && iouThreshold <= 1)) throw new SlimboardError('bad_nms_input', `nms: iouThreshold must be in [0, 1], got ${iouThreshold}`);
  const maxDetections = options.maxDetections ?? Number.POSITIVE_INFINITY;
  const preNmsTopK = options.preNmsTopK ?? Number.POSITIVE_INFINITY;

  // One pass over all candidates in global score order. A candidate's fate depends only on the
  // higher-scored candidates of its class, so visiting them globally gives the same per-class result
  // as per-class NMS, and the first `maxDetections` survivors are exactly the best ones: we can stop.
  // NaN scores are skipped.
  const order = orderByScoreDesc(scores);
  const seen = new Map<number, number>();
  const keptByClass = new Map<number, number[]>();
  const kept: number[] = [];
  for (let j = 0; j < n && kept.length < maxDetections; j++) {
    const i = order[j];
    if (Number.isNaN(scores[i])) continue;
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
  return kept;
}
