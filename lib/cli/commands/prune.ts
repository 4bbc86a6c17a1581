import path from 'node:path';
import { SlimboardError } from '../../errors';
import { pruneChannels } from '../../onnx/channel-prune';
import { weightInitializers } from '../../onnx/compute-count';
import { encodeModel, readModelFile, writeFileAtomic } from '../../onnx/model-file';
import { parseCliArgs, requireNumberFlag, requireStringFlag } from '../args';
import { printJson, type CliCommand } from '../command';

/** "a, b,c" -> ["a","b","c"]; empty items are an error naming their position. */
export function parseList(value: string, flag: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  items.forEach((s, i) => {
    if (s === '') throw new SlimboardError('bad_arguments', `--${flag}: item ${i + 1} is empty`);
  });
  return items;
}

export function parseRatios(value: string): number[] {
  return parseList(value, 'ratios').map((s, i) => {
    const r = Number(s);
    if (!Number.isFinite(r)) throw new SlimboardError('bad_arguments', `--ratios: item ${i + 1} "${s}" is not a number`);
    if (r < 0 || r >= 1) throw new SlimboardError('bad_arguments', `--ratios: item ${i + 1} is ${r}, outside [0, 1)`);
    return r;
  });
}

const sumParams = (m: Parameters<typeof weightInitializers>[0]) => [...weightInitializers(m).values()].reduce((a, b) => a + b, 0);

const prune: CliCommand = {
  words: ['prune'],
  summary: 'channel-prune conv weights of an ONNX model by L1 norm (PaddleSlim semantics)',
  usage:
    'prune FILE --params a,b,... --ratios r1,r2,... --out FILE [--input-size S] [--json]\n' +
    '  removes round(C_out x ratio) output channels with the smallest L1 norm per listed conv weight (same order as the\n' +
    "  seed's --pruned_params/--pruned_ratios); --input-size (default 320) only resolves shapes of dynamic-size models",
  async run(args, io) {
    const { values, positionals } = parseCliArgs(
      args,
      {
        params: { type: 'string' },
        ratios: { type: 'string' },
        out: { type: 'string' },
        'input-size': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      'prune',
    );
    if (positionals.length !== 1) throw new SlimboardError('bad_arguments', `prune: expected one model FILE, got ${positionals.length}`);
    const params = parseList(requireStringFlag(values.params, 'params'), 'params');
    const ratios = parseRatios(requireStringFlag(values.ratios, 'ratios'));
    if (params.length !== ratios.length) {
      throw new SlimboardError(
        'bad_arguments',
        `--params has ${params.length} items but --ratios has ${ratios.length}: the lists must have the same length`,
      );
    }
    const out = path.resolve(requireStringFlag(values.out, 'out'));
    const inputSize =
      values['input-size'] === undefined
        ? undefined
        : requireNumberFlag(values['input-size'], 'input-size', { int: true, min: 1, max: 16384 });
    const loaded = readModelFile(positionals[0]);
    const started = performance.now();
    const result = pruneChannels(loaded.model, { params, ratios, inputSize }, loaded.source);
    const bytes = encodeModel(result.model);
    writeFileAtomic(out, bytes);
    const summary = {
      source: loaded.source,
      out,
      pruned: result.pruned,
      paramsBefore: sumParams(loaded.model),
      paramsAfter: sumParams(result.model),
      bytesBefore: loaded.sizeBytes,
      bytesAfter: bytes.length,
      durationMs: Math.round(performance.now() - started),
    };
    if (values.json) printJson(io, summary);
    else {
      for (const p of result.pruned) {
        io.stdout(
          `${p.param}: ${p.channelsBefore} -> ${p.channelsAfter} channels (ratio ${p.ratio}${
            p.skippedBecause ? `, skipped: ${p.skippedBecause}` : ''
          })\n`,
        );
      }
      io.stdout(
        `wrote ${out}: params ${summary.paramsBefore} -> ${summary.paramsAfter}, bytes ${summary.bytesBefore} -> ${summary.bytesAfter}\n`,
      );
    }
    return 0;
  },
};

export default prune;
