import { z } from 'zod';
import { SlimboardError, formatZodIssues } from '../errors';
import { CALIBRATION_METHODS, DEFAULT_PERCENTILE, type CalibrationMethod } from './calibrators';

/**
 * The ONE schema of a compression request, shared by the model page's form, `POST /api/runs/<id>/compress`,
 * `slimboard compress submit` and the `compress` job payload (lib/jobs/job-definitions.ts). A request names
 * what to do with the source run's model; the source itself comes from the URL / CLI argument.
 *
 * A union discriminated on `method`, so that later methods (`sensitivity`, `prune-to-target`) are new members:
 * - `quantize`: post-training int8 QDQ quantization (lib/compression/quantize-model.ts), calibrated on the first
 *   `calibImages` images of a registered dataset that must not be the one the model is evaluated on
 *   (the demo calibrates on its train split and evaluates on val).
 * - `prune`: channel pruning with explicit ratios (lib/onnx/channel-prune.ts, PaddleSlim's L1 criterion).
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

export const ZCompressRequest = z.discriminatedUnion('method', [ZQuantizeRequest, ZPruneRatiosRequest]);

export type TCompressRequest = z.infer<typeof ZCompressRequest>;
export type TCompressRequestInput = z.input<typeof ZCompressRequest>;
export type TQuantizeRequest = z.infer<typeof ZQuantizeRequest>;
export type TPruneRatiosRequest = z.infer<typeof ZPruneRatiosRequest>;
export const COMPRESS_METHODS = ['quantize', 'prune'] as const satisfies ReadonlyArray<TCompressRequest['method']>;

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
export function compressedMethodOf(r: TCompressRequest): { method: 'quant' | 'prune'; strategy: string } {
  if (r.method === 'quantize') return { method: 'quant', strategy: `ptq-${r.calibration}` };
  return { method: 'prune', strategy: 'ratios' };
}

/** One line that says what the request does (job lists, default run names). */
export function describeCompressRequest(r: TCompressRequest): string {
  if (r.method === 'quantize') {
    const p = r.calibration === 'percentile' ? ` ${r.percentile ?? DEFAULT_PERCENTILE}` : '';
    const excluded = r.exclude.length ? `, ${r.exclude.length} excluded` : '';
    return `int8 PTQ (${r.calibration}${p}, ${r.calibImages} images of ${r.calibDataset}${excluded})`;
  }
  return `pruned (${r.params.length} conv${r.params.length === 1 ? '' : 's'}, ratios ${r.ratios.join('/')})`;
}
