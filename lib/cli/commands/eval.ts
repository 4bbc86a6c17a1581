import { SlimboardError } from '../../errors';
import { COCO_STAT_NAMES, evaluateCoco } from '../../metrics/coco';
import { COCO_BOOTSTRAP_METRICS, cocoApDeltaBootstrap } from '../../metrics/coco-bootstrap';
import { readCocoGroundTruthFile, readCocoResultsFile, type CocoResults } from '../../metrics/formats/coco-json';
import {
  DEFAULT_BOOTSTRAP_RESAMPLES,
  DEFAULT_BOOTSTRAP_SEED,
  formatPointsDelta,
  parsePairedBootstrapOptions,
  type TPairedBootstrapResult,
} from '../../metrics/paired-bootstrap';
import { isDirectory, readVocDirectory } from '../../metrics/formats/voc-directory';
import { readVocDetectionsFile, readVocGroundTruthFile } from '../../metrics/formats/voc-json';
import { checkWiderFaceCoverage, readWiderFaceGroundTruth, readWiderFacePredictions } from '../../metrics/formats/widerface-files';
import type { EvaluationHooks } from '../../metrics/progress';
import { evaluateVoc, type VocApType } from '../../metrics/voc';
import { vocMapDeltaBootstrap } from '../../metrics/voc-bootstrap';
import { evaluateWiderFace, WIDER_SETTINGS } from '../../metrics/widerface';
import { widerFaceDeltaBootstrap } from '../../metrics/widerface-bootstrap';
import { parseCliArgs, requireNumberFlag, requireStringFlag } from '../args';
import { printJson, type CliCommand, type CliIo } from '../command';

/** A one-line progress display on stderr when it is a terminal (never in --json output). */
function terminalProgress(io: CliIo, enabled: boolean): EvaluationHooks {
  if (!enabled || !process.stderr.isTTY) return {};
  return {
    onProgress: ({ stage, done, total }) => {
      const pct = total === 0 ? 100 : Math.floor((100 * done) / total);
      io.stderr(`\r${stage} ${String(pct).padStart(3)}%${done === total ? '\n' : ''}`);
    },
  };
}

const fmt = (v: number | null) => (v === null ? '   n/a' : v === -1 ? '    -1' : v.toFixed(3).padStart(6));

/** --resamples / --seed, validated by the one bootstrap schema; they need a baseline flag. */
function bootstrapFlags(values: Record<string, unknown>, baselineFlag: string) {
  if (values[baselineFlag] === undefined && (values.resamples !== undefined || values.seed !== undefined)) {
    throw new SlimboardError('bad_arguments', `--resamples and --seed need --${baselineFlag} (they set the bootstrap of the delta)`);
  }
  return parsePairedBootstrapOptions({
    resamples: values.resamples === undefined ? undefined : requireNumberFlag(values.resamples as string, 'resamples', { int: true }),
    seed: values.seed === undefined ? undefined : requireNumberFlag(values.seed as string, 'seed', { int: true }),
  });
}

/** The human lines of a comparison: one per metric, then the method. */
function comparisonLines(baselinePath: string, r: TPairedBootstrapResult, names: readonly string[], label: (m: string) => string): string {
  const lines = names.map((m) => {
    const d = r.metrics[m];
    const both = d.delta === null ? '' : ` points (candidate ${(d.candidate * 100).toFixed(2)}, baseline ${(d.baseline * 100).toFixed(2)})`;
    return `${label(m)} ${formatPointsDelta(d)}${both}`;
  });
  const pct = Math.round(r.confidence * 100);
  lines.push(
    `  candidate − baseline; ${pct}% percentile interval of a paired bootstrap over ${r.images} images, ` +
      `${r.resamples} resamples, seed ${r.seed}`,
  );
  return `\nagainst ${baselinePath}:\n` + lines.join('\n') + '\n';
}

const bootstrapFlagSpec = { resamples: { type: 'string' }, seed: { type: 'string' } } as const;

function ignoredWarning(io: CliIo, path: string, r: CocoResults): void {
  if (r.ignoredUnknownCategory === 0) return;
  io.stderr(
    `warning: ${path}: ${r.ignoredUnknownCategory} detections left out: category_id ${r.unknownCategoryIds.slice(0, 10).join(', ')}` +
      `${r.unknownCategoryIds.length > 10 ? ', ...' : ''} not in the ground truth (pycocotools ignores them; --strict refuses them)\n`,
  );
}

const cocoCommand: CliCommand = {
  words: ['eval', 'coco'],
  summary: 'COCO bbox AP of a results JSON against a COCO annotation JSON (pycocotools semantics); ΔAP with a 95% interval vs a baseline',
  usage:
    'eval coco --gt ANNOTATIONS.json --dt RESULTS.json [--baseline-dt BASELINE.json [--resamples N] [--seed S]] [--strict] [--json]\n' +
    '  detections whose category_id is not a GT category are left out and counted (as pycocotools); --strict refuses them\n' +
    `  --baseline-dt: paired bootstrap over images of ΔAP/ΔAP50/ΔAP75 (default ${DEFAULT_BOOTSTRAP_RESAMPLES} resamples, ` +
    `seed ${DEFAULT_BOOTSTRAP_SEED}; docs/accuracy-intervals.md)`,
  async run(args, io) {
    const { values } = parseCliArgs(
      args,
      {
        gt: { type: 'string' },
        dt: { type: 'string' },
        'baseline-dt': { type: 'string' },
        ...bootstrapFlagSpec,
        strict: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      'eval coco',
    );
    const gtPath = requireStringFlag(values.gt as string | undefined, 'gt');
    const dtPath = requireStringFlag(values.dt as string | undefined, 'dt');
    const baselinePath = values['baseline-dt'] as string | undefined;
    const bootstrapOptions = bootstrapFlags(values, 'baseline-dt');
    const strict = Boolean(values.strict);
    const gt = readCocoGroundTruthFile(gtPath);
    const dt = readCocoResultsFile(dtPath, gt, { strict });
    const baseline = baselinePath === undefined ? undefined : readCocoResultsFile(baselinePath, gt, { strict });
    ignoredWarning(io, dtPath, dt);
    if (baseline && baselinePath) ignoredWarning(io, baselinePath, baseline);
    const ev = evaluateCoco(gt, dt, terminalProgress(io, !values.json));
    const stats = Object.fromEntries(COCO_STAT_NAMES.map((n, i) => [n, ev.stats[i]]));
    const perCategory = gt.categories.map((c, k) => ({ id: c.id, name: c.name, AP: ev.perCategoryAp[k] }));
    const ignoredDetections = { unknownCategory: dt.ignoredUnknownCategory, categoryIds: dt.unknownCategoryIds };
    const comparison = baseline
      ? {
          baselineDt: baselinePath,
          baselineIgnoredDetections: { unknownCategory: baseline.ignoredUnknownCategory, categoryIds: baseline.unknownCategoryIds },
          ...cocoApDeltaBootstrap(gt, dt, baseline, bootstrapOptions),
        }
      : undefined;
    if (values.json) {
      printJson(io, { ...stats, perCategory, ignoredDetections, ...(comparison ? { comparison } : {}) });
      return 0;
    }
    io.stdout(COCO_STAT_NAMES.map((n, i) => `${n.padEnd(6)} ${fmt(ev.stats[i])}`).join('\n') + '\n\nper category AP:\n');
    io.stdout(perCategory.map((c) => `  ${String(c.id).padStart(4)} ${c.name.padEnd(24)} ${fmt(c.AP)}`).join('\n') + '\n');
    if (comparison) io.stdout(comparisonLines(baselinePath as string, comparison, COCO_BOOTSTRAP_METRICS, (m) => `Δ${m.padEnd(5)}`));
    return 0;
  },
};

const vocCommand: CliCommand = {
  words: ['eval', 'voc'],
  summary: 'Pascal VOC mAP (PaddleDetection DetectionMAP semantics) of detections JSON against a VOC JSON or directory',
  usage:
    'eval voc --gt GT.json|VOCDIR --dt DETECTIONS.json --ap 11point|integral [--evaluate-difficult] [--image-set NAME] ' +
    '[--baseline-dt BASELINE.json [--resamples N] [--seed S]] [--json]\n' +
    '  --baseline-dt: ΔmAP with a 95% paired-bootstrap interval over images (docs/accuracy-intervals.md)',
  async run(args, io) {
    const { values } = parseCliArgs(
      args,
      {
        gt: { type: 'string' },
        dt: { type: 'string' },
        ap: { type: 'string' },
        'evaluate-difficult': { type: 'boolean' },
        'image-set': { type: 'string' },
        'baseline-dt': { type: 'string' },
        ...bootstrapFlagSpec,
        json: { type: 'boolean' },
      },
      'eval voc',
    );
    const baselinePath = values['baseline-dt'] as string | undefined;
    const bootstrapOptions = bootstrapFlags(values, 'baseline-dt');
    const gtPath = requireStringFlag(values.gt as string | undefined, 'gt');
    const dtPath = requireStringFlag(values.dt as string | undefined, 'dt');
    const ap = requireStringFlag(values.ap as string | undefined, 'ap');
    if (ap !== '11point' && ap !== 'integral') throw new SlimboardError('bad_arguments', `--ap must be 11point or integral, got "${ap}"`);
    const gt = isDirectory(gtPath)
      ? readVocDirectory(gtPath, { imageSet: values['image-set'] as string | undefined })
      : readVocGroundTruthFile(gtPath);
    const names = new Set(gt.classNames);
    if (names.size !== gt.classNames.length) throw new SlimboardError('bad_input', `${gtPath}: class names are not unique`);
    const dt = readVocDetectionsFile(dtPath, gt);
    const baseline = baselinePath === undefined ? undefined : readVocDetectionsFile(baselinePath, gt);
    const vocOptions = { apType: ap as VocApType, evaluateDifficult: Boolean(values['evaluate-difficult']) };
    const ev = evaluateVoc(gt, dt, { ...vocOptions, ...terminalProgress(io, !values.json) });
    const apPerClass = Object.fromEntries(gt.classNames.map((n, c) => [n, ev.apPerClass[c]]));
    const comparison = baseline
      ? { baselineDt: baselinePath, ...vocMapDeltaBootstrap(gt, dt, baseline, { ...vocOptions, ...bootstrapOptions }) }
      : undefined;
    if (values.json) {
      printJson(io, { mAP: ev.mAP, apPerClass, ...(comparison ? { comparison } : {}) });
      return 0;
    }
    io.stdout(`mAP ${fmt(ev.mAP)}\n` + gt.classNames.map((n, c) => `  ${n.padEnd(24)} ${fmt(ev.apPerClass[c])}`).join('\n') + '\n');
    if (comparison) io.stdout(comparisonLines(baselinePath as string, comparison, ['mAP'], () => 'ΔmAP'));
    return 0;
  },
};

const widerfaceCommand: CliCommand = {
  words: ['eval', 'widerface'],
  summary: 'WIDER FACE easy/medium/hard AP (official evaluation semantics) from .mat or JSON ground truth',
  usage:
    'eval widerface --gt GT.json|GTDIR --pred PRED.json|PREDDIR [--baseline-pred PRED.json|PREDDIR [--resamples N] [--seed S]] [--json]\n' +
    '  --baseline-pred: Δeasy/medium/hard with 95% paired-bootstrap intervals over images (docs/accuracy-intervals.md)',
  async run(args, io) {
    const { values } = parseCliArgs(
      args,
      {
        gt: { type: 'string' },
        pred: { type: 'string' },
        'baseline-pred': { type: 'string' },
        ...bootstrapFlagSpec,
        json: { type: 'boolean' },
      },
      'eval widerface',
    );
    const baselinePath = values['baseline-pred'] as string | undefined;
    const bootstrapOptions = bootstrapFlags(values, 'baseline-pred');
    const gtPath = requireStringFlag(values.gt as string | undefined, 'gt');
    const predPath = requireStringFlag(values.pred as string | undefined, 'pred');
    const gt = readWiderFaceGroundTruth(gtPath);
    const preds = readWiderFacePredictions(predPath);
    checkWiderFaceCoverage(gt, preds, predPath);
    const baseline = baselinePath === undefined ? undefined : readWiderFacePredictions(baselinePath);
    if (baseline && baselinePath) checkWiderFaceCoverage(gt, baseline, baselinePath);
    const ev = evaluateWiderFace(gt, preds, terminalProgress(io, !values.json));
    const comparison = baseline
      ? { baselinePred: baselinePath, ...widerFaceDeltaBootstrap(gt, preds, baseline, bootstrapOptions) }
      : undefined;
    if (values.json) {
      printJson(io, { easy: ev.easy, medium: ev.medium, hard: ev.hard, ...(comparison ? { comparison } : {}) });
      return 0;
    }
    io.stdout(`easy   ${fmt(ev.easy)}\nmedium ${fmt(ev.medium)}\nhard   ${fmt(ev.hard)}\n`);
    if (comparison) io.stdout(comparisonLines(baselinePath as string, comparison, WIDER_SETTINGS, (m) => `Δ${m.padEnd(6)}`));
    return 0;
  },
};

export default [cocoCommand, vocCommand, widerfaceCommand];
