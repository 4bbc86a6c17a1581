import { SlimboardError } from '../../errors';
import { CALIBRATION_METHODS, DEFAULT_PERCENTILE, type CalibrationMethod } from '../../compression/calibrators';
import type { TensorError } from '../../compression/layer-error';
import { quantizeModelFile } from '../../compression/quantize-model';
import { logicalCoreCount } from '../../inference/fingerprint';
import { detectAdapter } from '../../inference/model-adapter';
import { createSession } from '../../inference/ort';
import { parseCliArgs, requireNumberFlag, requireStringFlag } from '../args';
import { printJson, type CliCommand } from '../command';
import { readAdapterFile } from './evaluate';

const usage =
  'compress quantize MODEL.onnx --calib-dataset DIR [--calib-split NAME] --calib-images N --method minmax|percentile|entropy\n' +
  `    [--percentile P] [--exclude NODE,NODE] [--input-size S] [--adapter FILE] [--threads T] [--error-images K] --out F.onnx [--json]\n` +
  '  post-training int8 quantization to a QDQ ONNX model: Conv/Gemm/MatMul weights int8 symmetric per output channel,\n' +
  `  activations uint8 asymmetric per tensor, calibrated on the first N images of DIR (COCO format); --percentile default ${DEFAULT_PERCENTILE};\n` +
  '  --input-size default 416; --exclude: node names (or their first output) kept in float; --error-images (default min(8, N)):\n' +
  '  calibration images for the per-tensor float-vs-QDQ error report (0: none); see docs/quantization.md';

function errorLines(e: { images: number; tensors: TensorError[] }): string[] {
  const top = e.tensors.slice(0, 10);
  return [
    `per-tensor error, float vs QDQ on ${e.images} calibration images (worst ${top.length} of ${e.tensors.length}; all with --json):`,
    'relative error\tSQNR dB\tmax |error|\ttensor',
    ...top.map((t) => `${t.relativeError.toFixed(4)}\t${t.sqnrDb.toFixed(1)}\t${t.maxAbsError.toPrecision(3)}\t${t.tensor}`),
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
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      'compress quantize',
    );
    if (positionals.length !== 1) throw new SlimboardError('bad_arguments', `compress quantize: expected one MODEL.onnx, got ${positionals.length} (usage: ${usage.split('\n')[0]})`);
    const method = requireStringFlag(values.method, 'method');
    if (!CALIBRATION_METHODS.includes(method as CalibrationMethod)) {
      throw new SlimboardError('bad_arguments', `--method must be one of ${CALIBRATION_METHODS.join('|')}, got "${method}"`);
    }
    if (values.percentile !== undefined && method !== 'percentile') throw new SlimboardError('bad_arguments', '--percentile only applies to --method percentile');
    const percentile = values.percentile === undefined ? undefined : requireNumberFlag(values.percentile, 'percentile', { min: 50, max: 100 });
    const calibImages = requireNumberFlag(values['calib-images'], 'calib-images', { int: true, min: 1, max: 100_000 });
    const inputSize = values['input-size'] === undefined ? 416 : requireNumberFlag(values['input-size'], 'input-size', { int: true, min: 1, max: 8192 });
    const threads = values.threads === undefined ? logicalCoreCount() : requireNumberFlag(values.threads, 'threads', { int: true, min: 1, max: 256 });
    const out = requireStringFlag(values.out, 'out');
    const errorImages = values['error-images'] === undefined ? Math.min(8, calibImages) : requireNumberFlag(values['error-images'], 'error-images', { int: true, min: 0, max: calibImages });
    const calibDataset = requireStringFlag(values['calib-dataset'], 'calib-dataset');
    const exclude = (values.exclude ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const modelPath = positionals[0];
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
      modelPath, outPath: out, calibDataset, calibSplit: values['calib-split'], calibImages, inputSize, method: method as CalibrationMethod,
      percentile, exclude, adapter, threads, errorImages,
    });
    if (values.json) {
      printJson(io, report);
      return 0;
    }
    const ops = Object.entries(report.onnxruntime.optimizedConvOps).map(([k, v]) => `${k} ${v}`).join(', ');
    io.stdout(
      [
        `wrote ${report.out}: ${report.quantizedNodes} nodes int8 (${report.skippedNodes.length} left float), ${report.activations.length} activations calibrated`,
        `method ${report.method}${report.percentile !== null ? ` ${report.percentile}` : ''} on ${report.calibration.images} images of ${report.calibration.dataset} at ${inputSize} ` +
          `(${report.calibration.passes} pass${report.calibration.passes > 1 ? 'es' : ''}, ${(report.calibration.elapsedMs / 1000).toFixed(1)} s)`,
        `size ${report.int8Bytes} bytes = ${(100 * report.sizeRatio).toFixed(1)} % of fp32 ${report.fp32Bytes}`,
        `onnxruntime: runs; optimized graph (${report.onnxruntime.optimizationLevel}) conv ops: ${ops} -> ${report.onnxruntime.int8Convs} int8 convs`,
        `scheme: ${report.scheme}`,
        ...(report.layerErrors ? errorLines(report.layerErrors) : []),
      ].join('\n') + '\n',
    );
    return 0;
  },
};

export default [quantize];
