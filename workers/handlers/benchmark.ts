import { getEnv } from '@/lib/env';
import { formatZodIssues, SlimboardError } from '@/lib/errors';
import { ZPairedLatencyResult } from '@/lib/measure/benchmark-paired';
import { waitForQuietMachine } from '@/lib/measure/machine-load';
import { forkMeasurement } from '@/lib/measure/fork-measurement';
import { progressBetween, type MeasureContext } from './measure-context';

/**
 * benchmark: latency at the input size with the device's thread count (lib/measure/run-measurement.ts
 * `bench`, in a child process: fingerprint and every raw timed sample kept, >= 100 under the standard
 * protocol). When the run declares a baseline with a stored ONNX file, a paired benchmark (`bench-paired`:
 * ABBA-interleaved session pairs in one process, lib/measure/benchmark-paired.ts) follows and its
 * validated result is stored as `paired`; otherwise `paired` is null and `pairedSkipped` says why.
 * With SLIMBOARD_NOISE_WAIT_SECONDS > 0 it first waits up to that long for a quiet machine (noise guard);
 * it then measures either way, and `quietWait` records how long it waited and whether the machine got quiet.
 */
export async function benchmark(c: MeasureContext): Promise<Record<string, unknown>> {
  const common = { inputSize: c.job.payload.inputSize, threads: c.device.threads, quick: getEnv().SLIMBOARD_BENCH_QUICK };
  const waitS = getEnv().SLIMBOARD_NOISE_WAIT_SECONDS;
  let quietWait: { maxWaitMs: number; waitedMs: number; quiet: boolean } | null = null;
  if (waitS > 0) {
    const w = await waitForQuietMachine({ maxWaitMs: waitS * 1000, signal: c.job.signal });
    quietWait = { maxWaitMs: waitS * 1000, waitedMs: w.waitedMs, quiet: w.quiet };
  }
  const hasPair = c.baseline.modelPath !== null;
  const single = await forkMeasurement(
    { kind: 'bench', modelPath: c.modelPath, ...common },
    c.job.signal,
    progressBetween(c, 0.1, hasPair ? 0.4 : 0.95),
  );
  if (c.baseline.modelPath === null) return { ...single, quietWait, paired: null, pairedSkipped: c.baseline.reason };
  await c.job.reportProgress(0.5);
  let raw: Record<string, unknown>;
  try {
    const request = { kind: 'bench-paired' as const, modelPath: c.modelPath, baselinePath: c.baseline.modelPath, ...common };
    raw = await forkMeasurement(request, c.job.signal, progressBetween(c, 0.5, 0.95));
  } catch (e) {
    // The pair was refused (e.g. the baseline cannot take this input size): the candidate's own
    // benchmark stands; record why there is no paired result. Crashes and aborts propagate (retry / shutdown).
    if (e instanceof SlimboardError) return { ...single, quietWait, paired: null, pairedSkipped: `paired benchmark refused: ${e.message}` };
    throw e;
  }
  const parsed = ZPairedLatencyResult.safeParse(raw);
  // A contract mismatch between the child and the worker is a bug: a plain Error, so the job is retried and logged.
  if (!parsed.success) throw new Error(`the paired benchmark returned an unexpected result: ${formatZodIssues(parsed.error.issues)}`);
  return { ...single, quietWait, paired: { ...parsed.data, baselineSlug: c.baseline.slug } };
}
