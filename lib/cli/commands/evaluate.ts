import { readFileSync } from 'node:fs';
import { SlimboardError } from '../../errors';
import { parseModelAdapter } from '../../inference/detection/model-adapter';
import { attachTerminalProgressBar, ProgressReporter } from '../../inference/runtime/progress';
import { logicalCoreCount } from '../../inference/runtime/fingerprint';
import { evaluateOnDataset, guessDatasetFormat, saveDetections } from '../../measure/run-measurement';
import { printJson, type CliCommand } from '../command';
import { parseCliArgs, requireNumberFlag, requireStringFlag } from '../args';

const usage =
  'evaluate MODEL.onnx --dataset DIR --input-size S [--format coco|voc|widerface] [--split NAME] [--ap-type 11point|integral]\n' +
  '         [--adapter FILE] [--save-dt FILE] [--threads T] [--workers W] [--strict] [--progress] [--json]\n' +
  '  coco: annotations.json + images/, or annotations/instances_<split>.json + images/<split>/ -> COCO box AP (12 stats)\n' +
  '  voc: Annotations/*.xml, ImageSets/Main/<split>.txt, JPEGImages/ -> mAP (11point by default, as the seed)\n' +
  '  widerface: wider_face_split/*.mat (or wider_face_val.json), WIDER_val/images/ -> easy/medium/hard AP\n' +
  '  --format defaults to what DIR looks like (COCO first). --save-dt writes what `eval <format>` reads.\n' +
  '  COCO: detections of a class that is no dataset category are left out and counted, as pycocotools does; --strict refuses them';

/** The dataset format a folder looks like (COCO first: the synthetic split holds COCO and VOC annotations). */
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

/**
 * --progress: `progress F` lines on stderr for a parent process (the worker) to follow, F = images done / total,
 * written when F has risen by at least 0.05 since the last line, and at 1. Works without a terminal.
 */
function attachProgressLines(r: ProgressReporter, io: { stderr(text: string): void }): void {
  let last = 0;
  r.on('progress', (e) => {
    const f = e.total > 0 ? Math.min(1, e.done / e.total) : 1;
    if (f >= 1 ? last < 1 : f - last >= 0.05) {
      last = f;
      io.stderr(`progress ${f.toFixed(3)}\n`);
    }
  });
}

const fmt = (v: number) => (v < 0 ? '  -1  ' : v.toFixed(4));

const command: CliCommand = {
  words: ['evaluate'],
  summary: "Run an ONNX detector over a COCO, VOC or WIDER FACE dataset folder and report the format's metrics",
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
        strict: { type: 'boolean' },
        json: { type: 'boolean' },
        format: { type: 'string' },
        'ap-type': { type: 'string' },
        progress: { type: 'boolean' },
      },
      'evaluate',
    );
    if (positionals.length !== 1)
      throw new SlimboardError(
        'bad_arguments',
        `evaluate: expected exactly one MODEL.onnx, got ${positionals.length} (usage: ${usage.split('\n')[0]})`,
      );
    const datasetDir = requireStringFlag(values.dataset, 'dataset');
    const inputSize = requireNumberFlag(values['input-size'], 'input-size', { int: true, min: 1, max: 8192 });
    const threads =
      values.threads === undefined ? logicalCoreCount() : requireNumberFlag(values.threads, 'threads', { int: true, min: 1, max: 256 });
    const workers = values.workers === undefined ? 1 : requireNumberFlag(values.workers, 'workers', { int: true, min: 1, max: 64 });
    const adapter = values.adapter ? readAdapterFile(values.adapter) : undefined;
    const format = values.format ?? guessDatasetFormat(datasetDir);
    if (format !== 'coco' && format !== 'voc' && format !== 'widerface')
      throw new SlimboardError('bad_arguments', `evaluate: --format must be coco, voc or widerface, got "${format}"`);
    const apType = values['ap-type'] ?? '11point';
    if (apType !== '11point' && apType !== 'integral')
      throw new SlimboardError('bad_arguments', `evaluate: --ap-type must be 11point or integral, got "${apType}"`);
    const evaluated = await evaluateOnDataset({
      modelPath: positionals[0],
      datasetDir,
      format,
      split: values.split,
      inputSize,
      adapter,
      workers,
      session: { intraOpNumThreads: threads },
      strict: Boolean(values.strict),
      apType,
      createProgress: (total: number) => {
        const r = new ProgressReporter('evaluate', total);
        attachTerminalProgressBar(r, process.stderr);
        if (values.progress) attachProgressLines(r, io);
        return r;
      },
    });
    if (values['save-dt']) await saveDetections(values['save-dt'], evaluated.detections);
    const summary = { ...evaluated.summary, savedDetections: values['save-dt'] ?? null };
    const count = evaluated.summary.detectionCount as number;
    if (evaluated.coco === null) {
      if (values.json) {
        printJson(io, summary);
        return 0;
      }
      const other = evaluated.summary as unknown as {
        family: 'voc' | 'widerface';
        adapter: string;
        metrics: Record<string, number>;
        dataset: { images: number; apType?: string };
        pipeline: { images: number; elapsedMs: number };
      };
      const line =
        other.family === 'voc'
          ? `mAP ${other.metrics.mAP.toFixed(4)} (${other.dataset.apType}, VOC)`
          : `easy ${other.metrics.easy.toFixed(4)}  medium ${other.metrics.medium.toFixed(4)}  hard ${other.metrics.hard.toFixed(4)} ` +
            `(WIDER FACE)`;
      io.stdout(
        [
          `model     ${positionals[0]} at ${inputSize}x${inputSize} (adapter ${other.adapter})`,
          `dataset   ${datasetDir}: ${other.dataset.images} images (${format})`,
          line,
          `pipeline  ${other.pipeline.images} images in ${(other.pipeline.elapsedMs / 1000).toFixed(2)} s, ${count} detections`,
        ].join('\n') + '\n',
      );
      return 0;
    }
    const result = evaluated.coco;
    const ign = result.ignoredDetections;
    if (ign.unknownCategory > 0) {
      io.stderr(
        `warning: ${ign.unknownCategory} detections of model classes ${ign.modelClasses.join(', ')} left out: ` +
          `no category of ${result.dataset.annotations} (pycocotools ignores them; --strict refuses them)\n`,
      );
    }
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
        `pipeline  ${result.pipeline.images} images in ${(result.pipeline.elapsedMs / 1000).toFixed(2)} s ` +
          `(${result.pipeline.imagesPerS.toFixed(2)} images/s), ${count} detections`,
      ].join('\n') + '\n',
    );
    return 0;
  },
};

export default command;
