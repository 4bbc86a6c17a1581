import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** A run as the API, `submit --wait --json` and the pages report it: state, jobs and current results. */
export interface RunReport {
  id: string;
  name: string;
  state: 'receiving' | 'queued' | 'running' | 'done' | 'failed';
  failureReason: string | null;
  door: string;
  /** Who may delete or re-run it (docs/owners.md). */
  owner: string;
  fileName: string;
  sha256: string | null;
  sizeBytes: number | null;
  modelSlug: string | null;
  createdAt: string;
  jobs: Array<{
    id: string;
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
  }>;
  /** Current scalar numbers in the zoo (provenance measured). */
  measurements: Array<{
    metric: string;
    inputSize: number | null;
    device: string | null;
    dataset: string | null;
    value: number;
    jobId: string | null;
  }>;
  /** Current full results, one per kind × dataset × input size × device. */
  results: Array<{
    kind: string;
    dataset: string;
    inputSize: number;
    device: string;
    jobId: string;
    attempt: number;
    measuredAt: string;
    metrics: Record<string, unknown>;
  }>;
}

export async function getRunReport(db: Queryable, runId: string, o: { fullResults?: boolean } = {}): Promise<RunReport | null> {
  if (!/^[0-9a-f-]{36}$/i.test(runId)) return null;
  const r = await db.query(
    `SELECT r.id, r.name, r.state, r."failureReason", r.door, r.owner, r."fileName", r.sha256, r."sizeBytes", r."createdAt",
            m.slug AS model_slug
       FROM "RegisteredRun" r LEFT JOIN "Model" m ON m.id = r."modelId" WHERE r.id = $1`,
    [runId],
  );
  const run = r.rows[0];
  if (!run) return null;
  const jobs = await db.query(
    `SELECT j.id, j.kind, j."inputSize", j.dataset, j."targetDevice", j.state, j.attempts, j.progress, j.error, j."workerId", d.slug AS ` +
      `device
       FROM "RunJob" j LEFT JOIN "Device" d ON d.id = j."deviceId" WHERE j."runId" = $1 ORDER BY j."inputSize", j.kind`,
    [runId],
  );
  const measurements = await db.query(
    `SELECT x.metric, x."inputSize", d.slug AS device, ds.slug AS dataset, x.value, x."jobId"
       FROM "Measurement" x JOIN "RegisteredRun" r ON r."modelId" = x."modelId"
       LEFT JOIN "Device" d ON d.id = x."deviceId" LEFT JOIN "Dataset" ds ON ds.id = x."datasetId"
      WHERE r.id = $1 AND x.provenance = 'measured' ORDER BY x.metric, x."inputSize"`,
    [runId],
  );
  const results = await db.query(
    `SELECT kind, dataset, "inputSize", device, "jobId", attempt, "measuredAt", metrics FROM "MeasuredResult" WHERE "runId" = $1 ORDER ` +
      `BY kind, "inputSize"`,
    [runId],
  );
  return {
    id: run.id,
    name: run.name,
    state: run.state,
    failureReason: run.failureReason,
    door: run.door,
    owner: run.owner,
    fileName: run.fileName,
    sha256: run.sha256,
    sizeBytes: run.sizeBytes === null ? null : Number(run.sizeBytes),
    modelSlug: run.model_slug,
    createdAt: new Date(run.createdAt).toISOString(),
    jobs: jobs.rows.map((j) => ({ ...j, progress: Number(j.progress) })),
    measurements: measurements.rows.map((m) => ({
      metric: m.metric,
      inputSize: m.inputSize,
      device: m.device,
      dataset: m.dataset,
      value: Number(m.value),
      jobId: m.jobId,
    })),
    results: results.rows.map((x) => ({
      kind: x.kind,
      dataset: x.dataset,
      inputSize: x.inputSize,
      device: x.device,
      jobId: x.jobId,
      attempt: x.attempt,
      measuredAt: new Date(x.measuredAt).toISOString(),
      metrics: o.fullResults === false ? {} : x.metrics,
    })),
  };
}

/** Poll until the run is done or failed (or the timeout passes); `onTick` sees each report. */
export async function waitForRun(
  db: Queryable,
  runId: string,
  o: { timeoutMs: number; pollMs?: number; onTick?: (r: RunReport) => void },
): Promise<RunReport> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const report = await getRunReport(db, runId);
    if (!report) throw new Error(`run ${runId} disappeared`);
    o.onTick?.(report);
    if (report.state === 'done' || report.state === 'failed' || Date.now() > deadline) return report;
    await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
  }
}
