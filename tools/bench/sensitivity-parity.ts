/**
 * Sensitivity analysis parity: `runSensitivity` (lib/compression/sensitivity.ts, what `compress sensitivity`
 * runs) on the demo baseline with the reference's settings (lib/demo-zoo/models/sensitivity.json: its 18 head
 * parameters, its ratios, the first 40 val images at 320), compared cell by cell with the reference's AP.
 * Prints the cells within 0.005 AP, the max |ΔAP|, the wall time and the machine load (1-minute load average
 * before and after, logical cores).
 *
 *   nice -n 10 npx tsx tools/bench/sensitivity-parity.ts [--val-dir DIR] [--threads 1] [--json FILE] [--zoo DIR]
 *
 * --zoo: a folder with manifest.json, sensitivity.json and the baseline's file (default lib/demo-zoo/models),
 * e.g. the side pipeline's output before it is shipped.
 * The val split (seed 20261129, the demo zoo's) is generated into a temp folder when --val-dir is not given.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readModelWithParamNames } from '../../lib/compression/param-names';
import { runSensitivity } from '../../lib/compression/sensitivity';
import { ensureDemoValSplit } from '../../lib/demo-zoo/val-split';
import { parseModelAdapter } from '../../lib/inference/detection/model-adapter';
import { parseSensitivityAnalysis } from '../../lib/zoo/sensitivity-analysis';
import { scriptFlags } from './reference-model';

const TOLERANCE = 0.005;
const flags = scriptFlags(process.argv.slice(2));
const here = path.dirname(fileURLToPath(import.meta.url));
const zoo = flags.zoo ?? path.join(here, '../../lib/demo-zoo/models');
const adapter = parseModelAdapter(JSON.parse(readFileSync(path.join(here, 'demo-zoo-adapter.json'), 'utf8')), 'demo-zoo-adapter.json');
const reference = parseSensitivityAnalysis(JSON.parse(readFileSync(path.join(zoo, 'sensitivity.json'), 'utf8')), 'sensitivity.json');
const threads = Number(flags.threads ?? 1);

async function main() {
  const valDir = flags['val-dir'] ?? path.join(mkdtempSync(path.join(os.tmpdir(), 'slimboard-sens-')), 'val');
  await ensureDemoValSplit(valDir);
  const model = readModelWithParamNames(path.join(zoo, 'yolov3_mobilenet_v1_x025_shapes.onnx'), path.join(zoo, 'manifest.json'));
  const loadBefore = os.loadavg()[0];
  const t0 = performance.now();
  const run = await runSensitivity({
    model: model.model,
    source: model.source,
    modelLabel: 'baseline',
    datasetDir: valDir,
    options: {
      split: 'val',
      images: reference.valImages,
      inputSize: reference.inputSize,
      ratios: reference.ratios,
      params: Object.keys(reference.parameters),
    },
    adapter,
    threads,
  });
  const wallS = (performance.now() - t0) / 1000;
  const loadAfter = os.loadavg()[0];
  const rows: Array<{ param: string; ratio: number; referenceAp: number; ap: number; delta: number }> = [];
  for (const [param, refRows] of Object.entries(reference.parameters)) {
    refRows.forEach((ref, i) => {
      const ap = run.analysis.parameters[param][i].ap;
      rows.push({ param, ratio: ref.ratio, referenceAp: ref.ap, ap, delta: ap - ref.ap });
    });
  }
  const within = rows.filter((r) => Math.abs(r.delta) <= TOLERANCE).length;
  const maxAbs = Math.max(...rows.map((r) => Math.abs(r.delta)));
  console.log('ratio\treference AP\tAP\tΔAP\tparameter');
  for (const r of rows)
    console.log(`${r.ratio}\t${r.referenceAp.toFixed(5)}\t${r.ap.toFixed(5)}\t${r.delta >= 0 ? '+' : ''}${r.delta.toFixed(5)}\t${r.param}`);
  console.log(
    `baseline AP ${run.analysis.baselineAp.toFixed(5)} ` +
      `(reference ${reference.baselineAp}, Δ ${(run.analysis.baselineAp - reference.baselineAp).toFixed(5)})`,
  );
  console.log(`cells within ${TOLERANCE} AP: ${within} of ${rows.length}; max |ΔAP| ${maxAbs.toFixed(5)}`);
  console.log(
    `wall ${wallS.toFixed(1)} s for ${run.computed} evaluations ` +
      `(${reference.valImages} images at ${reference.inputSize}, threads ${threads}; ` +
      `preprocessing ${(run.preprocessMs / 1000).toFixed(1)} s)`,
  );
  console.log(
    `machine: ${os.cpus().length} logical cores, load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
  );
  if (flags.json)
    writeFileSync(
      flags.json,
      JSON.stringify({ within, cells: rows.length, maxAbs, wallS, loadBefore, loadAfter, rows, analysis: run.analysis }, null, 2),
    );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
