/**
 * Evaluate an ONNX detector on a COCO-format dataset directory: detection pipeline -> COCO results
 * -> lib/metrics' pycocotools-exact evaluator. Used by the `evaluate` command and the workers.
 */
import { SlimboardError } from '../../errors';
import { COCO_STAT_NAMES, evaluateCoco, type CocoDetections, type CocoStatName } from '../../metrics/coco';
import { parseCocoResults } from '../../metrics/formats/coco-json';
import { mapModelClassesToCategories } from './class-mapping';
import { openCocoDatasetDir } from './coco-dataset-dir';
import { detectImages, type PipelineStats } from './detection-pipeline';
import type { TModelAdapter } from './model-adapter';
import type { SessionOptions } from '../runtime/ort';
import type { ProgressReporter } from '../runtime/progress';

/** One row of a COCO results file. bbox = [x, y, width, height] in original-image pixels. */
export interface CocoResultRow {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
}

export interface EvaluateDetectorOptions {
  modelPath: string;
  datasetDir: string;
  split?: string;
  inputSize: number;
  adapter?: TModelAdapter;
  session?: SessionOptions;
  workers?: number;
  /**
   * Refuse detections of a class that is no dataset category (default: leave them out and count them, as
   * pycocotools evaluates the GT's categories only).
   */
  strict?: boolean;
  /** Makes the progress reporter (total = image count) before detection starts; attach listeners there. */
  createProgress?: (total: number) => ProgressReporter;
}

export type CocoMetrics = Record<CocoStatName, number> & {
  perCategory: Array<{ id: number; name: string; AP: number | null }>;
};

export interface EvaluateDetectorResult {
  family: 'coco';
  dataset: { dir: string; annotations: string; images: number; categories: number };
  adapter: string;
  /** The resolved adapter that fed the model and decoded its outputs (declared or detected, defaults filled in). */
  adapterSpec: TModelAdapter;
  metrics: CocoMetrics;
  /** Detections left out because their model class is no dataset category (always 0 when strict). */
  ignoredDetections: { unknownCategory: number; modelClasses: number[] };
  detections: CocoResultRow[];
  pipeline: PipelineStats;
}

export async function evaluateDetectorOnCoco(o: EvaluateDetectorOptions): Promise<EvaluateDetectorResult> {
  const ds = openCocoDatasetDir(o.datasetDir, o.split);
  const labels = { model: o.modelPath, dataset: ds.annotationsPath };
  let catIds: Array<number | undefined> = [];
  let classCountKnown = true;
  const progress = o.createProgress?.(ds.images.length);
  const run = await detectImages({
    modelPath: o.modelPath,
    images: ds.images,
    inputSize: o.inputSize,
    adapter: o.adapter,
    session: o.session,
    workers: o.workers,
    progress,
    onDetectorReady: (adapter, numClasses) => {
      const n = adapter.classNames?.length ?? adapter.numClasses ?? numClasses;
      classCountKnown = n !== undefined;
      const model = { classNames: adapter.classNames, numClasses: n ?? ds.gt.categories.length };
      catIds = o.strict
        ? mapModelClassesToCategories(model, ds.gt.categories, labels)
        : mapModelClassesToCategories(model, ds.gt.categories, labels, { unknownNames: 'ignore' });
    },
  });
  const rows: CocoResultRow[] = [];
  let ignored = 0;
  const ignoredClasses = new Set<number>();
  for (const r of run.results) {
    for (const d of r.detections) {
      const catId = catIds[d.classIndex];
      if (catId === undefined && !o.strict) {
        ignored++;
        ignoredClasses.add(d.classIndex);
        continue;
      }
      if (catId === undefined) {
        throw new SlimboardError(
          'class_mismatch',
          `${o.modelPath}: image ${r.imageId}: model predicted class ${d.classIndex} but ${ds.annotationsPath} ` +
            `has ${ds.gt.categories.length} categories${classCountKnown ? '' : ' (give numClasses/classNames in --adapter)'} (strict)`,
        );
      }
      const [x1, y1, x2, y2] = d.box;
      // An inverted box (x2 < x1, possible from a broken model) becomes an empty one, not a negative width.
      rows.push({ image_id: r.imageId, category_id: catId, bbox: [x1, y1, Math.max(0, x2 - x1), Math.max(0, y2 - y1)], score: d.score });
    }
  }
  // pycocotools' loadRes crashes on an empty list; a detector that finds nothing simply scores 0/-1.
  const dt: CocoDetections =
    rows.length > 0
      ? parseCocoResults(rows, ds.gt, `${o.modelPath} detections`)
      : { detImage: new Int32Array(0), detCategory: new Int32Array(0), detBox: new Float64Array(0), detScore: new Float64Array(0) };
  const ev = evaluateCoco(ds.gt, dt);
  const metrics = Object.fromEntries(COCO_STAT_NAMES.map((n, i) => [n, ev.stats[i]])) as Record<CocoStatName, number>;
  return {
    family: 'coco',
    dataset: { dir: ds.dir, annotations: ds.annotationsPath, images: ds.images.length, categories: ds.gt.categories.length },
    adapter: run.adapter.name ?? run.adapter.output.kind,
    adapterSpec: run.adapter,
    metrics: { ...metrics, perCategory: ds.gt.categories.map((c, k) => ({ id: c.id, name: c.name, AP: ev.perCategoryAp[k] })) },
    ignoredDetections: { unknownCategory: ignored, modelClasses: [...ignoredClasses].sort((a, b) => a - b) },
    detections: rows,
    pipeline: run.stats,
  };
}
