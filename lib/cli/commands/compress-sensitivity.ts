import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SlimboardError, formatZodIssues } from '../../errors';
import { readModelWithParamNames } from '../../compression/param-names';
import { parseSensitivityOptions, runSensitivity, ZSensitivityCell, type TSensitivityCell } from '../../compression/sensitivity';
import { writeFileAtomic } from '../../onnx/model-file';
import { parseCliArgs, requireNumberFlag, requireStringFlag } from '../args';
import { printJson, type CliCommand } from '../command';
import { readAdapterFile } from './evaluate';
import { parseList, parseRatios } from './prune';

const usage =
  'compress sensitivity MODEL.onnx --dataset DIR [--split val] [--images 40] [--input-size 320] [--ratios 0.3,0.5,0.7]\n' +
  '    [--params a,b] [--param-names FILE] [--adapter FILE] [--threads T] [--resume FILE] --out SENS.json [--json]\n' +
  "  prunes each conv weight alone (L1 norm, smallest filters, `prune`'s channel groups; default: every conv weight that can\n" +
  '  be pruned alone) at each ratio, no fine-tuning, and measures COCO box AP on the first --images images (ascending id) of\n' +
  '  DIR at --input-size; loss = (AP_base - AP) / AP_base. --resume FILE keeps computed cells (written after each one) and\n' +
  '  skips them when run again; --param-names: {"<param>": "<initializer>"} JSON, or a demo manifest; see docs/compression.md';

/** The --resume file: what was computed, for which analysis. */
const ZResumeFile = z
  .object({
    version: z.literal(1),
    key: z
      .object({ modelSha256: z.string(), dataset: z.string(), split: z.string().nullable(), images: z.number(), inputSize: z.number() })
      .strict(),
    baselineAp: z.number().nullable(),
    cells: z.array(ZSensitivityCell),
  })
  .strict();
type TResumeFile = z.infer<typeof ZResumeFile>;

function readResume(file: string, key: TResumeFile['key']): TResumeFile {
  const fresh: TResumeFile = { version: 1, key, baselineAp: null, cells: [] };
  if (!existsSync(file)) return fresh;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SlimboardError(
      'bad_arguments',
      `--resume ${file}: not valid JSON (${(e as Error).message.split('\n')[0]}); delete it to start over`,
    );
  }
  const parsed = ZResumeFile.safeParse(raw);
  if (!parsed.success)
    throw new SlimboardError('bad_arguments', `--resume ${file}: ${formatZodIssues(parsed.error.issues)}; delete it to start over`);
  if (JSON.stringify(parsed.data.key) !== JSON.stringify(key)) {
    throw new SlimboardError(
      'bad_arguments',
      `--resume ${file} was written for another analysis (${JSON.stringify(parsed.data.key)}); delete it or give another file`,
    );
  }
  return parsed.data;
}

const compressSensitivity: CliCommand = {
  words: ['compress', 'sensitivity'],
  summary: 'pruning sensitivity analysis: AP loss of each conv weight pruned alone at each ratio (PaddleSlim sensitivity)',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCliArgs(
      args,
      {
        dataset: { type: 'string' },
        split: { type: 'string' },
        images: { type: 'string' },
        'input-size': { type: 'string' },
        ratios: { type: 'string' },
        params: { type: 'string' },
        'param-names': { type: 'string' },
        adapter: { type: 'string' },
        threads: { type: 'string' },
        resume: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      'compress sensitivity',
    );
    if (positionals.length !== 1)
      throw new SlimboardError(
        'bad_arguments',
        `compress sensitivity: expected one MODEL.onnx, got ${positionals.length} (usage: ${usage.split('\n')[0]})`,
      );
    const dataset = requireStringFlag(values.dataset, 'dataset');
    const out = path.resolve(requireStringFlag(values.out, 'out'));
    const options = parseSensitivityOptions(
      {
        split: values.split,
        images: values.images === undefined ? undefined : requireNumberFlag(values.images, 'images', { int: true, min: 1, max: 100_000 }),
        inputSize:
          values['input-size'] === undefined
            ? undefined
            : requireNumberFlag(values['input-size'], 'input-size', { int: true, min: 32, max: 4096 }),
        ratios: values.ratios === undefined ? undefined : parseRatios(values.ratios),
        params: values.params === undefined ? undefined : parseList(values.params, 'params'),
      },
      'compress sensitivity',
    );
    if (options.ratios.includes(0)) throw new SlimboardError('bad_arguments', '--ratios: 0 is the baseline itself; give ratios in (0, 1)');
    const threads = values.threads === undefined ? 1 : requireNumberFlag(values.threads, 'threads', { int: true, min: 1, max: 256 });
    const adapter = values.adapter ? readAdapterFile(values.adapter) : undefined;
    const loaded = readModelWithParamNames(positionals[0], values['param-names']);
    const key = {
      modelSha256: loaded.sha256,
      dataset: path.resolve(dataset),
      split: options.split ?? null,
      images: options.images,
      inputSize: options.inputSize,
    };
    const resumeFile = values.resume ? path.resolve(values.resume) : null;
    const state = resumeFile
      ? readResume(resumeFile, key)
      : { version: 1 as const, key, baselineAp: null, cells: [] as TSensitivityCell[] };
    const save = () => {
      if (resumeFile) writeFileAtomic(resumeFile, Buffer.from(JSON.stringify(state, null, 1) + '\n'));
    };
    const run = await runSensitivity({
      model: loaded.model,
      source: loaded.source,
      modelLabel: path.basename(loaded.source, '.onnx'),
      datasetDir: dataset,
      options,
      adapter,
      threads,
      existing: { baselineAp: state.baselineAp, cells: state.cells },
      onBaseline: (ap) => {
        state.baselineAp = ap;
        save();
      },
      onCell: (cell) => {
        state.cells.push(cell);
        save();
      },
      onProgress: values.json ? undefined : (done, total) => io.stderr(`\r${done}/${total} evaluations`),
    });
    writeFileAtomic(out, Buffer.from(JSON.stringify(run.analysis, null, 2) + '\n'));
    const summary = {
      out,
      resume: resumeFile,
      computed: run.computed,
      reused: run.reused,
      elapsedMs: Math.round(run.elapsedMs),
      preprocessMs: Math.round(run.preprocessMs),
      analysis: run.analysis,
    };
    if (values.json) {
      printJson(io, summary);
      return 0;
    }
    io.stderr('\n');
    const a = run.analysis;
    io.stdout(
      [
        `baseline AP ${a.baselineAp.toFixed(4)} on ${a.valImages} images at ${a.inputSize}; loss = (AP_base - AP) / AP_base`,
        `${a.ratios.map((r) => `loss@${r}`).join('\t')}\tparameter`,
        ...Object.entries(a.parameters).map(([p, rows]) => `${rows.map((r) => r.loss.toFixed(4).padStart(7)).join('\t')}\t${p}`),
        `wrote ${out}: ${run.computed} evaluations computed, ${run.reused} reused, ${(run.elapsedMs / 1000).toFixed(1)} s`,
      ].join('\n') + '\n',
    );
    return 0;
  },
};

export default compressSensitivity;
