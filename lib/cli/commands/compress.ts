import { SlimboardError } from '../../errors';
import { CALIBRATION_METHODS, DEFAULT_PERCENTILE, type CalibrationMethod } from '../../compression/calibrators';
import type { BudgetResult } from '../../compression/budget';
import type { TensorError } from '../../compression/layer-error';
import { quantizeModelFile } from '../../compression/quantize-model';
import { logicalCoreCount } from '../../inference/runtime/fingerprint';
import { detectAdapter } from '../../inference/detection/model-adapter';
import { createSession } from '../../inference/runtime/ort';
import { parseCliArgs, requireNumberFlag, requireStringFlag } from '../args';
import { printJson, type CliCommand } from '../command';
import compressPrune from './compress-prune';
import compressSensitivity from './compress-sensitivity';
import submitCompression from './compress-submit';
import { readAdapterFile } from './evaluate';

const usage =
  'compress quantize MODEL.onnx --calib-dataset DIR [--calib-split NAME] --calib-images N --method minmax|percentile|entropy\n' +
  `    [--percentile P] [--exclude NODE,NODE] [--input-size S] [--adapter FILE] [--threads T] [--error-images K]\n` +
  '    [--budget-ap POINTS --eval-dataset DIR [--eval-split NAME] [--max-fallbacks 10]] --out F.onnx [--json]\n' +
  '  post-training int8 quantization to a QDQ ONNX model: Conv/Gemm/MatMul weights int8 symmetric per output channel,\n' +
  `  activations uint8 asymmetric per tensor, calibrated on the first N images of DIR (COCO format); --percentile ` +
  `default ${DEFAULT_PERCENTILE};\n` +
  '  --input-size default 416; --exclude: node names (or their first output) kept in float; --error-images (default min(8, N)):\n' +
  '  calibration images for the per-tensor float-vs-QDQ error report (0: none); --budget-ap: keep the worst nodes in float, one\n' +
  '  more per step, until Box AP on --eval-dataset (use another split than calibration) is within POINTS AP points of fp32;\n' +
  '  see docs/quantization.md';

function errorLines(e: { images: number; tensors: TensorError[] }): string[] {
  const top = e.tensors.slice(0, 10);
  return [
    `per-tensor error, float vs QDQ on ${e.images} calibration images (worst ${top.length} of ${e.tensors.length}; all with --json):`,
    'relative error\tSQNR dB\tmax |error|\ttensor',
    ...top.map((t) => `${t.relativeError.toFixed(4)}\t${t.sqnrDb.toFixed(1)}\t${t.maxAbsError.toPrecision(3)}\t${t.tensor}`),
  ];
}

function budgetLines(b: BudgetResult): string[] {
  const pts = (v: number) => (100 * v).toFixed(2);
  const last = b.steps[b.steps.length - 1];
  return [
    `budget ΔAP >= -${pts(b.budget)} points vs fp32 AP ${pts(b.fp32Ap)}: ${b.met ? 'met' : 'NOT met'} after ${b.steps.length - 1} ` +
      `fallback(s), ` +
      `AP ${pts(last.ap)} (ΔAP ${pts(last.deltaAp)})`,
    ...b.steps.map(
      (s, k) =>
        `  step ${k}: ${s.float.length ? `float ${s.float[s.float.length - 1]}` : 'all quantized'} -> AP ${pts(s.ap)} ` +
        `(ΔAP ${pts(s.deltaAp)})`,
    ),
    `kept in float: ${b.float.length ? b.float.join(', ') : 'none'}`,
  ];
}

const quantize: CliCommand = {
  words: ['compress', 'quantize'],
  summary: 'post-training int8 quantization (QDQ ONNX) calibrated with MinMax, Percentile or Entropy',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCliArgs(
      args,
      {
        'calib-dataset': { type: 'string' },
        'calib-split': { type: 'string' },
        'calib-images': { type: 'string' },
        method: { type: 'string' },
        percentile: { type: 'string' },
        exclude: { type: 'string' },
        'input-size': { type: 'string' },
        adapter: { type: 'string' },
        threads: { type: 'string' },
        'error-images': { type: 'string' },
        'budget-ap': { type: 'string' },
        'eval-dataset': { type: 'string' },
        'eval-split': { type: 'string' },
        'max-fallbacks': { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      'compress quantize',
    );
    if (positionals.length !== 1)
      throw new SlimboardError(
        'bad_arguments',
        `compress quantize: expected one MODEL.onnx, got ${positionals.length} (usage: ${usage.split('\n')[0]})`,
      );
    const method = requireStringFlag(values.method, 'method');
    if (!CALIBRATION_METHODS.includes(method as CalibrationMethod)) {
      throw new SlimboardError('bad_arguments', `--method must be one of ${CALIBRATION_METHODS.join('|')}, got "${method}"`);
    }
    if (values.percentile !== undefined && method !== 'percentile')
      throw new SlimboardError('bad_arguments', '--percentile only applies to --method percentile');
    const percentile =
      values.percentile === undefined ? undefined : requireNumberFlag(values.percentile, 'percentile', { min: 50, max: 100 });
    const calibImages = requireNumberFlag(values['calib-images'], 'calib-images', { int: true, min: 1, max: 100_000 });
    const inputSize =
      values['input-size'] === undefined ? 416 : requireNumberFlag(values['input-size'], 'input-size', { int: true, min: 1, max: 8192 });
    const threads =
      values.threads === undefined ? logicalCoreCount() : requireNumberFlag(values.threads, 'threads', { int: true, min: 1, max: 256 });
    const out = requireStringFlag(values.out, 'out');
    const errorImages =
      values['error-images'] === undefined
        ? Math.min(8, calibImages)
        : requireNumberFlag(values['error-images'], 'error-images', { int: true, min: 0, max: calibImages });
    const calibDataset = requireStringFlag(values['calib-dataset'], 'calib-dataset');
    const exclude = (values.exclude ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const modelPath = positionals[0];
    let budget;
    if (values['budget-ap'] !== undefined) {
      const points = requireNumberFlag(values['budget-ap'], 'budget-ap', { min: 0, max: 100 });
      const dataset = requireStringFlag(values['eval-dataset'], 'eval-dataset');
      const maxSteps =
        values['max-fallbacks'] === undefined
          ? 10
          : requireNumberFlag(values['max-fallbacks'], 'max-fallbacks', { int: true, min: 0, max: 1000 });
      budget = { ap: points / 100, dataset, split: values['eval-split'], maxSteps };
    } else if (values['eval-dataset'] !== undefined || values['max-fallbacks'] !== undefined) {
      throw new SlimboardError('bad_arguments', '--eval-dataset and --max-fallbacks only apply with --budget-ap');
    }
    let adapter;
    if (values.adapter) adapter = readAdapterFile(values.adapter);
    else {
      const s = await createSession(modelPath);
      try {
        adapter = detectAdapter(s.inputs, s.outputs, modelPath);
      } finally {
        await s.release();
      }
    }
    const report = await quantizeModelFile({
      modelPath,
      outPath: out,
      calibDataset,
      calibSplit: values['calib-split'],
      calibImages,
      inputSize,
      method: method as CalibrationMethod,
      percentile,
      exclude,
      adapter,
      threads,
      errorImages,
      budget,
    });
    if (values.json) {
      printJson(io, report);
      return 0;
    }
    const ops = Object.entries(report.onnxruntime.optimizedConvOps)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    io.stdout(
      [
        `wrote ${report.out}: ${report.quantizedNodes} nodes int8 (${report.skippedNodes.length} left ` +
          `float), ${report.activations.length} activations calibrated`,
        `method ${report.method}${report.percentile !== null ? ` ${report.percentile}` : ''} on ${report.calibration.images} images ` +
          `of ${report.calibration.dataset} at ${inputSize} ` +
          `(${report.calibration.passes} ` +
          `pass${report.calibration.passes > 1 ? 'es' : ''}, ${(report.calibration.elapsedMs / 1000).toFixed(1)} s)`,
        ...(report.batchNorm.folded.length + report.batchNorm.skipped.length > 0
          ? [
              `BatchNorm folded into ${report.batchNorm.folded.length} convs before quantizing` +
                (report.batchNorm.skipped.length > 0
                  ? `; left in float: ${report.batchNorm.skipped.map((b) => `${b.node} (${b.reason})`).join(', ')}`
                  : ''),
            ]
          : []),
        `size ${report.int8Bytes} bytes = ${(100 * report.sizeRatio).toFixed(1)} % of fp32 ${report.fp32Bytes}`,
        `onnxruntime: runs; optimized graph (${report.onnxruntime.optimizationLevel}) conv ops: ${ops} ` +
          `-> ${report.onnxruntime.int8Convs} int8 convs`,
        `scheme: ${report.scheme}`,
        ...(report.budget ? budgetLines(report.budget) : []),
        ...(report.layerErrors ? errorLines(report.layerErrors) : []),
      ].join('\n') + '\n',
    );
    return 0;
  },
};

export default [quantize, compressPrune, compressSensitivity, submitCompression];
