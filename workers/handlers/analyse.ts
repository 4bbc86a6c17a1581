import { forkMeasurement } from '@/lib/measure/fork-measurement';
import type { MeasureContext } from './measure-context';
import { probeModel } from './model-probe';

/** analyse: probe the model at the input size (runs, finite outputs), then GFLOPs/params/bytes (`analyze`'s library call, in a child). */
export async function analyse(c: MeasureContext): Promise<Record<string, unknown>> {
  const size = c.job.payload.inputSize;
  const probe = await probeModel(c.modelPath, c.label, size);
  await c.job.reportProgress(0.4);
  const request = { kind: 'analyze' as const, modelPath: c.modelPath, inputSize: size, convention: 'paddleslim' as const };
  const counted = await forkMeasurement(request, c.job.signal);
  await c.job.reportProgress(0.9);
  return { ...counted, outputShapes: probe.outputs };
}
