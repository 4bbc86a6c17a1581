import { SlimboardError } from '../../errors';
import {
  benchmarkPaired,
  QUICK_PAIRED_PROTOCOL,
  STANDARD_PAIRED_PROTOCOL,
  type TPairedLatencyResult,
  type TPairedProtocol,
} from '../../measure/benchmark-paired';
import { describeMachineLoad } from '../../measure/machine-load';
import { BENCH_PHASE_PROGRESS, benchmarkSessionOptions } from '../../measure/benchmark-defaults';
import { formatRatioChange, LATENCY_STATISTICS, type TLatencyStatistic } from '../../measure/paired-latency';
import {
  measureLatency,
  QUICK_PROTOCOL,
  STANDARD_PROTOCOL,
  type LatencyMeasurement,
  type LatencyProtocol,
} from '../../inference/runtime/latency-harness';
import { GRAPH_OPTIMIZATION_LEVELS, type GraphOptimizationLevel } from '../../inference/runtime/ort';
import { printJson, type CliCommand } from '../command';
import { parseCliArgs, requireNumberFlag } from '../args';

const usage =
  'bench FILE --input-size S --threads T [--inter-threads N] [--graph-opt disabled|basic|extended|all] [--no-spinning] [--quick] ' +
  '[--warmup-runs N] [--warmup-ms MS] [--runs N] [--min-ms MS] [--samples] [--progress] [--json]\n' +
  'bench FILE --baseline BASE.onnx --input-size S [--threads T] [--statistic p50|p90|mean] [--cycles N] [--block-runs N] ' +
  '[--sessions N] [--warmup-runs N] [--warmup-ms MS] [--min-ms MS] [--quick] [--samples] [--progress] [--json]' +
  '   (paired: ABBA-interleaved, ratio with 95 % CI)';

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
    `latency ms p50 ${fmt(s.p50Ms)}  p90 ${fmt(s.p90Ms)}  p99 ${fmt(s.p99Ms)}  mean ${fmt(s.meanMs)}  std ${fmt(s.stdMs)}  ` +
      `min ${fmt(s.minMs)}  max ${fmt(s.maxMs)}`,
    `throughput ${s.throughputPerS.toFixed(2)} runs/s`,
    `includes   ${m.postprocessing.statement}`,
    `machine    ${f.cpuModel}, ${f.logicalCores} logical cores; timed phase: ${describeMachineLoad(m.machineLoad)}`,
    `runtime    onnxruntime-node ${f.onnxruntimeVersion} (${f.executionProvider}, graph opt ${f.graphOptimizationLevel}, ` +
      `intra ${f.intraOpNumThreads}${f.intraOpSpinning ? '' : ' no-spin'}, inter ${f.interOpNumThreads}), Node ${f.nodeVersion}, ` +
      `opset ${f.opset ?? '?'}`,
    `model sha  ${f.modelSha256}`,
  ].join('\n');
}

function describePaired(r: TPairedLatencyResult): string {
  const c = r.comparison;
  const arm = (name: string, a: TPairedLatencyResult['candidate']) => {
    const s = a.summary;
    return (
      `${name} ${a.model}\n           p50 ${fmt(s.p50Ms)}  p90 ${fmt(s.p90Ms)}  mean ${fmt(s.meanMs)}  std ${fmt(s.stdMs)}  ` +
      `min ${fmt(s.minMs)}  max ${fmt(s.maxMs)} ms  (${s.count} samples)`
    );
  };
  const f = r.candidate.fingerprint;
  const ci = `${Math.round(c.confidence * 100)} % CI [${c.ci[0].toFixed(4)}, ${c.ci[1].toFixed(4)}]`;
  const threads = `intra ${f.intraOpNumThreads}${f.intraOpSpinning ? '' : ' no-spin'}, inter ${f.interOpNumThreads}`;
  return [
    `change     ${formatRatioChange(c)}   (${c.statistic} candidate/baseline = ${c.ratio.toFixed(4)}, ${ci})` +
      (r.verdictTrusted ? '' : `  UNTRUSTED: ${r.quick ? 'quick protocol' : 'busy machine'}, do not read it as a win or a loss`),
    `cpu time   ${formatRatioChange(r.cpuComparison)}   (process CPU time per run, ${c.statistic}; steadier on a busy machine)`,
    arm('candidate ', r.candidate),
    arm('baseline  ', r.baseline),
    `input      [${f.inputShape.join(', ')}] batch 1, the same tensor for both${r.quick ? '  (QUICK protocol: not published)' : ''}`,
    `schedule   ${r.schedule.cycles} ABBA cycles of 4 x ${r.schedule.blockRuns} runs in ${fmt(r.timedElapsedMs)} ms; ` +
      `${r.schedule.cyclesPerSession?.length ?? 1} session pair(s) (${(r.schedule.cyclesPerSession ?? [r.schedule.cycles]).join('+')} ` +
      `cycles), ` +
      'each warmed up on its own',
    `interval   ${c.method}, ${c.resamples} resamples, seed ${c.seed}`,
    `machine    ${f.cpuModel}, ${describeMachineLoad(r.machineLoad)}`,
    `runtime    onnxruntime-node ${f.onnxruntimeVersion} (${f.executionProvider}, graph opt ${f.graphOptimizationLevel}, ${threads}), ` +
      `Node ${f.nodeVersion}`,
  ].join('\n');
}

const command: CliCommand = {
  words: ['bench'],
  summary: 'Measure the latency of an ONNX model (statistics + fingerprint); with --baseline, its change vs the baseline with a 95 % CI',
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
        progress: { type: 'boolean' },
        'warmup-runs': { type: 'string' },
        'warmup-ms': { type: 'string' },
        runs: { type: 'string' },
        'min-ms': { type: 'string' },
        samples: { type: 'boolean' },
        json: { type: 'boolean' },
        baseline: { type: 'string' },
        statistic: { type: 'string' },
        cycles: { type: 'string' },
        'block-runs': { type: 'string' },
        sessions: { type: 'string' },
      },
      'bench',
    );
    if (positionals.length !== 1) {
      const oneLine = usage.replace(/\n/g, ' | ');
      throw new SlimboardError('bad_arguments', `bench: expected exactly one model FILE, got ${positionals.length} (usage: ${oneLine})`);
    }
    const inputSize = requireNumberFlag(values['input-size'], 'input-size', { int: true, min: 1, max: 8192 });
    // A paired benchmark defaults to 1 thread; a single benchmark needs --threads (it is part of every published number).
    const threadsFlag = values.threads === undefined && values.baseline !== undefined ? '1' : values.threads;
    const threads = requireNumberFlag(threadsFlag, 'threads', { int: true, min: 1, max: 256 });
    // Unset flags take the worker's benchmark defaults (lib/measure/run-measurement.ts), so both doors measure alike.
    const defaults = benchmarkSessionOptions(threads);
    const inter =
      values['inter-threads'] === undefined
        ? defaults.interOpNumThreads
        : requireNumberFlag(values['inter-threads'], 'inter-threads', { int: true, min: 1, max: 256 });
    const level = values['graph-opt'] ?? defaults.graphOptimizationLevel;
    if (!GRAPH_OPTIMIZATION_LEVELS.includes(level as GraphOptimizationLevel)) {
      throw new SlimboardError('bad_arguments', `--graph-opt must be one of ${GRAPH_OPTIMIZATION_LEVELS.join('|')}, got "${level}"`);
    }
    const opt = (flag: string, v: string | undefined, fallback: number, min: number) =>
      v === undefined ? fallback : requireNumberFlag(v, flag, { int: true, min });
    // --progress: "progress F" lines on stderr (F in (0, 1], rising by >= 0.05 or to 1) for a parent process to follow.
    let lastProgress = 0;
    const progress = values.progress
      ? (f: number) => {
          if (f >= 1 ? lastProgress < 1 : f - lastProgress >= 0.05) {
            lastProgress = Math.min(1, f);
            io.stderr(`progress ${lastProgress.toFixed(3)}\n`);
          }
        }
      : undefined;
    const session = {
      intraOpNumThreads: threads,
      interOpNumThreads: inter,
      graphOptimizationLevel: level as GraphOptimizationLevel,
      intraOpSpinning: values['no-spinning'] ? false : defaults.intraOpSpinning,
    };
    if (values.baseline !== undefined) {
      if (values.runs !== undefined) {
        throw new SlimboardError('bad_arguments', '--runs does not apply to a paired benchmark: use --cycles N and --block-runs N');
      }
      const statistic = values.statistic ?? 'p50';
      if (!LATENCY_STATISTICS.includes(statistic as TLatencyStatistic)) {
        throw new SlimboardError('bad_arguments', `--statistic must be one of ${LATENCY_STATISTICS.join('|')}, got "${statistic}"`);
      }
      const pbase = values.quick ? QUICK_PAIRED_PROTOCOL : STANDARD_PAIRED_PROTOCOL;
      const protocol: TPairedProtocol = {
        warmupMinRuns: opt('warmup-runs', values['warmup-runs'], pbase.warmupMinRuns, 0),
        warmupMinMs: opt('warmup-ms', values['warmup-ms'], pbase.warmupMinMs, 0),
        blockRuns: opt('block-runs', values['block-runs'], pbase.blockRuns, 1),
        minCycles: opt('cycles', values.cycles, pbase.minCycles, 1),
        minMs: opt('min-ms', values['min-ms'], pbase.minMs, 0),
        sessions: opt('sessions', values.sessions, pbase.sessions ?? 1, 1),
      };
      const { intraOpNumThreads, ...rest } = session;
      const r = await benchmarkPaired({
        candidatePath: positionals[0],
        baselinePath: values.baseline,
        inputSize,
        threads: intraOpNumThreads,
        session: rest,
        protocol,
        statistic: statistic as TLatencyStatistic,
        onProgress: progress,
      });
      if (values.json) printJson(io, r);
      else {
        io.stdout(describePaired(r) + '\n');
        if (values.samples) {
          io.stdout(`candidate samples ms ${r.candidate.samplesMs.map(fmt).join(' ')}\n`);
          io.stdout(`baseline samples ms ${r.baseline.samplesMs.map(fmt).join(' ')}\n`);
        }
      }
      return 0;
    }
    if (
      values.statistic !== undefined ||
      values.cycles !== undefined ||
      values['block-runs'] !== undefined ||
      values.sessions !== undefined
    ) {
      throw new SlimboardError(
        'bad_arguments',
        '--statistic, --cycles, --block-runs and --sessions need --baseline BASE.onnx (a paired benchmark)',
      );
    }
    const base: LatencyProtocol = values.quick ? QUICK_PROTOCOL : STANDARD_PROTOCOL;
    const protocol: LatencyProtocol = {
      warmupMinRuns: opt('warmup-runs', values['warmup-runs'], base.warmupMinRuns, 0),
      warmupMinMs: opt('warmup-ms', values['warmup-ms'], base.warmupMinMs, 0),
      timedMinRuns: opt('runs', values.runs, base.timedMinRuns, 1),
      timedMinMs: opt('min-ms', values['min-ms'], base.timedMinMs, 0),
    };
    const m = await measureLatency(positionals[0], {
      inputSize,
      protocol,
      session,
      onPhase: (phase) => progress?.(BENCH_PHASE_PROGRESS[phase]),
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
