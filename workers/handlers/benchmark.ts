import { getEnv } from '@/lib/env';
import { formatZodIssues, SlimboardError } from '@/lib/errors';
import { ZPairedLatencyResult } from '@/lib/measure/benchmark-paired';
import { waitForQuietMachine } from '@/lib/measure/machine-load';
import { runCliJson } from '../measure-with-cli';
import type { MeasureContext } from './measure-context';

/**
 * benchmark: latency at the input size with the device's thread count, via `bench --samples` (fingerprint
 * and every raw timed sample kept: >= 100 under the standard protocol). When the run declares a baseline
 * with a stored ONNX file, a paired benchmark (`bench MODEL --baseline BASE`, ABBA-interleaved in one
 * process, lib/measure/benchmark-paired.ts) follows and its validated result is stored as `paired`;
 * otherwise `paired` is null and `pairedSkipped` says why.
 * With SLIMBOARD_NOISE_WAIT_SECONDS > 0 it first waits up to that long for a quiet machine (noise guard);
 * it then measures either way, and `quietWait` records how long it waited and whether the machine got quiet.
 */
/** Map the CLI's "progress F" stderr lines onto the job's progress between `from` and `to`. */
function followProgress(c: MeasureContext, from: number, to: number): (line: string) => void {
  return (line) => {
    const m = /^progress (\d+(?:\.\d+)?)$/.exec(line);
    if (m) void c.job.reportProgress(from + (to - from) * Math.min(1, Number(m[1])));
  };
}

export async function benchmark(c: MeasureContext): Promise<Record<string, unknown>> {
  const common = ['--input-size', String(c.job.payload.inputSize), '--threads', String(c.device.threads), '--progress'];
  if (getEnv().SLIMBOARD_BENCH_QUICK) common.push('--quick');
  const waitS = getEnv().SLIMBOARD_NOISE_WAIT_SECONDS;
  let quietWait: { maxWaitMs: number; waitedMs: number; quiet: boolean } | null = null;
  if (waitS > 0) {
    const w = await waitForQuietMachine({ maxWaitMs: waitS * 1000, signal: c.job.signal });
    quietWait = { maxWaitMs: waitS * 1000, waitedMs: w.waitedMs, quiet: w.quiet };
  }
  const hasPair = c.baseline.modelPath !== null;
  const singleArgs = ['bench', c.modelPath, ...common, '--samples'];
  const single = await runCliJson(singleArgs, c.job.signal, followProgress(c, 0.1, hasPair ? 0.4 : 0.95));
  if (c.baseline.modelPath === null) return { ...single, quietWait, paired: null, pairedSkipped: c.baseline.reason };
  await c.job.reportProgress(0.5);
  let raw: Record<string, unknown>;
  try {
    const pairArgs = ['bench', c.modelPath, '--baseline', c.baseline.modelPath, ...common];
    raw = await runCliJson(pairArgs, c.job.signal, followProgress(c, 0.5, 0.95));
  } catch (e) {
    // The CLI refused the pair (exit 2: e.g. the baseline cannot take this input size): the candidate's own
    // benchmark stands; record why there is no paired result. Crashes and aborts propagate (retry / shutdown).
    if (e instanceof SlimboardError) return { ...single, quietWait, paired: null, pairedSkipped: `paired benchmark refused: ${e.message}` };
    throw e;
  }
  const parsed = ZPairedLatencyResult.safeParse(raw);
  // A contract mismatch between the CLI and the worker is a bug: a plain Error, so the job is retried and logged.
  if (!parsed.success) throw new Error(`bench --baseline printed an unexpected result: ${formatZodIssues(parsed.error.issues)}`);
  return { ...single, quietWait, paired: { ...parsed.data, baselineSlug: c.baseline.slug } };
}
