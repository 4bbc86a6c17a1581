import { z } from 'zod';
import { ZCompressRequest } from '../compression/compress-request';
import { SlimboardError, formatZodIssues } from '../errors';
import { ZModelAdapter } from '../inference/detection/model-adapter';
import { ZSensitivityAnalysis } from '../zoo/sensitivity-analysis';
import { ZStrategyParams } from '../zoo/strategy-params';

/**
 * The ONE metadata schema of a registered run, shared by the upload form, `POST /api/runs` and
 * `slimboard submit --meta FILE.json`. Validated before a single byte of the model is stored.
 */

export const METHODS = ['baseline', 'prune', 'distill', 'prune+distill', 'quant', 'nas'] as const;
export const PRETRAININGS = ['imagenet', 'objects365'] as const;

const ZSlug = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'letters, digits and . _ + - only, starting with a letter or digit');

export const ZCompression = z
  .object({
    jobId: z.string().min(1).max(64),
    sourceRunId: z.string().uuid(),
    sourceModel: ZSlug,
    request: ZCompressRequest,
    report: z
      .record(z.string(), z.unknown())
      .refine((r) => JSON.stringify(r).length <= 50_000, 'report: at most 50,000 characters of JSON')
      .optional(),
  })
  .strict();
export type TCompression = z.infer<typeof ZCompression>;

export const ZMeasurements = z
  .object({
    analyse: z.boolean().default(true),
    benchmark: z.boolean().default(true),
    evaluate: z.boolean().default(true),
    /**
     * Target the benchmark at one registered device (its id, see the jobs page); omitted: whichever
     * worker is free. A device is a CPU model + cores + threads + execution provider.
     */
    benchmarkDevice: z
      .string()
      .regex(/^d[0-9a-f]{16}$/, 'a device id like d0123456789abcdef')
      .optional(),
    /**
     * Further datasets (registered slugs) to evaluate on at every input size, beyond `dataset`: e.g. the demo zoo's
     * VOC view of its val split and its synthetic faces, so one model gets Box AP, VOC mAP and WIDER FACE AP.
     */
    evaluateOn: z.array(ZSlug).max(8, 'at most 8 further datasets').optional(),
  })
  .strict();

/**
 * A file the run measured before it moved to its current one (lib/runs/replace-run-file.ts): same weights, other
 * bytes (e.g. the demo baseline before its initializers got the lineage's names). Kept so the model page can say
 * which bytes the older numbers came from.
 */
export const ZFormerRunFile = z
  .object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    sizeBytes: z.number().int().positive(),
    fileName: z.string().min(1).max(200),
    /** ISO time the run moved off this file. */
    replacedAt: z.string().min(1).max(40),
    /** One line: what changed, and what the move kept and re-measured. */
    change: z.string().min(1).max(500),
  })
  .strict();
export type TFormerRunFile = z.infer<typeof ZFormerRunFile>;

export const ZRunMetadata = z
  .object({
    /** Display name of the run, e.g. "YOLOv3-MobileNetV1 r578 (my pruning)". */
    name: z.string().trim().min(1).max(200),
    family: ZSlug,
    backbone: ZSlug,
    /** Dataset key the model is evaluated on (coco, voc, widerface or a registered user dataset). */
    dataset: ZSlug,
    method: z.enum(METHODS),
    /** e.g. sensity, r578, l2_distiil, split_distiil, post, aware. */
    strategy: ZSlug.optional(),
    /** The model's own lineage parameters (pruned params and ratios, teacher, quantization mode); stored as Model.lineage. */
    strategyParams: ZStrategyParams.default({}),
    pretraining: z.enum(PRETRAININGS).optional(),
    /** Slug of the zoo model this run is compared against (must exist). */
    baseline: ZSlug.optional(),
    /** Slug of the zoo model whose weights this one was derived from (must exist); default: the baseline. */
    parent: ZSlug.optional(),
    /** Where the model comes from, one line (e.g. "Slimboard demo zoo, trained by tools/demo-zoo, manifest 2026-11-29T06:11:43Z"). */
    provenance: z.string().trim().min(1).max(300).optional(),
    /** How the weights were trained: the recipe as given (epochs, lr, ...) and the random seed. Shown on the model page. */
    training: z
      .object({
        recipe: z.record(z.string(), z.unknown()).optional(),
        seed: z.number().int().nullable().optional(),
      })
      .strict()
      .refine((t) => JSON.stringify(t).length <= 20_000, 'training: at most 20,000 characters of JSON')
      .optional(),
    /** Square input sizes in pixels, each measured separately. */
    inputSizes: z
      .array(z.number().int().min(32).max(4096))
      .min(1)
      .max(8)
      .refine((a) => new Set(a).size === a.length, 'input sizes must be distinct'),
    /**
     * How to feed the model and read its outputs (lib/inference/detection/model-adapter.ts). Omitted: recognised
     * from the model's inputs and outputs when it is evaluated.
     */
    adapter: ZModelAdapter.optional(),
    /**
     * The pruning sensitivity analysis the pruned ratios were chosen from (lib/zoo/sensitivity-analysis.ts);
     * the model page charts it. The demo zoo stores lib/demo-zoo/models/sensitivity.json here on its sensity model.
     */
    sensitivityAnalysis: ZSensitivityAnalysis.optional(),
    measurements: ZMeasurements.default({ analyse: true, benchmark: true, evaluate: true }),
    /**
     * Set on runs Slimboard made itself with a `compress` job (workers/handlers/compress.ts): the job (its id is
     * the key a retried job finds its run by), the source run and model, the request as validated, and what the
     * compression reported (deterministic numbers only, so a retry yields equal metadata).
     */
    compression: ZCompression.optional(),
    /** Files this run measured before its current one, oldest first (set by replace-run-file.ts, never by a door). */
    formerFiles: z.array(ZFormerRunFile).max(20).optional(),
  })
  .strict()
  .refine((m) => m.method === 'baseline' || m.baseline !== undefined, {
    message: 'a compressed model must name the baseline it is compared against',
    path: ['baseline'],
  });

export type TRunMetadata = z.infer<typeof ZRunMetadata>;
export type TRunMetadataInput = z.input<typeof ZRunMetadata>;

/** Validate metadata from any door; the error is one line with the zod message, naming the field. */
export function parseRunMetadata(value: unknown, source = 'metadata'): TRunMetadata {
  const parsed = ZRunMetadata.safeParse(value);
  if (!parsed.success) {
    throw new SlimboardError('bad_metadata', `${source}: ${formatZodIssues(parsed.error.issues)}`);
  }
  return parsed.data;
}

/** Parse metadata given as JSON text (form field, file). */
export function parseRunMetadataJson(jsonText: string, source = 'metadata'): TRunMetadata {
  let value: unknown;
  try {
    value = JSON.parse(jsonText);
  } catch (e) {
    throw new SlimboardError('bad_metadata', `${source}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return parseRunMetadata(value, source);
}
