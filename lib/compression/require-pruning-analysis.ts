import { SlimboardError } from '../errors';
import type { TRunMetadata } from '../runs/run-metadata';
import type { TSensitivityAnalysis } from '../zoo/sensitivity-analysis';

/**
 * The sensitivity analysis `prune-to-target` may read ratios from: an analysis OF this run's model. Refused (409, so the
 * doors answer before queueing and the job fails for good) when
 * - the run has none: start a `sensitivity` compression of it first;
 * - its analysis carries a `selection`: it is the analysis this model's own ratios were chosen from, measured on the
 *   model before pruning (a prune-to-target run keeps its parent's analysis to chart its choice; the demo's sensity model
 *   keeps the baseline's). Its curves describe the parent's channels, not this model's, so pruning this model with them
 *   would be wrong: analyse this model first (a new `sensitivity` job replaces the stored analysis with one of its own).
 */
export function requirePruningAnalysis(
  meta: Pick<TRunMetadata, 'sensitivityAnalysis'>,
  run: { id: string; slug: string },
): TSensitivityAnalysis {
  const analysis = meta.sensitivityAnalysis;
  if (!analysis) {
    throw new SlimboardError(
      'no_sensitivity_analysis',
      `run ${run.id} (${run.slug}) has no sensitivity analysis to read ratios from: start a "sensitivity" compression of it first`,
      { status: 409 },
    );
  }
  if (analysis.selection) {
    throw new SlimboardError(
      'analysis_of_parent',
      `run ${run.id} (${run.slug}) was itself pruned with ratios chosen from the sensitivity analysis of "${analysis.model}"; ` +
        'those curves describe that model, not this one: start a "sensitivity" compression of this model first, then prune it to a target',
      { status: 409 },
    );
  }
  return analysis;
}
