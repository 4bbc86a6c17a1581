/**
 * From the demo-zoo manifest to the pipeline's inputs (pure): the model adapter Slimboard evaluates with,
 * the order models must be registered in (a model's baseline, parent and teacher first), and each model's
 * run metadata (ZRunMetadata, the same schema an upload fills in).
 */
import { SlimboardError } from '../errors';
import { parseModelAdapter, type TModelAdapter } from '../inference/detection/model-adapter';
import type { TRunMetadataInput } from '../runs/run-metadata';
import type { TDemoZooManifest, TDemoZooModel } from './manifest';

import { DEMO_DATASET_SLUG, DEMO_FACES_DATASET_SLUG, DEMO_VOC_DATASET_SLUG } from './demo-zoo-constants';

export { DEMO_DATASET_SLUG };

/** Datasets every demo model is also evaluated on (VOC mAP and WIDER FACE AP counterparts of the seed's tables). */
export const DEMO_EXTRA_DATASETS = [DEMO_VOC_DATASET_SLUG, DEMO_FACES_DATASET_SLUG] as const;

/**
 * The training pipeline applies no per-class cap before NMS (tools/demo-zoo/slimzoo/detect.py); a cap
 * above any candidate count keeps Slimboard's decoding identical (608 x 608 gives 22,743 candidates).
 */
const NO_PRE_NMS_CAP = 100_000;

function bad(field: string, problem: string): SlimboardError {
  return new SlimboardError('bad_demo_zoo', `lib/demo-zoo/models/manifest.json: ${field}: ${problem}`);
}

/**
 * The manifest's `adapter` (a description written for humans and for Slimboard) as a ZModelAdapter.
 * Only what the manifest states is used; anything Slimboard cannot reproduce is refused with the field named.
 */
export function demoModelAdapter(manifest: TDemoZooManifest): TModelAdapter {
  const a = manifest.adapter;
  const input = a.input as Record<string, unknown>;
  const channels = String(input.channels ?? 'RGB').toUpperCase();
  if (channels !== 'RGB' && channels !== 'BGR') throw bad('adapter.input.channels', `"${channels}" is neither RGB nor BGR`);
  // Normalisation: structured (scale/mean/std) when given, else the documented text "pixel / 255 ... no mean or std".
  let preprocessNorm: { scale: number; mean: [number, number, number]; std: [number, number, number] };
  if (typeof input.scale === 'number') {
    const triple = (v: unknown, d: number): [number, number, number] =>
      Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number') ? (v as [number, number, number]) : [d, d, d];
    preprocessNorm = { scale: input.scale, mean: triple(input.mean, 0), std: triple(input.std, 1) };
  } else {
    const text = String(input.normalisation ?? '');
    if (!/\/\s*255\b/.test(text) || /\bmean\s*[=:[]|\bstd\s*[=:[]/i.test(text)) {
      throw bad('adapter.input.normalisation', `"${text}" is not "pixel / 255" without mean/std, and no numeric scale/mean/std is given`);
    }
    preprocessNorm = { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] };
  }
  const outputs = a.outputs as Record<string, { format?: unknown; units?: unknown } | undefined>;
  if (!outputs.boxes || !outputs.scores)
    throw bad('adapter.outputs', `needs "boxes" and "scores", has ${Object.keys(outputs).join(', ') || 'none'}`);
  const format = String(outputs.boxes.format ?? 'x1,y1,x2,y2').replace(/\s/g, '');
  if (format !== 'x1,y1,x2,y2') throw bad('adapter.outputs.boxes.format', `"${format}" (only x1,y1,x2,y2 is supported)`);
  const units = String(outputs.boxes.units ?? 'pixels');
  const post = a.postprocess as typeof a.postprocess & { scoreThresholdComparison?: unknown; nms?: unknown };
  if (post.scoreThresholdComparison !== undefined && post.scoreThresholdComparison !== '>') {
    throw bad(
      'adapter.postprocess.scoreThresholdComparison',
      `"${String(post.scoreThresholdComparison)}" (Slimboard keeps scores > threshold)`,
    );
  }
  if (post.nms !== undefined && post.nms !== 'per class')
    throw bad('adapter.postprocess.nms', `"${String(post.nms)}" (Slimboard's NMS is per class)`);
  return parseModelAdapter(
    {
      name: `demo zoo manifest ${manifest.createdAt}`,
      imageInput: a.input.name,
      classNames: a.classNames,
      preprocess: { resize: 'stretch', interpolation: 'linear', channelOrder: channels === 'RGB' ? 'rgb' : 'bgr', ...preprocessNorm },
      postprocess: {
        scoreThreshold: post.scoreThreshold,
        nmsIouThreshold: post.nmsIou,
        preNmsTopK: NO_PRE_NMS_CAP,
        maxDetections: post.maxDetectionsPerImage,
      },
      output: {
        kind: 'decoded',
        boxes: 'boxes',
        scores: 'scores',
        boxFormat: 'xyxy',
        boxCoordinates: /normali[sz]ed/i.test(units) ? 'normalized' : 'input-pixels',
        scoreActivation: 'none',
      },
    },
    'lib/demo-zoo/models/manifest.json adapter',
  );
}

/** The manifest ids a model needs registered before itself: baseline, parent and teacher (not itself). */
export function demoModelDependencies(m: TDemoZooModel): string[] {
  const refs = [m.lineage.baseline, m.lineage.parent, m.lineage.teacher].filter((r): r is string => r !== null && r !== m.id);
  return [...new Set(refs)];
}

/**
 * Registration order: manifest order, except that a model comes after everything it refers to
 * (depth-first topological sort). A reference cycle or an unknown id is a manifest error.
 */
export function demoRegistrationOrder(models: readonly TDemoZooModel[]): TDemoZooModel[] {
  const byId = new Map(models.map((m) => [m.id, m]));
  const out: TDemoZooModel[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (m: TDemoZooModel, path: string[]) => {
    if (state.get(m.id) === 'done') return;
    if (state.get(m.id) === 'visiting') throw bad(`models "${m.id}"`, `lineage refers back to itself (${[...path, m.id].join(' -> ')})`);
    state.set(m.id, 'visiting');
    for (const dep of demoModelDependencies(m)) {
      const d = byId.get(dep);
      if (!d) throw bad(`models "${m.id}".lineage`, `refers to unknown model "${dep}"`);
      visit(d, [...path, m.id]);
    }
    state.set(m.id, 'done');
    out.push(m);
  };
  for (const m of models) visit(m, []);
  return out;
}

/** Backbone names become slugs the metadata accepts: "MobileNetV1 x0.25" -> "MobileNetV1-x0.25". */
export function demoBackboneSlug(backbone: string): string {
  return (
    backbone
      .trim()
      .replace(/[^A-Za-z0-9._+-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 120) || 'backbone'
  );
}

/** "YOLOv3-MobileNetV1 x0.25 prune_r578": family, backbone and the manifest id (unique within the demo). */
export function demoModelName(m: TDemoZooModel): string {
  return `${m.family}-${m.backbone} ${m.id}`;
}

export function demoProvenance(manifest: TDemoZooManifest): string {
  return `Slimboard demo zoo, trained by tools/demo-zoo, manifest createdAt ${manifest.createdAt}`;
}

/** Lineage keys the metadata has fields for; the rest (loss thresholds, AP before fine-tuning, ...) go to the training record. */
const LINEAGE_FIELDS = new Set(['baseline', 'parent', 'method', 'strategy', 'teacher', 'prunedParams', 'ratios']);

/**
 * The run metadata of one manifest model. `slugOf(id)` gives the zoo slug of an already registered demo
 * model (its baseline, parent, teacher); references to models that are not registered stay unresolved and
 * the registration refuses them with the field named.
 */
export function demoRunMetadata(
  manifest: TDemoZooManifest,
  m: TDemoZooModel,
  adapter: TModelAdapter,
  slugOf: (id: string) => string | undefined,
): TRunMetadataInput {
  const ref = (id: string | null, field: string): string | undefined => {
    if (id === null || id === m.id) return undefined;
    const slug = slugOf(id);
    if (!slug)
      throw new SlimboardError('bad_demo_zoo', `demo model "${m.id}": its ${field} "${id}" is not registered (see that model's error)`);
    return slug;
  };
  const l = m.lineage;
  const baseline = ref(l.baseline, 'baseline');
  const parent = ref(l.parent, 'parent');
  const strategyParams: NonNullable<TRunMetadataInput['strategyParams']> = {};
  if (l.prunedParams && l.ratios) {
    strategyParams.prunedParams = l.prunedParams;
    strategyParams.prunedRatios = l.ratios;
  }
  const teacher = ref(l.teacher, 'teacher');
  if (teacher) strategyParams.teacher = teacher;
  if (l.method === 'quant' && (l.strategy === 'post' || l.strategy === 'aware')) strategyParams.quantMode = l.strategy;
  const extraLineage = Object.fromEntries(Object.entries(l).filter(([k]) => !LINEAGE_FIELDS.has(k)));
  if (l.ratios && !l.prunedParams) extraLineage.ratios = l.ratios;
  const recipe: Record<string, unknown> = { ...m.recipe, precision: m.precision, file: m.file };
  if (Object.keys(extraLineage).length > 0) recipe.lineageDetails = extraLineage;
  return {
    name: demoModelName(m),
    family: m.family,
    backbone: demoBackboneSlug(m.backbone),
    dataset: DEMO_DATASET_SLUG,
    method: l.method,
    ...(l.strategy ? { strategy: l.strategy } : {}),
    strategyParams,
    ...(baseline ? { baseline } : {}),
    ...(parent ? { parent } : {}),
    inputSizes: [...manifest.adapter.resize.evalSizes],
    adapter,
    measurements: { analyse: true, benchmark: true, evaluate: true, evaluateOn: [...DEMO_EXTRA_DATASETS] },
    provenance: demoProvenance(manifest),
    training: { recipe, seed: m.seed },
  };
}
