/**
 * One call that answers "how big and how heavy is this model at this input size": compute under a
 * named convention, weight count, bytes on disk and (optionally) the per-layer table.
 */
import { countCompute, CONVENTION_RULES, weightInitializers, type Convention, type LayerRow } from './compute-count';
import type { LoadedModel } from './model-file';
import { auditPruning, type PruningAudit } from './pruning-audit';
import { inferShapes } from './shape-inference';

export interface AnalyzeOptions {
  /** Square size bound to symbolic H/W of image inputs; may be omitted for fixed-size models. */
  inputSize?: number;
  convention: Convention;
  layers?: boolean;
}

export interface ModelAnalysis {
  source: string;
  inputSize: number | null;
  /** Resolved graph input shapes, e.g. { image: [1, 3, 608, 608] }. */
  inputs: Record<string, number[]>;
  outputs: Record<string, number[]>;
  convention: Convention;
  /** The convention's rule in words and its unit. */
  conventionRule: string;
  unit: string;
  /** Count / divisor of the convention (PaddleSlim: / 2^30; macs, flops: / 10^9). */
  gflops: number;
  /** Raw operation count under the convention. */
  operations: number;
  /** Weight elements (see weightInitializers). */
  params: number;
  /** Bytes on disk: model file plus external data. */
  bytes: number;
  opset: number;
  nodeCount: number;
  /** Nodes whose output depends on data (counted as 0). */
  unknownNodes: string[];
  /** Zero / near-zero conv filters still in the graph, realised vs effective compute (pruning-audit.ts). */
  pruningAudit: PruningAudit;
  layers?: LayerRow[];
}

export function analyzeModel(loaded: LoadedModel, options: AnalyzeOptions): ModelAnalysis {
  const shapes = inferShapes(loaded.model, { inputSize: options.inputSize }, loaded.source);
  const totals = countCompute(loaded.model, shapes, options.convention);
  const params = [...weightInitializers(loaded.model).values()].reduce((a, b) => a + b, 0);
  const outputs: Record<string, number[]> = {};
  for (const o of loaded.model.graph?.output ?? []) outputs[o.name ?? ''] = shapes.tensors.get(o.name ?? '')?.shape ?? [];
  const rule = CONVENTION_RULES[options.convention];
  return {
    source: loaded.source,
    inputSize: options.inputSize ?? null,
    inputs: shapes.inputs,
    outputs,
    convention: options.convention,
    conventionRule: rule.rule,
    unit: rule.unit,
    gflops: totals.gflops,
    operations: totals.count,
    params,
    bytes: loaded.sizeBytes,
    opset: loaded.opset,
    nodeCount: (loaded.model.graph?.node ?? []).length,
    unknownNodes: totals.unknownNodes,
    pruningAudit: auditPruning(loaded.model, { inputSize: options.inputSize, convention: options.convention }, loaded.source),
    ...(options.layers ? { layers: totals.layers } : {}),
  };
}
