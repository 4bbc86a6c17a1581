import type pg from 'pg';
import { z } from 'zod';
import { SlimboardError, formatZodIssues } from '../errors';

/** The jobs page's and GET /api/jobs' query: `?run=<run id>` shows one run's jobs. */
export const ZJobsQuery = z.strictObject({
  run: z.preprocess((v) => (Array.isArray(v) && v.length === 1 ? v[0] : v), z.string().uuid().optional()),
});
export type TJobsQuery = z.infer<typeof ZJobsQuery>;

/** Validate; a bad parameter throws SlimboardError (HTTP 400) naming it. */
export function parseJobsQuery(params: URLSearchParams | Record<string, string | string[] | undefined>): TJobsQuery {
  const record: Record<string, string | string[]> = {};
  if (params instanceof URLSearchParams) for (const k of new Set(params.keys())) record[k] = params.getAll(k);
  else for (const [k, v] of Object.entries(params)) if (v !== undefined) record[k] = v;
  const parsed = ZJobsQuery.safeParse(record);
  if (!parsed.success) throw new SlimboardError('bad_query', `bad jobs query: ${formatZodIssues(parsed.error.issues)}`, { status: 400 });
  return parsed.data;
}
import { deviceName } from '../zoo/device-name';
import { cachedByZooVersion } from '../zoo/zoo-cache';

export interface JobListItem {
  id: string;
  runId: string;
  runName: string;
  /** Slug of the run's zoo model (its page: /models/<slug>); null once a failed run withdrew it. */
  modelSlug: string | null;
  kind: string;
  inputSize: number;
  dataset: string | null;
  targetDevice: string | null;
  state: string;
  attempts: number;
  progress: number;
  error: string | null;
  workerId: string | null;
  device: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobList {
  counts: Record<'queued' | 'running' | 'retrying' | 'done' | 'failed' | 'cancelled', number>;
  jobs: JobListItem[];
  /** `label`/`title`: the device named by what it is, the fingerprint in the title (lib/zoo/device-name.ts). */
  devices: Array<{
    slug: string;
    name: string;
    runtime: string;
    threads: number | null;
    lastSeenAt: string | null;
    label: string;
    title: string;
  }>;
}

export interface ListJobsOptions {
  /** At most this many jobs (default 300). */
  limit?: number;
  /** Only this run's jobs (and counts): the jobs page's `?run=<id>`, linked from the model page. */
  runId?: string;
}

const UNFINISHED = `('running', 'retrying', 'queued')`;
const JOB_COLUMNS = `j.id, j."runId", r.name AS run_name, m.slug AS model_slug, j.kind, j."inputSize", j.dataset, j."targetDevice",
       j.state, j.attempts, j.progress, j.error, j."workerId", d.slug AS device, j."createdAt", j."startedAt", j."finishedAt"`;
const JOB_JOINS = `"RunJob" j JOIN "RegisteredRun" r ON r.id = j."runId" LEFT JOIN "Model" m ON m.id = r."modelId"
       LEFT JOIN "Device" d ON d.id = j."deviceId"`;

/**
 * Jobs for the jobs page: unfinished ones first, then the latest finished (at most `limit`), each group newest first
 * by COALESCE("finishedAt", "createdAt"), ties by id.
 *
 * At 100,000 runs (300,000 jobs) one ORDER BY over every job sorted them all (about 300 ms, tools/bench/jobs-scale.ts).
 * The same order is now the merge of three bounded parts: the unfinished jobs (the state index; few at any time), the
 * finished jobs with a "finishedAt" (walked newest first on its index), and finished jobs without one (none are
 * written so today; kept so the order does not depend on it). With one run (`runId`) the run's index bounds it.
 */
export async function listJobs(db: Pick<pg.Pool, 'query'>, o: ListJobsOptions = {}): Promise<JobList> {
  const limit = o.limit ?? 300;
  const runId = o.runId ?? null;
  // Counting every job's state is the rest of the cost at scale (45 ms at 300,000 jobs): the whole list's counts
  // are cached per zoo version, which every change of a job's state bumps (prisma/migrations/*_zoo_version*).
  const countStates = () =>
    db.query(`SELECT state, count(*)::int AS n FROM "RunJob" WHERE ($1::uuid IS NULL OR "runId" = $1::uuid) GROUP BY state`, [runId]);
  const counts = runId === null ? await cachedByZooVersion(db, 'job-counts', countStates) : await countStates();
  const ofRun = `($2::uuid IS NULL OR j."runId" = $2::uuid)`;
  const rows = await db.query(
    `SELECT * FROM (
       (SELECT ${JOB_COLUMNS}, true AS unfinished, COALESCE(j."finishedAt", j."createdAt") AS listed_at FROM ${JOB_JOINS}
         WHERE ${ofRun} AND j.state IN ${UNFINISHED}
         ORDER BY COALESCE(j."finishedAt", j."createdAt") DESC, j.id DESC LIMIT $1)
       UNION ALL
       (SELECT ${JOB_COLUMNS}, false, j."finishedAt" FROM ${JOB_JOINS}
         WHERE ${ofRun} AND j.state NOT IN ${UNFINISHED} AND j."finishedAt" IS NOT NULL
         ORDER BY j."finishedAt" DESC, j.id DESC LIMIT $1)
       UNION ALL
       (SELECT ${JOB_COLUMNS}, false, j."createdAt" FROM ${JOB_JOINS}
         WHERE ${ofRun} AND j.state NOT IN ${UNFINISHED} AND j."finishedAt" IS NULL
         ORDER BY j."createdAt" DESC, j.id DESC LIMIT $1)
     ) listed
     ORDER BY unfinished DESC, listed_at DESC, id DESC LIMIT $1`,
    [limit, runId],
  );
  const devices = await db.query(`SELECT slug, name, runtime, threads, "lastSeenAt", "cpuModel", "logicalCores", "executionProvider"
       FROM "Device" WHERE "cpuModel" IS NOT NULL ORDER BY "lastSeenAt" DESC NULLS LAST`);
  const c = { queued: 0, running: 0, retrying: 0, done: 0, failed: 0, cancelled: 0 };
  for (const row of counts.rows as Array<{ state: keyof typeof c; n: number }>) c[row.state] = row.n;
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  const nameOf = (d: {
    slug: string;
    name: string;
    runtime: string;
    cpuModel: string;
    logicalCores: number | null;
    threads: number | null;
    executionProvider: string | null;
  }) => {
    const n = deviceName(d);
    return { label: n.label, title: n.title };
  };
  return {
    counts: c,
    jobs: rows.rows.map((j) => ({
      id: j.id,
      runId: j.runId,
      runName: j.run_name,
      modelSlug: j.model_slug,
      kind: j.kind,
      inputSize: j.inputSize,
      dataset: j.dataset,
      targetDevice: j.targetDevice,
      state: j.state,
      attempts: j.attempts,
      progress: Number(j.progress),
      error: j.error,
      workerId: j.workerId,
      device: j.device,
      createdAt: iso(j.createdAt)!,
      startedAt: iso(j.startedAt),
      finishedAt: iso(j.finishedAt),
    })),
    devices: devices.rows.map((d) => ({
      slug: d.slug,
      name: d.name,
      runtime: d.runtime,
      threads: d.threads,
      lastSeenAt: iso(d.lastSeenAt),
      ...nameOf(d),
    })),
  };
}
