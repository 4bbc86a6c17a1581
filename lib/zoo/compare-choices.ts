import type { Db } from '../db/client';
import { variantDisplayName } from '../explorer/from-zoo';
import { zooRowsSql } from './select-zoo-rows';
import { cachedByZooVersion } from './zoo-cache';

/**
 * The /compare picker's models, searched in SQL: every model with a zoo row, in the order of its first row (as
 * lib/explorer/compare-table.ts compareChoices lists the entries), optionally those whose name or slug contains
 * `find` (case-insensitive, plain text), without the ones already picked, at most `limit`, with how many match in all.
 */
export const COMPARE_CHOICES_LIMIT = 200;

export interface TCompareChoice {
  id: string;
  name: string;
  dataset: string;
}

export async function searchCompareChoices(
  db: Db,
  opts: { find?: string; exclude?: string[]; limit?: number } = {},
): Promise<{ choices: TCompareChoice[]; total: number }> {
  const find = opts.find?.trim().toLowerCase();
  const exclude = new Set(opts.exclude ?? []);
  const limit = opts.limit ?? COMPARE_CHOICES_LIMIT;
  const choices: TCompareChoice[] = [];
  let total = 0;
  for (const m of await allCompareChoices(db)) {
    if (exclude.has(m.id) || (find && !m.search.includes(find))) continue;
    total++;
    if (choices.length < limit) choices.push({ id: m.id, name: m.name, dataset: m.dataset });
  }
  return { choices, total };
}

/**
 * Every model with a zoo row, in order, with the lower-cased text a search matches (its name and slug): one query
 * per zoo version (grouping every zoo row by model takes about 0.5 s at 100,000 models; searching the cached list
 * takes milliseconds). Only these four short strings per model are kept.
 */
function allCompareChoices(db: Db): Promise<Array<TCompareChoice & { search: string }>> {
  return cachedByZooVersion(db, 'compare-choices', async () => {
    const rows = await db.$queryRaw<
      Array<{ slug: string; name: string; strategy: string | null; teacher: string | null; dataset: string }>
    >`
      WITH first AS (
        SELECT z."modelId", min(ARRAY[z."sectionPosition", z.position]) AS at FROM (${zooRowsSql()}) AS z GROUP BY z."modelId"
      )
      SELECT m.slug, m.name, st.slug AS strategy, t.name AS teacher, d.slug AS dataset
      FROM first f JOIN "Model" m ON m.id = f."modelId" JOIN "Dataset" d ON d.id = m."datasetId"
      LEFT JOIN "Strategy" st ON st.id = m."strategyId" LEFT JOIN "Model" t ON t.id = m."teacherId"
      ORDER BY f.at, m.slug`;
    return rows.map((r) => ({
      id: r.slug,
      name: variantDisplayName({ name: r.name, strategy: r.strategy, teacherName: r.teacher }),
      dataset: r.dataset,
      search: `${r.name}\n${r.slug}`.toLowerCase(),
    }));
  });
}
