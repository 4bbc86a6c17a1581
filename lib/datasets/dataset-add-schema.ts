import { z } from 'zod';

/**
 * The registration request of a dataset, shared by `slimboard dataset add`, `POST /api/datasets` and the upload
 * page's dataset form (zod only: the browser imports it).
 */
export const DATASET_FORMATS = ['coco', 'voc', 'widerface'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export const ZDatasetSlug = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits and . _ - only, starting with a letter or digit');

export const ZDatasetAdd = z.object({
  name: z.string().trim().min(1).max(120),
  slug: ZDatasetSlug.optional(),
  format: z.enum(DATASET_FORMATS),
  split: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,40}$/, 'letters, digits and . _ - only')
    .optional(),
});
export type TDatasetAdd = z.infer<typeof ZDatasetAdd>;
