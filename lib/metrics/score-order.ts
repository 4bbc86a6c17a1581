/**
 * Stable "highest score first" ordering, the order `np.argsort(-scores, kind='mergesort')` and
 * Python's `sorted(..., reverse=True)` produce: equal scores keep their original relative order.
 * Any stable sort gives the same permutation; this one is a merge sort on index arrays that carries the
 * keys alongside the indices (sequential memory access instead of a score lookup per comparison).
 */

const RUN = 16;

// Growable key buffers shared by all calls (JavaScript is single-threaded; no call re-enters).
let keyBuf = new Float64Array(1024);
let keyTmp = new Float64Array(1024);

/**
 * Sorts `idx[lo..hi)` in place so that `scores[idx[i]]` is non-increasing; ties keep input order.
 * `scratch` must have length >= hi. Scores must not be NaN (the loaders reject them).
 */
export function sortByScoreDescStable(idx: Int32Array, lo: number, hi: number, scores: Float64Array, scratch: Int32Array): void {
  const n = hi - lo;
  if (n < 2) return;
  if (n <= RUN) {
    for (let i = lo + 1; i < hi; i++) {
      const v = idx[i];
      const s = scores[v];
      let j = i - 1;
      while (j >= lo && scores[idx[j]] < s) {
        idx[j + 1] = idx[j];
        j--;
      }
      idx[j + 1] = v;
    }
    return;
  }
  if (keyBuf.length < n) {
    keyBuf = new Float64Array(n * 2);
    keyTmp = new Float64Array(n * 2);
  }
  // keys[i - lo] = score of idx[i]; insertion-sort runs of RUN, then merge bottom-up.
  let kSrc = keyBuf;
  let kDst = keyTmp;
  for (let i = lo; i < hi; i++) kSrc[i - lo] = scores[idx[i]];
  for (let start = lo; start < hi; start += RUN) {
    const end = Math.min(start + RUN, hi);
    for (let i = start + 1; i < end; i++) {
      const v = idx[i];
      const s = kSrc[i - lo];
      let j = i - 1;
      while (j >= start && kSrc[j - lo] < s) {
        idx[j + 1] = idx[j];
        kSrc[j + 1 - lo] = kSrc[j - lo];
        j--;
      }
      idx[j + 1] = v;
      kSrc[j + 1 - lo] = s;
    }
  }
  let src = idx;
  let dst = scratch;
  for (let width = RUN; width < n; width *= 2) {
    for (let left = lo; left < hi; left += 2 * width) {
      const mid = Math.min(left + width, hi);
      const right = Math.min(left + 2 * width, hi);
      let i = left;
      let j = mid;
      let k = left;
      if (mid >= right || kSrc[mid - 1 - lo] >= kSrc[mid - lo]) {
        // already in order (common: per-image runs arrive sorted): copy through
        for (; i < right; i++) {
          dst[i] = src[i];
          kDst[i - lo] = kSrc[i - lo];
        }
        continue;
      }
      while (i < mid && j < right) {
        // Take from the right run only when strictly greater: keeps ties in input order.
        const ki = kSrc[i - lo];
        const kj = kSrc[j - lo];
        if (kj > ki) {
          kDst[k - lo] = kj;
          dst[k++] = src[j++];
        } else {
          kDst[k - lo] = ki;
          dst[k++] = src[i++];
        }
      }
      while (i < mid) {
        kDst[k - lo] = kSrc[i - lo];
        dst[k++] = src[i++];
      }
      while (j < right) {
        kDst[k - lo] = kSrc[j - lo];
        dst[k++] = src[j++];
      }
    }
    const t = src;
    src = dst;
    dst = t;
    const kt = kSrc;
    kSrc = kDst;
    kDst = kt;
  }
  if (src !== idx) idx.set(src.subarray(lo, hi), lo);
}
