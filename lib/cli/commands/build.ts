import crypto from 'node:crypto';
import path from 'node:path';
import { SlimboardError } from '../../errors';
import { weightInitializers } from '../../onnx/compute-count';
import { encodeModel, writeFileAtomic } from '../../onnx/model-file';
import { BACKBONES, buildYoloV3, type Backbone } from '../../onnx/yolov3';
import { parseCliArgs, requireNumberFlag, requireStringFlag } from '../args';
import { printJson, type CliCommand } from '../command';

const build: CliCommand = {
  words: ['build'],
  summary: 'build a reference YOLOv3 ONNX graph (PaddleDetection layer names, seeded random weights)',
  usage:
    `build yolov3 --backbone ${BACKBONES.join('|')} --num-classes N --out FILE [--seed N] [--json]\n` +
    '  e.g. build yolov3 --backbone mobilenet_v1 --num-classes 80 --out yolov3_mobilenet_v1_coco.onnx',
  async run(args, io) {
    const { values, positionals } = parseCliArgs(
      args,
      {
        backbone: { type: 'string' },
        'num-classes': { type: 'string' },
        out: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      'build',
    );
    if (positionals.length !== 1 || positionals[0] !== 'yolov3') {
      throw new SlimboardError(
        'bad_arguments',
        `build: expected the architecture "yolov3", got ${positionals.length ? `"${positionals.join(' ')}"` : 'nothing'}`,
      );
    }
    const backbone = requireStringFlag(values.backbone, 'backbone');
    if (!BACKBONES.includes(backbone as Backbone)) {
      throw new SlimboardError('bad_arguments', `--backbone must be one of ${BACKBONES.join('|')}, got "${backbone}"`);
    }
    const numClasses = requireNumberFlag(values['num-classes'], 'num-classes', { int: true, min: 1, max: 10000 });
    const seed = values.seed === undefined ? undefined : requireNumberFlag(values.seed, 'seed', { int: true, min: 0, max: 0xffffffff });
    const out = path.resolve(requireStringFlag(values.out, 'out'));
    const started = performance.now();
    const model = buildYoloV3({ backbone: backbone as Backbone, numClasses, seed });
    const bytes = encodeModel(model);
    writeFileAtomic(out, bytes);
    const params = [...weightInitializers(model).values()].reduce((a, b) => a + b, 0);
    const summary = {
      out,
      architecture: 'yolov3',
      backbone,
      numClasses,
      seed: seed ?? 2019,
      opset: model.opsetImport?.[0]?.version ?? null,
      nodes: model.graph?.node?.length ?? 0,
      params,
      bytes: bytes.length,
      sizeMiB: Number((bytes.length / 1048576).toFixed(2)),
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      durationMs: Math.round(performance.now() - started),
    };
    if (values.json) printJson(io, summary);
    else io.stdout(`wrote ${out}: YOLOv3 ${backbone}, ${numClasses} classes, ${params} params, ${summary.sizeMiB} MiB\n`);
    return 0;
  },
};

export default build;
