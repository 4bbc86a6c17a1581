/**
 * Quantization parameter math for post-training int8 quantization (the "U8S8" scheme that onnxruntime
 * recommends for x86 CPUs):
 *
 * - weights: int8, symmetric, per output channel. For channel c: scale[c] = max|w[c, ...]| / 127,
 *   zero point 0, q = clamp(round(w / scale[c]), -127, 127) (the restricted range: -128 is never used,
 *   so -q is always representable). A channel that is all zero gets scale 1.
 * - activations: uint8, asymmetric, per tensor. The calibrated range [rmin, rmax] is first widened to
 *   contain 0 (so that 0 is exact, as padding needs): rmin = min(rmin, 0), rmax = max(rmax, 0); then
 *   scale = (rmax - rmin) / 255 and zero point = clamp(round(-rmin / scale), 0, 255). A ReLU output
 *   (rmin = 0) gets zero point 0, which lets onnxruntime drop the ReLU and fuse Conv+ReLU+Q. An empty
 *   range (rmin = rmax = 0) gets scale 1, zero point 0.
 * - conv bias: int32, per channel, scale = activation scale x weight scale[c], zero point 0,
 *   q = clamp(round(b / scale), -2^31, 2^31 - 1) (what QLinearConv adds to its int32 accumulator).
 *
 * "round" is round half to even everywhere (numpy's and onnxruntime's QuantizeLinear rounding). Scales
 * are float32 values (they are stored as float32 tensors), and the division uses that float32 scale.
 */
import { SlimboardError } from '../errors';
import { roundHalfEven } from '../onnx/channel-prune';

export { roundHalfEven };

export const INT8_SYMMETRIC_MAX = 127;
export const UINT8_MAX = 255;
const INT32_MIN = -(2 ** 31);
const FLOAT32_MIN_NORMAL = 2 ** -126;
const INT32_MAX = 2 ** 31 - 1;

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

export interface ActivationParams {
  scale: number;
  zeroPoint: number;
}

/** uint8 asymmetric parameters of a calibrated range (see the module comment). */
export function activationParams(rmin: number, rmax: number): ActivationParams {
  if (!Number.isFinite(rmin) || !Number.isFinite(rmax) || rmin > rmax) {
    throw new SlimboardError('bad_range', `calibration range [${rmin}, ${rmax}] is not a finite interval`);
  }
  const lo = Math.min(rmin, 0);
  const hi = Math.max(rmax, 0);
  if (hi === lo) return { scale: 1, zeroPoint: 0 };
  const scale = Math.fround((hi - lo) / UINT8_MAX);
  return { scale, zeroPoint: clamp(roundHalfEven(-lo / scale), 0, UINT8_MAX) || 0 }; // || 0: no -0
}

/** What QuantizeLinear then DequantizeLinear give for x with uint8 parameters. */
export function fakeQuantizeUint8(x: number, p: ActivationParams): number {
  const q = clamp(roundHalfEven(x / p.scale) + p.zeroPoint, 0, UINT8_MAX);
  return (q - p.zeroPoint) * p.scale;
}

export interface PerChannelWeights {
  /** int8 values, same layout as the float weight. */
  values: Int8Array;
  /** float32 scale per channel along `axis`. */
  scales: Float32Array;
}

/**
 * Symmetric int8 per-channel quantization of a weight with dims `dims` along `axis`
 * (Conv [C_out, C_in/g, kH, kW]: axis 0; Gemm with transB=0 and MatMul [K, N]: axis 1).
 */
export function quantizeWeightsPerChannel(w: ArrayLike<number>, dims: readonly number[], axis: number): PerChannelWeights {
  if (axis < 0 || axis >= dims.length) throw new SlimboardError('bad_axis', `axis ${axis} is outside weight dims [${dims.join(',')}]`);
  const channels = dims[axis];
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  if (outer * channels * inner !== w.length)
    throw new SlimboardError('bad_weight', `${w.length} weight values for dims [${dims.join(',')}]`);
  const maxAbs = new Float64Array(channels);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const base = (o * channels + c) * inner;
      for (let k = 0; k < inner; k++) {
        const a = Math.abs(w[base + k]);
        if (!(a <= Number.MAX_VALUE)) throw new SlimboardError('bad_weight', `weight value ${w[base + k]} at channel ${c} is not finite`);
        if (a > maxAbs[c]) maxAbs[c] = a;
      }
    }
  }
  const scales = new Float32Array(channels);
  // A channel whose max|w| / 127 is below the smallest normal float32 (or 0) is treated as all zero: scale 1, q 0.
  const tiny = (c: number) => maxAbs[c] / INT8_SYMMETRIC_MAX < FLOAT32_MIN_NORMAL;
  for (let c = 0; c < channels; c++) scales[c] = tiny(c) ? 1 : maxAbs[c] / INT8_SYMMETRIC_MAX;
  const values = new Int8Array(w.length);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const base = (o * channels + c) * inner;
      const s = scales[c];
      const zero = tiny(c);
      for (let k = 0; k < inner; k++)
        values[base + k] = zero ? 0 : clamp(roundHalfEven(w[base + k] / s), -INT8_SYMMETRIC_MAX, INT8_SYMMETRIC_MAX);
    }
  }
  return { values, scales };
}

/** int32 bias for an int8 conv: q[c] = round(b[c] / (inputScale x weightScales[c])). */
export function quantizeBias(
  bias: ArrayLike<number>,
  inputScale: number,
  weightScales: ArrayLike<number>,
): { values: Int32Array; scales: Float32Array } {
  if (bias.length !== weightScales.length)
    throw new SlimboardError('bad_weight', `${bias.length} bias values for ${weightScales.length} weight scales`);
  const values = new Int32Array(bias.length);
  const scales = new Float32Array(bias.length);
  for (let c = 0; c < bias.length; c++) {
    scales[c] = inputScale * weightScales[c];
    values[c] = clamp(roundHalfEven(bias[c] / scales[c]), INT32_MIN, INT32_MAX);
  }
  return { values, scales };
}
