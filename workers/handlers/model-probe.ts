import { SlimboardError } from '@/lib/errors';
import { buildBenchmarkFeeds } from '@/lib/inference/runtime/latency-harness';
import { createSession } from '@/lib/inference/runtime/ort';

/**
 * Run the model once at the job's input size and check every output is finite. This turns the
 * "input size the model rejects" and "NaN outputs" cases into one clear failed-job reason before
 * any number is recorded.
 */
export async function probeModel(modelPath: string, label: string, inputSize: number): Promise<{ outputs: Record<string, number[]> }> {
  const session = await createSession(modelPath, { intraOpNumThreads: 1 });
  try {
    const { feeds } = buildBenchmarkFeeds(session.inputs, inputSize, label);
    let out;
    try {
      out = await session.run(feeds);
    } catch (e) {
      if (e instanceof SlimboardError) throw e;
      throw new SlimboardError(
        'input_size_rejected',
        `${label}: the model cannot run at input size ${inputSize}x${inputSize} ` +
          `(${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`,
      );
    }
    const shapes: Record<string, number[]> = {};
    for (const [name, t] of Object.entries(out)) {
      shapes[name] = t.dims;
      let bad = 0;
      for (let i = 0; i < t.data.length; i++) if (!Number.isFinite(t.data[i])) bad++;
      if (bad > 0) {
        throw new SlimboardError(
          'non_finite_outputs',
          `${label}: output "${name}" has ${bad} of ${t.data.length} values NaN or infinite at input size ${inputSize}`,
        );
      }
    }
    return { outputs: shapes };
  } finally {
    await session.release();
  }
}
