import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SlimboardError } from '../../errors';
import { readModelWithParamNames } from '../../compression/param-names';
import { pruneToFlopsTarget, ZPruneToFlopsOptions } from '../../compression/prune-to-flops';
import { encodeModel, writeFileAtomic } from '../../onnx/model-file';
import { parseSensitivityAnalysis } from '../../zoo/sensitivity-analysis';
import { parseCliArgs, requireNumberFlag, requireStringFlag } from '../args';
import { printJson, type CliCommand } from '../command';

const usage =
  'compress prune MODEL.onnx --sensitivity SENS.json --flops-target 0.35 [--rule paddleslim|with-origin] [--input-size S]\n' +
  '    [--param-names FILE] --out F.onnx [--json]\n' +
  '  per parameter of the sensitivity analysis, the largest ratio whose interpolated loss stays under a loss threshold\n' +
  "  (PaddleSlim's get_ratios_by_loss; --rule with-origin adds a (0, 0) point); the threshold is bisected so that the pruned\n" +
  "  graph computes --flops-target fewer GFLOPs (paddleslim convention, at --input-size, default the analysis' size); then\n" +
  '  prunes by L1 norm as `prune` does. --param-names: {"<param>": "<initializer>"} JSON, or a demo manifest (its model\n' +
  "  with this file's sha256); see docs/compression.md";

function readJson(file: string, flag: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SlimboardError(
      'bad_arguments',
      `--${flag} ${file}: ${code ? `cannot read (${code})` : `not valid JSON (${(e as Error).message.split('\n')[0]})`}`,
    );
  }
}

const compressPrune: CliCommand = {
  words: ['compress', 'prune'],
  summary: 'prune to a FLOPs target with ratios read from a sensitivity analysis (PaddleSlim get_ratios_by_loss)',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCliArgs(
      args,
      {
        sensitivity: { type: 'string' },
        'flops-target': { type: 'string' },
        rule: { type: 'string' },
        'input-size': { type: 'string' },
        'param-names': { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      'compress prune',
    );
    if (positionals.length !== 1)
      throw new SlimboardError(
        'bad_arguments',
        `compress prune: expected one MODEL.onnx, got ${positionals.length} (usage: ${usage.split('\n')[0]})`,
      );
    const sensFile = requireStringFlag(values.sensitivity, 'sensitivity');
    const rule = values.rule ?? 'paddleslim';
    if (rule !== 'paddleslim' && rule !== 'with-origin')
      throw new SlimboardError('bad_arguments', `--rule must be paddleslim or with-origin, got "${rule}"`);
    const options = ZPruneToFlopsOptions.parse({
      flopsTarget: requireNumberFlag(values['flops-target'], 'flops-target', { min: 0.001, max: 0.999 }),
      rule,
      inputSize:
        values['input-size'] === undefined
          ? undefined
          : requireNumberFlag(values['input-size'], 'input-size', { int: true, min: 32, max: 4096 }),
    });
    const out = path.resolve(requireStringFlag(values.out, 'out'));
    const analysis = parseSensitivityAnalysis(readJson(sensFile, 'sensitivity'), sensFile);
    const loaded = readModelWithParamNames(positionals[0], values['param-names']);
    const started = performance.now();
    const r = pruneToFlopsTarget(loaded.model, analysis, options, loaded.source);
    const bytes = encodeModel(r.model);
    writeFileAtomic(out, bytes);
    const { model: _model, ...rest } = r;
    const summary = {
      source: loaded.source,
      out,
      sensitivity: sensFile,
      ...rest,
      bytesBefore: loaded.sizeBytes,
      bytesAfter: bytes.length,
      durationMs: Math.round(performance.now() - started),
    };
    if (values.json) {
      printJson(io, summary);
      return 0;
    }
    const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
    const { above, below } = r.bracket;
    const bracket = !below
      ? 'no pruning already reaches it'
      : above.threshold - below.threshold < 1e-9
        ? `the target lies in a jump of the ratios at threshold ${above.threshold.toPrecision(8)}: ` +
          `-${pct(above.reduction)} at it, -${pct(below.reduction)} just below`
        : `-${pct(above.reduction)} at threshold ${above.threshold.toPrecision(8)}, ` +
          `-${pct(below.reduction)} at ${below.threshold.toPrecision(8)}`;
    io.stdout(
      [
        `rule ${r.rule}: loss threshold ${r.lossThreshold.toPrecision(8)} ` +
          `(target -${pct(r.flopsTarget)} GFLOPs; ${bracket}; the nearer is used)`,
        'ratio\tinterp. loss\tparameter',
        ...r.ratios.map((p) => `${p.ratio.toFixed(4)}\t${p.interpolatedLoss.toFixed(5)}\t${p.param}`),
        `GFLOPs@${r.inputSize} (paddleslim): ${r.gflopsBefore.toFixed(4)} -> ${r.gflopsAfter.toFixed(4)}: actual -${pct(r.reduction)}, ` +
          `predicted -${pct(r.predictedReduction)} (sum of single-parameter reductions)`,
        `wrote ${out}: bytes ${loaded.sizeBytes} -> ${bytes.length}`,
      ].join('\n') + '\n',
    );
    return 0;
  },
};

export default compressPrune;
