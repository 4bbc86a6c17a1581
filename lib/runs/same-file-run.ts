import type pg from 'pg';
import type { RunState } from './run-state';
import type { TRunMetadata } from './run-metadata';

/**
 * A second upload of bytes the zoo already has. With metadata equivalent to a live run's (the same
 * validated metadata; the file name is only a label) it links to that run and its model instead of
 * creating a second one. With different metadata it is registered as a model of its own, and the
 * answer names the earlier run and the metadata fields that differ.
 */

export interface SameFileRun {
  runId: string;
  state: RunState;
  modelId: number;
  modelSlug: string;
  /** Top-level metadata fields whose values differ (sorted); empty: equivalent. */
  differences: string[];
}

/** Key order does not matter; arrays keep their order (input sizes are sorted by the schema). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * The top-level fields of two metadata objects that differ (missing and undefined count as equal). `formerFiles` is
 * the run's own history (replace-run-file.ts), not a description of the model, and is not compared.
 */
export function metadataDifferences(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  keys.delete('formerFiles');
  return [...keys].filter((k) => canonical(a[k]) !== canonical(b[k])).sort();
}

/**
 * The live (not failed) runs with a zoo model for these bytes, the equivalent one first, else the oldest.
 * Call inside the registering transaction after `lockSha256`, so two identical uploads cannot both create.
 */
export async function findSameFileRun(
  client: Pick<pg.PoolClient, 'query'>,
  sha256: string,
  meta: TRunMetadata,
  exceptRunId: string,
): Promise<SameFileRun | null> {
  const r = await client.query(
    `SELECT r.id, r.state, r.metadata, m.id AS "modelId", m.slug FROM "RegisteredRun" r JOIN "Model" m ON m.id = r."modelId"
     WHERE r.sha256 = $1 AND r.state <> 'failed' AND r.id <> $2 ORDER BY r."createdAt", r.id`,
    [sha256, exceptRunId],
  );
  let best: SameFileRun | null = null;
  for (const row of r.rows as Array<{ id: string; state: RunState; metadata: Record<string, unknown>; modelId: number; slug: string }>) {
    const differences = metadataDifferences(row.metadata, meta as unknown as Record<string, unknown>);
    const candidate = { runId: row.id, state: row.state, modelId: row.modelId, modelSlug: row.slug, differences };
    if (differences.length === 0) return candidate;
    best ??= candidate;
  }
  return best;
}

/** Serialise registrations of the same bytes until the transaction ends. */
export async function lockSha256(client: Pick<pg.PoolClient, 'query'>, sha256: string): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`slimboard:sha256:${sha256}`]);
}

/**
 * The adapter (preprocessing, output decoding, thresholds) that the earliest live run of these same bytes declared.
 * A new run of the bytes that declares none is measured with it, so the same file gets the same accuracy whichever
 * door it came through (the demo zoo declares its manifest's adapter; a `submit` of a copy often declares none).
 */
export async function declaredAdapterOf(
  client: Pick<pg.PoolClient, 'query'>,
  sha256: string,
  exceptRunId: string,
): Promise<{ runId: string; adapter: NonNullable<TRunMetadata['adapter']> } | null> {
  const r = await client.query(
    `SELECT id, metadata->'adapter' AS adapter FROM "RegisteredRun"
      WHERE sha256 = $1 AND state <> 'failed' AND id <> $2 AND jsonb_typeof(metadata->'adapter') = 'object'
      ORDER BY "createdAt", id LIMIT 1`,
    [sha256, exceptRunId],
  );
  const row = r.rows[0] as { id: string; adapter: NonNullable<TRunMetadata['adapter']> } | undefined;
  return row ? { runId: row.id, adapter: row.adapter } : null;
}
