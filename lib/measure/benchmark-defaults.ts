import type { SessionOptions } from '../inference/runtime/ort';

/** The benchmark defaults shared by the worker's measurements (./run-measurement.ts) and the `bench` command. */

/**
 * Session options of every benchmark unless a CLI flag overrides them: `threads` intra-op, 1 inter-op, all graph
 * optimizations, spinning.
 */
export function benchmarkSessionOptions(
  threads: number,
): Required<Pick<SessionOptions, 'intraOpNumThreads' | 'interOpNumThreads' | 'graphOptimizationLevel' | 'intraOpSpinning'>> {
  return { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', intraOpSpinning: true };
}

/** Where a single benchmark reports its phases, as a fraction of the whole (cold start, warm-up, timed). */
export const BENCH_PHASE_PROGRESS = { cold: 0.05, warmup: 0.2, timed: 1 } as const;
