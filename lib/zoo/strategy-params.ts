import { z } from 'zod';

/**
 * Parameters of a compression strategy, stored in Strategy.params (JSON) and validated here.
 * Pruning: `prunedParams[i]` is pruned by `prunedRatios[i]` (same length, ratios in [0, 1)),
 * as PaddleSlim's `--pruned_params` / `--pruned_ratios` flags.
 */
export const ZPruneParams = z
  .object({
    prunedParams: z.array(z.string().min(1)).min(1),
    prunedRatios: z.array(z.number().min(0).lt(1)).min(1),
  })
  .refine((p) => p.prunedParams.length === p.prunedRatios.length, {
    message: 'prunedParams and prunedRatios must have the same length',
  });
export type TPruneParams = z.infer<typeof ZPruneParams>;

/** Any other strategy: a flat record of settings (e.g. `{ loss: 'l2' }`). */
export const ZOtherParams = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export const ZStrategyParams = z.union([ZPruneParams, ZOtherParams]).nullable();
export type TStrategyParams = z.infer<typeof ZStrategyParams>;

/** Validate params for a strategy of `method`; pruning strategies must carry ZPruneParams. */
export function parseStrategyParams(method: string, params: unknown): TStrategyParams {
  if (method === 'prune') return ZPruneParams.parse(params);
  return ZStrategyParams.parse(params ?? null);
}
