/**
 * Paired latency on the demo zoo: can Slimboard tell a real speed-up from noise?
 *
 *   npx tsx tools/bench/paired-latency.ts [--threads 1] [--quick] [--sessions N] [--wait-quiet-s 0] [--aa N] [--out FILE.json]
 *
 * Runs `benchmarkPaired` (lib/measure/benchmark-paired.ts, standard paired protocol unless --quick) on:
 *  - distill_l2 vs baseline (same architecture, other weights) at 320 and 416, 3 repeats each.
 *    Quality bar: the 95 % interval of the p50 ratio contains 1.0 and its half-width is <= 5 %, 3 of 3.
 *  - prune_r578 vs baseline at 416, 2 repeats.
 *    Quality bar: significant with the interval entirely below 0.85, and the two ratios within 3 points.
 * Prints one line per run (ratio, interval, half-width, verdicts, samples, machine load) and the verdict
 * of each quality bar. --out writes every result (raw samples included) as JSON.
 * With --wait-quiet-s N each run first waits up to N s for a quiet machine (lib/measure/machine-load.ts).
 * --sessions N overrides the protocol's session pairs (1: the single-pair protocol used before 2026-12-04).
 * With --aa N it first runs N A/A controls: the baseline file against itself at 416, where the true ratio is
 * exactly 1, so an interval that excludes 1.0 there is a false positive (expected in about 5 % of runs).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cpuModelName } from '../../lib/inference/runtime/fingerprint';
import {
  benchmarkPaired,
  QUICK_PAIRED_PROTOCOL,
  STANDARD_PAIRED_PROTOCOL,
  type TPairedLatencyResult,
} from '../../lib/measure/benchmark-paired';
import { describeMachineLoad, noiseThresholdsFromEnv, waitForQuietMachine } from '../../lib/measure/machine-load';
import { formatRatioChange } from '../../lib/measure/paired-latency';
import { scriptFlags } from './reference-model';

const flags = scriptFlags(process.argv.slice(2));
const threads = Number(flags.threads ?? 1);
const quick = flags.quick === 'true';
const waitQuietS = Number(flags['wait-quiet-s'] ?? 0);
const ZOO = path.resolve(import.meta.dirname, '../../lib/demo-zoo/models');
const FILES = {
  baseline: 'yolov3_mobilenet_v1_x025_shapes.onnx',
  distill_l2: 'yolov3_mobilenet_v1_x025_shapes_l2_distiil.onnx',
  prune_r578: 'yolov3_mobilenet_v1_x025_shapes_prune_r578.onnx',
} as const;

interface Case {
  candidate: keyof typeof FILES;
  inputSize: number;
  repeats: number;
}
const aaRepeats = Number(flags.aa ?? 0);
const CASES: Case[] = [
  ...(aaRepeats > 0 ? [{ candidate: 'baseline' as const, inputSize: 416, repeats: aaRepeats }] : []),
  { candidate: 'distill_l2', inputSize: 320, repeats: 3 },
  { candidate: 'distill_l2', inputSize: 416, repeats: 3 },
  { candidate: 'prune_r578', inputSize: 416, repeats: 2 },
];

interface Row {
  candidate: string;
  inputSize: number;
  repeat: number;
  result: TPairedLatencyResult;
  halfWidthPct: number;
  containsOne: boolean;
  waitedForQuietMs: number;
}

const fix4 = (x: number) => x.toFixed(4);
const interval = (ci: readonly [number, number]) => `[${fix4(ci[0])}, ${fix4(ci[1])}]`;

function describeRow(row: Row): string {
  const r = row.result;
  const { ratio, ci } = r.comparison;
  const waited = waitQuietS > 0 ? `, waited ${(row.waitedForQuietMs / 1000).toFixed(0)} s` : '';
  return [
    `${row.candidate.padEnd(10)} vs baseline @${row.inputSize} #${row.repeat}: ${formatRatioChange(r.comparison).padEnd(40)} ` +
      `ratio ${fix4(ratio)} CI ${interval(ci)} half-width ${row.halfWidthPct.toFixed(2)} % ` +
      `contains 1.0: ${row.containsOne ? 'yes' : 'NO'}  below 0.85: ${ci[1] < 0.85 ? 'yes' : 'no'}`,
    `    p50 ${r.candidate.summary.p50Ms.toFixed(3)} / ${r.baseline.summary.p50Ms.toFixed(3)} ms, ` +
      `${r.candidate.samplesMs.length}+${r.baseline.samplesMs.length} samples, ${r.schedule.cycles} cycles in ` +
      `${r.schedule.cyclesPerSession?.length ?? 1} session pair(s), ` +
      `${(r.timedElapsedMs / 1000).toFixed(1)} s${waited}`,
    `    cpu-time ratio ${fix4(r.cpuComparison.ratio)} CI ${interval(r.cpuComparison.ci)} ${formatRatioChange(r.cpuComparison)}`,
    `    ${describeMachineLoad(r.machineLoad)}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const base = quick ? QUICK_PAIRED_PROTOCOL : STANDARD_PAIRED_PROTOCOL;
  const protocol = flags.sessions === undefined ? base : { ...base, sessions: Number(flags.sessions) };
  const t0 = new Date();
  console.log(`paired latency on the demo zoo, ${t0.toISOString()}, ${cpuModelName()}, threads ${threads}`);
  console.log(`protocol ${JSON.stringify(protocol)}`);
  const rows: Row[] = [];
  for (const c of CASES) {
    for (let repeat = 1; repeat <= c.repeats; repeat++) {
      let waitedForQuietMs = 0;
      if (waitQuietS > 0) {
        waitedForQuietMs = (await waitForQuietMachine({ maxWaitMs: waitQuietS * 1000, thresholds: noiseThresholdsFromEnv() })).waitedMs;
      }
      const result = await benchmarkPaired({
        candidatePath: path.join(ZOO, FILES[c.candidate]),
        baselinePath: path.join(ZOO, FILES.baseline),
        inputSize: c.inputSize,
        threads,
        protocol,
      });
      const { ci } = result.comparison;
      const row: Row = {
        candidate: c.candidate,
        inputSize: c.inputSize,
        repeat,
        result,
        halfWidthPct: ((ci[1] - ci[0]) / 2) * 100,
        containsOne: ci[0] <= 1 && ci[1] >= 1,
        waitedForQuietMs,
      };
      rows.push(row);
      console.log(describeRow(row));
    }
  }
  const distill = rows.filter((r) => r.candidate === 'distill_l2');
  const prune = rows.filter((r) => r.candidate === 'prune_r578');
  const distillOk = distill.filter((r) => r.containsOne && r.halfWidthPct <= 5).length;
  const pruneBelow = prune.filter((r) => r.result.comparison.ci[1] < 0.85).length;
  const pruneSpread = prune.length >= 2 ? Math.abs(prune[0].result.comparison.ratio - prune[1].result.comparison.ratio) * 100 : NaN;
  const busy = rows.filter((r) => r.result.machineLoad.busy).length;
  const aa = rows.filter((r) => r.candidate === 'baseline');
  if (aa.length > 0) {
    const hits = aa.filter((r) => r.containsOne).length;
    console.log(`\nA/A control (baseline vs itself @416): interval contains 1.0 in ${hits} of ${aa.length}`);
  }
  console.log(
    `\nbar 1 distill_l2 vs baseline: interval contains 1.0 and half-width <= 5 % in ${distillOk} of ${distill.length} (want all)`,
  );
  console.log(
    `bar 2 prune_r578 vs baseline @416: interval below 0.85 in ${pruneBelow} of ${prune.length}; ` +
      `the two ratios differ by ${pruneSpread.toFixed(2)} points (target <= 3)`,
  );
  console.log(`machine flagged busy in ${busy} of ${rows.length} runs; finished ${new Date().toISOString()}`);
  if (flags.out) {
    writeFileSync(flags.out, JSON.stringify({ startedAt: t0.toISOString(), threads, protocol, rows }, null, 1));
    console.log(`results with raw samples written to ${flags.out}`);
  }
}

main().catch((e: unknown) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
