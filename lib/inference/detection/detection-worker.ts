/**
 * Body of a detection-pipeline worker thread: preprocessing (decode + resize + normalise) and
 * postprocessing (decode outputs + NMS + map back) of single images, off the main thread so that
 * they overlap with `session.run` there. Loaded by detection-worker-entry.mjs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { isSlimboardError } from '../../errors';
import { postprocessDetections, type RawTensor } from './detection-decoding';
import type { FitGeometry } from '../image/image-geometry';
import { preprocessImageFile } from '../image/image-preprocess';
import { lowerLibvipsThreads, lowerThreadPriority } from './thread-priority';
import type { TModelAdapter } from './model-adapter';

export type WorkerRequest =
  /** `buffer`: a consumed input tensor handed back for reuse (3*S*S float32), or none. */
  | { id: number; type: 'preprocess'; file: string; inputSize: number; buffer?: ArrayBuffer }
  | { id: number; type: 'postprocess'; outputs: Record<string, RawTensor>; geometry: FitGeometry }
  | { id: number; type: 'set-adapter'; adapter: TModelAdapter }
  | { id: number; type: 'warm-up'; inputSize: number; outputs: Record<string, RawTensor>; geometry: FitGeometry };

export type WorkerResponse =
  | { id: number; ok: true; result: unknown; busyMs: number }
  | { id: number; ok: false; error: { slimboard: boolean; code: string; message: string } };

let adapter: TModelAdapter = (workerData as { adapter: TModelAdapter }).adapter;

// Lower the priority of this thread and of the libvips threads that decode and resize for it (on Linux
// nice values are per thread): inference on the main thread keeps the cores, and pre/post-processing
// fills the cycles it leaves idle. Lowering is always permitted; failures are harmless.
const NICE_OFFSET = 5;
const workerNice = lowerThreadPriority(undefined, NICE_OFFSET);
let preprocessed = 0;
const WARM_UP_POSTPROCESS_CALLS = 12;

async function handle(req: WorkerRequest): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  if (req.type === 'preprocess') {
    const r = await preprocessImageFile(req.file, adapter, req.inputSize, req.file, req.buffer ? new Float32Array(req.buffer) : undefined);
    // libvips starts its threads lazily (they inherit the nice value of whoever started them): check again now and then.
    if (preprocessed++ % 64 === 0 && workerNice !== undefined) lowerLibvipsThreads(workerNice);
    return { result: r, transfer: [r.tensor.buffer as ArrayBuffer] };
  }
  if (req.type === 'postprocess') return { result: postprocessDetections(adapter, req.outputs, req.geometry), transfer: [] };
  if (req.type === 'warm-up') {
    // Generated PNGs through the whole preprocessing, then the model's warm-up outputs through
    // postprocessing: the first ~10 calls of the decode/NMS loops run unoptimised code (measured 2-8x
    // slower with the 500k candidates of a random-weight YOLOv3), so they happen before the first image.
    // Three sizes: the resampler's enlarging (two-tap) and shrinking (antialiased) loops both get compiled.
    for (const scale of [0.2, 0.8, 1.3]) {
      const side = Math.max(8, Math.round(req.inputSize * scale));
      const png = await sharp({
        create: { width: side, height: Math.round(side * 0.75), channels: 3, background: { r: 90, g: 120, b: 150 } },
      })
        .png()
        .toBuffer();
      for (let k = 0; k < 2; k++) await preprocessImageFile(png, adapter, req.inputSize, '<warm-up image>');
    }
    if (workerNice !== undefined) lowerLibvipsThreads(workerNice);
    for (let i = 0; i < WARM_UP_POSTPROCESS_CALLS; i++) postprocessDetections(adapter, req.outputs, req.geometry);
    return { result: null, transfer: [] };
  }
  adapter = req.adapter;
  return { result: null, transfer: [] };
}

// Requests run one at a time, in arrival order, from this worker's own queue: the main thread posts
// work ahead (it cannot hand out work while it is blocked in session.run), and one request at a time
// keeps one decoding thread per worker. busyMs counts from the start of the request's turn.
let turn: Promise<void> = Promise.resolve();
parentPort!.on('message', (req: WorkerRequest) => {
  turn = turn.then(async () => {
    const t0 = performance.now();
    try {
      const { result, transfer } = await handle(req);
      parentPort!.postMessage({ id: req.id, ok: true, result, busyMs: performance.now() - t0 } satisfies WorkerResponse, transfer);
    } catch (e) {
      parentPort!.postMessage({
        id: req.id,
        ok: false,
        error: {
          slimboard: isSlimboardError(e),
          code: isSlimboardError(e) ? e.code : 'internal',
          message: e instanceof Error ? e.message : String(e),
        },
      } satisfies WorkerResponse);
    }
  });
});
