/**
 * Evaluate an ONNX detector end to end on the seed's other two dataset formats, with the same detection
 * pipeline as COCO (lib/inference/detection-pipeline.ts) and the reference-exact evaluators of lib/metrics:
 *
 * - Pascal VOC folder → mAP (PaddleDetection's VOCMetric): `11point` by default (the seed's convention) or
 *   `integral`; difficult objects ignored unless evaluateDifficult. Boxes go to the evaluator as predicted
 *   (x1, y1, x2, y2 in original-image pixels); model classes map to the folder's class list by name
 *   (adapter classNames) or by index.
 * - WIDER FACE folder → AP on the easy, medium and hard settings (the official evaluation). Every
 *   detection counts as a face, whatever class the model gave it: a multi-class model is used as a
 *   one-class detector. Predictions are written as the official x, y, w, h, score rows.
 */
import { SlimboardError } from '../../errors';
import { readWiderFaceDatasetGroundTruth, widerImagePath } from '../../datasets/dataset-registry';
import { readVocDirectory, vocImageFiles } from '../../metrics/formats/voc-directory';
import { evaluateVoc, type VocApType, type VocDetections } from '../../metrics/voc';
import { evaluateWiderFace, type WiderFacePredictions } from '../../metrics/widerface';
import { mapModelClassesToCategories } from './class-mapping';
import { detectImages, type PipelineImage, type PipelineStats } from './detection-pipeline';
import type { EvaluateDetectorOptions } from './evaluate-detector';
import type { TModelAdapter } from './model-adapter';

export interface VocDetectorResult {
  family: 'voc';
  dataset: { dir: string; images: number; classes: number; apType: VocApType };
  adapter: string;
  /** The resolved adapter that fed the model and decoded its outputs. */
  adapterSpec: TModelAdapter;
  metrics: { mAP: number; perClass: Array<{ name: string; AP: number | null }> };
  /** Rows in the VOC JSON interchange: image id, class index, score, x1, y1, x2, y2. */
  detections: Array<{ image_id: string; label: number; score: number; box: [number, number, number, number] }>;
  pipeline: PipelineStats;
}

export async function evaluateDetectorOnVoc(
  o: EvaluateDetectorOptions & { apType?: VocApType; evaluateDifficult?: boolean },
): Promise<VocDetectorResult> {
  const apType = o.apType ?? '11point';
  const gt = readVocDirectory(o.datasetDir, { imageSet: o.split });
  const files = vocImageFiles(o.datasetDir, { imageSet: o.split });
  const images: PipelineImage[] = gt.images.map((im, i) => {
    const file = files.get(String(im.id));
    if (!file) throw new SlimboardError('bad_dataset', `${o.datasetDir}: no image file for "${im.id}"`);
    return { id: i, file };
  });
  const categories = gt.classNames.map((name, id) => ({ id, name }));
  let labelOf: number[] = [];
  const progress = o.createProgress?.(images.length);
  const run = await detectImages({
    modelPath: o.modelPath,
    images,
    inputSize: o.inputSize,
    adapter: o.adapter,
    session: o.session,
    workers: o.workers,
    progress,
    onDetectorReady: (adapter, numClasses) => {
      const n = adapter.classNames?.length ?? adapter.numClasses ?? numClasses ?? gt.classNames.length;
      labelOf = mapModelClassesToCategories({ classNames: adapter.classNames, numClasses: n }, categories, {
        model: o.modelPath,
        dataset: o.datasetDir,
      });
    },
  });
  const det = { image: [] as number[], label: [] as number[], score: [] as number[], box: [] as number[] };
  const rows: VocDetectorResult['detections'] = [];
  for (const r of run.results) {
    for (const d of r.detections) {
      const label = labelOf[d.classIndex];
      if (label === undefined) {
        throw new SlimboardError(
          'class_mismatch',
          `${o.modelPath}: image ${gt.images[r.imageId].id}: model predicted class ${d.classIndex} but the dataset ` +
            `has ${gt.classNames.length} classes`,
        );
      }
      det.image.push(r.imageId);
      det.label.push(label);
      det.score.push(d.score);
      det.box.push(...d.box);
      rows.push({ image_id: String(gt.images[r.imageId].id), label, score: d.score, box: d.box });
    }
  }
  const dt: VocDetections = {
    detImage: Int32Array.from(det.image),
    detLabel: Int32Array.from(det.label),
    detScore: Float64Array.from(det.score),
    detBox: Float64Array.from(det.box),
  };
  const ev = evaluateVoc(gt, dt, { apType, evaluateDifficult: o.evaluateDifficult ?? false });
  return {
    family: 'voc',
    dataset: { dir: o.datasetDir, images: images.length, classes: gt.classNames.length, apType },
    adapter: run.adapter.name ?? run.adapter.output.kind,
    adapterSpec: run.adapter,
    metrics: { mAP: ev.mAP, perClass: gt.classNames.map((name, k) => ({ name, AP: ev.apPerClass[k] })) },
    detections: rows,
    pipeline: run.stats,
  };
}

export interface WiderFaceDetectorResult {
  family: 'widerface';
  dataset: { dir: string; events: number; images: number };
  adapter: string;
  /** The resolved adapter that fed the model and decoded its outputs. */
  adapterSpec: TModelAdapter;
  metrics: { easy: number; medium: number; hard: number };
  /** The JSON interchange of `eval widerface --pred`: {event: {image: [[x, y, w, h, score], …]}}. */
  detections: Record<string, Record<string, number[][]>>;
  pipeline: PipelineStats;
}

export async function evaluateDetectorOnWiderFace(o: EvaluateDetectorOptions): Promise<WiderFaceDetectorResult> {
  const gt = readWiderFaceDatasetGroundTruth(o.datasetDir);
  const index: Array<{ event: string; image: string }> = [];
  const images: PipelineImage[] = [];
  for (const ev of gt.events) {
    for (const im of ev.images) {
      images.push({ id: index.length, file: widerImagePath(o.datasetDir, ev.name, im.name) });
      index.push({ event: ev.name, image: im.name });
    }
  }
  const progress = o.createProgress?.(images.length);
  const run = await detectImages({
    modelPath: o.modelPath,
    images,
    inputSize: o.inputSize,
    adapter: o.adapter,
    session: o.session,
    workers: o.workers,
    progress,
  });
  const json: Record<string, Record<string, number[][]>> = {};
  const preds: WiderFacePredictions = new Map();
  for (const { event, image } of index) {
    (json[event] ??= {})[image] = [];
    if (!preds.has(event)) preds.set(event, new Map());
  }
  for (const r of run.results) {
    const { event, image } = index[r.imageId];
    const list = r.detections.map((d) => [d.box[0], d.box[1], Math.max(0, d.box[2] - d.box[0]), Math.max(0, d.box[3] - d.box[1]), d.score]);
    json[event][image] = list;
  }
  for (const { event, image } of index) preds.get(event)!.set(image, Float64Array.from(json[event][image].flat()));
  const m = evaluateWiderFace(gt, preds);
  return {
    family: 'widerface',
    dataset: { dir: o.datasetDir, events: gt.events.length, images: images.length },
    adapter: run.adapter.name ?? run.adapter.output.kind,
    adapterSpec: run.adapter,
    metrics: { easy: m.easy, medium: m.medium, hard: m.hard },
    detections: json,
    pipeline: run.stats,
  };
}
