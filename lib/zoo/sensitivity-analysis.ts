import { z } from 'zod';
import { SlimboardError, formatZodIssues } from '../errors';

/**
 * A pruning sensitivity analysis (PaddleSlim's `sensitivity`): for each prunable parameter and each
 * ratio, ONLY that parameter is pruned (no fine-tuning) and the model re-evaluated. Conventions:
 * - `ratio`: fraction of the parameter's output channels removed, in (0, 1).
 * - `ap`: the accuracy after pruning, a fraction in [0, 1] (not points).
 * - `loss`: relative accuracy loss, (baselineAp - ap) / baselineAp, a fraction (0.07 = 7 %); negative
 *   when pruning happened to help.
 * - `parameters[name][i]` is measured at `ratios[i]` (same order, same length).
 *
 * The demo zoo writes it as lib/demo-zoo/models/sensitivity.json (tools/demo-zoo/slimzoo/stage_prune.py);
 * Slimboard stores it in the run metadata (`sensitivityAnalysis`, lib/runs/run-metadata.ts) of the model
 * whose pruned ratios were chosen from it, and its model page charts it.
 */

/** |loss - (baselineAp - ap) / baselineAp| allowed: the file rounds ap, baselineAp and loss to 5 decimals. */
export const LOSS_CONSISTENCY_TOLERANCE = 1e-3;

const ZRatio = z.number().gt(0).lt(1);

export const ZSensitivityPoint = z
  .object({
    ratio: ZRatio,
    ap: z.number().min(0).max(1),
    loss: z.number().min(-1).max(1),
    /** GFLOPs@608 removed by pruning this parameter alone at this ratio (fraction), when the analysis states it. */
    gflopsReduction608: z.number().min(0).max(1).optional(),
  })
  .strict();
export type TSensitivityPoint = z.infer<typeof ZSensitivityPoint>;

/** An issue at `ratios.<i>` for each ratio that does not follow the one before it (strictly ascending). */
export function refineAscendingRatios(ratios: readonly number[], ctx: z.RefinementCtx): void {
  for (let i = 1; i < ratios.length; i++) {
    if (!(ratios[i] > ratios[i - 1]))
      ctx.addIssue({
        code: 'custom',
        path: ['ratios', i],
        message: `${ratios[i]} does not follow ${ratios[i - 1]} (ratios must be strictly ascending)`,
      });
  }
}

export const ZSensitivityAnalysis = z
  .object({
    /** The analysed (unpruned) model, as its source names it (the demo manifest's id, e.g. `baseline`). */
    model: z.string().min(1).max(200),
    /** e.g. "COCO AP(0.5:0.95)". */
    metric: z.string().min(1).max(200),
    /** Square input size in pixels the analysis evaluated at. */
    inputSize: z.number().int().min(32).max(4096),
    valImages: z.number().int().positive(),
    baselineAp: z.number().gt(0).max(1),
    lossDefinition: z.string().min(1).max(500),
    /** Which channels are pruned, e.g. "L1 norm of filters, smallest pruned". */
    criterion: z.string().min(1).max(500),
    ratios: z.array(ZRatio).min(1).max(50),
    parameters: z.record(z.string().min(1).max(200), z.array(ZSensitivityPoint).max(50)),
    /** Where the analysis comes from: the file it was read from, its sha256, and who produced it. */
    source: z
      .object({
        file: z.string().min(1).max(300),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        origin: z.string().min(1).max(300).optional(),
      })
      .strict()
      .optional(),
    /**
     * How the pruned ratios were chosen from it (sensity): per parameter the largest ratio whose loss stays
     * <= lossThreshold, the threshold bisected so that GFLOPs drop by targetGflopsReduction (fractions).
     */
    selection: z
      .object({
        /**
         * A loss, so in [-1, 1]: negative when the search settles below a negative loss (a parameter whose pruning
         * happened to raise AP on the evaluated images), as lib/compression/ratios-by-loss.ts searchLossThreshold can.
         */
        lossThreshold: z.number().min(-1).max(1),
        targetGflopsReduction: z.number().gt(0).lt(1).optional(),
        /**
         * How the ratios were read off the curves: `paddleslim` (PaddleSlim's get_ratios_by_loss: no (0, 0) point,
         * a parameter whose loss at the first measured ratio exceeds the threshold gets 0) or `with-origin` (an
         * added (0, 0) point); lib/compression/ratios-by-loss.ts. Absent: not stated.
         */
        rule: z.enum(['paddleslim', 'with-origin']).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    refineAscendingRatios(a.ratios, ctx);
    const names = Object.keys(a.parameters);
    if (names.length > 1000) ctx.addIssue({ code: 'custom', path: ['parameters'], message: `${names.length} parameters (at most 1000)` });
    for (const name of names.slice(0, 1000)) {
      const rows = a.parameters[name];
      if (rows.length !== a.ratios.length) {
        ctx.addIssue({ code: 'custom', path: ['parameters', name], message: `${rows.length} rows, but ratios lists ${a.ratios.length}` });
        continue;
      }
      rows.forEach((row, i) => {
        if (row.ratio !== a.ratios[i])
          ctx.addIssue({
            code: 'custom',
            path: ['parameters', name, i, 'ratio'],
            message: `${row.ratio}, but ratios[${i}] is ${a.ratios[i]}`,
          });
        const expected = (a.baselineAp - row.ap) / a.baselineAp;
        if (Math.abs(row.loss - expected) > LOSS_CONSISTENCY_TOLERANCE) {
          ctx.addIssue({
            code: 'custom',
            path: ['parameters', name, i, 'loss'],
            message: `${row.loss}, but (baselineAp - ap) / baselineAp = ${expected.toFixed(5)}`,
          });
        }
      });
    }
  });
export type TSensitivityAnalysis = z.infer<typeof ZSensitivityAnalysis>;

/**
 * Validate an analysis; the error is one line naming `source` and the field. Parameter names contain dots,
 * so path keys with a dot are quoted: `parameters."yolo_block.0.0.0.conv.weights".1.loss: ...`.
 */
export function parseSensitivityAnalysis(value: unknown, source: string): TSensitivityAnalysis {
  const parsed = ZSensitivityAnalysis.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      ...i,
      path: i.path.map((k) => (typeof k === 'string' && /[.\s"]/.test(k) ? JSON.stringify(k) : k)),
    }));
    throw new SlimboardError('bad_sensitivity', `${source}: ${formatZodIssues(issues)}`);
  }
  return parsed.data;
}
