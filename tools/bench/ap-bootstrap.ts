/**
 * Benchmark: the paired bootstrap of ΔAP (lib/metrics/coco-bootstrap.ts) on the 300-image demo val split at
 * one input size: demo quant_post vs the demo baseline and prune_r578 vs the baseline. Prints the seconds of
 * each comparison (both models' per-image evaluation + all resamples; target <= 5 s for 1000 resamples), and
 * the ΔAP / ΔAP50 / ΔAP75 intervals in points.
 *
 *   npx tsx tools/bench/ap-bootstrap.ts [--input-size 416] [--resamples 1000] [--seed S] [--runs 3] [--dir DIR]
 *
 * The val split (`dataset synth`, the demo seed) and the three detection files (`evaluate … --save-dt`, the
 * demo zoo adapter tools/bench/demo-zoo-adapter.json, 1 intra-op thread) are made under DIR
 * (default .slimboard/bench/ap-bootstrap) when missing; that takes about a minute per model on 2 cores.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { cocoApDeltaBootstrap, COCO_BOOTSTRAP_METRICS } from '../../lib/metrics/coco-bootstrap';
import { readCocoGroundTruthFile, readCocoResultsFile } from '../../lib/metrics/formats/coco-json';
import { DEFAULT_BOOTSTRAP_RESAMPLES, DEFAULT_BOOTSTRAP_SEED, formatPointsDelta } from '../../lib/metrics/paired-bootstrap';

const TARGET_SECONDS = 5;
const ZOO = 'lib/demo-zoo/models';
const BASELINE = 'yolov3_mobilenet_v1_x025_shapes';
const CANDIDATES = ['yolov3_mobilenet_v1_x025_shapes_quant_post', 'yolov3_mobilenet_v1_x025_shapes_prune_r578'];

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const inputSize = Number(flag('input-size', '416'));
const resamples = Number(flag('resamples', String(DEFAULT_BOOTSTRAP_RESAMPLES)));
const seed = Number(flag('seed', String(DEFAULT_BOOTSTRAP_SEED)));
const runs = Number(flag('runs', '3'));
const dir = flag('dir', '.slimboard/bench/ap-bootstrap');

const cli = (argv: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', ...argv], { stdio: ['ignore', 'ignore', 'inherit'] });
const dataset = path.join(dir, 'demo-val');
const gtPath = path.join(dataset, 'annotations', 'instances_val.json');
if (!existsSync(gtPath)) {
  mkdirSync(dir, { recursive: true });
  process.stdout.write(`generating the demo val split in ${dataset}...\n`);
  cli(['dataset', 'synth', '--out', dataset, '--split', 'val']);
}
const dtPath = (model: string) => path.join(dir, `${model}.${inputSize}.dt.json`);
for (const model of [BASELINE, ...CANDIDATES]) {
  if (existsSync(dtPath(model))) continue;
  process.stdout.write(`evaluating ${model} at ${inputSize} (detections to ${dtPath(model)})...\n`);
  cli([
    'evaluate', path.join(ZOO, `${model}.onnx`), '--dataset', dataset, '--split', 'val', '--input-size', String(inputSize),
    '--adapter', 'tools/bench/demo-zoo-adapter.json', '--threads', '1', '--save-dt', dtPath(model), '--json',
  ]);
}

const gt = readCocoGroundTruthFile(gtPath);
const baseline = readCocoResultsFile(dtPath(BASELINE), gt, { strict: true });
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const loadStart = loadavg();
process.stdout.write(
  `machine: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, node ${process.version}\n` +
    `load average at start: ${loadStart.map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores ` +
    '(wall times under load are pessimistic)\n' +
    `split: ${gt.imageIds.length} images, ${gt.annImage.length} GT boxes; input size ${inputSize}; ` +
    `${resamples} resamples, seed ${seed}, best of ${runs} runs\n`,
);
let worst = 0;
for (const model of CANDIDATES) {
  const candidate = readCocoResultsFile(dtPath(model), gt, { strict: true });
  const wall: number[] = [];
  const cpu: number[] = [];
  let result;
  for (let r = 0; r < runs; r++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    result = cocoApDeltaBootstrap(gt, candidate, baseline, { resamples, seed });
    wall.push((performance.now() - t0) / 1000);
    cpu.push((cpuMs() - c0) / 1000);
  }
  const best = Math.min(...wall);
  worst = Math.max(worst, best);
  const name = model.replace(`${BASELINE}_`, '');
  process.stdout.write(
    `\n${name} vs baseline (${candidate.detImage.length} vs ${baseline.detImage.length} detections): ` +
      `wall ${wall.map((s) => s.toFixed(2)).join(', ')} s, cpu ${cpu.map((s) => s.toFixed(2)).join(', ')} s\n`,
  );
  if (!result) continue;
  for (const m of COCO_BOOTSTRAP_METRICS) {
    const d = result.metrics[m];
    const both = `candidate ${(d.candidate * 100).toFixed(2)}, baseline ${(d.baseline * 100).toFixed(2)}`;
    process.stdout.write(`  Δ${m.padEnd(5)} ${formatPointsDelta(d)} points (${both})\n`);
  }
}
process.stdout.write(
  `\nslowest comparison (best run): ${worst.toFixed(2)} s for ${resamples} resamples ` +
    `(target <= ${TARGET_SECONDS} s): ${worst <= TARGET_SECONDS ? 'PASS' : 'FAIL'}` +
    `${loadavg()[0] > cpus().length ? '  (machine busy: load above the core count; rerun when quieter)' : ''}\n` +
    `load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`,
);
