/**
 * Accuracy-budget mode of PTQ: fall back quantized nodes to float, worst first, until the AP loss against
 * the float model is within the budget (or the candidates or steps run out). Greedy and cumulative: each
 * step adds the next worst node to the float set and re-evaluates the whole model; nothing is removed
 * again. The ranking (worst first) comes from the per-tensor error report (layer-error.ts).
 */
import { SlimboardError } from '../errors';

export interface BudgetStep {
  /** Nodes kept in float at this step (cumulative). */
  float: string[];
  ap: number;
  /** ap - fp32 AP (negative: a loss). */
  deltaAp: number;
  withinBudget: boolean;
}

export interface BudgetResult {
  fp32Ap: number;
  /** Largest allowed loss, in AP units (0.003 = 0.3 AP points). */
  budget: number;
  met: boolean;
  steps: BudgetStep[];
  /** The final float set (the last step's). */
  float: string[];
}

/**
 * `ranked`: candidate nodes, worst first. `evaluateAp(float)`: AP of the model quantized with `float` kept
 * in float. Step 0 is the fully quantized model. Stops at the first step within budget, after `maxSteps`
 * fallbacks, or when the candidates run out.
 */
export async function greedyFallback(
  fp32Ap: number,
  ranked: readonly string[],
  budget: number,
  maxSteps: number,
  evaluateAp: (float: readonly string[]) => Promise<number>,
): Promise<BudgetResult> {
  if (!(budget >= 0) || !Number.isFinite(budget))
    throw new SlimboardError('bad_arguments', `the AP budget must be a finite number >= 0, got ${budget}`);
  if (!Number.isInteger(maxSteps) || maxSteps < 0)
    throw new SlimboardError('bad_arguments', `the number of fallback steps must be an integer >= 0, got ${maxSteps}`);
  const steps: BudgetStep[] = [];
  const float: string[] = [];
  for (let k = 0; ; k++) {
    const ap = await evaluateAp([...float]);
    const deltaAp = ap - fp32Ap;
    const withinBudget = -deltaAp <= budget;
    steps.push({ float: [...float], ap, deltaAp, withinBudget });
    if (withinBudget || k >= maxSteps || k >= ranked.length) break;
    float.push(ranked[k]);
  }
  const last = steps[steps.length - 1];
  return { fp32Ap, budget, met: last.withinBudget, steps, float: last.float };
}
