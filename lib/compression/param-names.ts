/**
 * Parameter names for models whose initializers are anonymous. PyTorch's ONNX export folds BatchNorm into
 * the conv and names the result `onnx::Conv_950`, while pruning recipes, lineage and sensitivity analyses
 * use the training framework's names (`yolo_block.0.0.0.conv.weights`). A name map
 * `{ "<recipe name>": "<initializer name>" }` renames the initializers in memory, so every compression
 * function (prune, sensitivity, ratios for a FLOPs target) takes and reports the recipe's names.
 *
 * A `--param-names FILE` is either such a map (JSON object) or a demo zoo manifest
 * (lib/demo-zoo/models/manifest.json): then the map is the `paramNames` of the manifest model whose sha256
 * is the model file's, or of the entry in a model's `supersedes` that has it (an older file of that model, e.g.
 * the baseline before tools/demo-zoo/rename-initializers.ts gave its initializers the lineage's names).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SlimboardError, formatZodIssues } from '../errors';
import { readModelFile, type LoadedModel } from '../onnx/model-file';
import { onnx, type ModelProto } from '../onnx/proto';

/** recipe name -> ONNX initializer name. */
export const ZParamNames = z.record(z.string().min(1).max(300), z.string().min(1).max(300));
export type TParamNames = z.infer<typeof ZParamNames>;

const ZManifestWithNames = z
  .object({
    models: z.array(
      z
        .object({
          id: z.string(),
          sha256: z.string(),
          paramNames: ZParamNames.optional(),
          supersedes: z.array(z.object({ sha256: z.string(), paramNames: ZParamNames.optional() }).passthrough()).optional(),
        })
        .passthrough(),
    ),
  })
  .passthrough();

/** Read a name map, or pick it from a demo manifest by the model's sha256. Errors name the file and what to do. */
export function readParamNamesFile(file: string, modelSha256: string): TParamNames {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SlimboardError(
      'bad_arguments',
      `--param-names ${file}: ${code ? `cannot read (${code})` : `not valid JSON (${(e as Error).message.split('\n')[0]})`}`,
    );
  }
  if (raw && typeof raw === 'object' && 'models' in raw) {
    const m = ZManifestWithNames.safeParse(raw);
    if (!m.success) throw new SlimboardError('bad_arguments', `--param-names ${file}: ${formatZodIssues(m.error.issues)}`);
    // The model's current file, else an earlier file it supersedes (same weights, its own initializer names).
    const current = m.data.models.find((x) => x.sha256 === modelSha256);
    const former = current
      ? undefined
      : m.data.models.flatMap((x) => (x.supersedes ?? []).filter((s) => s.sha256 === modelSha256).map((s) => ({ id: x.id, ...s })))[0];
    const model = current ?? former;
    if (!model)
      throw new SlimboardError(
        'bad_arguments',
        `--param-names ${file}: no model of this manifest (nor a file it supersedes) has the model file's sha256 ` +
          `${modelSha256.slice(0, 12)}…`,
      );
    if (!model.paramNames)
      throw new SlimboardError(
        'bad_arguments',
        `--param-names ${file}: model "${model.id}"${former ? ` (its former file ${modelSha256.slice(0, 12)}…)` : ''} has no paramNames`,
      );
    return model.paramNames;
  }
  const parsed = ZParamNames.safeParse(raw);
  if (!parsed.success) {
    throw new SlimboardError(
      'bad_arguments',
      `--param-names ${file}: expected {"<param name>": "<initializer name>", ...}: ${formatZodIssues(parsed.error.issues)}`,
    );
  }
  return parsed.data;
}

/**
 * A copy of `model` whose initializers (and every node input, graph input and value_info naming them) carry
 * the map's recipe names. Each mapped initializer must exist, each target name must be free, and no
 * initializer may be mapped twice.
 */
export function renameParams(input: ModelProto, names: TParamNames, source = '<model>'): ModelProto {
  const model = onnx.ModelProto.decode(onnx.ModelProto.encode(input).finish());
  const graph = model.graph;
  if (!graph) throw new SlimboardError('bad_model', `${source}: no graph`);
  const inits = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const used = new Set<string>([...inits, ...(graph.node ?? []).flatMap((n) => [...(n.input ?? []), ...(n.output ?? [])])]);
  const rename = new Map<string, string>();
  for (const [to, from] of Object.entries(names)) {
    if (!inits.has(from))
      throw new SlimboardError(
        'bad_arguments',
        `${source}: --param-names maps "${to}" to "${from}", which is no initializer of the model (wrong model or map?)`,
      );
    if (rename.has(from))
      throw new SlimboardError('bad_arguments', `${source}: --param-names maps both "${rename.get(from)}" and "${to}" to "${from}"`);
    if (to !== from && used.has(to))
      throw new SlimboardError('bad_arguments', `${source}: --param-names: the model already has a tensor named "${to}"`);
    rename.set(from, to);
  }
  const r = (n: string | null | undefined) => (n && rename.has(n) ? rename.get(n)! : (n ?? ''));
  for (const t of graph.initializer ?? []) t.name = r(t.name);
  for (const n of graph.node ?? []) n.input = (n.input ?? []).map(r);
  for (const v of [...(graph.input ?? []), ...(graph.valueInfo ?? [])]) v.name = r(v.name);
  return model;
}

/** Read a model file and, with `paramNamesFile`, give its initializers the map's names. */
export function readModelWithParamNames(
  file: string,
  paramNamesFile?: string,
): LoadedModel & { sha256: string; paramNames: TParamNames | null } {
  const loaded = readModelFile(file);
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  if (!paramNamesFile) return { ...loaded, sha256, paramNames: null };
  const names = readParamNamesFile(paramNamesFile, sha256);
  return { ...loaded, model: renameParams(loaded.model, names, loaded.source), sha256, paramNames: names };
}
