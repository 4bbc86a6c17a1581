import path from 'node:path';
import { DEMO_DATASET_SEED, writeSyntheticSplit } from '../../datasets/synthetic';
import { parseCliArgs, requireNumberFlag, requireStringFlag } from '../args';
import { printJson, type CliCommand } from '../command';

const DEFAULT_COUNTS: Record<string, number> = { train: 4000, val: 300 };

const synth: CliCommand = {
  words: ['dataset', 'synth'],
  summary: 'write a split of the synthetic shapes detection dataset (COCO JSON + PNG + VOC XML)',
  usage:
    'dataset synth --out DIR [--split val|train|NAME] [--count N] [--seed N] [--json]\n' +
    `  defaults: --split val, --count 300 for val / 4000 for train, --seed ${DEMO_DATASET_SEED} (the demo zoo's seed)`,
  async run(args, io) {
    const { values } = parseCliArgs(
      args,
      {
        out: { type: 'string' },
        split: { type: 'string', default: 'val' },
        count: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      'dataset synth',
    );
    const outDir = path.resolve(requireStringFlag(values.out, 'out'));
    const split = values.split as string;
    const count = values.count === undefined ? (DEFAULT_COUNTS[split] ?? 300) : requireNumberFlag(values.count, 'count', { int: true, min: 1, max: 200_000 });
    const seed = values.seed === undefined ? DEMO_DATASET_SEED : requireNumberFlag(values.seed, 'seed', { int: true, min: 0, max: 0xffffffff });
    const result = await writeSyntheticSplit({ outDir, split, count, seed });
    const summary = { outDir, split, seed, images: result.images, annotations: result.annotations, cocoPath: result.cocoPath, imageDir: result.imageDir, durationMs: Math.round(result.durationMs) };
    if (values.json) printJson(io, summary);
    else io.stdout(`wrote ${summary.images} images, ${summary.annotations} objects to ${outDir} (${split}, seed ${seed}) in ${summary.durationMs} ms\n`);
    return 0;
  },
};

export default [synth];
