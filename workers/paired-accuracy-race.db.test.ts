import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPgTransaction } from '@/lib/db/pg-transaction';
import { resetEnvForTests } from '@/lib/env';
import { ZPairedAccuracy } from '@/lib/runs/paired-accuracy';
import type { JobContext, JobOutcome } from '@/lib/jobs/job-runner';
import { createPipelineFixture, tinyMetadata, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { registerTinyRun } from '@/tests/pipeline/pipeline-worker';
import { createJobHandlers } from './job-handlers';

/**
 * Two evaluations of a pair (a baseline and its candidate) that finish together: each reads the other's stored
 * detections before either has committed, so neither finds the other. The commit re-reads under a lock per dataset
 * and input size (pairLateEvaluations, workers/handlers/evaluate.ts), so whichever commits second pairs with the
 * first. The handlers run in this process and the two commits are interleaved by hand, both orders.
 */

let f: PipelineFixture;
let handlers: ReturnType<typeof createJobHandlers>;
const envBefore = process.env.SLIMBOARD_DATA_DIR;
const MEASUREMENTS = { analyse: false, evaluate: true, benchmark: false };

beforeAll(async () => {
  f = await createPipelineFixture('pairrace');
  // The handlers read the data dir (datasets, scratch) from the environment, as a worker does.
  process.env.SLIMBOARD_DATA_DIR = f.dataDir;
  resetEnvForTests();
  handlers = createJobHandlers(f.pipeline, { id: 0, slug: 'test-device', threads: 1 });
});

afterAll(async () => {
  if (envBefore === undefined) delete process.env.SLIMBOARD_DATA_DIR;
  else process.env.SLIMBOARD_DATA_DIR = envBefore;
  resetEnvForTests();
  await f?.close();
});

async function evaluateJobOf(runId: string): Promise<JobContext> {
  const [job] = await f.query(`SELECT j.id, b.data FROM "RunJob" j JOIN pgboss.job b ON b.id::text = j.id WHERE j."runId" = $1`, [runId]);
  return {
    jobId: job.id,
    queue: 'evaluate',
    kind: 'evaluate',
    attempt: 1,
    payload: job.data,
    workerId: 'test',
    deviceId: 0,
    signal: new AbortController().signal,
    reportProgress: async () => undefined,
  };
}

async function pair(name: string, seeds: [number, number]) {
  const base = await registerTinyRun(
    f,
    { ...tinyMetadata({ name: `${name} base`, method: 'baseline', strategy: undefined, strategyParams: {} }), baseline: undefined },
    seeds[0],
    MEASUREMENTS,
  );
  const cand = await registerTinyRun(f, tinyMetadata({ name: `${name} candidate`, baseline: base.modelSlug }), seeds[1], MEASUREMENTS);
  return { base: { run: base, job: await evaluateJobOf(base.id) }, cand: { run: cand, job: await evaluateJobOf(cand.id) } };
}

const commit = (o: JobOutcome) => withPgTransaction(f.pipeline.pool, (client) => o.commit(client as never));

async function evaluateResult(runId: string): Promise<Record<string, unknown>> {
  const [row] = await f.query(`SELECT metrics FROM "MeasuredResult" WHERE "runId" = $1 AND kind = 'evaluate'`, [runId]);
  return row.metrics;
}

describe('paired ΔAP of two evaluations that finish together', () => {
  for (const first of ['candidate', 'baseline'] as const) {
    it(`the ${first} commits first: the other pairs with it at its own commit`, async () => {
      const p = await pair(`race ${first}`, first === 'candidate' ? [61, 62] : [63, 64]);
      // Both evaluated (and their first pairing read done) before either commits.
      const [baseOutcome, candOutcome] = await Promise.all([handlers.run(p.base.job), handlers.run(p.cand.job)]);
      if (first === 'candidate') {
        await commit(candOutcome);
        expect((await evaluateResult(p.cand.run.id)).pairedAccuracy).toBeUndefined();
        await commit(baseOutcome);
      } else {
        await commit(baseOutcome);
        await commit(candOutcome);
      }
      const cand = await evaluateResult(p.cand.run.id);
      const base = await evaluateResult(p.base.run.id);
      expect(cand.pairedAccuracy, JSON.stringify(cand.pairedAccuracySkipped)).toBeDefined();
      const paired = ZPairedAccuracy.parse(cand.pairedAccuracy);
      expect(cand.pairedAccuracySkipped).toBeUndefined();
      expect(paired.baselineJobId).toBe(p.base.job.jobId);
      expect(paired.candidateJobId).toBe(p.cand.job.jobId);
      const ap = (m: Record<string, unknown>) => (m.metrics as { AP: number }).AP;
      expect(paired.comparison.metrics.AP.delta).toBeCloseTo(ap(cand) - ap(base), 12);
    });
  }
});
