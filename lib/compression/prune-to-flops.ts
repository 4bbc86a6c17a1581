/**
 * Pruning to a FLOPs target from a sensitivity analysis (issue 16 item 2): the loss threshold is bisected
 * (ratios-by-loss.ts) so that the model pruned with the threshold's ratios (lib/onnx/channel-prune.ts, the
 * `prune` command's L1 criterion and channel grouping) computes `target` fewer GFLOPs, counted on the
 * actually pruned graph with lib/onnx/compute-count.ts under the `paddleslim` convention at a square input
 * size (the analysis' by default).
 *
 * Reported beside the actual reduction: the `predicted` one, the sum of each parameter's reduction when it
 * alone is pruned at its ratio (what a per-layer table such as sensitivity.json's gflopsReduction608 adds up
 * to). The sum over-predicts: when a conv loses output channels (ratio a) and its consumer loses output
 * channels too (ratio b), the consumer's cost falls to (1 - a)(1 - b), not 1 - a - b, so the sum counts the
 * a * b part twice.
 */
import { z } from 'zod';
import { SlimboardError, formatZodIssues } from '../errors';
import { prunedChannelCount, pruneChannels, type PrunedParam } from '../onnx/channel-prune';
import { countCompute } from '../onnx/compute-count';
import type { ModelProto } from '../onnx/proto';
import { inferShapes } from '../onnx/shape-inference';
import { tensorDims } from '../onnx/tensor';
import type { TSensitivityAnalysis } from '../zoo/sensitivity-analysis';
import { interpolatedLoss, searchLossThreshold, type SensitivityCurves, type TRatioRule } from './ratios-by-loss';
import { PRUNE_TO_FLOPS_FIELDS } from './compress-request';

/** Options of `compress prune --flops-target` (CLI, API and job payload share this schema). */
export const ZPruneToFlopsOptions = z.object(PRUNE_TO_FLOPS_FIELDS).strict();
export type TPruneToFlopsOptions = z.infer<typeof ZPruneToFlopsOptions>;

/** GFLOPs (paddleslim convention: conv multiply-adds / 2^30) of `model` at a square input size. */
export function paddleslimGflops(model: ModelProto, inputSize: number, source = '<model>'): number {
  return countCompute(model, inferShapes(model, { inputSize }, source), 'paddleslim').gflops;
}

/** The analysis' curves as (ratio, loss) points per parameter. */
export function sensitivityCurves(a: TSensitivityAnalysis): SensitivityCurves {
  return Object.fromEntries(Object.entries(a.parameters).map(([p, rows]) => [p, rows.map((r) => ({ ratio: r.ratio, loss: r.loss }))]));
}

export interface PruneToFlopsResult {
  model: ModelProto;
  rule: TRatioRule;
  inputSize: number;
  flopsTarget: number;
  lossThreshold: number;
  /** How the ratios were chosen, in the sensitivity analysis' `selection` schema (store it with the analysis on the new run). */
  selection: { lossThreshold: number; targetGflopsReduction: number; rule: TRatioRule };
  /**
   * The threshold search's bracket: the smallest threshold reaching the target and the largest missing it
   * (ratios jump, so the target usually lies between); the result is the nearer of the two.
   */
  bracket: { above: { threshold: number; reduction: number }; below: { threshold: number; reduction: number } | null };
  /** Every parameter of the analysis with its ratio (0: not pruned) and the interpolated loss at that ratio. */
  ratios: Array<{ param: string; ratio: number; interpolatedLoss: number }>;
  pruned: PrunedParam[];
  gflopsBefore: number;
  gflopsAfter: number;
  /** Actual: 1 - gflopsAfter / gflopsBefore. */
  reduction: number;
  /** Predicted: sum over parameters of the reduction of pruning that parameter alone at its ratio. */
  predictedReduction: number;
  /** Pruned graphs counted during the threshold search. */
  evaluations: number;
}

/**
 * Prune `model` (whose initializers carry the analysis' parameter names: see param-names.ts) to the FLOPs
 * target. Throws a SlimboardError when a parameter is missing from the model or the target is unreachable.
 */
export function pruneToFlopsTarget(
  model: ModelProto,
  analysis: TSensitivityAnalysis,
  options: TPruneToFlopsOptions,
  source = '<model>',
): PruneToFlopsResult {
  const parsed = ZPruneToFlopsOptions.safeParse(options);
  if (!parsed.success) throw new SlimboardError('bad_arguments', `prune to a FLOPs target: ${formatZodIssues(parsed.error.issues)}`);
  const o = parsed.data;
  const inputSize = o.inputSize ?? analysis.inputSize;
  const curves = sensitivityCurves(analysis);
  const params = Object.keys(curves);
  const inits = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? '', t]));
  const missing = params.filter((p) => !inits.has(p));
  if (missing.length) {
    throw new SlimboardError(
      'unknown_param',
      `${source}: the analysis names ${missing.length} parameter(s) the model does not have, e.g. "${missing[0]}" (give --param-names)`,
    );
  }
  const channels = new Map(params.map((p) => [p, tensorDims(inits.get(p)!)[0]]));
  const before = paddleslimGflops(model, inputSize, source);
  // Keyed by channel counts: many thresholds round to the same pruned graph.
  const cache = new Map<string, number>();
  const reductionOf = (ratios: Record<string, number>, only?: string): number => {
    const list = (only ? [only] : params).filter((p) => ratios[p] > 0);
    if (list.length === 0) return 0;
    const k = list.map((p) => `${p}=${prunedChannelCount(channels.get(p)!, ratios[p])}`).join(';');
    let r = cache.get(k);
    if (r === undefined) {
      const pruned = pruneChannels(model, { params: list, ratios: list.map((p) => ratios[p]), inputSize }, source).model;
      r = 1 - paddleslimGflops(pruned, inputSize, source) / before;
      cache.set(k, r);
    }
    return r;
  };
  const found = searchLossThreshold({
    curves,
    target: o.flopsTarget,
    withOrigin: o.rule === 'with-origin',
    reductionOf: (r) => reductionOf(r),
  });
  const list = params.filter((p) => found.ratios[p] > 0);
  const result = pruneChannels(model, { params: list, ratios: list.map((p) => found.ratios[p]), inputSize }, source);
  const after = paddleslimGflops(result.model, inputSize, source);
  return {
    model: result.model,
    rule: o.rule,
    inputSize,
    flopsTarget: o.flopsTarget,
    lossThreshold: found.threshold,
    selection: { lossThreshold: found.threshold, targetGflopsReduction: o.flopsTarget, rule: o.rule },
    bracket: {
      above: { threshold: found.above.threshold, reduction: found.above.reduction },
      below: found.below && { threshold: found.below.threshold, reduction: found.below.reduction },
    },
    ratios: params.map((p) => ({ param: p, ratio: found.ratios[p], interpolatedLoss: interpolatedLoss(curves[p], found.ratios[p], p) })),
    pruned: result.pruned,
    gflopsBefore: before,
    gflopsAfter: after,
    reduction: 1 - after / before,
    predictedReduction: params.reduce((s, p) => s + reductionOf(found.ratios, p), 0),
    evaluations: found.evaluations,
  };
}
