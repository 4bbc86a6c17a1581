/**
 * Bilinear resampling of 8-bit RGB images straight into a normalised planar float tensor (pure).
 *
 * Convention (the one PyTorch `F.interpolate(mode='bilinear', align_corners=False)`, PIL
 * `Image.BILINEAR`, OpenCV `INTER_LINEAR` and therefore PaddleDetection share): pixel i of an axis
 * has its centre at i + 0.5; output pixel i samples the source at centre (i + 0.5) * scale with
 * scale = srcLen / dstLen.
 * - Enlarging (scale <= 1), or `antialias: false`: the two nearest source pixels, weights 1 - |d|,
 *   the sample position clamped to the first/last pixel centre (edge replicate).
 * - Shrinking with `antialias: true` (PIL BILINEAR; torch antialias=True): a triangle filter
 *   stretched by `scale`, i.e. weights (1 - |d| / scale) over every source pixel whose centre is
 *   within `scale` of the sample, normalised to sum 1 (taps outside the image are dropped).
 * Cubic (`kernel: 'cubic'`): OpenCV `INTER_CUBIC` = torch `mode='bicubic', align_corners=False,
 * antialias=False` (what PaddleDetection's YOLOv3 reader uses): source position (i + 0.5) * scale - 0.5
 * (not clamped), four taps floor(pos) - 1 .. floor(pos) + 2 with Keys' weights (A = -0.75), indices
 * clamped to the image (edge replicate; the weights of a clamped index add up), never antialiased; the
 * result is clamped to [0, 255] as OpenCV saturates its 8-bit output (torch on floats does not clamp).
 * Sums are computed in float64 and stored as float32 (torch resizes float32 images without rounding
 * to bytes; PIL and OpenCV round to bytes in between: a difference of at most half a byte).
 * Separable: rows first (srcH x newW intermediate), then columns.
 */
import { SlimboardError } from '../../errors';
import type { FitGeometry, Normalization } from './image-geometry';

/** Taps of one axis: output i reads source start[i] .. start[i] + count[i] - 1 with weights[i * stride + k]. */
export interface AxisTaps {
  start: Int32Array;
  count: Int32Array;
  weights: Float64Array;
  stride: number;
}

function checkAxisLengths(srcLen: number, dstLen: number): void {
  if (!Number.isInteger(srcLen) || srcLen < 1 || !Number.isInteger(dstLen) || dstLen < 1) {
    throw new SlimboardError('bad_image_size', `resample lengths must be positive integers, got ${srcLen} -> ${dstLen}`);
  }
}

/** Resampling taps for one axis of length srcLen -> dstLen (see the module comment). */
export function bilinearTaps(srcLen: number, dstLen: number, antialias: boolean): AxisTaps {
  checkAxisLengths(srcLen, dstLen);
  const scale = srcLen / dstLen;
  const start = new Int32Array(dstLen);
  const count = new Int32Array(dstLen);
  if (!antialias || scale <= 1) {
    const weights = new Float64Array(dstLen * 2);
    for (let i = 0; i < dstLen; i++) {
      // Source coordinate in pixel-index units (pixel j's centre at j): (i + 0.5) * scale - 0.5.
      const src = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), srcLen - 1);
      const j0 = Math.floor(src);
      const frac = src - j0;
      start[i] = j0;
      if (frac === 0 || j0 + 1 >= srcLen) {
        count[i] = 1;
        weights[2 * i] = 1;
      } else {
        count[i] = 2;
        weights[2 * i] = 1 - frac;
        weights[2 * i + 1] = frac;
      }
    }
    return { start, count, weights, stride: 2 };
  }
  // Triangle of half-width `scale` (support) around the sample centre, in source pixel units.
  const support = scale;
  const stride = Math.ceil(2 * support) + 2;
  const weights = new Float64Array(dstLen * stride);
  for (let i = 0; i < dstLen; i++) {
    const centre = (i + 0.5) * scale;
    const lo = Math.max(Math.trunc(centre - support + 0.5), 0);
    const hi = Math.min(Math.trunc(centre + support + 0.5), srcLen);
    let total = 0;
    let n = 0;
    for (let j = lo; j < hi; j++) {
      const w = Math.max(0, 1 - Math.abs((j + 0.5 - centre) / scale));
      weights[i * stride + n++] = w;
      total += w;
    }
    for (let k = 0; k < n; k++) weights[i * stride + k] /= total;
    start[i] = lo;
    count[i] = n;
  }
  return { start, count, weights, stride };
}

/** Keys' cubic convolution weight at distance |d| (A = -0.75, OpenCV's and torch's bicubic). */
function keysWeight(d: number): number {
  const A = -0.75;
  const x = Math.abs(d);
  if (x <= 1) return ((A + 2) * x - (A + 3)) * x * x + 1;
  if (x < 2) return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return 0;
}

/** Cubic taps for one axis (see the module comment); clamped indices merged, so taps stay contiguous. */
export function cubicTaps(srcLen: number, dstLen: number): AxisTaps {
  checkAxisLengths(srcLen, dstLen);
  const scale = srcLen / dstLen;
  const start = new Int32Array(dstLen);
  const count = new Int32Array(dstLen);
  const weights = new Float64Array(dstLen * 4);
  for (let i = 0; i < dstLen; i++) {
    const pos = (i + 0.5) * scale - 0.5;
    const j0 = Math.floor(pos);
    const t = pos - j0;
    const lo = Math.min(Math.max(j0 - 1, 0), srcLen - 1);
    const hi = Math.min(Math.max(j0 + 2, 0), srcLen - 1);
    start[i] = lo;
    count[i] = hi - lo + 1;
    for (let k = -1; k <= 2; k++) {
      const j = Math.min(Math.max(j0 + k, 0), srcLen - 1);
      weights[i * 4 + (j - lo)] += keysWeight(k - t);
    }
  }
  return { start, count, weights, stride: 4 };
}

// The rows-pass intermediate (float32, as torch's), kept between calls: one image at a time per thread.
let scratchBuffer = new Float32Array(0);
function scratch(length: number): Float32Array {
  if (scratchBuffer.length < length) scratchBuffer = new Float32Array(length);
  return scratchBuffer.subarray(0, length);
}

/**
 * Interleaved 8-bit RGB (HWC, srcW x srcH) -> planar float CHW tensor of g.dstW x g.dstH in the
 * model's channel order: the image resampled to g.newW x g.newH at (g.padLeft, g.padTop), the rest
 * `padValue`; every value normalised as (v * scale - mean[c]) / std[c]. `out` is written in place.
 */
export interface ResampleOptions {
  kernel: 'linear' | 'cubic';
  /** linear only: triangle footprint when shrinking (see the module comment). */
  antialias: boolean;
  /** Byte value of the letterbox padding, before normalisation. */
  padValue: number;
}

export function resampleRgbToNormalizedChw(
  rgb: Uint8Array,
  g: FitGeometry,
  norm: Normalization,
  options: ResampleOptions,
  out?: Float32Array,
): Float32Array {
  const { srcW, srcH, dstW, dstH, newW, newH, padLeft, padTop } = g;
  const { kernel, antialias, padValue } = options;
  if (rgb.length !== 3 * srcW * srcH)
    throw new SlimboardError('bad_image_buffer', `expected ${3 * srcW * srcH} RGB bytes for ${srcW}x${srcH}, got ${rgb.length}`);
  const plane = dstW * dstH;
  if (out && out.length !== 3 * plane)
    throw new SlimboardError('bad_image_buffer', `output tensor has ${out.length} values, expected ${3 * plane} for ${dstW}x${dstH}`);
  const dst = out ?? new Float32Array(3 * plane);

  if (newW !== dstW || newH !== dstH) {
    for (let c = 0; c < 3; c++) {
      const pad = Math.fround((padValue * norm.scale - norm.mean[c]) / norm.std[c]);
      const base = c * plane;
      for (let y = 0; y < dstH; y++) {
        const row = base + y * dstW;
        if (y < padTop || y >= padTop + newH) dst.fill(pad, row, row + dstW);
        else {
          dst.fill(pad, row, row + padLeft);
          dst.fill(pad, row + padLeft + newW, row + dstW);
        }
      }
    }
  }

  // Pass 1, along rows: tmp[y][x][ch] (srcH x newW x 3, RGB order) = sum_k wx[x][k] * rgb[y][sx + k][ch].
  const tx = kernel === 'cubic' ? cubicTaps(srcW, newW) : bilinearTaps(srcW, newW, antialias);
  const tmp = scratch(srcH * newW * 3);
  if (tx.stride === 2) {
    // Two taps (enlarging, or no antialiasing): a one-tap output reads its pixel twice, weight 0 the second time.
    const o0 = new Int32Array(newW);
    const o1 = new Int32Array(newW);
    for (let x = 0; x < newW; x++) {
      o0[x] = tx.start[x] * 3;
      o1[x] = (tx.count[x] === 2 ? tx.start[x] + 1 : tx.start[x]) * 3;
    }
    const w = tx.weights;
    for (let y = 0; y < srcH; y++) {
      const srcRow = y * srcW * 3;
      let q = y * newW * 3;
      for (let x = 0; x < newW; x++, q += 3) {
        const w0 = w[2 * x];
        const w1 = w[2 * x + 1];
        const p0 = srcRow + o0[x];
        const p1 = srcRow + o1[x];
        tmp[q] = w0 * rgb[p0] + w1 * rgb[p1];
        tmp[q + 1] = w0 * rgb[p0 + 1] + w1 * rgb[p1 + 1];
        tmp[q + 2] = w0 * rgb[p0 + 2] + w1 * rgb[p1 + 2];
      }
    }
  } else {
    for (let y = 0; y < srcH; y++) {
      const srcRow = y * srcW * 3;
      const tmpRow = y * newW * 3;
      for (let x = 0; x < newW; x++) {
        const n = tx.count[x];
        const wBase = x * tx.stride;
        let p = srcRow + tx.start[x] * 3;
        let r = 0;
        let gr = 0;
        let b = 0;
        for (let k = 0; k < n; k++, p += 3) {
          const w = tx.weights[wBase + k];
          r += w * rgb[p];
          gr += w * rgb[p + 1];
          b += w * rgb[p + 2];
        }
        const q = tmpRow + x * 3;
        tmp[q] = r;
        tmp[q + 1] = gr;
        tmp[q + 2] = b;
      }
    }
  }

  // Pass 2, along columns, normalised into the planes (the same expression as rgbHwcToNormalizedChw,
  // so an unresized byte gives the same float).
  const ty = kernel === 'cubic' ? cubicTaps(srcH, newH) : bilinearTaps(srcH, newH, antialias);
  // Linear weights are a convex combination (already within [0, 255]); cubic ones can overshoot.
  const lo = kernel === 'cubic' ? 0 : -Infinity;
  const hi = kernel === 'cubic' ? 255 : Infinity;
  const [pr, pg, pb] = norm.channelOrder === 'rgb' ? [0, plane, 2 * plane] : [2 * plane, plane, 0];
  const [mr, mg, mb] = norm.channelOrder === 'rgb' ? norm.mean : [norm.mean[2], norm.mean[1], norm.mean[0]];
  const [sr, sg, sb] = norm.channelOrder === 'rgb' ? norm.std : [norm.std[2], norm.std[1], norm.std[0]];
  const scale = norm.scale;
  const acc = ty.stride === 2 ? undefined : new Float64Array(newW * 3);
  for (let y = 0; y < newH; y++) {
    const o = (padTop + y) * dstW + padLeft;
    if (!acc) {
      const a = ty.start[y] * newW * 3;
      const b = (ty.count[y] === 2 ? ty.start[y] + 1 : ty.start[y]) * newW * 3;
      const w0 = ty.weights[2 * y];
      const w1 = ty.weights[2 * y + 1];
      for (let x = 0, q = 0; x < newW; x++, q += 3) {
        dst[pr + o + x] = (Math.fround(w0 * tmp[a + q] + w1 * tmp[b + q]) * scale - mr) / sr;
        dst[pg + o + x] = (Math.fround(w0 * tmp[a + q + 1] + w1 * tmp[b + q + 1]) * scale - mg) / sg;
        dst[pb + o + x] = (Math.fround(w0 * tmp[a + q + 2] + w1 * tmp[b + q + 2]) * scale - mb) / sb;
      }
      continue;
    }
    acc.fill(0);
    const n = ty.count[y];
    const wBase = y * ty.stride;
    for (let k = 0; k < n; k++) {
      const w = ty.weights[wBase + k];
      const tmpRow = (ty.start[y] + k) * newW * 3;
      for (let q = 0; q < newW * 3; q++) acc[q] += w * tmp[tmpRow + q];
    }
    for (let x = 0, q = 0; x < newW; x++, q += 3) {
      dst[pr + o + x] = (Math.fround(Math.min(hi, Math.max(lo, acc[q]))) * scale - mr) / sr;
      dst[pg + o + x] = (Math.fround(Math.min(hi, Math.max(lo, acc[q + 1]))) * scale - mg) / sg;
      dst[pb + o + x] = (Math.fround(Math.min(hi, Math.max(lo, acc[q + 2]))) * scale - mb) / sb;
    }
  }
  return dst;
}
