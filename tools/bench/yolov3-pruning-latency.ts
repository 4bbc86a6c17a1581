/**
 * Latency of the YOLOv3-MobileNetV1 baseline and its r578 / sensity channel-pruned graphs on this CPU,
 * under the standard protocol (lib/inference/runtime/latency-harness.ts), next to the published reductions
 * (PaddleDetection slim benchmark, VOC, r578: Tesla P4 TensorRT -39.21/-39.34/-37.77 % and ARM
 * PaddleLite 4 threads -55.98 .. -60.91 % at 608/416/320).
 *
 *   nice -n 10 npx tsx tools/bench/yolov3-pruning-latency.ts [--num-classes 20] [--sizes 320,416,608]
 *        [--threads 2] [--rounds 1] [--quick] [--interleaved N] [--skip-protocol] [--json FILE]
 *
 * Graphs: built by lib/onnx (seeded random weights; latency does not depend on weight values) and
 * pruned with the seed's --pruned_params and the r578 / sensity ratio lists. For each input size the
 * three models are measured one after the other (with --rounds > 1 in alternating order, baseline
 * r578 sensity / sensity r578 baseline, and the round with the median p50 is reported per model, so
 * drift in machine load hits all models alike); a reduction is 1 - pruned / baseline on p50 (and on
 * the mean), shown only when the fingerprints agree on everything but the model hash.
 *
 * --interleaved N (default 30; 0 to skip) adds a PAIRED comparison for a busy machine: one session
 * per model (same options), 5 warm-up runs each, then N rounds in which every model runs once (order
 * rotating each round), so all three see the same background load; per-model p50 and min over the
 * N samples and the reductions from them. This is not the latency protocol (no 10 s floor per model),
 * it is the fairer relative comparison when other jobs share the cores.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compareFingerprints } from '../../lib/inference/runtime/fingerprint';
import {
  buildBenchmarkFeeds,
  measureLatency,
  QUICK_PROTOCOL,
  STANDARD_PROTOCOL,
  type LatencyMeasurement,
} from '../../lib/inference/runtime/latency-harness';
import { summarizeLatency } from '../../lib/inference/runtime/latency-statistics';
import { createSession } from '../../lib/inference/runtime/ort';
import { pruneChannels } from '../../lib/onnx/channel-prune';
import { encodeModel } from '../../lib/onnx/model-file';
import { buildYoloV3, RATIOS_R578, RATIOS_SENSITY, YOLO_HEAD_PRUNED_PARAMS } from '../../lib/onnx/yolov3';
import { scriptFlags } from './reference-model';

const flags = scriptFlags(process.argv.slice(2));
const numClasses = Number(flags['num-classes'] ?? 20);
const sizes = (flags.sizes ?? '320,416,608').split(',').map(Number);
const threads = Number(flags.threads ?? 2);
const protocol = flags.quick === 'true' ? QUICK_PROTOCOL : STANDARD_PROTOCOL;
const rounds = Number(flags.rounds ?? 1);
const interleaved = Number(flags.interleaved ?? 30);
/** --skip-protocol: only the paired comparison (the protocol part takes ~15 min on 2 cores). */
const skipProtocol = flags['skip-protocol'] === 'true';

const PUBLISHED_R578: Record<number, { teslaP4: number; kirin970: number; sd835: number; sd855: number }> = {
  608: { teslaP4: -39.21, kirin970: -57.97, sd835: -55.98, sd855: -57.43 },
  416: { teslaP4: -39.34, kirin970: -59.17, sd835: -58.17, sd855: -59.95 },
  320: { teslaP4: -37.77, kirin970: -58.9, sd835: -56.39, sd855: -60.91 },
};

const dir = os.tmpdir();
const base = buildYoloV3({ backbone: 'mobilenet_v1', numClasses });
const files: Record<string, string> = { baseline: path.join(dir, `slimboard-yolov3-mbv1-${numClasses}-baseline.onnx`) };
writeFileSync(files.baseline, encodeModel(base));
for (const [name, ratios] of [
  ['r578', RATIOS_R578],
  ['sensity', RATIOS_SENSITY],
] as const) {
  const pruned = pruneChannels(buildYoloV3({ backbone: 'mobilenet_v1', numClasses }), { params: YOLO_HEAD_PRUNED_PARAMS, ratios });
  files[name] = path.join(dir, `slimboard-yolov3-mbv1-${numClasses}-${name}.onnx`);
  writeFileSync(files[name], encodeModel(pruned.model));
}

const all: Array<{ model: string; inputSize: number; m: LatencyMeasurement }> = [];
for (const size of skipProtocol ? [] : sizes) {
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? ['baseline', 'r578', 'sensity'] : ['sensity', 'r578', 'baseline'];
    for (const model of order) {
      const m = await measureLatency(files[model], {
        inputSize: size,
        protocol,
        session: { intraOpNumThreads: threads, interOpNumThreads: 1 },
      });
      all.push({ model, inputSize: size, m });
      const s = m.summary;
      process.stdout.write(
        `${model.padEnd(8)} ${size} round ${r + 1}: p50 ${s.p50Ms.toFixed(1)} ms, mean ${s.meanMs.toFixed(1)} ± ${s.stdMs.toFixed(1)}, ` +
          `p90 ${s.p90Ms.toFixed(1)}, p99 ${s.p99Ms.toFixed(1)}, min ${s.minMs.toFixed(1)}, ${m.timed.runs} runs, ` +
          `cold ${m.coldStart.sessionCreateMs.toFixed(0)}+${m.coldStart.firstRunMs.toFixed(0)} ms, ` +
          `load ${m.loadAverage1m.before.toFixed(1)}->${m.loadAverage1m.after.toFixed(1)}\n`,
      );
    }
  }
}
/** Per model and size: the round with the median p50 (lower median for an even count). */
const results = sizes.flatMap((size) =>
  ['baseline', 'r578', 'sensity'].map((model) => {
    const rs = all.filter((r) => r.model === model && r.inputSize === size).sort((a, b) => a.m.summary.p50Ms - b.m.summary.p50Ms);
    return rs[Math.floor((rs.length - 1) / 2)];
  }),
);

const pct = (a: number, b: number) => (100 * (a - b)) / b;
const table: string[] = [
  '| input | model | p50 ms | mean ms | std ms | p50 vs baseline | mean vs baseline | published r578 (P4 / Kirin970 / SD835 / SD855) |',
  '|---|---|---|---|---|---|---|---|',
];
const summary: unknown[] = [];
for (const size of skipProtocol ? [] : sizes) {
  const b = results.find((r) => r.model === 'baseline' && r.inputSize === size)!.m;
  for (const model of ['baseline', 'r578', 'sensity']) {
    const m = results.find((r) => r.model === model && r.inputSize === size)!.m;
    const cmp = compareFingerprints(b.fingerprint, m.fingerprint, ['modelSha256']);
    const p50 =
      model === 'baseline'
        ? ''
        : cmp.comparable
          ? `${pct(m.summary.p50Ms, b.summary.p50Ms).toFixed(1)}%`
          : `not comparable (${cmp.differences.join('; ')})`;
    const mean = model === 'baseline' ? '' : cmp.comparable ? `${pct(m.summary.meanMs, b.summary.meanMs).toFixed(1)}%` : '';
    const pub =
      model === 'r578' && PUBLISHED_R578[size]
        ? Object.values(PUBLISHED_R578[size])
            .map((v) => `${v}%`)
            .join(' / ')
        : '';
    table.push(
      `| ${size} | ${model} | ${m.summary.p50Ms.toFixed(1)} | ${m.summary.meanMs.toFixed(1)} | ${m.summary.stdMs.toFixed(1)} | ${p50} ` +
        `| ${mean} | ${pub} |`,
    );
    summary.push({
      inputSize: size,
      model,
      summary: m.summary,
      p50VsBaselinePct: model === 'baseline' ? null : pct(m.summary.p50Ms, b.summary.p50Ms),
      comparable: cmp.comparable,
      fingerprint: m.fingerprint,
      loadAverage1m: m.loadAverage1m,
      quick: m.quick,
    });
  }
}
const fp = results[0]?.m.fingerprint;
if (fp)
  process.stdout.write(
    [
      '',
      `YOLOv3-MobileNetV1, ${numClasses} classes; ${fp.cpuModel}, ${fp.logicalCores} logical cores; ` +
        `onnxruntime-node ${fp.onnxruntimeVersion} ${fp.executionProvider}, intra ${fp.intraOpNumThreads} inter ${fp.interOpNumThreads}, ` +
        `graph opt ${fp.graphOptimizationLevel}; Node ${fp.nodeVersion}; ` +
        `protocol ${protocol === STANDARD_PROTOCOL ? 'standard' : 'QUICK'}, ${rounds} round(s); ${new Date().toISOString()}`,
      'session.run only (raw YOLO heads, no NMS in the graph, no pre/post-processing); batch 1',
      ...table,
    ].join('\n') + '\n',
  );

const paired: unknown[] = [];
if (interleaved > 0) {
  const names = ['baseline', 'r578', 'sensity'];
  const ptable = [`| input | model | p50 ms | min ms | p50 vs baseline | min vs baseline |`, '|---|---|---|---|---|---|'];
  for (const size of sizes) {
    const sessions = await Promise.all(names.map((n) => createSession(files[n], { intraOpNumThreads: threads, interOpNumThreads: 1 })));
    const runs = sessions.map((s) => s.prepare(buildBenchmarkFeeds(s.inputs, size, 'model').feeds));
    for (const run of runs) for (let i = 0; i < 5; i++) await run();
    const samples: number[][] = names.map(() => []);
    for (let r = 0; r < interleaved; r++) {
      for (let k = 0; k < names.length; k++) {
        const m = (k + r) % names.length;
        const t0 = performance.now();
        await runs[m]();
        samples[m].push(performance.now() - t0);
      }
    }
    await Promise.all(sessions.map((s) => s.release()));
    const sums = samples.map((xs) => summarizeLatency(xs));
    names.forEach((n, k) => {
      const d = (v: number, b: number) => (k === 0 ? '' : `${pct(v, b).toFixed(1)}%`);
      ptable.push(
        `| ${size} | ${n} | ${sums[k].p50Ms.toFixed(1)} | ${sums[k].minMs.toFixed(1)} | ${d(sums[k].p50Ms, sums[0].p50Ms)} ` +
          `| ${d(sums[k].minMs, sums[0].minMs)} |`,
      );
      paired.push({
        inputSize: size,
        model: n,
        summary: sums[k],
        p50VsBaselinePct: k === 0 ? null : pct(sums[k].p50Ms, sums[0].p50Ms),
        minVsBaselinePct: k === 0 ? null : pct(sums[k].minMs, sums[0].minMs),
      });
    });
  }
  process.stdout.write(
    `\nPaired comparison: ${interleaved} interleaved rounds per size (one run of each model per round), ` +
      `load ${os.loadavg()[0].toFixed(1)} at the end\n${ptable.join('\n')}\n`,
  );
}
if (flags.json) writeFileSync(flags.json, JSON.stringify({ protocol: summary, paired }, null, 2) + '\n');
