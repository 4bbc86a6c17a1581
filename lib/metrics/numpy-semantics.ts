/**
 * The few NumPy behaviours the reference evaluators depend on, reproduced bit for bit.
 * (Summation order is part of a metric's semantics: `np.mean` does not add left to right.)
 */

/** `np.spacing(1)`: the epsilon pycocotools adds to the precision denominator. */
export const NUMPY_SPACING_ONE = 2.220446049250313e-16;

/**
 * `np.linspace(start, stop, num, endpoint=True)` as NumPy 1.x computes it:
 * step = (stop - start) / (num - 1); y[i] = i * step + start; y[num - 1] = stop.
 */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const y = new Float64Array(num);
  const div = num - 1;
  if (div > 0) {
    const delta = stop - start;
    const step = delta / div;
    for (let i = 0; i < num; i++) y[i] = step === 0 ? (i / div) * delta + start : i * step + start;
    y[num - 1] = stop;
  } else if (num === 1) {
    y[0] = start;
  }
  return y;
}

/**
 * NumPy's pairwise summation (`DOUBLE_pairwise_sum`, block size 128, 8 accumulators) over
 * values[offset .. offset+n).
 */
export function numpyPairwiseSum(values: ArrayLike<number>, offset: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += values[offset + i];
    return res;
  }
  if (n <= 128) {
    let r0 = values[offset], r1 = values[offset + 1], r2 = values[offset + 2], r3 = values[offset + 3];
    let r4 = values[offset + 4], r5 = values[offset + 5], r6 = values[offset + 6], r7 = values[offset + 7];
    let i = 8;
    const end = n - (n % 8);
    for (; i < end; i += 8) {
      const b = offset + i;
      r0 += values[b]; r1 += values[b + 1]; r2 += values[b + 2]; r3 += values[b + 3];
      r4 += values[b + 4]; r5 += values[b + 5]; r6 += values[b + 6]; r7 += values[b + 7];
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += values[offset + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return numpyPairwiseSum(values, offset, n2) + numpyPairwiseSum(values, offset + n2, n - n2);
}

/** NumPy's reduction buffer size: `np.add.reduce` feeds the inner loop chunks of this many elements. */
const NUMPY_BUFFER_SIZE = 8192;

/**
 * `np.sum(a)` of a 1-D float64 array: starting from 0, add the pairwise sum of each
 * 8192-element chunk in turn (verified bit-exact against NumPy 1.24 for sizes 1..100,000).
 */
export function numpySum(values: ArrayLike<number>): number {
  let out = 0;
  for (let lo = 0; lo < values.length; lo += NUMPY_BUFFER_SIZE) {
    out += numpyPairwiseSum(values, lo, Math.min(NUMPY_BUFFER_SIZE, values.length - lo));
  }
  return out;
}

/** `np.mean(a)` of a non-empty 1-D contiguous float64 array. */
export function numpyMean(values: ArrayLike<number>): number {
  return numpySum(values) / values.length;
}
