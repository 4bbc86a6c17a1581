import { writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { SlimboardError } from '../../errors';
import { evaluateDetectorOnCoco } from '../../inference/evaluate-detector';
import { parseModelAdapter } from '../../inference/model-adapter';
import { attachTerminalProgressBar, ProgressReporter } from '../../inference/progress';
import { logicalCoreCount } from '../../inference/fingerprint';
import { printJson, type CliCommand } from '../command';
import { parseCliArgs, requireNumberFlag, requireStringFlag } from '../args';

const usage =
  'evaluate MODEL.onnx --dataset DIR --input-size S [--split NAME] [--adapter FILE] [--save-dt FILE] [--threads T] [--workers W] [--json]\n' +
  '  DIR: annotations.json + images/, or annotations/instances_<split>.json + images/<split>/ (COCO format)';

export function readAdapterFile(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SlimboardError('file_not_found', `${file}: cannot read adapter file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SlimboardError('bad_adapter', `${file}: not valid JSON (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
  return parseModelAdapter(json, file);
}

const fmt = (v: number) => (v < 0 ? '  -1  ' : v.toFixed(4));

const command: CliCommand = {
  words: ['evaluate'],
  summary: 'Run an ONNX detector over a COCO-format dataset and report its COCO box metrics',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCliArgs(
      args,
      {
        dataset: { type: 'string' },
        split: { type: 'string' },
        'input-size': { type: 'string' },
        adapter: { type: 'string' },
        'save-dt': { type: 'string' },
        threads: { type: 'string' },
        workers: { type: 'string' },
        json: { type: 'boolean' },
      },
      'evaluate',
    );
    if (positionals.length !== 1) throw new SlimboardError('bad_arguments', `evaluate: expected exactly one MODEL.onnx, got ${positionals.length} (usage: ${usage.split('\n')[0]})`);
    const datasetDir = requireStringFlag(values.dataset, 'dataset');
    const inputSize = requireNumberFlag(values['input-size'], 'input-size', { int: true, min: 1, max: 8192 });
    const threads = values.threads === undefined ? logicalCoreCount() : requireNumberFlag(values.threads, 'threads', { int: true, min: 1, max: 256 });
    const workers = values.workers === undefined ? 1 : requireNumberFlag(values.workers, 'workers', { int: true, min: 1, max: 64 });
    const adapter = values.adapter ? readAdapterFile(values.adapter) : undefined;
    const result = await evaluateDetectorOnCoco({
      modelPath: positionals[0],
      datasetDir,
      split: values.split,
      inputSize,
      adapter,
      workers,
      session: { intraOpNumThreads: threads },
      createProgress: (total) => {
        const r = new ProgressReporter('evaluate', total);
        attachTerminalProgressBar(r, process.stderr);
        return r;
      },
    });
    if (values['save-dt']) {
      try {
        await writeFile(values['save-dt'], JSON.stringify(result.detections) + '\n');
      } catch (e) {
        throw new SlimboardError('write_failed', `${values['save-dt']}: cannot write detections (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    const { detections, ...rest } = result;
    const summary = { model: positionals[0], inputSize, ...rest, detectionCount: detections.length, savedDetections: values['save-dt'] ?? null };
    if (values.json) {
      printJson(io, summary);
      return 0;
    }
    const m = result.metrics;
    io.stdout(
      [
        `model     ${positionals[0]} at ${inputSize}x${inputSize} (adapter ${result.adapter})`,
        `dataset   ${result.dataset.annotations}: ${result.dataset.images} images, ${result.dataset.categories} categories (COCO)`,
        `AP ${fmt(m.AP)}  AP50 ${fmt(m.AP50)}  AP75 ${fmt(m.AP75)}  APs ${fmt(m.APs)}  APm ${fmt(m.APm)}  APl ${fmt(m.APl)}`,
        `AR1 ${fmt(m.AR1)}  AR10 ${fmt(m.AR10)}  AR100 ${fmt(m.AR100)}  ARs ${fmt(m.ARs)}  ARm ${fmt(m.ARm)}  ARl ${fmt(m.ARl)}`,
        `pipeline  ${result.pipeline.images} images in ${(result.pipeline.elapsedMs / 1000).toFixed(2)} s (${result.pipeline.imagesPerS.toFixed(2)} images/s), ${detections.length} detections`,
      ].join('\n') + '\n',
    );
    return 0;
  },
};

export default command;
