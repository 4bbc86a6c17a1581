import { SlimboardError } from '../../errors';
import { COCO_STAT_NAMES, evaluateCoco } from '../../metrics/coco';
import { readCocoGroundTruthFile, readCocoResultsFile } from '../../metrics/formats/coco-json';
import { isDirectory, readVocDirectory } from '../../metrics/formats/voc-directory';
import { readVocDetectionsFile, readVocGroundTruthFile } from '../../metrics/formats/voc-json';
import { checkWiderFaceCoverage, readWiderFaceGroundTruth, readWiderFacePredictions } from '../../metrics/formats/widerface-files';
import type { EvaluationHooks } from '../../metrics/progress';
import { evaluateVoc, type VocApType } from '../../metrics/voc';
import { evaluateWiderFace } from '../../metrics/widerface';
import { parseCliArgs, requireStringFlag } from '../args';
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

const cocoCommand: CliCommand = {
  words: ['eval', 'coco'],
  summary: 'COCO bbox AP of a results JSON against a COCO annotation JSON (pycocotools semantics)',
  usage: 'eval coco --gt ANNOTATIONS.json --dt RESULTS.json [--json]',
  async run(args, io) {
    const { values } = parseCliArgs(args, { gt: { type: 'string' }, dt: { type: 'string' }, json: { type: 'boolean' } }, 'eval coco');
    const gtPath = requireStringFlag(values.gt as string | undefined, 'gt');
    const dtPath = requireStringFlag(values.dt as string | undefined, 'dt');
    const gt = readCocoGroundTruthFile(gtPath);
    const dt = readCocoResultsFile(dtPath, gt);
    const ev = evaluateCoco(gt, dt, terminalProgress(io, !values.json));
    const stats = Object.fromEntries(COCO_STAT_NAMES.map((n, i) => [n, ev.stats[i]]));
    const perCategory = gt.categories.map((c, k) => ({ id: c.id, name: c.name, AP: ev.perCategoryAp[k] }));
    if (values.json) {
      printJson(io, { ...stats, perCategory });
    } else {
      io.stdout(COCO_STAT_NAMES.map((n, i) => `${n.padEnd(6)} ${fmt(ev.stats[i])}`).join('\n') + '\n\nper category AP:\n');
      io.stdout(perCategory.map((c) => `  ${String(c.id).padStart(4)} ${c.name.padEnd(24)} ${fmt(c.AP)}`).join('\n') + '\n');
    }
    return 0;
  },
};

const vocCommand: CliCommand = {
  words: ['eval', 'voc'],
  summary: "Pascal VOC mAP (PaddleDetection DetectionMAP semantics) of detections JSON against a VOC JSON or directory",
  usage: 'eval voc --gt GT.json|VOCDIR --dt DETECTIONS.json --ap 11point|integral [--evaluate-difficult] [--image-set NAME] [--json]',
  async run(args, io) {
    const { values } = parseCliArgs(
      args,
      {
        gt: { type: 'string' },
        dt: { type: 'string' },
        ap: { type: 'string' },
        'evaluate-difficult': { type: 'boolean' },
        'image-set': { type: 'string' },
        json: { type: 'boolean' },
      },
      'eval voc',
    );
    const gtPath = requireStringFlag(values.gt as string | undefined, 'gt');
    const dtPath = requireStringFlag(values.dt as string | undefined, 'dt');
    const ap = requireStringFlag(values.ap as string | undefined, 'ap');
    if (ap !== '11point' && ap !== 'integral') throw new SlimboardError('bad_arguments', `--ap must be 11point or integral, got "${ap}"`);
    const gt = isDirectory(gtPath) ? readVocDirectory(gtPath, { imageSet: values['image-set'] as string | undefined }) : readVocGroundTruthFile(gtPath);
    const names = new Set(gt.classNames);
    if (names.size !== gt.classNames.length) throw new SlimboardError('bad_input', `${gtPath}: class names are not unique`);
    const dt = readVocDetectionsFile(dtPath, gt);
    const ev = evaluateVoc(gt, dt, { apType: ap as VocApType, evaluateDifficult: Boolean(values['evaluate-difficult']), ...terminalProgress(io, !values.json) });
    const apPerClass = Object.fromEntries(gt.classNames.map((n, c) => [n, ev.apPerClass[c]]));
    if (values.json) printJson(io, { mAP: ev.mAP, apPerClass });
    else io.stdout(`mAP ${fmt(ev.mAP)}\n` + gt.classNames.map((n, c) => `  ${n.padEnd(24)} ${fmt(ev.apPerClass[c])}`).join('\n') + '\n');
    return 0;
  },
};

const widerfaceCommand: CliCommand = {
  words: ['eval', 'widerface'],
  summary: 'WIDER FACE easy/medium/hard AP (official evaluation semantics) from .mat or JSON ground truth',
  usage: 'eval widerface --gt GT.json|GTDIR --pred PRED.json|PREDDIR [--json]',
  async run(args, io) {
    const { values } = parseCliArgs(args, { gt: { type: 'string' }, pred: { type: 'string' }, json: { type: 'boolean' } }, 'eval widerface');
    const gtPath = requireStringFlag(values.gt as string | undefined, 'gt');
    const predPath = requireStringFlag(values.pred as string | undefined, 'pred');
    const gt = readWiderFaceGroundTruth(gtPath);
    const preds = readWiderFacePredictions(predPath);
    checkWiderFaceCoverage(gt, preds, predPath);
    const ev = evaluateWiderFace(gt, preds, terminalProgress(io, !values.json));
    if (values.json) printJson(io, { easy: ev.easy, medium: ev.medium, hard: ev.hard });
    else io.stdout(`easy   ${fmt(ev.easy)}\nmedium ${fmt(ev.medium)}\nhard   ${fmt(ev.hard)}\n`);
    return 0;
  },
};

export default [cocoCommand, vocCommand, widerfaceCommand];
