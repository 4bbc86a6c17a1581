/**
 * Does the latency harness add more than 2% to a bare `session.run` loop on the same model?
 *
 *   nice -n 10 npx tsx tools/bench/harness-overhead.ts [--model FILE] [--input-size 320] [--threads 2] [--blocks 12] [--runs 10]
 *
 * Method (one session, so only the harness differs):
 *   bare:    `runs` back-to-back raw onnxruntime `session.run(feeds)` calls on onnxruntime's own API,
 *            ONE clock read before and after (Session.timeBareLoop);
 *   harness: the harness's timed phase (`runPhase` with per-run samples, the code `measureLatency`
 *            runs) over `runs` runs of `session.prepare(feeds)`, total = its elapsed time.
 * Blocks are ordered A B B A A B B A ... so that a linear drift in machine speed (other engineers'
 * jobs on the 2 shared cores) cancels. Ratio = total harness time / total bare time.
 * CPU time of the process (process.cpuUsage) is summed per side too: wall time on a busy shared
 * machine is noise-dominated (other jobs), CPU time much less so.
 * Also run once: the full `measureLatency` (own session, cold start, warm-up) for its mean, as a
 * cross-check. Target: ratio <= 1.02. Default model: YOLOv3-MobileNetV1 COCO built by lib/onnx.
 */
import os from 'node:os';
import { buildBenchmarkFeeds, measureLatency, runPhase } from '../../lib/inference/runtime/latency-harness';
import { createSession } from '../../lib/inference/runtime/ort';
import { cpuModelName } from '../../lib/inference/runtime/fingerprint';
import { referenceModelPath, scriptFlags } from './reference-model';
import { loadAverages } from './bench-timings';

const flags = scriptFlags(process.argv.slice(2));
const model = flags.model ?? referenceModelPath();
const inputSize = Number(flags['input-size'] ?? 320);
const threads = Number(flags.threads ?? 2);
const blocks = Number(flags.blocks ?? 12);
const runs = Number(flags.runs ?? 10);
const sessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1 };

const session = await createSession(model, sessionOptions);
const { feeds } = buildBenchmarkFeeds(session.inputs, inputSize, model);
const harnessRun = session.prepare(feeds);
await session.timeBareLoop(feeds, 5); // warm-up
await runPhase(harnessRun, 5, 0, false);

let bareMs = 0;
let harnessMs = 0;
// CPU time (user + system, all threads of this process) per side: far less sensitive than wall time
// to other processes competing for the 2 cores, so it resolves small differences on a busy machine.
let bareCpuUs = 0;
let harnessCpuUs = 0;
const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const perBlock: string[] = [];
for (let b = 0; b < blocks; b++) {
  const bareFirst = b % 4 === 0 || b % 4 === 3; // A B B A
  for (const which of bareFirst ? ['bare', 'harness'] : ['harness', 'bare']) {
    const c0 = cpuNow();
    if (which === 'bare') {
      const t = await session.timeBareLoop(feeds, runs);
      bareCpuUs += cpuNow() - c0;
      bareMs += t;
      perBlock.push(`bare ${(t / runs).toFixed(2)}`);
    } else {
      const p = await runPhase(harnessRun, runs, 0, true);
      harnessCpuUs += cpuNow() - c0;
      harnessMs += p.elapsedMs;
      perBlock.push(`harness ${(p.elapsedMs / runs).toFixed(2)}`);
    }
  }
  process.stdout.write(`block ${b + 1}/${blocks}: ${perBlock.slice(-2).join(', ')} ms/run\n`);
}
await session.release();
const full = await measureLatency(model, {
  inputSize,
  session: sessionOptions,
  protocol: { warmupMinRuns: 3, warmupMinMs: 0, timedMinRuns: runs, timedMinMs: 0 },
});

// Noise-free bound: the harness's own per-run cost, measured with a no-op run (clock read, push,
// loop test; no onnxruntime), as a fraction of the model's latency.
const noop = async () => {};
await runPhase(noop, 100_000, 0, true);
const noopPhase = await runPhase(noop, 1_000_000, 0, true);
const bookkeepingUs = (noopPhase.elapsedMs * 1000) / noopPhase.runs;

const ratio = harnessMs / bareMs;
const n = blocks * runs;
process.stdout.write(
  [
    `model ${model}, input ${inputSize}, intra-op threads ${threads}, ${blocks} blocks x ${runs} runs each way`,
    `machine ${cpuModelName()}, ${os.availableParallelism()} logical cores, load average ${loadAverages()}`,
    `bare session.run loop    ${(bareMs / n).toFixed(3)} ms/run`,
    `harness timed phase      ${(harnessMs / n).toFixed(3)} ms/run`,
    `measureLatency (own session, ${runs} runs) mean ${full.summary.meanMs.toFixed(3)} ms/run, p50 ${full.summary.p50Ms.toFixed(3)}`,
    `harness bookkeeping per run (no-op run, 1e6 runs) ${bookkeepingUs.toFixed(3)} us ` +
      `= ${((bookkeepingUs / 1000 / full.summary.p50Ms) * 100).toExponential(2)}% of p50`,
    `CPU time per run: bare ${(bareCpuUs / n / 1000).toFixed(3)} ms, harness ${(harnessCpuUs / n / 1000).toFixed(3)} ms, ` +
      `ratio ${(harnessCpuUs / bareCpuUs).toFixed(4)}`,
    `harness/bare ratio ${ratio.toFixed(4)} (target <= ` +
      `1.02): ${ratio <= 1.02 ? 'PASS' : 'FAIL'}${
        os.loadavg()[0] > os.availableParallelism() ? '  (machine busy: the ratio is noise-dominated; rerun when load < cores)' : ''
      }`,
  ].join('\n') + '\n',
);
