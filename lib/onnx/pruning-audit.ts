/**
 * Pruning audit: was pruning applied to the graph, or were filters only zeroed and left in place
 * (torch.nn.utils.prune, NNCF filter pruning without the final strip, L1-regularised "slimming")?
 *
 * - A conv filter is the output channel c of a conv weight W [C_out, C_in/groups, kH, kW]; its L1 norm
 *   is sum |W[c, :, :, :]| (8-bit weights read through their DequantizeLinear: |q - zero_point| x |scale|).
 * - zero: the L1 norm is exactly 0.
 * - near zero: 0 < L1 <= NEAR_ZERO_RELATIVE x (mean L1 of the filters of the same weight), i.e. at least
 *   eight orders of magnitude below the layer's typical filter. A weight whose filters are all zero has
 *   mean 0 and therefore no near-zero filters.
 * - realised: GFLOPs and params of the graph as it is (what onnxruntime computes).
 * - effective: the same counts after removing every zero or near-zero filter with channel-prune's
 *   propagation rules (the filter, its bias, BatchNorm entries, the matching input channels of consuming
 *   convs, depthwise convs in between). Filters of one group (convs added or multiplied together) are
 *   removed only where every member's filter is negligible; filters whose channels reach a graph output
 *   or an op without a pruning rule stay, with the reason. A zero filter with a non-zero bias makes a
 *   constant channel: the effective count assumes that constant is folded into the consumers' biases.
 */
import { SlimboardError } from '../errors';
import { convWeightNames, filterL1Norms, removeChosenChannels } from './channel-prune';
import { countCompute, weightInitializers, type Convention } from './compute-count';
import { indexGraph, requireGraph } from './graph';
import type { ModelProto } from './proto';
import { inferShapes } from './shape-inference';
import { tensorDims } from './tensor';

/** A filter is near zero when its L1 norm is at most this fraction of its weight's mean filter L1 norm. */
export const NEAR_ZERO_RELATIVE = 1e-8;

export interface AuditLayer {
  /** Conv weight initializer name. */
  param: string;
  filters: number;
  zeroFilters: number;
  nearZeroFilters: number;
  /** Zero or near-zero filters that the effective graph removes. */
  removedFilters: number;
  /** Why some negligible filters cannot be removed (first reason). */
  keptBecause?: string;
}

export interface ComputeAndParams {
  gflops: number;
  /** Raw operation count under the convention. */
  operations: number;
  params: number;
}

export interface PruningAudit {
  /** The thresholds in words. */
  rule: string;
  nearZeroRelative: number;
  convWeights: number;
  filters: number;
  zeroFilters: number;
  nearZeroFilters: number;
  removableFilters: number;
  /** true when zero or near-zero filters are still in the graph: pruned in name only. */
  zeroedNotRemoved: boolean;
  realised: ComputeAndParams;
  /** null when the graph could not be rewritten (effectiveError says why). */
  effective: ComputeAndParams | null;
  effectiveError?: string;
  /** Only the conv weights that have zero or near-zero filters. */
  layers: AuditLayer[];
}

export interface PruningAuditOptions {
  inputSize?: number;
  convention: Convention;
  /** Default NEAR_ZERO_RELATIVE. */
  nearZeroRelative?: number;
}

/** Zero and near-zero filter indices of one weight, from its filter L1 norms (NaN norms are neither). */
export function classifyFilters(norms: ArrayLike<number>, nearZeroRelative = NEAR_ZERO_RELATIVE): { zero: number[]; nearZero: number[] } {
  let sum = 0;
  let n = 0;
  for (let c = 0; c < norms.length; c++) {
    if (Number.isFinite(norms[c])) {
      sum += norms[c];
      n++;
    }
  }
  const limit = n > 0 ? (sum / n) * nearZeroRelative : 0;
  const zero: number[] = [];
  const nearZero: number[] = [];
  for (let c = 0; c < norms.length; c++) {
    if (norms[c] === 0) zero.push(c);
    else if (norms[c] > 0 && norms[c] <= limit) nearZero.push(c);
  }
  return { zero, nearZero };
}

function totals(model: ModelProto, inputSize: number | undefined, convention: Convention, source: string): ComputeAndParams {
  const t = countCompute(model, inferShapes(model, { inputSize }, source), convention);
  const params = [...weightInitializers(model).values()].reduce((a, b) => a + b, 0);
  return { gflops: t.gflops, operations: t.count, params };
}

export function auditPruning(model: ModelProto, options: PruningAuditOptions, source = '<model>'): PruningAudit {
  const rel = options.nearZeroRelative ?? NEAR_ZERO_RELATIVE;
  const index = indexGraph(requireGraph(model, source));
  const names = convWeightNames(index).filter((n) => tensorDims(index.initializers.get(n)!).length >= 3);
  const negligible = new Map<string, Set<number>>();
  const layers = new Map<string, AuditLayer>();
  let filters = 0;
  let zeroFilters = 0;
  let nearZeroFilters = 0;
  for (const name of names) {
    const norms = filterL1Norms(index.initializers.get(name)!, index, source);
    const { zero, nearZero } = classifyFilters(norms, rel);
    filters += norms.length;
    zeroFilters += zero.length;
    nearZeroFilters += nearZero.length;
    if (zero.length + nearZero.length > 0) {
      negligible.set(name, new Set([...zero, ...nearZero]));
      layers.set(name, {
        param: name,
        filters: norms.length,
        zeroFilters: zero.length,
        nearZeroFilters: nearZero.length,
        removedFilters: 0,
      });
    }
  }
  const convSet = new Set(names);
  const realised = totals(model, options.inputSize, options.convention, source);
  const audit: PruningAudit = {
    rule: `zero: filter L1 norm = 0; near zero: 0 < L1 <= ${rel} x mean filter L1 of the same weight`,
    nearZeroRelative: rel,
    convWeights: names.length,
    filters,
    zeroFilters,
    nearZeroFilters,
    removableFilters: 0,
    zeroedNotRemoved: zeroFilters + nearZeroFilters > 0,
    realised,
    effective: realised,
    layers: [...layers.values()],
  };
  if (negligible.size === 0) return audit;
  try {
    const result = removeChosenChannels(
      model,
      [...negligible.keys()],
      (param, walk) => {
        // Shrink to the channels that are negligible in every non-depthwise conv weight of the group.
        let idx = [...negligible.get(param)!].sort((a, b) => a - b);
        for (let round = 0; idx.length > 0 && round < 16; round++) {
          const group = walk(idx);
          let next = idx;
          for (const it of group.items) {
            if (it.axis !== 0 || it.tensor === param || !convSet.has(it.tensor) || group.depthwiseWeights.has(it.tensor)) continue;
            const ok = negligible.get(it.tensor) ?? new Set<number>();
            next = next.filter((_, j) => ok.has(it.idx[j]));
          }
          if (next.length === idx.length) break;
          idx = next;
        }
        return idx;
      },
      { inputSize: options.inputSize },
      source,
    );
    for (const r of result.removed) {
      layers.get(r.param)!.removedFilters = r.idx.length;
      audit.removableFilters += r.idx.length;
    }
    for (const r of result.refused) layers.get(r.param)!.keptBecause = r.reason;
    for (const l of layers.values()) {
      if (!l.keptBecause && l.removedFilters < l.zeroFilters + l.nearZeroFilters) {
        l.keptBecause = 'the same channels of another conv in its group (added or multiplied with it) are not negligible';
      }
    }
    audit.effective = result.removed.length ? totals(result.model, options.inputSize, options.convention, source) : realised;
  } catch (e) {
    if (!(e instanceof SlimboardError)) throw e;
    audit.effective = null;
    audit.effectiveError = e.message;
  }
  return audit;
}
