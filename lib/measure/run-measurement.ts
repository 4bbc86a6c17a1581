import { writeFile } from 'node:fs/promises';
import { guessDatasetFormat } from '../datasets/dataset-registry';
import { SlimboardError, formatZodIssues } from '../errors';
import { analyzeModel } from '../onnx/analyze-model';
import { readModelFile } from '../onnx/model-file';
import { evaluateDetectorOnCoco, type EvaluateDetectorResult } from '../inference/detection/evaluate-detector';
import { parseModelAdapter, type TModelAdapter } from '../inference/detection/model-adapter';
import { measureLatency, QUICK_PROTOCOL, STANDARD_PROTOCOL } from '../inference/runtime/latency-harness';
import { ProgressReporter } from '../inference/runtime/progress';
import type { SessionOptions } from '../inference/runtime/ort';
import { BENCH_PHASE_PROGRESS, benchmarkSessionOptions } from './benchmark-defaults';
import { benchmarkPaired, QUICK_PAIRED_PROTOCOL, STANDARD_PAIRED_PROTOCOL } from './benchmark-paired';
import { ZMeasureRequest, type TMeasureRequest, type TMeasureRequestInput } from './measure-request';

/**
 * One measuring core: analyse, benchmark and evaluate as typed library calls. The worker runs them in a
 * child process (./fork-measurement.ts); the CLI commands `analyze`, `bench` and `evaluate` call the same
 * functions with the same defaults, so the same bytes and settings give the same numbers by either door.
 * Results are the JSON objects the CLI prints with `--json` (raw latency samples always included).
 */

export { guessDatasetFormat };

export interface EvaluateOnDatasetOptions {
  modelPath: string;
  datasetDir: string;
  format: 'coco' | 'voc' | 'widerface';
  split?: string;
  inputSize: number;
  adapter?: TModelAdapter;
  session: SessionOptions;
  workers?: number;
  strict?: boolean;
  apType?: '11point' | 'integral';
  createProgress?: (total: number) => ProgressReporter;
}

/** Counted detections of any evaluator's result (COCO rows, VOC rows, or WIDER FACE per event per image). */
function detectionCount(detections: unknown): number {
  if (Array.isArray(detections)) return detections.length;
  let n = 0;
  for (const byImage of Object.values(detections as Record<string, Record<string, unknown[]>>)) {
    for (const rows of Object.values(byImage)) n += rows.length;
  }
  return n;
}

export type EvaluateOnDatasetResult =
  | { format: 'coco'; summary: Record<string, unknown>; coco: EvaluateDetectorResult; detections: unknown }
  | { format: 'voc' | 'widerface'; summary: Record<string, unknown>; coco: null; detections: unknown };

/**
 * Evaluate a detector on a dataset folder of any supported format. `summary` is what `evaluate --json`
 * prints and what a worker stores: the evaluator's result without the detection rows, plus the model,
 * input size and detection count.
 */
export async function evaluateOnDataset(o: EvaluateOnDatasetOptions): Promise<EvaluateOnDatasetResult> {
  const common = {
    modelPath: o.modelPath,
    datasetDir: o.datasetDir,
    split: o.split,
    inputSize: o.inputSize,
    adapter: o.adapter,
    workers: o.workers ?? 1,
    session: o.session,
    createProgress: o.createProgress,
  };
  const head = { model: o.modelPath, inputSize: o.inputSize };
  if (o.format !== 'coco') {
    const { evaluateDetectorOnVoc, evaluateDetectorOnWiderFace } = await import('../inference/detection/evaluate-on-voc-widerface');
    const other =
      o.format === 'voc'
        ? await evaluateDetectorOnVoc({ ...common, apType: o.apType ?? '11point' })
        : await evaluateDetectorOnWiderFace(common);
    const { detections, ...rest } = other;
    return { format: o.format, summary: { ...head, ...rest, detectionCount: detectionCount(detections) }, coco: null, detections };
  }
  const coco = await evaluateDetectorOnCoco({ ...common, strict: Boolean(o.strict) });
  const { detections, ...rest } = coco;
  return { format: 'coco', summary: { ...head, ...rest, detectionCount: detections.length }, coco, detections };
}

/** Write an evaluator's detections as JSON (the format `eval coco|voc|widerface --dt` reads). */
export async function saveDetections(file: string, detections: unknown): Promise<void> {
  try {
    await writeFile(file, JSON.stringify(detections) + '\n');
  } catch (e) {
    throw new SlimboardError('write_failed', `${file}: cannot write detections (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export interface RunMeasurementHooks {
  /** Fraction of the whole measurement done, in [0, 1], non-decreasing. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/** Run one measurement in this process (the worker's child and the tests call it; see the header). */
export async function runMeasurement(input: TMeasureRequestInput, hooks: RunMeasurementHooks = {}): Promise<Record<string, unknown>> {
  const parsed = ZMeasureRequest.safeParse(input);
  if (!parsed.success) throw new SlimboardError('bad_measure_request', `measurement request: ${formatZodIssues(parsed.error.issues)}`);
  const req: TMeasureRequest = parsed.data;
  const progress = hooks.onProgress ?? (() => {});
  switch (req.kind) {
    case 'analyze': {
      const report = analyzeModel(readModelFile(req.modelPath), { inputSize: req.inputSize, convention: req.convention, layers: false });
      progress(1);
      return report as unknown as Record<string, unknown>;
    }
    case 'bench': {
      const m = await measureLatency(req.modelPath, {
        inputSize: req.inputSize,
        protocol: req.quick ? QUICK_PROTOCOL : STANDARD_PROTOCOL,
        session: benchmarkSessionOptions(req.threads),
        onPhase: (phase) => progress(BENCH_PHASE_PROGRESS[phase]),
      });
      return m as unknown as Record<string, unknown>;
    }
    case 'bench-paired': {
      const { intraOpNumThreads, ...rest } = benchmarkSessionOptions(req.threads);
      const r = await benchmarkPaired({
        candidatePath: req.modelPath,
        baselinePath: req.baselinePath,
        inputSize: req.inputSize,
        threads: intraOpNumThreads,
        session: rest,
        protocol: req.quick ? QUICK_PAIRED_PROTOCOL : STANDARD_PAIRED_PROTOCOL,
        signal: hooks.signal,
        onProgress: progress,
      });
      return r as unknown as Record<string, unknown>;
    }
    case 'evaluate': {
      const adapter = req.adapter === undefined ? undefined : parseModelAdapter(req.adapter, 'adapter');
      const result = await evaluateOnDataset({
        modelPath: req.modelPath,
        datasetDir: req.datasetDir,
        format: req.format ?? guessDatasetFormat(req.datasetDir),
        split: req.split,
        inputSize: req.inputSize,
        adapter,
        session: { intraOpNumThreads: req.threads },
        apType: req.apType,
        createProgress: (total) => {
          const reporter = new ProgressReporter('evaluate', total);
          reporter.on('progress', (e) => progress(e.total > 0 ? e.done / e.total : 1));
          return reporter;
        },
      });
      if (req.saveDetections === undefined) return result.summary;
      await saveDetections(req.saveDetections, result.detections);
      return { ...result.summary, savedDetections: req.saveDetections };
    }
  }
}
