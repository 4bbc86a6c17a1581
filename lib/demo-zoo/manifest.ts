/**
 * The demo zoo shipped in lib/demo-zoo/models/: ONNX detectors trained by tools/demo-zoo on the synthetic
 * shapes dataset, described by manifest.json (written by tools/demo-zoo/slimzoo/stage_export.py).
 * `readDemoZooManifest` validates the manifest and checks every file's size and sha256, so a caller that
 * registers the models (issue 5's pipeline) can trust what it reads.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SlimboardError, formatZodIssues } from '../errors';

/** Directory of the shipped demo zoo, relative to the repository root. */
export const DEMO_ZOO_DIR = path.join('lib', 'demo-zoo', 'models');

const ZApRow = z.object({
  AP: z.number(),
  AP50: z.number(),
  AP75: z.number(),
  APs: z.number().optional(),
  APm: z.number().optional(),
  APl: z.number().optional(),
});

/** A former file of a manifest model: same weights, different bytes (see `supersedes`). */
export const ZSupersededFile = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
  /** Lineage parameter name -> the old file's initializer name. */
  paramNames: z.record(z.string().min(1), z.string().min(1)).optional(),
  /** One line: what changed between that file and the next. */
  change: z.string().min(1),
});
export type TSupersededFile = z.infer<typeof ZSupersededFile>;

export const ZDemoZooModel = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/),
  file: z.string().regex(/^[A-Za-z0-9_.-]+\.onnx$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
  precision: z.enum(['fp32', 'int8']),
  /** Detector family shown in the zoo (the demo's detectors are YOLOv3-style). */
  family: z.string().min(1).default('YOLOv3'),
  backbone: z.string(),
  params: z.number().int().positive(),
  /** 1e9 multiply-adds of convolutions at S x S, keyed by S ("320", "416", "608"). */
  gflops: z.record(z.string(), z.number().positive()),
  /**
   * Lineage parameter name (PaddleDetection's, e.g. `yolo_block.0.0.0.conv.weights`) -> the ONNX initializer
   * that holds it (lib/compression/param-names.ts). The fp32 files exported since 2026-12-07 carry the lineage's
   * names themselves (tools/demo-zoo/slimzoo/export.py): the identity map. An export that left them anonymous
   * (`onnx::Conv_950`, BatchNorm folded: the 2026-11-29 files) has the map read from its node names.
   */
  paramNames: z.record(z.string().min(1), z.string().min(1)).optional(),
  /**
   * Earlier files of this model that the current one replaces with the same weights (e.g. the baseline before its
   * initializers got the lineage's names: tools/demo-zoo/rename-initializers.ts). Each keeps its own `paramNames`,
   * so `--param-names manifest.json` still names an old file's initializers, and registration moves a run of an
   * old file to the current one (lib/runs/replace-run-file.ts) instead of registering a second run.
   */
  supersedes: z.array(ZSupersededFile).optional(),
  lineage: z
    .object({
      baseline: z.string().nullable(),
      parent: z.string().nullable(),
      method: z.enum(['baseline', 'prune', 'quant', 'distill', 'prune+distill']),
      strategy: z.string().nullable(),
      teacher: z.string().nullable(),
      prunedParams: z.array(z.string()).optional(),
      ratios: z.array(z.number().min(0).max(1)).optional(),
    })
    .passthrough(),
  recipe: z.record(z.string(), z.unknown()),
  seed: z.number().int().nullable(),
  /** The training pipeline's own COCO evaluation on the val split, keyed by input size. */
  ap: z.record(z.string(), ZApRow),
});
export type TDemoZooModel = z.infer<typeof ZDemoZooModel>;

export const ZDemoZooManifest = z.object({
  schemaVersion: z.literal(1),
  title: z.string(),
  createdAt: z.string(),
  dataset: z
    .object({
      name: z.string(),
      version: z.string(),
      seed: z.number().int(),
      val: z.object({ split: z.string(), images: z.number().int().positive() }),
      train: z.object({ split: z.string(), images: z.number().int().positive() }),
      classes: z.array(z.string()).min(1),
    })
    .passthrough(),
  evaluation: z.record(z.string(), z.unknown()),
  gflopsConvention: z.string(),
  adapter: z
    .object({
      kind: z.literal('decoded-boxes-scores'),
      input: z
        .object({ name: z.string(), dtype: z.literal('float32'), layout: z.literal('NCHW'), heightWidthMultipleOf: z.number().int() })
        .passthrough(),
      resize: z.object({ mode: z.literal('stretch'), evalSizes: z.array(z.number().int()) }).passthrough(),
      outputs: z.record(z.string(), z.unknown()),
      postprocess: z.object({ scoreThreshold: z.number(), nmsIou: z.number(), maxDetectionsPerImage: z.number().int() }).passthrough(),
      classNames: z.array(z.string()),
      cocoCategoryIds: z.array(z.number().int()),
    })
    .passthrough(),
  models: z.array(ZDemoZooModel).min(1),
});
export type TDemoZooManifest = z.infer<typeof ZDemoZooManifest>;

/** Read and validate `<dir>/manifest.json`; with `verifyFiles`, check each ONNX file's bytes and sha256. */
export async function readDemoZooManifest(dir: string, options: { verifyFiles?: boolean } = {}): Promise<TDemoZooManifest> {
  const file = path.join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new SlimboardError('bad_demo_zoo', `${file}: cannot read manifest: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  const parsed = ZDemoZooManifest.safeParse(raw);
  if (!parsed.success) throw new SlimboardError('bad_demo_zoo', `${file}: ${formatZodIssues(parsed.error.issues)}`);
  const manifest = parsed.data;
  const ids = new Set<string>();
  for (const m of manifest.models) {
    if (ids.has(m.id)) throw new SlimboardError('bad_demo_zoo', `${file}: model id "${m.id}" appears twice`);
    ids.add(m.id);
  }
  for (const m of manifest.models) {
    for (const ref of [m.lineage.parent, m.lineage.teacher]) {
      if (ref !== null && !ids.has(ref))
        throw new SlimboardError('bad_demo_zoo', `${file}: model "${m.id}" refers to unknown model "${ref}"`);
    }
  }
  // A superseded file is a former file of exactly one model: never a current file, never claimed twice.
  const claimed = new Map(manifest.models.map((m) => [m.sha256, `the current file of "${m.id}"`]));
  for (const m of manifest.models) {
    for (const s of m.supersedes ?? []) {
      const other = claimed.get(s.sha256);
      if (other)
        throw new SlimboardError('bad_demo_zoo', `${file}: model "${m.id}" supersedes sha256 ${s.sha256.slice(0, 12)}…, which is ${other}`);
      claimed.set(s.sha256, `superseded by "${m.id}"`);
    }
  }
  if (options.verifyFiles) {
    for (const m of manifest.models) {
      const bytes = await readFile(path.join(dir, m.file)).catch(() => {
        throw new SlimboardError('bad_demo_zoo', `${file}: model "${m.id}": file ${m.file} is missing`);
      });
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (bytes.length !== m.bytes || sha !== m.sha256) {
        throw new SlimboardError(
          'bad_demo_zoo',
          `${file}: model "${m.id}": ${m.file} has ${bytes.length} bytes / sha256 ${sha.slice(0, 12)}…, manifest says ${m.bytes} ` +
            `/ ${m.sha256.slice(0, 12)}…`,
        );
      }
    }
  }
  return manifest;
}
