import { z } from 'zod';
import { describeCompressRequest, type TCompressRequest } from '../compression/compress-request';
import { ZCompression } from '../runs/run-metadata';

/**
 * What a model page shows of the compress job that made its run (`metadata.compression`, workers/handlers/compress.ts):
 * the job, the source model, the request in one line and, for prune-to-target, the job's report: target, loss threshold,
 * rule, GFLOPs before and after (paddleslim convention, at the report's input size), the actual and the predicted
 * reduction, and each pruned parameter's ratio with the loss read off its curve. Pure; no React.
 *
 * Conventions: every reduction and loss is a fraction as the job stored it (0.02 = 2 %); the page prints them as
 * relative changes (lib/zoo/number-format.ts formatRelativeChange): a GFLOPs reduction r as −r, a loss l as ΔAP −l.
 */

/** The report a prune-to-target job stores (workers/handlers/compress.ts, from lib/compression/prune-to-flops.ts). */
export const ZPruneToTargetReport = z.object({
  inputSize: z.number().int(),
  rule: z.enum(['paddleslim', 'with-origin']),
  flopsTarget: z.number(),
  lossThreshold: z.number(),
  ratios: z.array(z.object({ param: z.string(), ratio: z.number(), interpolatedLoss: z.number() })),
  gflopsBefore: z.number(),
  gflopsAfter: z.number(),
  /** Actual: 1 - gflopsAfter / gflopsBefore. */
  reduction: z.number(),
  /** Sum over parameters of the reduction of each pruned alone (over-predicts, see prune-to-flops.ts). */
  predictedReduction: z.number(),
});
export type TPruneToTargetReport = z.infer<typeof ZPruneToTargetReport>;

export interface CompressionView {
  jobId: string;
  sourceModel: string;
  method: TCompressRequest['method'];
  /** describeCompressRequest: `pruned to −2.0 % GFLOPs (paddleslim rule)`. */
  description: string;
  /** prune-to-target only: the job's report, pruned parameters (ratio > 0) only in `pruned`; null when unreadable. */
  target: (Omit<TPruneToTargetReport, 'ratios'> & { pruned: TPruneToTargetReport['ratios'] }) | null;
}

/** The view of a run's `metadata.compression`; null when the run was not made by a compress job (or it does not parse). */
export function compressionView(compression: unknown): CompressionView | null {
  if (compression === undefined || compression === null) return null;
  const parsed = ZCompression.safeParse(compression);
  if (!parsed.success) return null;
  const c = parsed.data;
  const report = c.request.method === 'prune-to-target' ? ZPruneToTargetReport.safeParse(c.report) : null;
  let target: CompressionView['target'] = null;
  if (report?.success) {
    const { ratios, ...rest } = report.data;
    target = { ...rest, pruned: ratios.filter((r) => r.ratio > 0) };
  }
  return {
    jobId: c.jobId,
    sourceModel: c.sourceModel,
    method: c.request.method,
    description: describeCompressRequest(c.request),
    target,
  };
}
