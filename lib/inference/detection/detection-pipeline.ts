/**
 * The detection pipeline: image files -> detections in original-image pixels, per a model adapter.
 *
 *   worker threads:  decode + resize/letterbox + normalise (image i+1, i+2, ...)   ┐ overlap
 *   main thread:     session.run (image i)                                           │
 *   worker threads:  decode outputs + class-aware NMS + map back (image i-1, ...)   ┘
 *
 * The main thread only runs the model (onnxruntime's intra-op threads use the cores); the workers
 * (one image at a time each, a few nice levels below inference, libvips threads included) keep
 * `prefetch` images requested ahead of it, and get the consumed input tensors back for reuse. With a
 * model that costs more CPU than its pre/post-processing, the end-to-end rate approaches the
 * inference-only rate (tools/bench/pipeline-overlap.ts; on 2 cores it cannot exceed
 * 2 / (CPU time per image of all stages), which the benchmark prints). Results come back in input
 * order. Timing (stats) starts after the workers are up, after one untimed warm-up run of the model
 * and after the workers' warm-up (a generated image, and the warm-up run's outputs through
 * postprocessing so that its loops are compiled), so images/s is the steady-state rate.
 */
import { SlimboardError } from '../../errors';
import type { Detection, RawTensor } from './detection-decoding';
import { fitGeometry, type FitGeometry } from '../image/image-geometry';
import type { PreprocessedImage } from '../image/image-preprocess';
import { findImageInput } from '../runtime/latency-harness';
import { checkAdapterAgainstModel, detectAdapter, resolveAutoYoloStrides, type TModelAdapter } from './model-adapter';
import { createSession, type InputTensor, type SessionOptions } from '../runtime/ort';
import type { ProgressReporter } from '../runtime/progress';
import { DetectionWorkerPool } from './worker-pool';

export interface PipelineImage {
  id: number;
  file: string;
}

export interface ImageDetections {
  imageId: number;
  /** Decoded image size (after EXIF orientation). */
  width: number;
  height: number;
  detections: Detection[];
}

export interface DetectImagesOptions {
  modelPath: string;
  images: readonly PipelineImage[];
  /** Square model input S (the image input is [1, 3, S, S]). */
  inputSize: number;
  /** Adapter from a file; without it the model's layout is recognised (detectAdapter). */
  adapter?: TModelAdapter;
  /** Default intraOpSpinning: false (see below); other fields as createSession. */
  session?: SessionOptions;
  /** Worker threads for pre/post-processing (default 1). */
  workers?: number;
  /** Images requested ahead of inference (default 2 x workers + 2: each worker has its next image queued). */
  prefetch?: number;
  progress?: ProgressReporter;
  /** Called once the model and its adapter are known, before any image is read; may throw. */
  onDetectorReady?: (adapter: TModelAdapter, numClasses: number | undefined) => void;
}

export interface PipelineStats {
  images: number;
  elapsedMs: number;
  imagesPerS: number;
  /** Sum of session.run times. */
  inferenceMs: number;
  /** Sum of the time workers spent preprocessing and postprocessing. */
  workerBusyMs: number;
  /** Main thread: time spent waiting for the next preprocessed image (the model idle for want of input). */
  inputWaitMs: number;
  /** Main thread: time spent on everything else between runs (output copies, messages, scheduling). */
  mainOtherMs: number;
}

export interface DetectImagesResult {
  adapter: TModelAdapter;
  /** Model classes implied by the outputs (decoded/yolo) or declared by the adapter; undefined if unknown. */
  numClasses: number | undefined;
  results: ImageDetections[];
  stats: PipelineStats;
}

/** Create a session and resolve + check its adapter (also used by `evaluate` before reading images). */
export async function openDetector(
  modelPath: string,
  inputSize: number,
  adapter: TModelAdapter | undefined,
  session: SessionOptions | undefined,
) {
  const s = await createSession(modelPath, session);
  try {
    const resolved = adapter ?? detectAdapter(s.inputs, s.outputs, modelPath);
    const numClasses = checkAdapterAgainstModel(resolved, s.inputs, s.outputs, modelPath);
    const imageInput = resolved.imageInput ?? findImageInput(s.inputs, modelPath).name;
    if (resolved.output.kind === 'paddle-nms' && resolved.preprocess.resize !== 'stretch') {
      throw new SlimboardError(
        'bad_adapter',
        `${modelPath}: a paddle-nms model maps boxes back with scale_factor only, so preprocess.resize must be "stretch"`,
      );
    }
    const extra = new Set<string>([imageInput]);
    if (resolved.output.kind === 'paddle-nms') {
      extra.add(resolved.output.imShapeInput);
      extra.add(resolved.output.scaleFactorInput);
    }
    const unknown = s.inputNames.filter((n) => !extra.has(n));
    if (unknown.length)
      throw new SlimboardError('adapter_mismatch', `${modelPath}: the adapter does not say how to feed input(s) ${unknown.join(', ')}`);
    const img = s.inputs.find((i) => i.name === imageInput)!;
    const [, , h, w] = img.shape;
    if ((typeof h === 'number' && h > 0 && h !== inputSize) || (typeof w === 'number' && w > 0 && w !== inputSize)) {
      throw new SlimboardError(
        'bad_input_size',
        `${modelPath}: input "${imageInput}" has fixed size ${h}x${w}, cannot take ${inputSize}x${inputSize}`,
      );
    }
    return { session: s, adapter: resolved, numClasses, imageInput };
  } catch (e) {
    await s.release();
    throw e;
  }
}

/** Names of the outputs the adapter reads. */
export function adapterOutputNames(a: TModelAdapter): string[] {
  const o = a.output;
  return o.kind === 'decoded' ? [o.boxes, o.scores] : o.kind === 'paddle-nms' ? [o.detections] : o.heads.map((h) => h.output);
}

/** Model feeds for one preprocessed image. */
export function modelFeeds(a: TModelAdapter, imageInput: string, tensor: Float32Array, g: FitGeometry): Record<string, InputTensor> {
  const feeds: Record<string, InputTensor> = { [imageInput]: { data: tensor, dims: [1, 3, g.dstH, g.dstW] } };
  if (a.output.kind === 'paddle-nms') {
    feeds[a.output.imShapeInput] = { data: new Float32Array([g.dstH, g.dstW]), dims: [1, 2] };
    feeds[a.output.scaleFactorInput] = { data: new Float32Array([g.scaleY, g.scaleX]), dims: [1, 2] };
  }
  return feeds;
}

export async function detectImages(options: DetectImagesOptions): Promise<DetectImagesResult> {
  const { modelPath, images, inputSize } = options;
  const workers = options.workers ?? 1;
  const prefetch = Math.max(1, options.prefetch ?? 2 * workers + 2);
  // Idle onnxruntime threads do not spin by default here: the workers need the cores in between.
  const det = await openDetector(modelPath, inputSize, options.adapter, { intraOpSpinning: false, ...options.session });
  let adapter = det.adapter;
  try {
    options.onDetectorReady?.(adapter, det.numClasses);
  } catch (e) {
    await det.session.release();
    throw e;
  }
  let pool: DetectionWorkerPool;
  try {
    pool = new DetectionWorkerPool(workers, adapter);
  } catch (e) {
    await det.session.release();
    throw e;
  }
  const wanted = adapterOutputNames(adapter);
  const results: ImageDetections[] = new Array(images.length);
  const pre: Array<Promise<PreprocessedImage> | undefined> = new Array(images.length);
  const posts: Promise<void>[] = [];
  // Input tensors onnxruntime has consumed, handed back to the workers for the next images: no
  // allocation (and page faults) of a fresh 3*S*S float buffer per image.
  const freeBuffers: ArrayBuffer[] = [];
  let inferenceMs = 0;
  try {
    // Untimed set-up: the workers start; one run on a blank image (onnxruntime's first run allocates
    // and is several times slower); its outputs resolve auto-detected YOLO strides and warm the workers up.
    const blank = fitGeometry(inputSize, inputSize, inputSize, inputSize, 'stretch');
    const warm = await det.session.run(modelFeeds(adapter, det.imageInput, new Float32Array(3 * inputSize * inputSize), blank), wanted);
    adapter = resolveAutoYoloStrides(adapter, Object.fromEntries(Object.entries(warm).map(([k, v]) => [k, v.dims[2]])), inputSize);
    await pool.setAdapter(adapter);
    await pool.warmUp(inputSize, Object.fromEntries(Object.entries(warm).map(([k, v]) => [k, { data: v.data, dims: v.dims }])), blank);

    const t0 = performance.now();
    const busy0 = pool.busyMs;
    const startPre = (i: number) => {
      if (i < images.length && !pre[i]) {
        const buffer = freeBuffers.pop();
        pre[i] = pool.request<PreprocessedImage>({ type: 'preprocess', file: images[i].file, inputSize, buffer }, buffer ? [buffer] : []);
        pre[i]!.catch(() => {}); // awaited in order below; avoid an unhandled rejection meanwhile
      }
    };
    for (let i = 0; i < Math.min(prefetch, images.length); i++) startPre(i);
    let inputWaitMs = 0;
    for (let i = 0; i < images.length; i++) {
      const w0 = performance.now();
      const p = await pre[i]!;
      inputWaitMs += performance.now() - w0;
      pre[i] = undefined;
      const r0 = performance.now();
      const out = await det.session.run(modelFeeds(adapter, det.imageInput, p.tensor, p.geometry), wanted);
      inferenceMs += performance.now() - r0;
      // session.run is synchronous underneath: once it has returned, the input tensor is free.
      freeBuffers.push(p.tensor.buffer as ArrayBuffer);
      startPre(i + prefetch);
      const outputs: Record<string, RawTensor> = {};
      const transfer: ArrayBuffer[] = [];
      for (const [k, v] of Object.entries(out)) {
        const copy = new Float32Array(v.data); // onnxruntime's buffers are not transferable
        outputs[k] = { data: copy, dims: v.dims };
        transfer.push(copy.buffer);
      }
      const image = images[i];
      const g = p.geometry;
      posts.push(
        pool.request<Detection[]>({ type: 'postprocess', outputs, geometry: g }, transfer).then((detections) => {
          results[i] = { imageId: image.id, width: g.srcW, height: g.srcH, detections };
          options.progress?.tick();
        }),
      );
    }
    const loopMs = performance.now() - t0;
    await Promise.all(posts);
    options.progress?.finish();
    const elapsedMs = performance.now() - t0;
    return {
      adapter,
      numClasses: det.numClasses,
      results,
      stats: {
        images: images.length,
        elapsedMs,
        imagesPerS: elapsedMs > 0 ? (images.length * 1000) / elapsedMs : 0,
        inferenceMs,
        workerBusyMs: pool.busyMs - busy0,
        inputWaitMs,
        mainOtherMs: loopMs - inferenceMs - inputWaitMs,
      },
    };
  } finally {
    await Promise.allSettled(posts);
    await pool.close();
    await det.session.release();
  }
}
