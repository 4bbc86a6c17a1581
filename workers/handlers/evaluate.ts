import { ensureLocalDataset } from '@/lib/datasets/dataset-registry';
import { forkMeasurement } from '@/lib/measure/fork-measurement';
import type { MeasureContext } from './measure-context';

/**
 * evaluate: accuracy on the run's dataset (`evaluate`'s library call, lib/measure/run-measurement.ts, in a
 * child process). A registered dataset (`dataset add`) is fetched from the artifact store by its sha256 and
 * unpacked into this worker's cache; an unregistered key falls back to a folder installed under
 * `<dataDir>/datasets/<key>/` (e.g. by `slimboard dataset synth --out …`). The run's adapter (if given) is
 * passed as is and parsed by the same schema as `evaluate --adapter FILE`. Progress: images done over total.
 */
export async function evaluate(c: MeasureContext): Promise<Record<string, unknown>> {
  const key = c.job.payload.dataset ?? c.meta.dataset;
  const dataset = await ensureLocalDataset(key, { ...c.datasets, dataDir: c.dataDir });
  await c.job.reportProgress(0.1);
  return forkMeasurement(
    {
      kind: 'evaluate',
      modelPath: c.modelPath,
      datasetDir: dataset.dir,
      // A registered dataset says its format (VOC → mAP, WIDER FACE → easy/medium/hard); else the folder's layout decides.
      format: dataset.format ?? null,
      split: dataset.split && dataset.format !== 'widerface' ? dataset.split : undefined,
      inputSize: c.job.payload.inputSize,
      threads: c.device.threads,
      adapter: c.meta.adapter ?? undefined,
    },
    c.job.signal,
    (f) => void c.job.reportProgress(0.1 + 0.85 * f),
  );
}
