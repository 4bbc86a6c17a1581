/**
 * Body of a detection-pipeline worker thread: preprocessing (decode + resize + normalise) and
 * postprocessing (decode outputs + NMS + map back) of single images, off the main thread so that
 * they overlap with `session.run` there. Loaded by detection-worker-entry.mjs.
 */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { isSlimboardError } from '../errors';
import { postprocessDetections, type RawTensor } from './detection-decoding';
import type { FitGeometry } from './image-geometry';
import { preprocessImageFile } from './image-preprocess';
import type { TModelAdapter } from './model-adapter';

export type WorkerRequest =
  | { id: number; type: 'preprocess'; file: string; inputSize: number }
  | { id: number; type: 'postprocess'; outputs: Record<string, RawTensor>; geometry: FitGeometry }
  | { id: number; type: 'set-adapter'; adapter: TModelAdapter };

export type WorkerResponse =
  | { id: number; ok: true; result: unknown; busyMs: number }
  | { id: number; ok: false; error: { slimboard: boolean; code: string; message: string } };

let adapter: TModelAdapter = (workerData as { adapter: TModelAdapter }).adapter;

// Lower this thread's priority (on Linux nice values are per thread, and os.setPriority without a
// pid applies to the calling thread): inference on the main thread keeps the cores, and pre/post-
// processing fills the cycles it leaves idle. Lowering is always permitted; failures are harmless.
try {
  os.setPriority(Math.min(19, os.getPriority() + 5));
} catch {
  /* not permitted or not supported: keep the default priority */
}

async function handle(req: WorkerRequest): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  if (req.type === 'preprocess') {
    const r = await preprocessImageFile(req.file, adapter, req.inputSize);
    return { result: r, transfer: [r.tensor.buffer as ArrayBuffer] };
  }
  if (req.type === 'postprocess') return { result: postprocessDetections(adapter, req.outputs, req.geometry), transfer: [] };
  adapter = req.adapter;
  return { result: null, transfer: [] };
}

parentPort!.on('message', (req: WorkerRequest) => {
  const t0 = performance.now();
  handle(req).then(
    ({ result, transfer }) => parentPort!.postMessage({ id: req.id, ok: true, result, busyMs: performance.now() - t0 } satisfies WorkerResponse, transfer),
    (e: unknown) =>
      parentPort!.postMessage({
        id: req.id,
        ok: false,
        error: { slimboard: isSlimboardError(e), code: isSlimboardError(e) ? e.code : 'internal', message: e instanceof Error ? e.message : String(e) },
      } satisfies WorkerResponse),
  );
});
