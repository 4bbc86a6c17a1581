import { SlimboardError } from '../../errors';
import { analyzeModel } from '../../onnx/analyze-model';
import { CONVENTIONS, type Convention } from '../../onnx/compute-count';
import { readModelFile } from '../../onnx/model-file';
import { parseCliArgs, requireNumberFlag } from '../args';
import { printJson, type CliCommand } from '../command';

const fmtShape = (s: number[][]) => s.map((x) => `[${x.join(',')}]`).join(' ');

const analyze: CliCommand = {
  words: ['analyze'],
  summary: 'shapes, compute (named convention), params and size of an ONNX model at an input size',
  usage:
    `analyze FILE --input-size S [--convention ${CONVENTIONS.join('|')}] [--layers] [--json]\n` +
    "  paddleslim: conv multiply-accumulates / 1024^3 (PaddleDetection's GFLOPs column); macs: Conv/ConvTranspose/Gemm/MatMul/DeformConv " +
    'MACs / 1e9;\n' +
    '  flops: 2 x MACs + 1 per element of elementwise ops, / 1e9\n' +
    '  always: pruning audit (all-zero / near-zero conv filters, realised vs effective GFLOPs and params; docs/pruning-audit.md)',
  async run(args, io) {
    const { values, positionals } = parseCliArgs(
      args,
      {
        'input-size': { type: 'string' },
        convention: { type: 'string', default: 'paddleslim' },
        layers: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
      'analyze',
    );
    if (positionals.length !== 1) throw new SlimboardError('bad_arguments', `analyze: expected one model FILE, got ${positionals.length}`);
    const convention = values.convention as string;
    if (!CONVENTIONS.includes(convention as Convention)) {
      throw new SlimboardError('bad_arguments', `--convention must be one of ${CONVENTIONS.join('|')}, got "${convention}"`);
    }
    const inputSize =
      values['input-size'] === undefined
        ? undefined
        : requireNumberFlag(values['input-size'], 'input-size', { int: true, min: 1, max: 16384 });
    const loaded = readModelFile(positionals[0]);
    const report = analyzeModel(loaded, { inputSize, convention: convention as Convention, layers: values.layers });
    if (values.json) {
      printJson(io, report);
      return 0;
    }
    const lines = [
      `${report.source} at input ${JSON.stringify(report.inputs)} (opset ${report.opset}, ${report.nodeCount} nodes)`,
      `${report.gflops.toFixed(4)} ${report.unit} [convention ${report.convention}: ${report.conventionRule}]`,
      `params ${report.params}, ${report.bytes} bytes on disk`,
    ];
    const a = report.pruningAudit;
    lines.push(`pruning audit: ${a.filters} conv filters, ${a.zeroFilters} all-zero, ${a.nearZeroFilters} near-zero (${a.rule})`);
    if (a.zeroedNotRemoved) {
      const eff = a.effective
        ? `effective ${a.effective.gflops.toFixed(4)} GFLOPs, params ${a.effective.params} (${a.removableFilters} filters removable)`
        : `effective compute unknown: ${a.effectiveError}`;
      lines.push(`  filters zeroed but not removed: realised ${a.realised.gflops.toFixed(4)} GFLOPs, params ${a.realised.params}; ${eff}`);
      for (const l of a.layers) {
        lines.push(
          `  ${l.param}: ${l.zeroFilters} zero + ${l.nearZeroFilters} near-zero of ${l.filters}, ${l.removedFilters} ` +
            `removable${l.keptBecause ? ` (kept: ${l.keptBecause})` : ''}`,
        );
      }
    }
    if (report.unknownNodes.length) lines.push(`note: ${report.unknownNodes.length} nodes have data-dependent shapes and count 0`);
    if (report.layers) {
      lines.push(['name', 'op', 'inputs', 'outputs', 'kernel', 'stride', 'groups', 'macs', 'count', 'params'].join('\t'));
      for (const l of report.layers) {
        lines.push(
          [
            l.name,
            l.op,
            fmtShape(l.inputShapes),
            fmtShape(l.outputShapes),
            l.kernel?.join('x') ?? '',
            l.stride?.join('x') ?? '',
            l.groups ?? '',
            l.macs,
            l.count,
            l.params,
          ].join('\t'),
        );
      }
    }
    io.stdout(lines.join('\n') + '\n');
    return 0;
  },
};

export default analyze;
