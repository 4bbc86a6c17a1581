/**
 * Post-training int8 quantization of the demo baseline, measured: for each calibration method, the
 * int8 file's size vs fp32, COCO box AP on the val split vs fp32, calibration time, the int8 convs in
 * onnxruntime's optimised graph, and a PAIRED latency comparison (one session per model, warm-up, then
 * N rounds in which every model runs once in rotating order, so all see the same background load).
 *
 *   nice -n 10 npx tsx tools/bench/ptq.ts [--calib-dir DIR] [--val-dir DIR] [--images 100] [--size 416]
 *        [--methods minmax,percentile,entropy] [--percentile 99.999] [--threads 1] [--rounds 40] [--out-dir DIR] [--json FILE]
 *   nice -n 10 npx tsx tools/bench/ptq.ts --latency-only --out-dir DIR [--methods ...] [--rounds 200]
 *        (only the paired latency of the fp32 baseline and DIR/baseline_int8_<method>.onnx from an earlier run)
 *
 * Calibration uses the first --images images of the TRAIN split (seed 20261129, the demo zoo's), the
 * evaluation the 300-image VAL split: both are generated into a temp folder when not given.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { int8ConvCount, optimizedConvOps, quantizeModelFile } from '../../lib/compression/quantize-model';
import type { CalibrationMethod } from '../../lib/compression/calibrators';
import { DEMO_DATASET_SEED, writeSyntheticSplit } from '../../lib/datasets/synthetic';
import { evaluateDetectorOnCoco } from '../../lib/inference/detection/evaluate-detector';
import { buildBenchmarkFeeds } from '../../lib/inference/runtime/latency-harness';
import { parseModelAdapter } from '../../lib/inference/detection/model-adapter';
import { createSession, onnxruntimeVersion } from '../../lib/inference/runtime/ort';
import { scriptFlags } from './reference-model';

const flags = scriptFlags(process.argv.slice(2));
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '../..');
const baseline = path.join(root, 'lib/demo-zoo/models/yolov3_mobilenet_v1_x025_shapes.onnx');
const adapter = parseModelAdapter(JSON.parse(readFileSync(path.join(here, 'demo-zoo-adapter.json'), 'utf8')), 'demo-zoo-adapter.json');
const images = Number(flags.images ?? 100);
const size = Number(flags.size ?? 416);
const threads = Number(flags.threads ?? 1);
const rounds = Number(flags.rounds ?? 40);
const methods = (flags.methods ?? 'minmax,percentile,entropy').split(',') as CalibrationMethod[];
const percentile = flags.percentile ? Number(flags.percentile) : undefined;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'slimboard-ptq-'));
const outDir = flags['out-dir'] ?? tmp;

async function split(dir: string | undefined, name: string, count: number): Promise<string> {
  if (dir && existsSync(dir)) return dir;
  const d = dir ?? path.join(tmp, name);
  await writeSyntheticSplit({ outDir: d, split: name, count, seed: DEMO_DATASET_SEED });
  return d;
}

async function evaluate(model: string, valDir: string) {
  const r = await evaluateDetectorOnCoco({
    modelPath: model,
    datasetDir: valDir,
    inputSize: size,
    adapter,
    session: { intraOpNumThreads: threads },
  });
  return { AP: r.metrics.AP, AP50: r.metrics.AP50, images: r.dataset.images };
}

/** Paired latency: p50 and min per model over `rounds` interleaved single runs at [1, 3, size, size]. */
async function pairedLatency(models: Record<string, string>) {
  const names = Object.keys(models);
  const sessions = await Promise.all(names.map((n) => createSession(models[n], { intraOpNumThreads: threads })));
  const runs = sessions.map((s) => s.prepare(buildBenchmarkFeeds(s.inputs, size, s.source).feeds));
  const samples: number[][] = names.map(() => []);
  for (const run of runs) for (let i = 0; i < 5; i++) await run();
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < runs.length; k++) {
      const j = (k + r) % runs.length;
      const t0 = performance.now();
      await runs[j]();
      samples[j].push(performance.now() - t0);
    }
  }
  await Promise.all(sessions.map((s) => s.release()));
  const p50 = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  return Object.fromEntries(names.map((n, j) => [n, { p50Ms: p50(samples[j]), minMs: Math.min(...samples[j]) }]));
}

async function latencyOnly() {
  const models: Record<string, string> = { fp32: baseline };
  for (const m of methods) models[m] = path.join(outDir, `baseline_int8_${m}.onnx`);
  const lat = await pairedLatency(models);
  console.log(
    `paired latency at ${size}, ${threads} thread(s), ${rounds} rounds (${new Date().toISOString()}; load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join('/')})`,
  );
  for (const [name, l] of Object.entries(lat)) {
    console.log(`${name}\tp50 ${l.p50Ms.toFixed(2)} ms\tmin ${l.minMs.toFixed(2)} ms\tp50 / fp32 ${(l.p50Ms / lat.fp32.p50Ms).toFixed(3)}`);
  }
}

async function main() {
  if (flags['latency-only'] === 'true') return latencyOnly();
  const started = new Date();
  const calibDir = await split(flags['calib-dir'], 'train', images);
  const valDir = await split(flags['val-dir'], 'val', 300);
  const fp32 = await evaluate(baseline, valDir);
  const fp32Ops = await optimizedConvOps(baseline);
  const rows: Array<Record<string, unknown>> = [];
  const models: Record<string, string> = { fp32: baseline };
  for (const method of methods) {
    const out = path.join(outDir, `baseline_int8_${method}.onnx`);
    const t0 = performance.now();
    const rep = await quantizeModelFile({
      modelPath: baseline,
      outPath: out,
      calibDataset: calibDir,
      calibImages: images,
      inputSize: size,
      method,
      percentile,
      adapter,
      threads,
    });
    const quantizeS = (performance.now() - t0) / 1000;
    const ev = await evaluate(out, valDir);
    models[method] = out;
    rows.push({
      method: method + (rep.percentile !== null ? ` ${rep.percentile}` : ''),
      AP: ev.AP,
      AP50: ev.AP50,
      dAP: ev.AP - fp32.AP,
      int8Bytes: rep.int8Bytes,
      sizeRatio: rep.sizeRatio,
      calibrationS: rep.calibration.elapsedMs / 1000,
      quantizeS,
      int8Convs: rep.onnxruntime.int8Convs,
      optimizedConvOps: rep.onnxruntime.optimizedConvOps,
    });
  }
  const latency = rounds > 0 ? await pairedLatency(models) : {};
  const result = {
    date: started.toISOString(),
    command: `npx tsx tools/bench/ptq.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: `${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join('/')}, onnxruntime-node ${onnxruntimeVersion}`,
    model: path.relative(root, baseline),
    calibration: { dir: calibDir, split: 'train', images, inputSize: size },
    evaluation: { dir: valDir, split: 'val', images: fp32.images, inputSize: size },
    fp32: { ...fp32, bytes: readFileSync(baseline).length, optimizedConvOps: fp32Ops, int8Convs: int8ConvCount(fp32Ops) },
    methods: rows,
    latency: { threads, rounds, perModel: latency },
  };
  const lat = latency as Record<string, { p50Ms: number; minMs: number }>;
  const f = (v: number, d = 4) => v.toFixed(d);
  const lines = [
    `PTQ of ${result.model}: calibrated on ${images} train images, evaluated on ${fp32.images} val images at ${size} (${result.date})`,
    result.machine,
    '',
    '| model | Box AP | AP50 | ΔAP | bytes | of fp32 | calibration s | int8 convs (ORT optimised) | paired p50 ms (min) |',
    '|---|---|---|---|---|---|---|---|---|',
    `| fp32 | ${f(fp32.AP)} | ${f(fp32.AP50)} | - | ${result.fp32.bytes} | 100 % | - | ${result.fp32.int8Convs} ` +
      `| ${lat.fp32 ? `${f(lat.fp32.p50Ms, 2)} (${f(lat.fp32.minMs, 2)})` : '-'} |`,
    ...rows.map((r, i) => {
      const l = lat[methods[i]];
      return (
        `| int8 ${r.method} | ${f(r.AP as number)} | ${f(r.AP50 as number)} | ${f(r.dAP as number)} | ${r.int8Bytes} ` +
        `| ${f(100 * (r.sizeRatio as number), 1)} % | ` +
        `${f(r.calibrationS as number, 1)} | ${r.int8Convs} | ${l ? `${f(l.p50Ms, 2)} (${f(l.minMs, 2)})` : '-'} |`
      );
    }),
  ];
  console.log(lines.join('\n'));
  if (flags.json) writeFileSync(flags.json, JSON.stringify(result, null, 2) + '\n');
}

main().catch((e) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
