import { z } from 'zod';
import { SlimboardError, formatZodIssues } from '../errors';
import { formatRelativeChange } from '../zoo/number-format';
import { refineAscendingRatios } from '../zoo/sensitivity-analysis';
import { CALIBRATION_METHODS, DEFAULT_PERCENTILE, type CalibrationMethod } from './calibrators';

/**
 * The ONE schema of a compression request, shared by the model page's form, `POST /api/runs/<id>/compress`,
 * `slimboard compress submit` and the `compress` job payload (lib/jobs/job-definitions.ts). A request names
 * what to do with the source run's model; the source itself comes from the URL / CLI argument.
 *
 * A union discriminated on `method`:
 * - `quantize`: post-training int8 QDQ quantization (lib/compression/quantize-model.ts), calibrated on the first
 *   `calibImages` images of a registered dataset that must not be the one the model is evaluated on
 *   (the demo calibrates on its train split and evaluates on val).
 * - `prune`: channel pruning with explicit ratios (lib/onnx/channel-prune.ts, PaddleSlim's L1 criterion).
 * - `sensitivity`: PaddleSlim's sensitivity analysis of the source model (lib/compression/sensitivity.ts): AP loss of
 *   each conv weight pruned alone at each ratio, on the first `images` images of a COCO-format dataset. It makes no
 *   new run: the analysis is stored on the source run (its model page charts it), the input of `prune-to-target`.
 * - `prune-to-target`: ratios from the source run's stored sensitivity analysis for a GFLOPs reduction
 *   (lib/compression/prune-to-flops.ts, PaddleSlim's get_ratios_by_loss), then pruned like `prune`.
 * `inputSize` (square, pixels) omitted: the source run's first input size. `name` omitted: derived from the source.
 */

const ZDatasetKey = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'a dataset key: letters, digits and . _ + - only, starting with a letter or digit');

const ZName = z.string().trim().min(1).max(200);
const ZInputSize = z.number().int().min(32).max(4096);

export const ZQuantizeRequest = z
  .object({
    method: z.literal('quantize'),
    /** Registered dataset key to calibrate on (another split than the evaluation dataset). */
    calibDataset: ZDatasetKey,
    /** The first N images of the calibration dataset. */
    calibImages: z.number().int().min(1).max(100_000).default(100),
    calibration: z.enum(CALIBRATION_METHODS as [CalibrationMethod, ...CalibrationMethod[]]).default('minmax'),
    /** Percentile calibration only, in [50, 100]; default DEFAULT_PERCENTILE. */
    percentile: z.number().min(50).max(100).optional(),
    /** Node names (or their first output) kept in float. */
    exclude: z.array(z.string().min(1).max(300)).max(1000).default([]),
    inputSize: ZInputSize.optional(),
    name: ZName.optional(),
  })
  .strict()
  .refine((r) => r.percentile === undefined || r.calibration === 'percentile', {
    message: 'percentile only applies to calibration "percentile"',
    path: ['percentile'],
  });

export const ZPruneRatiosRequest = z
  .object({
    method: z.literal('prune'),
    /** Conv weight initializer names, in PaddleSlim's order (`--pruned_params`). */
    params: z.array(z.string().min(1).max(300)).min(1).max(1000),
    /** One ratio per parameter, each in [0, 1) (`--pruned_ratios`). */
    ratios: z.array(z.number().min(0).lt(1)).min(1).max(1000),
    inputSize: ZInputSize.optional(),
    name: ZName.optional(),
  })
  .strict()
  .refine((r) => r.params.length === r.ratios.length, { message: 'params and ratios must have the same length', path: ['ratios'] })
  .refine((r) => new Set(r.params).size === r.params.length, { message: 'a parameter is listed twice', path: ['params'] });

/** Ratios strictly ascending and parameters listed once (the sensitivity request and ZSensitivityOptions share it). */
export function refineSensitivityLists(o: { ratios: number[]; params?: string[] }, ctx: z.RefinementCtx): void {
  refineAscendingRatios(o.ratios, ctx);
  if (o.params && new Set(o.params).size !== o.params.length)
    ctx.addIssue({ code: 'custom', path: ['params'], message: 'a parameter is listed twice' });
}

const IMAGES_HELP = 'give a whole number of images, at least 1 (e.g. 40)';
const RATIO_HELP = 'give each ratio as a fraction of channels above 0 and below 1 (e.g. 0.3)';

/** Fields of a sensitivity analysis (also ZSensitivityOptions, lib/compression/sensitivity.ts). */
export const SENSITIVITY_FIELDS = {
  /** Dataset split (the `annotations/instances_<split>.json` layout); omitted: the dataset's only split or annotations.json. */
  split: z.string().min(1).max(100).optional(),
  /** The first N images (ascending image id) are evaluated. */
  images: z.number({ error: IMAGES_HELP }).int(IMAGES_HELP).min(1, IMAGES_HELP).max(100_000, 'at most 100,000 images').default(40),
  /** Fractions of each parameter's output channels removed, strictly ascending, in (0, 1). */
  ratios: z
    .array(z.number({ error: RATIO_HELP }).gt(0, RATIO_HELP).lt(1, RATIO_HELP))
    .min(1, 'give at least one ratio, e.g. 0.3, 0.5, 0.7')
    .max(50, 'at most 50 ratios')
    .default([0.3, 0.5, 0.7]),
  /** Conv weight names to analyse (default: every conv weight that `prune` can prune at the largest ratio), in graph order. */
  params: z.array(z.string().min(1).max(300)).min(1).max(1000).optional(),
};

export const ZSensitivityRequest = z
  .object({
    method: z.literal('sensitivity'),
    /** Registered COCO-format dataset key; omitted: the source run's dataset. */
    dataset: ZDatasetKey.optional(),
    ...SENSITIVITY_FIELDS,
    inputSize: ZInputSize.optional(),
  })
  .strict()
  .superRefine(refineSensitivityLists);

/** Fields of pruning to a FLOPs target (also ZPruneToFlopsOptions, lib/compression/prune-to-flops.ts). */
export const PRUNE_TO_FLOPS_FIELDS = {
  /** Fractional GFLOPs reduction wanted, e.g. 0.35 for -35 % (paddleslim convention). */
  flopsTarget: z.number().gt(0).lt(1),
  /** `paddleslim` (default): get_ratios_by_loss as PaddleSlim; `with-origin`: with an added (0, 0) point. */
  rule: z.enum(['paddleslim', 'with-origin']).default('paddleslim'),
  /** Square input size the GFLOPs are counted at (default: the analysis' inputSize). */
  inputSize: ZInputSize.optional(),
};

export const ZPruneToTargetRequest = z
  .object({ method: z.literal('prune-to-target'), ...PRUNE_TO_FLOPS_FIELDS, name: ZName.optional() })
  .strict();

export const ZCompressRequest = z.discriminatedUnion('method', [
  ZQuantizeRequest,
  ZPruneRatiosRequest,
  ZSensitivityRequest,
  ZPruneToTargetRequest,
]);

export type TCompressRequest = z.infer<typeof ZCompressRequest>;
export type TCompressRequestInput = z.input<typeof ZCompressRequest>;
export type TQuantizeRequest = z.infer<typeof ZQuantizeRequest>;
export type TPruneRatiosRequest = z.infer<typeof ZPruneRatiosRequest>;
export type TSensitivityRequest = z.infer<typeof ZSensitivityRequest>;
export type TPruneToTargetRequest = z.infer<typeof ZPruneToTargetRequest>;
export const COMPRESS_METHODS = ['quantize', 'prune', 'sensitivity', 'prune-to-target'] as const satisfies ReadonlyArray<
  TCompressRequest['method']
>;
/** The methods whose job registers a new run (a sensitivity analysis is stored on its source run instead). */
export type TRunMakingRequest = Exclude<TCompressRequest, TSensitivityRequest>;

/** Validate a request from any door; 400 with the zod issues (path + message) in `details.issues`. */
export function parseCompressRequest(value: unknown, source = 'request'): TCompressRequest {
  const parsed = ZCompressRequest.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    throw new SlimboardError('bad_compress_request', `${source}: ${formatZodIssues(parsed.error.issues)}`, {
      status: 400,
      details: { issues },
    });
  }
  return parsed.data;
}

/** The zoo method and strategy slug a request produces (RunMetadata.method / strategy). */
export function compressedMethodOf(r: TRunMakingRequest): { method: 'quant' | 'prune'; strategy: string } {
  if (r.method === 'quantize') return { method: 'quant', strategy: `ptq-${r.calibration}` };
  // PaddleDetection's name for ratios chosen from a sensitivity analysis.
  if (r.method === 'prune-to-target') return { method: 'prune', strategy: 'sensity' };
  return { method: 'prune', strategy: 'ratios' };
}

/** One line that says what the request does (job lists, default run names). */
export function describeCompressRequest(r: TCompressRequest): string {
  if (r.method === 'quantize') {
    const p = r.calibration === 'percentile' ? ` ${r.percentile ?? DEFAULT_PERCENTILE}` : '';
    const excluded = r.exclude.length ? `, ${r.exclude.length} excluded` : '';
    return `int8 PTQ (${r.calibration}${p}, ${r.calibImages} images of ${r.calibDataset}${excluded})`;
  }
  if (r.method === 'sensitivity')
    return `sensitivity analysis (${r.images} images${r.dataset ? ` of ${r.dataset}` : ''}, ratios ${r.ratios.join('/')})`;
  if (r.method === 'prune-to-target') return `pruned to ${formatRelativeChange(-r.flopsTarget)} GFLOPs (${r.rule} rule)`;
  return `pruned (${r.params.length} conv${r.params.length === 1 ? '' : 's'}, ratios ${r.ratios.join('/')})`;
}
