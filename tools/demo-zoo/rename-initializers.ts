/**
 * Give a demo-zoo model's initializers the lineage's parameter names, in the file itself.
 *
 * PyTorch's export leaves the folded conv weights anonymous (`onnx::Conv_950`), so the lineage's
 * `prunedParams` (`yolo_block.0.0.0.conv.weights`, ...) could only be applied through a name map
 * (`--param-names manifest.json`). This tool applies the manifest's `paramNames` of one model (default: the
 * baseline, the model the `sensity` and `r578` recipes prune) with lib/compression/param-names.ts
 * `renameParams` (initializers, node inputs, graph inputs and value_info), writes the file with lib/onnx's
 * encoder, and rewrites that model's manifest entry:
 *   - `sha256` and `bytes` of the new file, `paramNames` the identity map;
 *   - a `supersedes` entry with the old sha256, bytes and name map, so the old file still works with
 *     `--param-names manifest.json` and registration moves a run of the old file to the new one.
 * Only names change: weights, graph and outputs are the same (lib/demo-zoo/named-initializers.test.ts checks
 * the outputs in onnxruntime). The bytes differ beyond the names: lib/onnx's encoder writes repeated numbers
 * packed where the exporter did not (76 bytes fewer for the baseline, 586 more for its longer names). The
 * manifest is edited as text, only inside that model's entry (other numbers keep their spelling, e.g. Python's
 * `60.0`), and the result is checked to parse to exactly the intended manifest.
 *
 * Run again on a named file, it changes nothing (the identity map renames nothing).
 *
 * usage: npx tsx tools/demo-zoo/rename-initializers.ts [--zoo lib/demo-zoo/models] [--model baseline] [--dry-run]
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { renameParams } from '../../lib/compression/param-names';
import { DEMO_ZOO_DIR, readDemoZooManifest, type TSupersededFile } from '../../lib/demo-zoo/manifest';
import { SlimboardError } from '../../lib/errors';
import { decodeModel, encodeModel, writeFileAtomic } from '../../lib/onnx/model-file';

export interface RenameInitializersResult {
  model: string;
  file: string;
  /** renamed: the file and manifest were rewritten; unchanged: the file already carries the lineage's names. */
  status: 'renamed' | 'unchanged';
  renamed: number;
  before: { sha256: string; bytes: number };
  after: { sha256: string; bytes: number };
}

const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** `value` as JSON indented by 2, every line after the first prefixed with `indent` (to sit inside the manifest). */
function jsonAt(value: unknown, indent: string): string {
  return JSON.stringify(value, null, 2).split('\n').join(`\n${indent}`);
}

/** The end (exclusive) of the JSON value starting at `start` (an object or array; strings hold no brackets here). */
function endOfValue(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new SlimboardError('bad_demo_zoo', 'manifest.json: unbalanced brackets');
}

/**
 * The manifest text with model `id`'s sha256, bytes and paramNames replaced and `supersedes` set, other text
 * unchanged. Throws unless the result parses to `expected`.
 */
export function editManifestEntry(
  text: string,
  id: string,
  next: { sha256: string; bytes: number; paramNames: Record<string, string>; supersedes: TSupersededFile[] },
  expected: unknown,
): string {
  const idAt = text.indexOf(`"id": ${JSON.stringify(id)}`);
  if (idAt < 0) throw new SlimboardError('bad_demo_zoo', `manifest.json: no "id": "${id}"`);
  const entryStart = text.lastIndexOf('{', idAt);
  const entryEnd = endOfValue(text, entryStart);
  let entry = text.slice(entryStart, entryEnd);
  const field = (name: string) => {
    const m = new RegExp(`\\n([ \\t]*)"${name}": `).exec(entry);
    return m ? { at: m.index + 1, indent: m[1], valueAt: m.index + m[0].length } : null;
  };
  const replaceScalar = (name: string, value: string | number) => {
    const f = field(name);
    if (!f) throw new SlimboardError('bad_demo_zoo', `manifest.json: model "${id}" has no ${name}`);
    const end = entry.indexOf('\n', f.valueAt);
    const comma = entry.slice(f.valueAt, end).trimEnd().endsWith(',') ? ',' : '';
    entry = entry.slice(0, f.valueAt) + JSON.stringify(value) + comma + entry.slice(end);
  };
  replaceScalar('sha256', next.sha256);
  replaceScalar('bytes', next.bytes);
  if (field('supersedes'))
    throw new SlimboardError(
      'bad_demo_zoo',
      `manifest.json: model "${id}" already has supersedes and a non-identity paramNames: edit by hand`,
    );
  const names = field('paramNames');
  if (!names) throw new SlimboardError('bad_demo_zoo', `manifest.json: model "${id}" has no paramNames`);
  entry =
    entry.slice(0, names.valueAt) +
    jsonAt(next.paramNames, names.indent) +
    `,\n${names.indent}"supersedes": ${jsonAt(next.supersedes, names.indent)}` +
    entry.slice(endOfValue(entry, names.valueAt));
  const out = text.slice(0, entryStart) + entry + text.slice(entryEnd);
  let parsed: unknown;
  try {
    parsed = JSON.parse(out);
  } catch (e) {
    throw new SlimboardError('bad_demo_zoo', `manifest.json: the edit produced invalid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (!isDeepStrictEqual(parsed, expected))
    throw new SlimboardError('bad_demo_zoo', 'manifest.json: the text edit changed more than intended');
  return out;
}

/** Rename one manifest model's initializers to its `paramNames` keys; rewrite its file and manifest entry. */
export async function renameDemoInitializers(o: { zooDir: string; model?: string; dryRun?: boolean }): Promise<RenameInitializersResult> {
  const id = o.model ?? 'baseline';
  const manifest = await readDemoZooManifest(o.zooDir, { verifyFiles: true });
  const entry = manifest.models.find((m) => m.id === id);
  if (!entry) throw new SlimboardError('bad_arguments', `--model: no model "${id}" in ${o.zooDir}/manifest.json`);
  if (!entry.paramNames)
    throw new SlimboardError('bad_demo_zoo', `model "${id}" has no paramNames: nothing says which initializer is which parameter`);
  const file = path.join(o.zooDir, entry.file);
  const before = { sha256: entry.sha256, bytes: entry.bytes };
  const moves = Object.entries(entry.paramNames).filter(([to, from]) => to !== from);
  if (moves.length === 0) return { model: id, file, status: 'unchanged', renamed: 0, before, after: before };

  const bytes = new Uint8Array(readFileSync(file));
  const loaded = decodeModel(bytes, file, path.dirname(path.resolve(file)));
  const renamed = renameParams(loaded.model, entry.paramNames, file);
  const out = encodeModel(renamed);
  const after = { sha256: sha256Of(out), bytes: out.length };
  const identity = Object.fromEntries(Object.keys(entry.paramNames).map((k) => [k, k]));
  const supersedes: TSupersededFile[] = [
    ...(entry.supersedes ?? []),
    {
      sha256: before.sha256,
      bytes: before.bytes,
      paramNames: entry.paramNames,
      change: `initializers renamed to the lineage's parameter names (tools/demo-zoo/rename-initializers.ts); same weights and outputs`,
    },
  ];
  const manifestFile = path.join(o.zooDir, 'manifest.json');
  const text = readFileSync(manifestFile, 'utf8');
  const raw = JSON.parse(text) as { models: Array<Record<string, unknown>> };
  const rawEntry = raw.models.find((m) => m.id === id)!;
  Object.assign(rawEntry, { sha256: after.sha256, bytes: after.bytes, paramNames: identity });
  // Key order as written: supersedes right after paramNames.
  const ordered = Object.fromEntries(
    Object.entries(rawEntry)
      .filter(([k]) => k !== 'supersedes')
      .flatMap(([k, v]) => (k === 'paramNames' ? [[k, v] as const, ['supersedes', supersedes] as const] : [[k, v] as const])),
  );
  raw.models[raw.models.indexOf(rawEntry)] = ordered;
  const newText = editManifestEntry(text, id, { ...after, paramNames: identity, supersedes }, raw);
  if (!o.dryRun) {
    writeFileAtomic(file, out);
    writeFileAtomic(manifestFile, new TextEncoder().encode(newText));
  }
  return { model: id, file, status: 'renamed', renamed: moves.length, before, after };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      zoo: { type: 'string', default: DEMO_ZOO_DIR },
      model: { type: 'string', default: 'baseline' },
      'dry-run': { type: 'boolean' },
    },
  });
  const r = await renameDemoInitializers({ zooDir: values.zoo!, model: values.model, dryRun: values['dry-run'] });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().catch((e: unknown) => {
    process.stderr.write(`rename-initializers: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
