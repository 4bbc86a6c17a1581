import { ZMachineLoad } from '../measure/machine-load';

/**
 * The noise guard's flag on a measured latency (lib/measure/machine-load.ts): a benchmark result whose timed phase
 * ran on a busy machine stores `machineLoad.busy` with one reason per exceeded threshold. The zoo and the model
 * page mark such a number "busy", with the reasons on hover; a quiet or unmeasured load (no /proc) is no flag.
 * Returns null when the stored result has no valid `machineLoad` or the machine was not busy.
 */
export interface MachineLoadFlag {
  reasons: string[];
  /** Hover text: the reasons and what to do. */
  title: string;
}

export function machineLoadFlag(storedMetrics: unknown): MachineLoadFlag | null {
  const load = (storedMetrics as { machineLoad?: unknown } | null)?.machineLoad;
  const parsed = ZMachineLoad.safeParse(load);
  if (!parsed.success || !parsed.data.busy) return null;
  const reasons = parsed.data.reasons.length ? parsed.data.reasons : ['the machine was flagged busy'];
  return {
    reasons,
    title: `Measured on a busy machine: ${reasons.join('; ')}. The number is noisy; re-run the benchmark on a quiet machine.`,
  };
}
