/**
 * Stable "highest score first" ordering, the order `np.argsort(-scores, kind='mergesort')` and
 * Python's `sorted(..., reverse=True)` produce: equal scores keep their original relative order.
 * Any stable sort gives the same permutation; this one is a merge sort on index arrays (no allocation
 * per call beyond the caller-provided scratch).
 */

/**
 * Sorts `idx[lo..hi)` in place so that `scores[idx[i]]` is non-increasing; ties keep input order.
 * `scratch` must have length >= hi. Scores must not be NaN (the loaders reject them).
 */
export function sortByScoreDescStable(idx: Int32Array, lo: number, hi: number, scores: Float64Array, scratch: Int32Array): void {
  const n = hi - lo;
  if (n < 2) return;
  // Insertion-sort runs of 16, then merge bottom-up.
  const RUN = 16;
  for (let start = lo; start < hi; start += RUN) {
    const end = Math.min(start + RUN, hi);
    for (let i = start + 1; i < end; i++) {
      const v = idx[i];
      const s = scores[v];
      let j = i - 1;
      while (j >= start && scores[idx[j]] < s) {
        idx[j + 1] = idx[j];
        j--;
      }
      idx[j + 1] = v;
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
      while (i < mid && j < right) {
        // Take from the right run only when strictly greater: keeps ties in input order.
        if (scores[src[j]] > scores[src[i]]) dst[k++] = src[j++];
        else dst[k++] = src[i++];
      }
      while (i < mid) dst[k++] = src[i++];
      while (j < right) dst[k++] = src[j++];
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== idx) idx.set(src.subarray(lo, hi), lo);
}
