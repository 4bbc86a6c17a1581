import fs from 'node:fs/promises';
import path from 'node:path';
import { ensureLocalDataset } from '@/lib/datasets/dataset-registry';
import { runCliJson } from '../measure-with-cli';
import { SlimboardError } from '@/lib/errors';
import { measuredAdapterOf } from '@/lib/inference/detection/measured-adapter';
import { ZModelAdapter } from '@/lib/inference/detection/model-adapter';
import type { MeasureContext } from './measure-context';

/**
 * evaluate: accuracy on the run's dataset via `evaluate`. A registered dataset (`dataset add`) is fetched
 * from the artifact store by its sha256 and unpacked into this worker's cache; an unregistered key falls
 * back to a folder installed under `<dataDir>/datasets/<key>/` (e.g. by `slimboard dataset synth --out …`).
 * The run's adapter (if given) goes to the command as a JSON file; the resolved adapter is stored with the result
 * (`measuredAdapter`, lib/inference/detection/measured-adapter.ts).
 */
export async function evaluate(c: MeasureContext): Promise<Record<string, unknown>> {
  const key = c.job.payload.dataset ?? c.meta.dataset;
  const dataset = await ensureLocalDataset(key, { ...c.datasets, dataDir: c.dataDir });
  const args = ['evaluate', c.modelPath, '--dataset', dataset.dir, '--input-size', String(c.job.payload.inputSize), '--threads', String(c.device.threads)];
  // A registered dataset says its format (VOC → mAP, WIDER FACE → easy/medium/hard); else the folder's layout decides.
  if (dataset.format) args.push('--format', dataset.format);
  if (dataset.split && dataset.format !== 'widerface') args.push('--split', dataset.split);
  if (c.meta.adapter) {
    const adapterFile = path.join(c.scratchDir, 'adapter.json');
    await fs.writeFile(adapterFile, JSON.stringify(c.meta.adapter));
    args.push('--adapter', adapterFile);
  }
  await c.job.reportProgress(0.1);
  // The CLI draws a progress bar on stderr ("… 37/300 …"): forward it to the jobs page.
  const result = await runCliJson(args, c.job.signal, (line) => {
    const m = /(\d+)\s*\/\s*(\d+)/.exec(line);
    if (m && Number(m[2]) > 0) void c.job.reportProgress(0.1 + 0.85 * (Number(m[1]) / Number(m[2])));
  });
  // The adapter that measured these numbers is stored with them: declared, inherited (which run) or auto-detected (what).
  const resolved = ZModelAdapter.safeParse(result.adapterSpec);
  if (!resolved.success) throw new SlimboardError('evaluation_unrecognised', 'evaluate output has no adapterSpec (the adapter that measured it)');
  const { adapterSpec: _spec, ...rest } = result;
  return { ...rest, measuredAdapter: measuredAdapterOf({ declaredAdapter: c.meta.adapter !== undefined, adapterFromRunId: c.adapterFromRunId }, resolved.data) };
}
