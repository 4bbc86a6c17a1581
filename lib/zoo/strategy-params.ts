import { z } from 'zod';

/**
 * A model's own lineage parameters: what was pruned and by how much, its distillation teacher, its
 * quantization mode. ONE schema for the run metadata's `strategyParams` (upload form, POST /api/runs,
 * `submit --meta`), the seed catalog's `models[].lineage` and the stored `Model.lineage` column.
 *
 * These belong to the model, never to the shared Strategy row: two models pruned with the same strategy
 * name (`sensity`) may have different ratios, and a model that declares none shows none.
 * Pruning: `prunedParams[i]` is pruned by `prunedRatios[i]` (same length, ratios in [0, 1)), as
 * PaddleSlim's `--pruned_params` / `--pruned_ratios` flags.
 */
export const ZStrategyParams = z
  .object({
    /** PaddleSlim `--pruned_params`, in the source's order. */
    prunedParams: z.array(z.string().min(1).max(200)).max(1000).optional(),
    /** PaddleSlim `--pruned_ratios`, one per pruned parameter, each in [0, 1). */
    prunedRatios: z.array(z.number().min(0).lt(1)).max(1000).optional(),
    /** Distillation teacher: a zoo model slug or a free-text description. */
    teacher: z.string().min(1).max(200).optional(),
    /** Quantization mode. */
    quantMode: z.enum(['post', 'aware']).optional(),
  })
  .strict()
  .refine((p) => (p.prunedParams?.length ?? 0) === (p.prunedRatios?.length ?? 0), {
    message: 'prunedParams and prunedRatios must have the same length',
    path: ['prunedRatios'],
  });
export type TStrategyParams = z.infer<typeof ZStrategyParams>;

/** The pruning part, when a model declares one (both lists, at least one entry). */
export const ZPruneParams = z.object({
  prunedParams: z.array(z.string().min(1)).min(1),
  prunedRatios: z.array(z.number().min(0).lt(1)).min(1),
});
export type TPruneParams = z.infer<typeof ZPruneParams>;

/**
 * The value stored in Model.lineage for declared parameters: null when nothing is declared (an empty
 * object, or only empty lists), so that "declares none" has one representation. Keys in a fixed order.
 * The only function that produces Model.lineage (seed import and run registration both call it).
 */
export function modelLineageOf(params: TStrategyParams | null | undefined): TStrategyParams | null {
  if (!params) return null;
  const out: TStrategyParams = {};
  if (params.prunedParams && params.prunedParams.length > 0) {
    out.prunedParams = params.prunedParams;
    out.prunedRatios = params.prunedRatios;
  }
  if (params.teacher !== undefined) out.teacher = params.teacher;
  if (params.quantMode !== undefined) out.quantMode = params.quantMode;
  return Object.keys(out).length > 0 ? out : null;
}

/** Read a stored Model.lineage (JSON); anything that does not validate reads as none. */
export function readModelLineage(stored: unknown): TStrategyParams | null {
  if (stored === null || stored === undefined) return null;
  const r = ZStrategyParams.safeParse(stored);
  return r.success ? modelLineageOf(r.data) : null;
}
