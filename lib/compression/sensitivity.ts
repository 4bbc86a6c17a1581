/**
 * Pruning sensitivity analysis (issue 16 item 1, PaddleSlim's `sensitivity`): for each prunable conv
 * weight and each ratio, prune ONLY that weight (lib/onnx/channel-prune.ts: L1 norm of the filters as stored
 * in the graph, smallest removed, the `prune` command's channel grouping), with no fine-tuning, and measure
 * COCO box AP(0.5:0.95) on the first N images (ascending id) of a dataset split at input size S;
 * loss = (baselineAp - ap) / baselineAp. The result has the schema of lib/zoo/sensitivity-analysis.ts, the
 * one the model page charts, with each cell's GFLOPs@608 share (`gflopsReduction608`) for models of free input size.
 *
 * Speed: the N images are decoded and preprocessed once and kept as model inputs; each pruned model is built
 * in memory and gets ONE onnxruntime session for its N images; decoding + NMS + COCO evaluation run on the
 * main thread (the same functions as the `evaluate` pipeline: postprocessDetections, parseCocoResults,
 * evaluateCoco).
 *
 * Restarts: every computed cell (and the baseline AP) goes to `onCell` / `onBaseline` as soon as it is known;
 * cells given back in `existing` are not recomputed. The CLI persists them to its `--resume FILE`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SlimboardError, formatZodIssues } from '../errors';
import { mapModelClassesToCategories } from '../inference/detection/class-mapping';
import { openCocoDatasetDir } from '../inference/detection/coco-dataset-dir';
import { adapterOutputNames, modelFeeds } from '../inference/detection/detection-pipeline';
import { postprocessDetections, type RawTensor } from '../inference/detection/detection-decoding';
import { checkAdapterAgainstModel, detectAdapter, resolveAutoYoloStrides, type TModelAdapter } from '../inference/detection/model-adapter';
import { preprocessImageFile, type PreprocessedImage } from '../inference/image/image-preprocess';
import { findImageInput } from '../inference/runtime/latency-harness';
import { createSession, type Session } from '../inference/runtime/ort';
import { evaluateCoco, type CocoDetections, type CocoGroundTruth } from '../metrics/coco';
import { parseCocoGroundTruth, parseCocoResults } from '../metrics/formats/coco-json';
import { convWeightNames, pruneChannels } from '../onnx/channel-prune';
import { indexGraph, requireGraph } from '../onnx/graph';
import { encodeModel } from '../onnx/model-file';
import type { ModelProto } from '../onnx/proto';
import { hasSymbolicImageSize } from '../onnx/shape-inference';
import { parseSensitivityAnalysis, type TSensitivityAnalysis } from '../zoo/sensitivity-analysis';
import { paddleslimGflops } from './prune-to-flops';
import { refineSensitivityLists, SENSITIVITY_FIELDS } from './compress-request';

export const SENSITIVITY_METRIC = 'COCO AP(0.5:0.95)';
export const SENSITIVITY_LOSS_DEFINITION = '(AP_baseline - AP_pruned) / AP_baseline, one parameter pruned at a time, no fine-tuning';
export const SENSITIVITY_CRITERION =
  'L1 norm of filters as stored in the ONNX graph (BatchNorm folded by the export), smallest pruned; channel groups as `prune`';

/** Options of a sensitivity analysis (CLI, API and job payload share this schema). */
export const ZSensitivityOptions = z
  .object({
    ...SENSITIVITY_FIELDS,
    /** Square model input size S. */
    inputSize: z.number().int().min(32).max(4096).default(320),
  })
  .strict()
  .superRefine(refineSensitivityLists);
export type TSensitivityOptions = z.input<typeof ZSensitivityOptions>;
export type TSensitivityOptionsParsed = z.output<typeof ZSensitivityOptions>;

/** One measured cell: `param` pruned alone at `ratio` gave box AP `ap` (a fraction). */
export const ZSensitivityCell = z
  .object({ param: z.string().min(1), ratio: z.number().gt(0).lt(1), ap: z.number().min(0).max(1) })
  .strict();
export type TSensitivityCell = z.infer<typeof ZSensitivityCell>;

export function parseSensitivityOptions(value: unknown, label = 'sensitivity options'): TSensitivityOptionsParsed {
  const parsed = ZSensitivityOptions.safeParse(value);
  if (!parsed.success) throw new SlimboardError('bad_arguments', `${label}: ${formatZodIssues(parsed.error.issues)}`);
  return parsed.data;
}

export interface RunSensitivityInput {
  /** The model to analyse, its initializers named as the analysis should name them (param-names.ts). */
  model: ModelProto;
  /** How messages name the model (its file). */
  source: string;
  /** The analysis' `model` field (e.g. the manifest id or run name). */
  modelLabel: string;
  /** COCO-format dataset directory (layouts of lib/inference/detection/coco-dataset-dir.ts). */
  datasetDir: string;
  options: TSensitivityOptions;
  /** Pre/post-processing; default: recognised from the model's outputs (detectAdapter). */
  adapter?: TModelAdapter;
  /** onnxruntime intra-op threads (default 1). */
  threads?: number;
  /** Results of an interrupted run: cells with the same (param, ratio) and the baseline AP are not recomputed. */
  existing?: { baselineAp?: number | null; cells?: readonly TSensitivityCell[] };
  /** Called with the baseline AP once it is measured (not when it came from `existing`). */
  onBaseline?: (ap: number) => void | Promise<void>;
  /** Called with each newly computed cell (checkpoint hook). */
  onCell?: (cell: TSensitivityCell) => void | Promise<void>;
  /** Evaluations done / total (baseline + params x ratios), reused ones included. */
  onProgress?: (done: number, total: number) => void;
  /** Checked between evaluations: an aborted run stops with a SlimboardError('aborted'); computed cells stay reported. */
  signal?: AbortSignal;
}

export interface SensitivityRun {
  analysis: TSensitivityAnalysis;
  /** Evaluations computed now / taken from `existing`. */
  computed: number;
  reused: number;
  /** Parameters in analysis order, with their output channels. */
  params: Array<{ param: string; channels: number }>;
  elapsedMs: number;
  /** One-off cost: reading and preprocessing the images. */
  preprocessMs: number;
}

/** The first `count` images of a COCO dataset dir with their annotations, preprocessed once for a model input size. */
export interface ImageSubset {
  gt: CocoGroundTruth;
  annotationsPath: string;
  images: Array<{ id: number; input: PreprocessedImage }>;
}

export async function loadImageSubset(
  datasetDir: string,
  split: string | undefined,
  count: number,
  inputSize: number,
  adapter: Pick<TModelAdapter, 'preprocess'>,
): Promise<ImageSubset> {
  const ds = openCocoDatasetDir(datasetDir, split);
  if (ds.images.length < count)
    throw new SlimboardError('bad_arguments', `${ds.annotationsPath}: ${ds.images.length} images, fewer than the ${count} asked for`);
  const chosen = ds.images.slice(0, count);
  const keep = new Set(chosen.map((i) => i.id));
  const json = JSON.parse(readFileSync(ds.annotationsPath, 'utf8')) as {
    images: Array<{ id: number }>;
    annotations?: Array<{ image_id: number }>;
  };
  const subset = {
    ...json,
    images: json.images.filter((im) => keep.has(im.id)),
    annotations: (json.annotations ?? []).filter((a) => keep.has(a.image_id)),
  };
  const gt = parseCocoGroundTruth(subset, `${ds.annotationsPath} (first ${count} images)`);
  const images = [];
  for (const im of chosen) images.push({ id: im.id, input: await preprocessImageFile(im.file, adapter, inputSize) });
  return { gt, annotationsPath: ds.annotationsPath, images };
}

/** Evaluates models on one preprocessed image subset. */
export class SubsetEvaluator {
  private catIds: Array<number | undefined> = [];
  private constructor(
    private readonly subset: ImageSubset,
    private adapter: TModelAdapter,
    private readonly imageInput: string,
    private readonly threads: number,
  ) {}

  /** Check the adapter against the (unpruned) model, resolve auto YOLO strides, and map model classes to categories. */
  static async open(
    model: ModelProto,
    source: string,
    subset: ImageSubset,
    inputSize: number,
    adapter: TModelAdapter | undefined,
    threads: number,
  ): Promise<SubsetEvaluator> {
    const session = await createSession(encodeModel(model), { intraOpNumThreads: threads }, source);
    try {
      const resolved = adapter ?? detectAdapter(session.inputs, session.outputs, source);
      const numClasses = checkAdapterAgainstModel(resolved, session.inputs, session.outputs, source);
      const imageInput = resolved.imageInput ?? findImageInput(session.inputs, source).name;
      const others = session.inputNames.filter((n) => n !== imageInput);
      if (others.length)
        throw new SlimboardError(
          'adapter_mismatch',
          `${source}: the sensitivity analysis feeds only the image input "${imageInput}"; the model also needs ${others.join(', ')}`,
        );
      const ev = new SubsetEvaluator(subset, resolved, imageInput, threads);
      const first = subset.images[0].input;
      const out = await session.run(modelFeeds(resolved, imageInput, first.tensor, first.geometry), adapterOutputNames(resolved));
      ev.adapter = resolveAutoYoloStrides(resolved, Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.dims[2]])), inputSize);
      const n = ev.adapter.classNames?.length ?? ev.adapter.numClasses ?? numClasses ?? subset.gt.categories.length;
      ev.catIds = mapModelClassesToCategories(
        { classNames: ev.adapter.classNames, numClasses: n },
        subset.gt.categories,
        { model: source, dataset: subset.annotationsPath },
        { unknownNames: 'ignore' },
      );
      return ev;
    } finally {
      await session.release();
    }
  }

  /** Box AP(0.5:0.95) of a model (bytes) on the subset, with one session. */
  async ap(modelBytes: Uint8Array, label: string): Promise<number> {
    const session: Session = await createSession(modelBytes, { intraOpNumThreads: this.threads }, label);
    const rows: Array<{ image_id: number; category_id: number; bbox: [number, number, number, number]; score: number }> = [];
    try {
      const wanted = adapterOutputNames(this.adapter);
      for (const im of this.subset.images) {
        const out = await session.run(modelFeeds(this.adapter, this.imageInput, im.input.tensor, im.input.geometry), wanted);
        const outputs: Record<string, RawTensor> = {};
        for (const [k, v] of Object.entries(out)) outputs[k] = { data: v.data, dims: v.dims };
        for (const d of postprocessDetections(this.adapter, outputs, im.input.geometry)) {
          const catId = this.catIds[d.classIndex];
          if (catId === undefined) continue;
          const [x1, y1, x2, y2] = d.box;
          rows.push({ image_id: im.id, category_id: catId, bbox: [x1, y1, Math.max(0, x2 - x1), Math.max(0, y2 - y1)], score: d.score });
        }
      }
    } finally {
      await session.release();
    }
    const dt: CocoDetections =
      rows.length > 0
        ? parseCocoResults(rows, this.subset.gt, `${label} detections`)
        : { detImage: new Int32Array(0), detCategory: new Int32Array(0), detBox: new Float64Array(0), detScore: new Float64Array(0) };
    const ap = evaluateCoco(this.subset.gt, dt).stats[0];
    return ap < 0 ? 0 : ap; // pycocotools' -1 (no ground truth) counts as 0
  }
}

/** Conv weights in graph order, and their output channel counts. */
function convWeightsInGraphOrder(model: ModelProto, source: string): Array<{ param: string; channels: number }> {
  const graph = requireGraph(model, source);
  const index = indexGraph(graph);
  const convs = new Set(convWeightNames(index));
  const seen = new Set<string>();
  const out: Array<{ param: string; channels: number }> = [];
  for (const n of graph.node ?? []) {
    for (const name of n.input ?? []) {
      if (convs.has(name) && !seen.has(name)) {
        seen.add(name);
        const dims = index.initializers.get(name)!.dims ?? [];
        out.push({ param: name, channels: Number(dims[0]) });
      }
    }
  }
  return out;
}

/**
 * The parameters to analyse: the given ones (each must be a conv weight `prune` accepts) or every conv weight
 * that can be pruned alone at the largest ratio (the rest, e.g. head output convs whose channels are graph
 * outputs, are left out).
 */
export function sensitivityParams(
  model: ModelProto,
  source: string,
  ratios: readonly number[],
  params?: readonly string[],
): Array<{ param: string; channels: number }> {
  const all = convWeightsInGraphOrder(model, source);
  const maxRatio = Math.max(...ratios);
  if (params) {
    const byName = new Map(all.map((p) => [p.param, p]));
    return params.map((p) => {
      const found = byName.get(p);
      if (!found) {
        const names = [...byName.keys()];
        throw new SlimboardError(
          'unknown_param',
          `${source}: "${p}" is no conv weight of the model (${names.length} conv weights, e.g. ${names
            .slice(0, 3)
            .map((n) => `"${n}"`)
            .join(', ')}; anonymous names? give --param-names)`,
        );
      }
      return found;
    });
  }
  return all.filter((p) => {
    try {
      pruneChannels(model, { params: [p.param], ratios: [maxRatio] }, source);
      return true;
    } catch (e) {
      if (e instanceof SlimboardError) return false;
      throw e;
    }
  });
}

export async function runSensitivity(input: RunSensitivityInput): Promise<SensitivityRun> {
  const t0 = performance.now();
  const o = parseSensitivityOptions(input.options);
  const { source } = input;
  const threads = input.threads ?? 1;
  const params = sensitivityParams(input.model, source, o.ratios, o.params);
  if (params.length === 0)
    throw new SlimboardError('bad_arguments', `${source}: no conv weight can be pruned alone at ratio ${Math.max(...o.ratios)}`);
  const key = (param: string, ratio: number) => `${param}\u0000${ratio}`;
  const cells = new Map<string, number>();
  for (const c of input.existing?.cells ?? []) cells.set(key(c.param, c.ratio), c.ap);
  const total = 1 + params.length * o.ratios.length;
  let done = 0;
  let computed = 0;
  let reused = 0;
  const tick = () => input.onProgress?.(++done, total);
  const checkAbort = () => {
    if (input.signal?.aborted)
      throw new SlimboardError('aborted', `${source}: sensitivity analysis aborted after ${done} of ${total} evaluations`);
  };

  // Adapter from the model (or given), images preprocessed once.
  let adapter = input.adapter;
  if (!adapter) {
    const s = await createSession(encodeModel(input.model), { intraOpNumThreads: threads }, source);
    try {
      adapter = detectAdapter(s.inputs, s.outputs, source);
    } finally {
      await s.release();
    }
  }
  const p0 = performance.now();
  const subset = await loadImageSubset(input.datasetDir, o.split, o.images, o.inputSize, adapter);
  const preprocessMs = performance.now() - p0;
  const evaluator = await SubsetEvaluator.open(input.model, source, subset, o.inputSize, adapter, threads);

  let baselineAp = input.existing?.baselineAp ?? null;
  if (baselineAp === null) {
    checkAbort();
    baselineAp = await evaluator.ap(encodeModel(input.model), `${source} (baseline)`);
    computed++;
    await input.onBaseline?.(baselineAp);
  } else reused++;
  tick();
  if (!(baselineAp > 0)) {
    throw new SlimboardError(
      'bad_dataset',
      `${source}: baseline AP is 0 on the first ${o.images} images of ${subset.annotationsPath}: ` +
        'the relative loss is undefined (more images, or another split?)',
    );
  }

  for (const { param } of params) {
    for (const ratio of o.ratios) {
      const k = key(param, ratio);
      if (cells.has(k)) {
        reused++;
        tick();
        continue;
      }
      checkAbort();
      const pruned = pruneChannels(input.model, { params: [param], ratios: [ratio], inputSize: o.inputSize }, source).model;
      const ap = await evaluator.ap(encodeModel(pruned), `${source} (${param} pruned ${ratio})`);
      cells.set(k, ap);
      computed++;
      await input.onCell?.({ param, ratio, ap });
      tick();
    }
  }

  // The model page's chart also shows each cell's GFLOPs@608 share (sensitivity.json's column): counted on the pruned
  // graph (paddleslim convention), for models whose input size is free.
  const base608 = hasSymbolicImageSize(input.model) ? paddleslimGflops(input.model, 608, source) : null;
  const reduction608 = (param: string, ratio: number) => {
    if (base608 === null) return {};
    const pruned = pruneChannels(input.model, { params: [param], ratios: [ratio], inputSize: 608 }, source).model;
    return { gflopsReduction608: 1 - paddleslimGflops(pruned, 608, source) / base608 };
  };
  const analysis = parseSensitivityAnalysis(
    {
      model: input.modelLabel,
      metric: SENSITIVITY_METRIC,
      inputSize: o.inputSize,
      valImages: o.images,
      baselineAp,
      lossDefinition: SENSITIVITY_LOSS_DEFINITION,
      criterion: SENSITIVITY_CRITERION,
      ratios: o.ratios,
      parameters: Object.fromEntries(
        params.map(({ param }) => [
          param,
          o.ratios.map((ratio) => {
            const ap = cells.get(key(param, ratio))!;
            return { ratio, ap, loss: (baselineAp - ap) / baselineAp, ...reduction608(param, ratio) };
          }),
        ]),
      ),
    },
    `${source} sensitivity analysis`,
  );
  return { analysis, computed, reused, params, elapsedMs: performance.now() - t0, preprocessMs };
}
