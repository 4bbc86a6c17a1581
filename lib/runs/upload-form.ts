import type { TModelAdapter } from '../inference/detection/model-adapter';
import type { UploadModelChoice } from '../zoo/list-upload-choices';
import { METHODS, PRETRAININGS } from './run-metadata';

/**
 * The upload form's logic, kept out of React (app/upload/upload-form.tsx renders it). The form edits ONE
 * object, the run metadata exactly as `ZRunMetadata` (lib/runs/run-metadata.ts) reads it: the fields and
 * the advanced JSON view are two views of the same object.
 */

/** Metadata as the form holds it: possibly incomplete, checked by ZRunMetadata on submit. */
export type TDraftMetadata = Record<string, unknown>;

export type TRunMethod = (typeof METHODS)[number];

/** Run metadata method -> zoo method (the zoo's enum spells prune+distill `prune_distill`). */
export function zooMethod(method: TRunMethod): string {
  return method === 'prune+distill' ? 'prune_distill' : method;
}

/** Input sizes the form offers: the common detector sizes and the baseline's own, largest first. */
export const COMMON_INPUT_SIZES = [640, 608, 512, 416, 320] as const;

export function inputSizeOptions(baseline: UploadModelChoice | null): number[] {
  return [...new Set([...COMMON_INPUT_SIZES, ...(baseline?.inputSizes ?? [])])].sort((a, b) => b - a);
}

/** A fresh draft: what a new user starts from (no example model pretending to be theirs). */
export function emptyDraft(): TDraftMetadata {
  return { name: '', method: 'prune', inputSizes: [], measurements: { analyse: true, benchmark: true, evaluate: true } };
}

/** Set or remove (undefined) one key, returning a new object; key order is kept for the JSON view. */
export function withField(draft: TDraftMetadata, key: string, value: unknown): TDraftMetadata {
  const next = { ...draft };
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0 && key !== 'inputSizes')) delete next[key];
  else next[key] = value;
  return next;
}

/**
 * Pick a baseline: family, backbone, dataset and pretraining come from it, input sizes default to the
 * baseline's, and an empty name gets a suggestion. A baseline-method run has no baseline of its own.
 */
export function applyBaseline(draft: TDraftMetadata, b: UploadModelChoice): TDraftMetadata {
  let next = withField(draft, 'baseline', draft.method === 'baseline' ? undefined : b.slug);
  next = withField(next, 'family', b.family);
  next = withField(next, 'backbone', b.backbone);
  next = withField(next, 'dataset', b.dataset);
  next = withField(next, 'pretraining', (PRETRAININGS as readonly string[]).includes(b.pretraining ?? '') ? b.pretraining : undefined);
  const sizes = Array.isArray(draft.inputSizes) ? draft.inputSizes : [];
  if (sizes.length === 0 && b.inputSizes.length > 0) next = withField(next, 'inputSizes', b.inputSizes.slice(0, 8));
  if (typeof draft.name !== 'string' || draft.name.trim() === '') {
    next = withField(
      next,
      'name',
      `${b.name} ${typeof draft.strategy === 'string' ? draft.strategy : String(draft.method ?? '')} (mine)`.replace(/\s+/g, ' '),
    );
  }
  return next;
}

/** Case-insensitive search over name, slug, backbone, dataset and strategy; baselines first; at most `limit`. */
export function searchModels(models: readonly UploadModelChoice[], query: string, limit = 8): UploadModelChoice[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const hay = (m: UploadModelChoice) =>
    `${m.name} ${m.slug} ${m.backboneName} ${m.datasetName} ${m.dataset} ${m.strategy ?? 'baseline'}`.toLowerCase();
  return models
    .filter((m) => words.every((w) => hay(m).includes(w)))
    .sort(
      (a, b) =>
        Number(b.method === 'baseline') - Number(a.method === 'baseline') || a.name.localeCompare(b.name) || a.slug.localeCompare(b.slug),
    )
    .slice(0, limit);
}

/** One row of the strategy parameters table (pruning): a parameter name and its pruned ratio as typed. */
export type TPruneRow = { param: string; ratio: string };

/** Table rows -> `strategyParams` pruning keys; rows with an empty name are ignored; ratios parsed as numbers. */
export function pruneRowsToParams(rows: readonly TPruneRow[]): { prunedParams?: string[]; prunedRatios?: number[] } {
  const used = rows.filter((r) => r.param.trim() !== '');
  if (used.length === 0) return {};
  return {
    prunedParams: used.map((r) => r.param.trim()),
    prunedRatios: used.map((r) => (r.ratio.trim() === '' ? Number.NaN : Number(r.ratio))),
  };
}

/** `strategyParams` -> table rows (for a draft edited in the JSON view). */
export function paramsToPruneRows(params: unknown): TPruneRow[] {
  const p = (params ?? {}) as { prunedParams?: unknown; prunedRatios?: unknown };
  const names = Array.isArray(p.prunedParams) ? p.prunedParams : [];
  const ratios = Array.isArray(p.prunedRatios) ? p.prunedRatios : [];
  return names.map((n, i) => ({ param: String(n), ratio: ratios[i] === undefined ? '' : String(ratios[i]) }));
}

/** What an adapter does, in words, for the auto-detection preview. */
export function describeAdapter(a: TModelAdapter): string[] {
  const p = a.preprocess;
  const scale = p.scale === 1 / 255 ? '1/255' : String(p.scale);
  const identity = p.mean.every((m) => m === 0) && p.std.every((v) => v === 1);
  const norm = identity ? `pixels ×${scale}` : `pixels ×${scale}, mean [${p.mean.join(', ')}], std [${p.std.join(', ')}]`;
  const pre =
    `pre-processing: ${p.resize === 'letterbox' ? `letterbox (pad ${p.padValue})` : 'stretch'} resize, ${p.interpolation} ` +
    `kernel${p.interpolation === 'linear' && p.antialias ? ' (antialiased)' : ''}, ${p.channelOrder.toUpperCase()}, ${norm}`;
  const o = a.output;
  let out: string;
  if (o.kind === 'decoded')
    out =
      `outputs: decoded boxes "${o.boxes}" (${o.boxFormat}, ${o.boxCoordinates}) and scores "${o.scores}"; Slimboard applies score ` +
      `threshold and NMS`;
  else if (o.kind === 'paddle-nms')
    out = `outputs: PaddleDetection export with NMS inside ("${o.detections}" [N, 6]; inputs ${o.imShapeInput}, ${o.scaleFactorInput})`;
  else
    out =
      `outputs: ${o.heads.length} raw YOLO head(s) (${o.heads.map((h) => `"${h.output}" stride ${h.stride}`).join(', ')}), ` +
      `PaddleDetection anchors; Slimboard decodes and applies NMS`;
  const post =
    `post-processing: score ≥ ${a.postprocess.scoreThreshold}, NMS IoU ${a.postprocess.nmsIouThreshold}, at ` +
    `most ${a.postprocess.maxDetections} detections`;
  return [`${a.name ?? 'adapter'} (${o.kind})`, pre, out, post];
}

/** The command that creates an API token (its output is what the token field takes). */
export const TOKEN_CREATE_COMMAND = 'npm run -s slimboard -- token create --name YOUR_NAME';

/** What to do about a refused or missing token, in one sentence. */
export function tokenHelp(problem: 'missing' | 'refused', serverMessage?: string): string {
  const what =
    problem === 'missing'
      ? 'An API token is needed to upload.'
      : `The server refused the API token${serverMessage ? ` (${serverMessage})` : ''}.`;
  return (
    `${what} Run \`${TOKEN_CREATE_COMMAND}\` on the Slimboard machine, ` + 'then paste the token it prints (sb_…) into the API token field.'
  );
}
