import { z } from 'zod';

/**
 * What a worker asks its measurement child to do, and what the child answers (both cross a process
 * boundary, so both are zod schemas; lib/measure/fork-measurement.ts sends one request and reads the
 * messages, lib/measure/measure-child-entry.ts answers). The CLI commands `analyze`, `bench` and
 * `evaluate` call the same library function (`runMeasurement`, ./run-measurement.ts) in process, so a
 * number does not depend on whether a worker or a user measured it.
 *
 * Conventions: sizes in pixels (square inputs), `threads` = onnxruntime intra-op threads.
 */
const ZModelPath = z.string().min(1);
const ZInputSize = z.number().int().min(1).max(16384);
const ZThreads = z.number().int().min(1).max(256);

export const ZMeasureRequest = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('analyze'),
    modelPath: ZModelPath,
    inputSize: ZInputSize.optional(),
    convention: z.enum(['paddleslim', 'macs', 'flops']).default('paddleslim'),
  }),
  z.object({
    kind: z.literal('bench'),
    modelPath: ZModelPath,
    inputSize: ZInputSize,
    threads: ZThreads,
    /** Smoke-test protocol (results say `quick`); never for published numbers. */
    quick: z.boolean().default(false),
  }),
  z.object({
    kind: z.literal('bench-paired'),
    modelPath: ZModelPath,
    baselinePath: ZModelPath,
    inputSize: ZInputSize,
    threads: ZThreads,
    quick: z.boolean().default(false),
  }),
  z.object({
    kind: z.literal('evaluate'),
    modelPath: ZModelPath,
    datasetDir: z.string().min(1),
    /** null: guessed from the folder's layout. */
    format: z.enum(['coco', 'voc', 'widerface']).nullable().default(null),
    split: z.string().min(1).optional(),
    inputSize: ZInputSize,
    threads: ZThreads,
    /** A model adapter object (lib/inference/detection/model-adapter.ts), parsed like `evaluate --adapter FILE` parses its file. */
    adapter: z.unknown().optional(),
    /** VOC only. */
    apType: z.enum(['11point', 'integral']).default('11point'),
    /** Write the detections here (what `evaluate --save-dt FILE` writes); the result then names the file. */
    saveDetections: z.string().min(1).optional(),
  }),
]);
export type TMeasureRequest = z.infer<typeof ZMeasureRequest>;
export type TMeasureRequestInput = z.input<typeof ZMeasureRequest>;

/**
 * Child -> parent. `progress.fraction` is in [0, 1] over the whole measurement. `error.refused`: the input
 * was refused (a SlimboardError: bad model, size it cannot take…), so a retry cannot help; otherwise the
 * child failed and the job may be retried.
 */
export const ZMeasureMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), fraction: z.number().min(0).max(1) }),
  z.object({ type: z.literal('result'), result: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('error'), refused: z.boolean(), code: z.string(), message: z.string() }),
]);
export type TMeasureMessage = z.infer<typeof ZMeasureMessage>;
