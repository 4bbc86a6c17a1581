import { runCliJson } from '../measure-with-cli';
import type { MeasureContext } from './measure-context';
import { probeModel } from './model-probe';

/** analyse: probe the model at the input size (runs, finite outputs), then GFLOPs/params/bytes via `analyze`. */
export async function analyse(c: MeasureContext): Promise<Record<string, unknown>> {
  const size = c.job.payload.inputSize;
  const probe = await probeModel(c.modelPath, c.label, size);
  await c.job.reportProgress(0.4);
  const counted = await runCliJson(['analyze', c.modelPath, '--input-size', String(size), '--convention', 'paddleslim'], c.job.signal);
  await c.job.reportProgress(0.9);
  return { ...counted, outputShapes: probe.outputs };
}
