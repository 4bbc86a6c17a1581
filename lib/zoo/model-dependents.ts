import type pg from 'pg';
import { SlimboardError } from '../errors';

/**
 * The models that name a model as their baseline, parent (lineage) or teacher. Such a model cannot be
 * deleted: the database refuses it (ON DELETE RESTRICT on the three links) and the doors say so first,
 * with this list, instead of a foreign-key error.
 */

export type DependentRelation = 'baseline' | 'parent' | 'teacher';

export interface ModelDependent {
  slug: string;
  /** What the model is to this dependent. */
  relation: DependentRelation;
}

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export async function findModelDependents(db: Queryable, modelId: number): Promise<ModelDependent[]> {
  const r = await db.query(
    `SELECT slug, 'baseline' AS relation FROM "Model" WHERE "baselineId" = $1 AND id <> $1
     UNION ALL SELECT slug, 'parent' FROM "Model" WHERE "parentId" = $1 AND id <> $1
     UNION ALL SELECT slug, 'teacher' FROM "Model" WHERE "teacherId" = $1 AND id <> $1
     ORDER BY 1, 2`,
    [modelId],
  );
  return r.rows.map((row: { slug: string; relation: DependentRelation }) => ({ slug: row.slug, relation: row.relation }));
}

/** One line naming every dependent, e.g. `a (baseline), b (teacher)`; at most `max` names, then a count. */
export function describeDependents(dependents: readonly ModelDependent[], max = 10): string {
  const shown = dependents.slice(0, max).map((d) => `${d.slug} (${d.relation})`);
  const more = dependents.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

export function modelInUseError(slug: string, dependents: readonly ModelDependent[]): SlimboardError {
  return new SlimboardError(
    'model_in_use',
    `model ${slug} is the baseline, parent or teacher of ${dependents.length} other model(s): ${describeDependents(dependents)}; ` +
      'delete or re-register those first',
    { status: 409, details: { dependents } },
  );
}
