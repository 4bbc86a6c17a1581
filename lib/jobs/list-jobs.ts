import type pg from 'pg';
import { deviceName } from '../zoo/device-name';

export interface JobListItem {
  id: string;
  runId: string;
  runName: string;
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
  devices: Array<{ slug: string; name: string; runtime: string; threads: number | null; lastSeenAt: string | null; label: string; title: string }>;
}

/** Jobs for the jobs page: unfinished ones first, then the latest finished (at most `limit`). */
export async function listJobs(db: Pick<pg.Pool, 'query'>, limit = 300): Promise<JobList> {
  const counts = await db.query(`SELECT state, count(*)::int AS n FROM "RunJob" GROUP BY state`);
  const rows = await db.query(
    `SELECT j.id, j."runId", r.name AS run_name, j.kind, j."inputSize", j.dataset, j."targetDevice", j.state, j.attempts, j.progress,
            j.error, j."workerId", d.slug AS device, j."createdAt", j."startedAt", j."finishedAt"
       FROM "RunJob" j JOIN "RegisteredRun" r ON r.id = j."runId" LEFT JOIN "Device" d ON d.id = j."deviceId"
      ORDER BY (j.state IN ('running', 'retrying', 'queued')) DESC, COALESCE(j."finishedAt", j."createdAt") DESC
      LIMIT $1`,
    [limit],
  );
  const devices = await db.query(`SELECT slug, name, runtime, threads, "lastSeenAt", "cpuModel", "logicalCores", "executionProvider"
       FROM "Device" WHERE "cpuModel" IS NOT NULL ORDER BY "lastSeenAt" DESC NULLS LAST`);
  const c = { queued: 0, running: 0, retrying: 0, done: 0, failed: 0, cancelled: 0 };
  for (const row of counts.rows as Array<{ state: keyof typeof c; n: number }>) c[row.state] = row.n;
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  const nameOf = (d: { slug: string; name: string; runtime: string; cpuModel: string; logicalCores: number | null; threads: number | null; executionProvider: string | null }) => {
    const n = deviceName(d);
    return { label: n.label, title: n.title };
  };
  return {
    counts: c,
    jobs: rows.rows.map((j) => ({
      id: j.id,
      runId: j.runId,
      runName: j.run_name,
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
    devices: devices.rows.map((d) => ({ slug: d.slug, name: d.name, runtime: d.runtime, threads: d.threads, lastSeenAt: iso(d.lastSeenAt), ...nameOf(d) })),
  };
}
