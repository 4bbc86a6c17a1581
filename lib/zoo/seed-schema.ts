import { z } from 'zod';
import { ZStrategyParams } from './strategy-params';

/**
 * The shape of a declared catalog (prisma/seed/*.ts): what `importCatalog` loads. Numbers are strings
 * exactly as printed (`'94.60'`) so the printed precision survives.
 */

const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case slug');
const printedNumber = z.string().regex(/^\d+(\.\d+)?$/, 'a number as printed, e.g. "37.53"');
/** A delta as printed next to a number: points `+0.7`, percent `-16.06%` (lib/zoo/delta-interval.ts reads it). */
const printedDelta = z.string().regex(/^[+-]\d+(\.\d+)?%?$/, 'a delta as printed, e.g. "-16.06%" or "+0.7"');
export const METHOD_VALUES = ['baseline', 'prune', 'distill', 'prune_distill', 'quant', 'nas'] as const;
export const ZMethod = z.enum(METHOD_VALUES);
export type TMethod = z.infer<typeof ZMethod>;

const named = z.object({ slug, name: z.string().min(1), aliases: z.array(z.string().min(1)) });

export const ZSeedRowValues = z.strictObject({
  gflops: printedNumber.optional(),
  modelSizeMb: printedNumber.optional(),
  boxAp: printedNumber.optional(),
  vocMap: printedNumber.optional(),
  widerEasy: printedNumber.optional(),
  widerMedium: printedNumber.optional(),
  widerHard: printedNumber.optional(),
  /** Device slug -> ms/image. */
  latencyMs: z.record(slug, printedNumber).optional(),
});
export type TSeedRowValues = z.infer<typeof ZSeedRowValues>;

export const ZSeedCatalog = z.object({
  source: z.object({ slug, title: z.string().min(1), url: z.string().url().nullable(), repoPath: z.string().min(1) }),
  datasets: z.array(named),
  backbones: z.array(named),
  pretrainings: z.array(named),
  strategies: z.array(z.object({ slug, method: ZMethod, description: z.string().min(1) })),
  devices: z.array(
    z.object({
      slug,
      name: z.string().min(1),
      runtime: z.string().min(1),
      threads: z.number().int().positive().nullable(),
      notes: z.string().nullable(),
    }),
  ),
  models: z.array(
    z.object({
      slug,
      name: z.string().min(1),
      family: z.string().min(1),
      backbone: slug,
      dataset: slug,
      pretraining: slug.nullable(),
      method: ZMethod,
      strategy: slug.nullable(),
      parent: slug.nullable(),
      baseline: slug.nullable(),
      teacher: slug.nullable(),
      /** The model's own pruned params and ratios / quantization mode (stored as Model.lineage); omitted: none. */
      lineage: ZStrategyParams.optional(),
      download: z.string().url().nullable(),
    }),
  ),
  sections: z.array(
    z.object({
      slug,
      title: z.string().min(1),
      sourceTitle: z.string().min(1),
      columns: z.array(z.string().min(1)).min(1),
      notes: z.string().optional(),
      rows: z.array(
        z.strictObject({
          model: slug,
          inputSize: z.number().int().positive(),
          values: ZSeedRowValues,
          /** The teacher's accuracy at this input size, as printed in the teacher column. */
          teacherAccuracy: printedNumber.optional(),
          /**
           * Deltas the source prints next to the row's numbers, keyed by column id (`gflops`, `boxAp`,
           * `latency:kirin-970`). Shown when consistent with the two numbers' rounding (lib/zoo/published-deltas.ts).
           */
          deltas: z.record(z.string(), printedDelta).optional(),
        }),
      ),
    }),
  ),
});
export type TSeedCatalog = z.infer<typeof ZSeedCatalog>;
