import path from 'node:path';
import { DEMO_DATASET_SEED, writeSyntheticSplit } from '../../datasets/synthetic';
import { SlimboardError } from '../../errors';
import { getEnv } from '../../env';
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
    const count =
      values.count === undefined
        ? (DEFAULT_COUNTS[split] ?? 300)
        : requireNumberFlag(values.count, 'count', { int: true, min: 1, max: 200_000 });
    const seed =
      values.seed === undefined ? DEMO_DATASET_SEED : requireNumberFlag(values.seed, 'seed', { int: true, min: 0, max: 0xffffffff });
    const result = await writeSyntheticSplit({ outDir, split, count, seed });
    const summary = {
      outDir,
      split,
      seed,
      images: result.images,
      annotations: result.annotations,
      cocoPath: result.cocoPath,
      imageDir: result.imageDir,
      durationMs: Math.round(result.durationMs),
    };
    if (values.json) printJson(io, summary);
    else
      io.stdout(
        `wrote ${summary.images} images, ${summary.annotations} objects to ${outDir} (${split}, seed ${seed}) in ${summary.durationMs} ` +
          `ms\n`,
      );
    return 0;
  },
};

async function withPipeline<T>(fn: (p: import('../../jobs/pipeline').Pipeline) => Promise<T>): Promise<T> {
  const { getDb, getDatabaseUrl, closeDb } = await import('../../db/client');
  const { openPipeline } = await import('../../jobs/pipeline');
  try {
    await getDb();
    const pipeline = await openPipeline({ databaseUrl: await getDatabaseUrl(), supervise: false, poolSize: 2 });
    try {
      return await fn(pipeline);
    } finally {
      await pipeline.close();
    }
  } finally {
    await closeDb();
  }
}

const add: CliCommand = {
  words: ['dataset', 'add'],
  summary: 'register a dataset folder (coco, voc or widerface layout) as a content-addressed artifact any worker can fetch',
  usage:
    'dataset add DIR --name NAME --format coco|voc|widerface [--split S] [--slug SLUG] [--json]\n' +
    '  Checks the folder in its format, packs it into one deterministic archive, stores it by sha256 in the artifact store\n' +
    '  (local disk, or S3 with SLIMBOARD_STORE_URL) and registers its classes, image and object counts. Runs name the\n' +
    '  dataset by its slug (default: from the name). Layouts: docs/object-storage.md#datasets.',
  async run(args, io) {
    const { values, positionals } = parseCliArgs(
      args,
      {
        name: { type: 'string' },
        format: { type: 'string' },
        split: { type: 'string' },
        slug: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      'dataset add',
    );
    if (positionals.length !== 1)
      throw new SlimboardError('bad_arguments', `dataset add: expected exactly one DIR, got ${positionals.length}`);
    const { ZDatasetAdd, addDataset } = await import('../../datasets/dataset-registry');
    const { formatZodIssues } = await import('../../errors');
    const parsed = ZDatasetAdd.safeParse({
      name: requireStringFlag(values.name, 'name'),
      format: requireStringFlag(values.format, 'format'),
      split: values.split,
      slug: values.slug,
    });
    if (!parsed.success) throw new SlimboardError('bad_arguments', `dataset add: ${formatZodIssues(parsed.error.issues)}`);
    const dir = path.resolve(positionals[0]);
    const added = await withPipeline((p) => addDataset(dir, parsed.data, { pool: p.pool, store: p.store }));
    if (values.json) printJson(io, added);
    else {
      io.stdout(
        `${added.created ? 'registered' : 'already registered'} dataset ${added.slug} (${added.format}${
          added.split ? `, split ${added.split}` : ''
        }): ` +
          `${added.imageCount} images, ${added.objectCount} objects, ${added.classes.length} ` +
          `classes, ${(added.sizeBytes / 1e6).toFixed(1)} MB, sha256 ${added.sha256}\n`,
      );
    }
    return 0;
  },
};

const list: CliCommand = {
  words: ['dataset', 'list'],
  summary: 'list datasets: registered ones with format, counts and sha256',
  usage: 'dataset list [--json]',
  async run(args, io) {
    const { values } = parseCliArgs(args, { json: { type: 'boolean', default: false } }, 'dataset list');
    const { listDatasets } = await import('../../datasets/dataset-registry');
    const rows = await withPipeline((p) => listDatasets(p.pool));
    if (values.json) printJson(io, { datasets: rows });
    else {
      for (const d of rows) {
        const where = d.sha256
          ? `${d.format} ${d.imageCount} images ${d.objectCount} objects sha256 ${d.sha256.slice(0, 12)}…`
          : `not an artifact (install under ${getEnv().dataDir}/datasets/${d.slug})`;
        io.stdout(`${d.slug.padEnd(24)} ${d.name.padEnd(32)} ${where}\n`);
      }
    }
    return 0;
  },
};

const synthFaces: CliCommand = {
  words: ['dataset', 'synth-faces'],
  summary: 'write a single-class synthetic "faces" split in WIDER FACE layout (sparse, crowd and portrait events)',
  usage:
    `dataset synth-faces --out DIR [--per-event N] [--seed N] [--json]\n  defaults: --per-event 20, --seed ${DEMO_DATASET_SEED}. ` +
    `Settings easy/medium/hard by face height and occlusion (lib/datasets/synthetic/faces-split.ts).`,
  async run(args, io) {
    const { values } = parseCliArgs(
      args,
      { out: { type: 'string' }, 'per-event': { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean', default: false } },
      'dataset synth-faces',
    );
    const outDir = path.resolve(requireStringFlag(values.out, 'out'));
    const perEvent =
      values['per-event'] === undefined ? 20 : requireNumberFlag(values['per-event'], 'per-event', { int: true, min: 1, max: 10_000 });
    const seed =
      values.seed === undefined ? DEMO_DATASET_SEED : requireNumberFlag(values.seed, 'seed', { int: true, min: 0, max: 0xffffffff });
    const { writeSyntheticFacesSplit } = await import('../../datasets/synthetic/faces-split');
    const r = await writeSyntheticFacesSplit({ outDir, perEvent, seed });
    if (values.json) printJson(io, { outDir, seed, ...r });
    else io.stdout(`wrote ${r.images} images with ${r.faces} faces to ${outDir} (WIDER FACE layout, seed ${seed})\n`);
    return 0;
  },
};

export default [synth, synthFaces, add, list];
