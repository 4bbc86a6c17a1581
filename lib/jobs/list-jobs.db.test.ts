import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipelineFixture, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { listJobs } from './list-jobs';

/**
 * listJobs' bounded three-part query against the one ORDER BY it replaces (unfinished first, then newest by
 * COALESCE("finishedAt", "createdAt"), ties by id), on jobs in every state with equal timestamps and finished
 * jobs without a "finishedAt", for several limits, for all jobs and for one run.
 */

let f: PipelineFixture;
const RUNS = ['00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000b2'];
const STATES = ['queued', 'running', 'retrying', 'done', 'failed', 'cancelled'] as const;

beforeAll(async () => {
  f = await createPipelineFixture('listjobs');
  for (const id of RUNS)
    await f.query(
      `INSERT INTO "RegisteredRun" (id, name, state, metadata, "fileName", door) VALUES ($1::uuid, $1::text, 'running', '{}', 'm.onnx', 'cli')`,
      [id],
    );
  // 60 jobs: states cycle, timestamps collide in groups of 3 (ties), every 7th finished job has no finishedAt.
  for (let i = 0; i < 60; i++) {
    const state = STATES[i % STATES.length];
    const finished = !['queued', 'running', 'retrying'].includes(state);
    const created = `2026-12-01T00:${String(Math.floor(i / 3)).padStart(2, '0')}:00Z`;
    const finishedAt = finished && i % 7 !== 0 ? `2026-12-02T00:${String(59 - Math.floor(i / 3)).padStart(2, '0')}:00Z` : null;
    await f.query(
      `INSERT INTO "RunJob" (id, "runId", kind, queue, "inputSize", state, "createdAt", "finishedAt")
       VALUES ($1, $2, 'evaluate', 'evaluate', 64, $3::"RunJobState", $4, $5)`,
      [`job-${String(i).padStart(2, '0')}`, RUNS[i % 2], state, created, finishedAt],
    );
  }
});

afterAll(async () => {
  await f?.close();
});

async function reference(limit: number, runId: string | null): Promise<string[]> {
  const rows = await f.query<{ id: string }>(
    `SELECT id FROM "RunJob" WHERE ($2::uuid IS NULL OR "runId" = $2::uuid)
      ORDER BY (state IN ('running', 'retrying', 'queued')) DESC, COALESCE("finishedAt", "createdAt") DESC, id DESC LIMIT $1`,
    [limit, runId],
  );
  return rows.map((r) => r.id);
}

describe('listJobs', () => {
  it.each([1, 5, 17, 29, 30, 31, 59, 60, 300])(
    'limit %i lists the same jobs in the same order as one ORDER BY over all jobs',
    async (limit) => {
      for (const runId of [null, RUNS[0], RUNS[1]]) {
        const got = await listJobs(f.pipeline.pool, { limit, runId: runId ?? undefined });
        expect(
          got.jobs.map((j) => j.id),
          `limit ${limit}, run ${runId}`,
        ).toEqual(await reference(limit, runId));
      }
    },
  );

  it('unfinished jobs come first, and the counts cover every job, not the page', async () => {
    const got = await listJobs(f.pipeline.pool, { limit: 12 });
    expect(got.jobs.slice(0, 12).every((j) => ['queued', 'running', 'retrying'].includes(j.state))).toBe(true);
    expect(got.counts).toEqual({ queued: 10, running: 10, retrying: 10, done: 10, failed: 10, cancelled: 10 });
    const one = await listJobs(f.pipeline.pool, { runId: RUNS[0] });
    expect(one.jobs).toHaveLength(30);
    expect(Object.values(one.counts).reduce((a, b) => a + b, 0)).toBe(30);
  });

  it("the counts are cached per zoo version: a job's state change shows at once, its progress changes nothing", async () => {
    const before = await listJobs(f.pipeline.pool);
    await f.query(`UPDATE "RunJob" SET progress = 0.5 WHERE id = 'job-01'`);
    expect((await listJobs(f.pipeline.pool)).counts).toEqual(before.counts);
    await f.query(`UPDATE "RunJob" SET state = 'done', "finishedAt" = now() WHERE id = 'job-01'`);
    const after = await listJobs(f.pipeline.pool);
    expect(after.counts).toEqual({ ...before.counts, running: before.counts.running - 1, done: before.counts.done + 1 });
    expect(after.jobs.find((j) => j.id === 'job-01')?.state).toBe('done');
    await f.query(`UPDATE "RunJob" SET state = 'running', "finishedAt" = NULL WHERE id = 'job-01'`);
    expect((await listJobs(f.pipeline.pool)).counts).toEqual(before.counts);
  });

  it('degenerate: no jobs, and a run with no jobs', async () => {
    expect((await listJobs(f.pipeline.pool, { runId: '00000000-0000-4000-8000-0000000000ff' })).jobs).toEqual([]);
  });
});
