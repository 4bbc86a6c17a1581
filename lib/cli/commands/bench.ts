import { SlimboardError } from '../../errors';
import { measureLatency, QUICK_PROTOCOL, STANDARD_PROTOCOL, type LatencyMeasurement, type LatencyProtocol } from '../../inference/runtime/latency-harness';
import { GRAPH_OPTIMIZATION_LEVELS, type GraphOptimizationLevel } from '../../inference/runtime/ort';
import { printJson, type CliCommand } from '../command';
import { parseCliArgs, requireNumberFlag } from '../args';

const usage =
  'bench FILE --input-size S --threads T [--inter-threads N] [--graph-opt disabled|basic|extended|all] [--no-spinning] [--quick] ' +
  '[--warmup-runs N] [--warmup-ms MS] [--runs N] [--min-ms MS] [--samples] [--json]';

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(1) : ms >= 10 ? ms.toFixed(2) : ms.toFixed(3);
}

function describeMeasurement(m: LatencyMeasurement): string {
  const s = m.summary;
  const f = m.fingerprint;
  return [
    `model      ${m.model}`,
    `input      [${f.inputShape.join(', ')}] batch 1${m.quick ? '  (QUICK protocol: not a published number)' : ''}`,
    `cold start session ${fmt(m.coldStart.sessionCreateMs)} ms, first run ${fmt(m.coldStart.firstRunMs)} ms`,
    `warm-up    ${m.warmup.runs} runs in ${fmt(m.warmup.elapsedMs)} ms`,
    `timed      ${m.timed.runs} runs in ${fmt(m.timed.elapsedMs)} ms`,
    `latency ms p50 ${fmt(s.p50Ms)}  p90 ${fmt(s.p90Ms)}  p99 ${fmt(s.p99Ms)}  mean ${fmt(s.meanMs)}  std ${fmt(s.stdMs)}  min ${fmt(s.minMs)}  max ${fmt(s.maxMs)}`,
    `throughput ${s.throughputPerS.toFixed(2)} runs/s`,
    `includes   ${m.postprocessing.statement}`,
    `machine    ${f.cpuModel}, ${f.logicalCores} logical cores, load ${m.loadAverage1m.before.toFixed(2)} -> ${m.loadAverage1m.after.toFixed(2)}${Math.max(m.loadAverage1m.before, m.loadAverage1m.after) > f.logicalCores ? '  (BUSY: other jobs shared the cores; numbers are noisy)' : ''}`,
    `runtime    onnxruntime-node ${f.onnxruntimeVersion} (${f.executionProvider}, graph opt ${f.graphOptimizationLevel}, intra ${f.intraOpNumThreads}${f.intraOpSpinning ? '' : ' no-spin'}, inter ${f.interOpNumThreads}), Node ${f.nodeVersion}, opset ${f.opset ?? '?'}`,
    `model sha  ${f.modelSha256}`,
  ].join('\n');
}

const command: CliCommand = {
  words: ['bench'],
  summary: 'Measure the latency of an ONNX model under the standard protocol (statistics + fingerprint)',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCliArgs(
      args,
      {
        'input-size': { type: 'string' },
        threads: { type: 'string' },
        'inter-threads': { type: 'string' },
        'graph-opt': { type: 'string' },
        'no-spinning': { type: 'boolean' },
        quick: { type: 'boolean' },
        'warmup-runs': { type: 'string' },
        'warmup-ms': { type: 'string' },
        runs: { type: 'string' },
        'min-ms': { type: 'string' },
        samples: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      'bench',
    );
    if (positionals.length !== 1) throw new SlimboardError('bad_arguments', `bench: expected exactly one model FILE, got ${positionals.length} (usage: ${usage})`);
    const inputSize = requireNumberFlag(values['input-size'], 'input-size', { int: true, min: 1, max: 8192 });
    const threads = requireNumberFlag(values.threads, 'threads', { int: true, min: 1, max: 256 });
    const inter = values['inter-threads'] === undefined ? 1 : requireNumberFlag(values['inter-threads'], 'inter-threads', { int: true, min: 1, max: 256 });
    const level = values['graph-opt'] ?? 'all';
    if (!GRAPH_OPTIMIZATION_LEVELS.includes(level as GraphOptimizationLevel)) {
      throw new SlimboardError('bad_arguments', `--graph-opt must be one of ${GRAPH_OPTIMIZATION_LEVELS.join('|')}, got "${level}"`);
    }
    const base: LatencyProtocol = values.quick ? QUICK_PROTOCOL : STANDARD_PROTOCOL;
    const opt = (flag: string, v: string | undefined, fallback: number, min: number) => (v === undefined ? fallback : requireNumberFlag(v, flag, { int: true, min }));
    const protocol: LatencyProtocol = {
      warmupMinRuns: opt('warmup-runs', values['warmup-runs'], base.warmupMinRuns, 0),
      warmupMinMs: opt('warmup-ms', values['warmup-ms'], base.warmupMinMs, 0),
      timedMinRuns: opt('runs', values.runs, base.timedMinRuns, 1),
      timedMinMs: opt('min-ms', values['min-ms'], base.timedMinMs, 0),
    };
    const m = await measureLatency(positionals[0], {
      inputSize,
      protocol,
      session: { intraOpNumThreads: threads, interOpNumThreads: inter, graphOptimizationLevel: level as GraphOptimizationLevel, intraOpSpinning: !values['no-spinning'] },
    });
    if (values.json) {
      // Raw samples are kept in the measurement; printed with --samples (they can be long).
      printJson(io, values.samples ? m : { ...m, samplesMs: undefined, sampleCount: m.samplesMs.length });
    } else {
      io.stdout(describeMeasurement(m) + '\n');
      if (values.samples) io.stdout(`samples ms ${m.samplesMs.map(fmt).join(' ')}\n`);
    }
    return 0;
  },
};

export default command;
