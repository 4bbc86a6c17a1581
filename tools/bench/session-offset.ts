/**
 * Do two onnxruntime sessions of the SAME model file run at the same speed? (Why the paired benchmark
 * measures several session pairs: lib/measure/benchmark-paired.ts, docs/paired-latency.md.)
 *
 *   npx tsx tools/bench/session-offset.ts [--sessions 6] [--input-size 416] [--rounds 40] [--model FILE]
 *
 * Opens K sessions of one file in this process (1 intra-op thread each, warmed up 20 runs), then times
 * blocks of 5 runs round-robin over the sessions (the order reversed every other round) and prints each
 * session's p50, its ratio to session 0, and the p50 of its even and odd rounds: a session that is slower
 * in both halves is persistently slower, not unlucky. Then, with --recreate, a reference session stays open
 * while K fresh sessions are created, timed against it in ABBA blocks and released one after the other.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cpuModelName } from '../../lib/inference/runtime/fingerprint';
import { buildBenchmarkFeeds } from '../../lib/inference/runtime/latency-harness';
import { createSession, type Session } from '../../lib/inference/runtime/ort';
import { describeMachineLoad, machineLoadBetween, noiseThresholdsFromEnv, takeLoadSnapshot } from '../../lib/measure/machine-load';
import { scriptFlags } from './reference-model';

const flags = scriptFlags(process.argv.slice(2));
const file = flags.model ?? path.resolve(import.meta.dirname, '../../lib/demo-zoo/models/yolov3_mobilenet_v1_x025_shapes.onnx');
const sessions = Number(flags.sessions ?? 6);
const size = Number(flags['input-size'] ?? 416);
const rounds = Number(flags.rounds ?? 40);
const BLOCK = 5;
const bytes = readFileSync(file);

function p50(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
}

async function open(label: string): Promise<{ session: Session; run: () => Promise<void> }> {
  const session = await createSession(bytes, { intraOpNumThreads: 1 }, label);
  const run = session.prepare(buildBenchmarkFeeds(session.inputs, size, file).feeds);
  for (let i = 0; i < 20; i++) await run();
  return { session, run };
}

async function timeBlock(run: () => Promise<void>, into: number[]): Promise<void> {
  for (let i = 0; i < BLOCK; i++) {
    const t0 = performance.now();
    await run();
    into.push(performance.now() - t0);
  }
}

async function allOpen(): Promise<void> {
  const open_ = [];
  for (let k = 0; k < sessions; k++) open_.push(await open(`session ${k}`));
  const samples = open_.map(() => [] as number[]);
  const half = open_.map(() => [[], []] as [number[], number[]]);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [...open_.keys()].reverse() : [...open_.keys()];
    for (const k of order) {
      const block: number[] = [];
      await timeBlock(open_[k].run, block);
      samples[k].push(...block);
      half[k][round % 2].push(...block);
    }
  }
  const ref = p50(samples[0]);
  console.log(`${sessions} sessions open together, ${rounds} rounds of ${BLOCK} runs each:`);
  samples.forEach((xs, k) => {
    console.log(
      `  session ${k}: p50 ${p50(xs).toFixed(3)} ms, ratio to session 0 ${(p50(xs) / ref).toFixed(4)}, ` +
        `even/odd rounds ${p50(half[k][0]).toFixed(3)} / ${p50(half[k][1]).toFixed(3)} ms`,
    );
  });
  for (const s of open_) await s.session.release();
}

async function recreated(): Promise<void> {
  const ref = await open('reference');
  console.log(`reference session kept open; ${sessions} fresh sessions, each timed against it in ${rounds / 2} ABBA cycles, then freed:`);
  for (let k = 0; k < sessions; k++) {
    const fresh = await open(`fresh ${k}`);
    const a: number[] = [];
    const b: number[] = [];
    for (let c = 0; c < rounds / 2; c++) {
      await timeBlock(fresh.run, a);
      await timeBlock(ref.run, b);
      await timeBlock(ref.run, b);
      await timeBlock(fresh.run, a);
    }
    console.log(`  fresh ${k}: p50 ${p50(a).toFixed(3)} ms vs reference ${p50(b).toFixed(3)} ms, ratio ${(p50(a) / p50(b)).toFixed(4)}`);
    await fresh.session.release();
  }
  await ref.session.release();
}

const before = takeLoadSnapshot();
console.log(`session offsets: ${path.basename(file)} @${size}, ${cpuModelName()}, 1 thread, ${new Date().toISOString()}`);
await allOpen();
if (flags.recreate === 'true') await recreated();
console.log(describeMachineLoad(machineLoadBetween(before, takeLoadSnapshot(), noiseThresholdsFromEnv())));
