import { getEnv } from '@/lib/env';
import { runCliJson } from '../measure-with-cli';
import type { MeasureContext } from './measure-context';

/** benchmark: latency at the input size with the device's thread count, via `bench` (fingerprint included). */
export async function benchmark(c: MeasureContext): Promise<Record<string, unknown>> {
  const args = ['bench', c.modelPath, '--input-size', String(c.job.payload.inputSize), '--threads', String(c.device.threads)];
  if (getEnv().SLIMBOARD_BENCH_QUICK) args.push('--quick');
  let phases = 0;
  return runCliJson(args, c.job.signal, () => {
    phases = Math.min(phases + 1, 8);
    void c.job.reportProgress(0.1 + phases * 0.1);
  });
}
