import type pg from 'pg';
import { SlimboardError } from '../errors';
import type { TRunMetadata } from './run-metadata';
import { modelLineageOf } from '../zoo/strategy-params';

/**
 * A registered run becomes a zoo Model (method, strategy, baseline, teacher, parent, and its own lineage
 * parameters in Model.lineage from metadata.strategyParams) with a stored ONNX Artifact, in the same
 * transaction that queues its jobs; its measured numbers then arrive as Measurement rows (provenance
 * `measured`, jobId, deviceId), next to its baseline's.
 *
 * Names the metadata gives are resolved against the zoo first (before any byte is stored):
 * dataset, pretraining, baseline and teacher must exist; a new backbone or strategy is created.
 */

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export interface ZooRefs {
  datasetId: number;
  datasetSlug: string;
  pretrainingId: number | null;
  baselineId: number | null;
  /** The model the weights were derived from: metadata.parent, else the baseline. */
  parentId: number | null;
  teacherId: number | null;
}

const METHOD_TO_ZOO: Record<TRunMetadata['method'], string> = {
  baseline: 'baseline',
  prune: 'prune',
  distill: 'distill',
  'prune+distill': 'prune_distill',
  quant: 'quant',
  nas: 'nas',
};

async function bySlugOrAlias(
  db: Queryable,
  table: 'Dataset' | 'Pretraining' | 'Backbone',
  slug: string,
): Promise<{ id: number; slug: string } | null> {
  const r = await db.query(
    `SELECT id, slug FROM "${table}" WHERE lower(slug) = lower($1) OR lower(name) = lower($1) OR lower($1) = ANY(SELECT lower(a) FROM ` +
      `unnest(aliases) a) ORDER BY id LIMIT 1`,
    [slug],
  );
  return r.rows[0] ?? null;
}

async function modelBySlug(db: Queryable, slug: string): Promise<number | null> {
  const r = await db.query(`SELECT id FROM "Model" WHERE slug = $1`, [slug]);
  return r.rows[0]?.id ?? null;
}

/** Resolve the metadata's references; unknown ones fail the run with the field named. */
export async function resolveZooRefs(db: Queryable, meta: TRunMetadata): Promise<ZooRefs> {
  const dataset = await bySlugOrAlias(db, 'Dataset', meta.dataset);
  if (!dataset) throw new SlimboardError('unknown_dataset', `metadata.dataset: no dataset "${meta.dataset}" in the zoo`, { status: 422 });
  for (const [i, slug] of (meta.measurements.evaluateOn ?? []).entries()) {
    if (!(await bySlugOrAlias(db, 'Dataset', slug)))
      throw new SlimboardError(
        'unknown_dataset',
        `metadata.measurements.evaluateOn[${i}]: no dataset "${slug}" in the zoo (register it with \`slimboard dataset add\`, or drop it)`,
        { status: 422 },
      );
  }
  let pretrainingId: number | null = null;
  if (meta.pretraining) {
    const p = await bySlugOrAlias(db, 'Pretraining', meta.pretraining);
    if (!p)
      throw new SlimboardError('unknown_pretraining', `metadata.pretraining: no pretraining "${meta.pretraining}" in the zoo`, {
        status: 422,
      });
    pretrainingId = p.id;
  }
  let baselineId: number | null = null;
  if (meta.baseline) {
    baselineId = await modelBySlug(db, meta.baseline);
    if (baselineId === null)
      throw new SlimboardError('unknown_baseline', `metadata.baseline: no zoo model with slug "${meta.baseline}"`, { status: 422 });
  }
  let parentId = baselineId;
  if (meta.parent) {
    parentId = await modelBySlug(db, meta.parent);
    if (parentId === null)
      throw new SlimboardError('unknown_parent', `metadata.parent: no zoo model with slug "${meta.parent}"`, { status: 422 });
  }
  let teacherId: number | null = null;
  if (meta.strategyParams.teacher) teacherId = await modelBySlug(db, meta.strategyParams.teacher);
  return { datasetId: dataset.id, datasetSlug: dataset.slug, pretrainingId, baselineId, parentId, teacherId };
}

function slugify(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'model'
  );
}

/** Inside the accepting transaction: create Backbone/Strategy if new, the Model and its Artifact. Returns the model id. */
export async function createZooModel(
  client: pg.PoolClient,
  o: { runId: string; meta: TRunMetadata; refs: ZooRefs; sha256: string; sizeBytes: number; fileName: string },
): Promise<{ id: number; slug: string }> {
  const { meta, refs } = o;
  let backbone = await bySlugOrAlias(client, 'Backbone', meta.backbone);
  if (!backbone) {
    const r = await client.query(
      `INSERT INTO "Backbone" (slug, name, aliases) VALUES ($1, $2, '{}') ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug ` +
        `RETURNING id, slug`,
      [slugify(meta.backbone), meta.backbone],
    );
    backbone = r.rows[0];
  }
  let strategyId: number | null = null;
  if (meta.strategy) {
    const existing = await client.query(`SELECT id FROM "Strategy" WHERE slug = $1`, [meta.strategy]);
    if (existing.rowCount) strategyId = existing.rows[0].id;
    else {
      const r = await client.query(
        `INSERT INTO "Strategy" (slug, method, description) VALUES ($1, $2::"Method", $3) ON CONFLICT (slug) DO UPDATE SET slug = ` +
          `EXCLUDED.slug RETURNING id`,
        [meta.strategy, METHOD_TO_ZOO[meta.method], `registered with run "${meta.name}"`],
      );
      strategyId = r.rows[0].id;
    }
  }
  const slug = `${slugify(meta.name)}-${o.runId.slice(0, 8)}`;
  const description = [
    `Registered run ${o.runId}.`,
    meta.provenance ? `${meta.provenance.replace(/\.$/, '')}.` : '',
    meta.strategyParams.prunedParams ? `Pruned ${meta.strategyParams.prunedParams.length} parameters.` : '',
    meta.strategyParams.quantMode ? `Quantization: ${meta.strategyParams.quantMode}.` : '',
    meta.strategyParams.teacher && refs.teacherId === null ? `Teacher: ${meta.strategyParams.teacher}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  // The model's own lineage comes from its run's metadata only; the shared Strategy row carries none.
  const lineage = modelLineageOf(meta.strategyParams);
  const m = await client.query(
    `INSERT INTO "Model" (slug, name, family, "backboneId", "datasetId", "pretrainingId", method, "strategyId", "parentId", ` +
      `"baselineId", "teacherId", description,
                          lineage, "createdAt", "updatedAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7::"Method", $8, $9, $10, $11, $12, $13, now(), now()) RETURNING id`,
    [
      slug,
      meta.name,
      meta.family,
      backbone!.id,
      refs.datasetId,
      refs.pretrainingId,
      METHOD_TO_ZOO[meta.method],
      strategyId,
      refs.parentId,
      refs.baselineId,
      refs.teacherId,
      description,
      lineage === null ? null : JSON.stringify(lineage),
    ],
  );
  const modelId = m.rows[0].id as number;
  await client.query(
    `INSERT INTO "Artifact" ("modelId", kind, format, "fileName", "storagePath", sha256, "sizeBytes", "createdAt")
     VALUES ($1, 'stored_file', 'onnx', $2, $3, $4, $5, now())`,
    [modelId, o.fileName, `sha256/${o.sha256.slice(0, 2)}/${o.sha256.slice(2, 4)}/${o.sha256}`, o.sha256, o.sizeBytes],
  );
  return { id: modelId, slug };
}
