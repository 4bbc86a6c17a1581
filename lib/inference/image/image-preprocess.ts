/**
 * Image file -> model input tensor, with sharp (libvips). Decoding applies the EXIF orientation
 * (as OpenCV's imread does, which PaddleDetection uses), drops alpha, converts to sRGB 8-bit RGB;
 * then resize (+ letterbox padding) per the adapter, then normalisation to planar float CHW. The
 * 'linear' and 'cubic' resizes are Slimboard's own (image-resample.ts, fused with the
 * normalisation); 'nearest' and 'lanczos3' are libvips'.
 */
import { readFile } from 'node:fs/promises';
import sharp, { type Sharp, type OutputInfo } from 'sharp';
import { SlimboardError } from '../../errors';
import { fitGeometry, rgbHwcToNormalizedChw, type FitGeometry } from './image-geometry';
import { resampleRgbToNormalizedChw } from './image-resample';
import type { TModelAdapter } from '../detection/model-adapter';

export interface PreprocessedImage {
  /** [1, 3, S, S] planar float in the model's channel order. */
  tensor: Float32Array;
  geometry: FitGeometry;
}

// One libvips thread per operation: the pipeline parallelises across images (one image in flight per
// worker thread) and leaves the cores to onnxruntime; libvips' own pool would oversubscribe 2 cores.
sharp.concurrency(1);
sharp.cache(false);

async function rawPixels(pipeline: Sharp, label: string): Promise<{ data: Buffer; info: OutputInfo }> {
  try {
    return await pipeline.raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw decodeError(label, e);
  }
}

const bytesOf = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.length);

function decodeError(label: string, e: unknown): SlimboardError {
  return new SlimboardError('bad_image', `${label}: cannot decode image (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
}

/**
 * Decode, resize (+ pad) and normalise one image. The file is read once; its header (size, EXIF
 * orientation) and its pixels come from the same bytes. `out` (length 3*S*S), when given, receives
 * the tensor (the pipeline recycles the buffers that onnxruntime has consumed); otherwise a new one.
 */
export async function preprocessImageFile(
  file: string | Buffer,
  adapter: Pick<TModelAdapter, 'preprocess'>,
  inputSize: number,
  label = typeof file === 'string' ? file : '<image>',
  out?: Float32Array,
): Promise<PreprocessedImage> {
  const p = adapter.preprocess;
  let bytes: Buffer;
  if (typeof file === 'string') {
    try {
      bytes = await readFile(file);
    } catch (e) {
      throw new SlimboardError('bad_image', `${label}: cannot read image (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  } else bytes = file;
  let img: Sharp;
  let width: number;
  let height: number;
  try {
    img = sharp(bytes, { failOn: 'error' });
    const meta = await img.metadata();
    const swap = (meta.orientation ?? 1) >= 5;
    width = swap ? meta.height! : meta.width!;
    height = swap ? meta.width! : meta.height!;
    if (!width || !height) throw new Error('no size');
  } catch (e) {
    throw decodeError(label, e);
  }
  const g = fitGeometry(width, height, inputSize, inputSize, p.resize);
  const norm = { scale: p.scale, mean: p.mean, std: p.std, channelOrder: p.channelOrder };
  const reuse = out && out.length === 3 * inputSize * inputSize ? out : undefined;
  const decoded = img.rotate().removeAlpha().toColourspace('srgb');
  if (p.interpolation === 'linear' || p.interpolation === 'cubic') {
    // Decode only; the resize (half-pixel bilinear or OpenCV bicubic), padding and normalisation are one pass here.
    const raw = await rawPixels(decoded, label);
    if (raw.info.width !== width || raw.info.height !== height || raw.info.channels !== 3) {
      throw new SlimboardError(
        'bad_image',
        `${label}: decoded ${raw.info.width}x${raw.info.height}x${raw.info.channels}, expected ${width}x${height}x3`,
      );
    }
    const tensor = resampleRgbToNormalizedChw(
      bytesOf(raw.data),
      g,
      norm,
      { kernel: p.interpolation, antialias: p.antialias, padValue: p.padValue },
      reuse,
    );
    return { tensor, geometry: g };
  }
  const bg = { r: p.padValue, g: p.padValue, b: p.padValue };
  let pipeline = decoded.resize(g.newW, g.newH, { fit: 'fill', kernel: p.interpolation });
  if (g.newW !== inputSize || g.newH !== inputSize) {
    pipeline = pipeline.extend({
      left: g.padLeft,
      top: g.padTop,
      right: inputSize - g.newW - g.padLeft,
      bottom: inputSize - g.newH - g.padTop,
      background: bg,
    });
  }
  const raw = await rawPixels(pipeline, label);
  if (raw.info.width !== inputSize || raw.info.height !== inputSize || raw.info.channels !== 3) {
    throw new SlimboardError(
      'bad_image',
      `${label}: resize produced ${raw.info.width}x${raw.info.height}x${raw.info.channels}, expected ${inputSize}x${inputSize}x3`,
    );
  }
  const tensor = rgbHwcToNormalizedChw(bytesOf(raw.data), inputSize, inputSize, norm, reuse);
  return { tensor, geometry: g };
}
