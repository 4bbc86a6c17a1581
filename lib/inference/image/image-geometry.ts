/**
 * Geometry of fitting an image into a model's input, and of mapping boxes back (pure).
 *
 * Conventions: continuous pixel coordinates (pixel (i, j) covers [j, j+1) x [i, i+1)); boxes are
 * [x1, y1, x2, y2]; width before height in arguments.
 * - 'stretch' (PaddleDetection Resize keep_ratio=False): resized to exactly dstW x dstH, no padding;
 *   scaleX = dstW / srcW, scaleY = dstH / srcH.
 * - 'letterbox' (keep aspect ratio, then pad): r = min(dstW / srcW, dstH / srcH);
 *   newW = max(1, round(srcW * r)), newH = max(1, round(srcH * r)); the resized image is placed at
 *   padLeft = floor((dstW - newW) / 2), padTop = floor((dstH - newH) / 2); the rest is `padValue`.
 *   The effective scales are scaleX = newW / srcW, scaleY = newH / srcH (not r: rounding).
 * Forward: x' = x * scaleX + padLeft. Back: x = (x' - padLeft) / scaleX, clipped to [0, srcW].
 */
import { SlimboardError } from '../../errors';

export type ResizeMode = 'letterbox' | 'stretch';

export interface FitGeometry {
  srcW: number;
  srcH: number;
  dstW: number;
  dstH: number;
  newW: number;
  newH: number;
  padLeft: number;
  padTop: number;
  scaleX: number;
  scaleY: number;
}

export function fitGeometry(srcW: number, srcH: number, dstW: number, dstH: number, mode: ResizeMode): FitGeometry {
  for (const [k, v] of Object.entries({ srcW, srcH, dstW, dstH })) {
    if (!Number.isInteger(v) || v < 1) throw new SlimboardError('bad_image_size', `${k} must be a positive integer, got ${v}`);
  }
  if (mode === 'stretch') {
    return { srcW, srcH, dstW, dstH, newW: dstW, newH: dstH, padLeft: 0, padTop: 0, scaleX: dstW / srcW, scaleY: dstH / srcH };
  }
  const r = Math.min(dstW / srcW, dstH / srcH);
  const newW = Math.min(dstW, Math.max(1, Math.round(srcW * r)));
  const newH = Math.min(dstH, Math.max(1, Math.round(srcH * r)));
  const padLeft = Math.floor((dstW - newW) / 2);
  const padTop = Math.floor((dstH - newH) / 2);
  return { srcW, srcH, dstW, dstH, newW, newH, padLeft, padTop, scaleX: newW / srcW, scaleY: newH / srcH };
}

/**
 * Map boxes from model-input pixels back to original-image pixels, in place.
 * boxes: length 4N, [x1, y1, x2, y2] per box. Clipped to the image [0, srcW] x [0, srcH].
 */
export function mapBoxesToOriginal(boxes: Float32Array | Float64Array, g: FitGeometry): void {
  for (let i = 0; i < boxes.length; i += 4) {
    boxes[i] = clamp((boxes[i] - g.padLeft) / g.scaleX, 0, g.srcW);
    boxes[i + 1] = clamp((boxes[i + 1] - g.padTop) / g.scaleY, 0, g.srcH);
    boxes[i + 2] = clamp((boxes[i + 2] - g.padLeft) / g.scaleX, 0, g.srcW);
    boxes[i + 3] = clamp((boxes[i + 3] - g.padTop) / g.scaleY, 0, g.srcH);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

export interface Normalization {
  /** Multiplied first: 1/255 maps bytes to [0, 1]. */
  scale: number;
  /** Per channel, in the MODEL's channel order, applied after scale: (v * scale - mean) / std. */
  mean: [number, number, number];
  std: [number, number, number];
  /** Channel order the model expects; the decoded image is RGB. */
  channelOrder: 'rgb' | 'bgr';
}

/**
 * Interleaved 8-bit RGB (HWC, length 3*w*h) -> planar float CHW (length 3*w*h) in the model's
 * channel order, normalised: out[c][y][x] = (in[y][x][src(c)] * scale - mean[c]) / std[c].
 * `out` (length 3*w*h) is written in place when given: the pipeline recycles its input tensors.
 */
export function rgbHwcToNormalizedChw(
  rgb: Uint8Array,
  width: number,
  height: number,
  norm: Normalization,
  out?: Float32Array,
): Float32Array {
  const plane = width * height;
  if (rgb.length !== 3 * plane)
    throw new SlimboardError('bad_image_buffer', `expected ${3 * plane} RGB bytes for ${width}x${height}, got ${rgb.length}`);
  if (out && out.length !== 3 * plane)
    throw new SlimboardError('bad_image_buffer', `output tensor has ${out.length} values, expected ${3 * plane} for ${width}x${height}`);
  const dst = out ?? new Float32Array(3 * plane);
  // A 256-entry table per model channel: the same float for the same byte, whatever the pixel. The
  // value is computed in float64 and rounded once to float32, exactly as a direct computation would.
  const lut = (c: number) => {
    const t = new Float32Array(256);
    for (let v = 0; v < 256; v++) t[v] = (v * norm.scale - norm.mean[c]) / norm.std[c];
    return t;
  };
  // Table of the model channel that reads each RGB byte (bgr: R feeds model channel 2).
  const [lr, lg, lb] = norm.channelOrder === 'rgb' ? [lut(0), lut(1), lut(2)] : [lut(2), lut(1), lut(0)];
  const [pr, pg, pb] = norm.channelOrder === 'rgb' ? [0, plane, 2 * plane] : [2 * plane, plane, 0];
  // One pass over the pixels, three plane writes each.
  for (let p = 0, q = 0; p < plane; p++, q += 3) {
    dst[pr + p] = lr[rgb[q]];
    dst[pg + p] = lg[rgb[q + 1]];
    dst[pb + p] = lb[rgb[q + 2]];
  }
  return dst;
}
