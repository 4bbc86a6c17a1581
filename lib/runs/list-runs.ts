import type pg from 'pg';

export interface RunListItem {
  id: string;
  name: string;
  state: string;
  failureReason: string | null;
  door: string;
  /** Who may delete or re-run it (docs/owners.md). */
  owner: string;
  modelSlug: string | null;
  sha256: string | null;
  sizeBytes: number | null;
  createdAt: string;
  jobsDone: number;
  jobsTotal: number;
}

/** The latest runs (optionally only the one of a zoo model), newest first, with counts of their measuring jobs (not compress jobs). */
export async function listRuns(db: Pick<pg.Pool, 'query'>, limit: number, modelSlug?: string): Promise<RunListItem[]> {
  const r = await db.query(
    `SELECT r.id, r.name, r.state, r."failureReason", r.door, r.owner, m.slug AS model_slug, r.sha256, r."sizeBytes", r."createdAt",
            count(j.id) FILTER (WHERE j.state = 'done')::int AS done, count(j.id)::int AS total
       FROM "RegisteredRun" r LEFT JOIN "Model" m ON m.id = r."modelId" LEFT JOIN "RunJob" j ON j."runId" = r.id AND j.kind <> 'compress'
      WHERE ($2::text IS NULL OR m.slug = $2)
      GROUP BY r.id, m.slug ORDER BY r."createdAt" DESC LIMIT $1`,
    [limit, modelSlug ?? null],
  );
  return r.rows.map((x) => ({
    id: x.id,
    name: x.name,
    state: x.state,
    failureReason: x.failureReason,
    door: x.door,
    owner: x.owner,
    modelSlug: x.model_slug,
    sha256: x.sha256,
    sizeBytes: x.sizeBytes === null ? null : Number(x.sizeBytes),
    createdAt: new Date(x.createdAt).toISOString(),
    jobsDone: x.done,
    jobsTotal: x.total,
  }));
}
