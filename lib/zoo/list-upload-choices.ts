import type { Db } from '../db/client';

/**
 * What the upload form offers (app/upload): zoo models to pick a baseline (or teacher) from, with the
 * family, backbone, dataset, pretraining and input sizes a new run inherits from its baseline; the
 * datasets; and the known strategies per method. Slugs are what the run metadata (lib/runs/run-metadata.ts)
 * refers to.
 */
export interface UploadModelChoice {
  slug: string;
  name: string;
  family: string;
  /** Backbone slug (the metadata accepts slug, name or alias). */
  backbone: string;
  backboneName: string;
  dataset: string;
  datasetName: string;
  pretraining: string | null;
  /** Zoo method (`prune_distill` is `prune+distill` in run metadata). */
  method: string;
  strategy: string | null;
  /** Input sizes the model has numbers at, largest first. */
  inputSizes: number[];
}

export interface UploadChoices {
  models: UploadModelChoice[];
  datasets: Array<{ slug: string; name: string }>;
  strategies: Array<{ slug: string; method: string; description: string }>;
}

export async function listUploadChoices(db: Db): Promise<UploadChoices> {
  const [models, sizes, datasets, strategies] = await Promise.all([
    db.model.findMany({
      select: {
        id: true,
        slug: true,
        name: true,
        family: true,
        method: true,
        backbone: { select: { slug: true, name: true } },
        dataset: { select: { slug: true, name: true } },
        pretraining: { select: { slug: true } },
        strategy: { select: { slug: true } },
      },
      orderBy: [{ method: 'asc' }, { name: 'asc' }],
    }),
    db.measurement.groupBy({ by: ['modelId', 'inputSize'], where: { inputSize: { not: null } } }),
    db.dataset.findMany({ select: { slug: true, name: true }, orderBy: { id: 'asc' } }),
    db.strategy.findMany({ select: { slug: true, method: true, description: true }, orderBy: { slug: 'asc' } }),
  ]);
  const slugOf = new Map(models.map((m) => [m.id, m.slug]));
  const sizesOf = new Map<string, number[]>();
  for (const s of sizes) {
    const slug = slugOf.get(s.modelId);
    if (!slug || s.inputSize === null) continue;
    sizesOf.set(slug, [...(sizesOf.get(slug) ?? []), s.inputSize]);
  }
  return {
    models: models.map((m) => ({
      slug: m.slug,
      name: m.name,
      family: m.family,
      backbone: m.backbone.slug,
      backboneName: m.backbone.name,
      dataset: m.dataset.slug,
      datasetName: m.dataset.name,
      pretraining: m.pretraining?.slug ?? null,
      method: m.method,
      strategy: m.strategy?.slug ?? null,
      inputSizes: [...new Set(sizesOf.get(m.slug) ?? [])].sort((a, b) => b - a),
    })),
    datasets,
    strategies: strategies.map((s) => ({ slug: s.slug, method: s.method, description: s.description })),
  };
}
