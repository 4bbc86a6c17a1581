import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { ZPairedLatencyResult } from '@/lib/measure/benchmark-paired';
import { formatRatioChange } from '@/lib/measure/paired-latency';
import { getModelPage } from '@/lib/zoo/get-model';
import { loadZoo } from '@/lib/zoo/list-zoo-rows';
import { getRunReport, waitForRun } from '@/lib/runs/run-report';
import { startWorker, registerTinyRun, type WorkerProcess } from '@/tests/pipeline/pipeline-worker';
import { createPipelineFixture, tinyMetadata, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { type TinyDetectorOptions } from '@/tests/pipeline/tiny-models';

/**
 * The worker's benchmark keeps every raw sample, and a model whose declared baseline has a stored ONNX
 * file also gets a paired (ABBA) benchmark against it, stored with the result. Quick protocol (the
 * fixture sets SLIMBOARD_BENCH_QUICK=1): 10 single-run samples, 4 cycles x 2 x 2 paired samples per model.
 * The worker looks for a quiet machine for 1 s first (SLIMBOARD_NOISE_WAIT_SECONDS) and records it.
 */

let f: PipelineFixture;
let worker: WorkerProcess;

beforeAll(async () => {
  f = await createPipelineFixture('paired', { leaseSeconds: 10, maintenanceSeconds: 2, maxAttempts: 2 });
  // Noise guard: look for a quiet machine for up to 1 s (one window) before each benchmark.
  f.childEnv.SLIMBOARD_NOISE_WAIT_SECONDS = '1';
  worker = startWorker(f);
});

afterAll(async () => {
  await worker?.stop();
  await f?.close();
});

const MEASUREMENTS = { analyse: false, evaluate: false, benchmark: true };

async function register(metadata: Record<string, unknown>, seed: number, model: TinyDetectorOptions = {}) {
  return registerTinyRun(f, metadata, seed, MEASUREMENTS, model);
}

function baselineMeta(name: string): Record<string, unknown> {
  return { ...tinyMetadata({ name, method: 'baseline', strategy: undefined, strategyParams: {} }), baseline: undefined };
}

async function benchmarkMetrics(runId: string): Promise<Record<string, unknown>> {
  const done = await waitForRun(f.pipeline.pool, runId, { timeoutMs: 120_000 });
  expect(done.state, `${done.failureReason} ${worker.logTail()}`).toBe('done');
  const report = await getRunReport(f.pipeline.pool, runId, { fullResults: true });
  const bench = report!.results.find((r) => r.kind === 'benchmark');
  expect(bench).toBeDefined();
  return bench!.metrics;
}

describe('worker benchmark: raw samples and the paired benchmark', () => {
  it('a baseline keeps its raw samples and records why it has no paired result', async () => {
    const base = await register(baselineMeta('paired base'), 31);
    const m = await benchmarkMetrics(base.id);
    expect(m.samplesMs).toHaveLength(10);
    expect((m.samplesMs as number[]).every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
    expect(m.paired).toBeNull();
    expect(m.pairedSkipped).toMatch(/declares no baseline/);
    // Noise guard of the single benchmark, measured in the CLI child over its timed phase.
    expect(typeof (m.machineLoad as { busy: boolean }).busy).toBe('boolean');
    const wait = m.quietWait as { maxWaitMs: number; waitedMs: number; quiet: boolean };
    expect(wait.maxWaitMs).toBe(1000);
    expect(wait.waitedMs).toBeGreaterThanOrEqual(999);
    expect(typeof wait.quiet).toBe('boolean');
  });

  it('a model whose baseline has a stored ONNX file gets a paired result with both sample sets', async () => {
    const base = await register(baselineMeta('paired base two'), 32);
    await benchmarkMetrics(base.id);
    const cand = await register(tinyMetadata({ name: 'paired candidate', baseline: base.modelSlug }), 33);
    // The job's stored progress follows the CLI's "progress F" lines while it runs.
    const seen = new Set<number>();
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const rows = await f.query(`SELECT progress FROM "RunJob" WHERE "runId" = $1 AND state = 'running'`, [cand.id]);
        for (const r of rows) seen.add(r.progress);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const m = await benchmarkMetrics(cand.id);
    polling = false;
    await poll;
    expect([...seen].filter((p) => p > 0.05 && p < 1).length, `progress seen: ${[...seen].join(', ')}`).toBeGreaterThanOrEqual(1);
    expect(m.samplesMs).toHaveLength(10);
    const paired = ZPairedLatencyResult.parse(m.paired);
    expect((m.paired as { baselineSlug: string }).baselineSlug).toBe(base.modelSlug);
    expect(paired.schedule).toMatchObject({ order: 'ABBA', cycles: 4, blockRuns: 2 });
    expect(paired.candidate.samplesMs).toHaveLength(16);
    expect(paired.baseline.samplesMs).toHaveLength(16);
    expect(paired.candidate.fingerprint.modelSha256).toBe(cand.sha256);
    expect(paired.baseline.fingerprint.modelSha256).toBe(base.sha256);
    expect(paired.comparison.ci[0]).toBeLessThanOrEqual(paired.comparison.ratio);
    expect(paired.comparison.ci[1]).toBeGreaterThanOrEqual(paired.comparison.ratio);
    expect(typeof paired.machineLoad.busy).toBe('boolean');
    // The published scalar is still the single benchmark's p50.
    const [latency] = await f.query(
      `SELECT value FROM "Measurement" WHERE "jobId" IN (SELECT id FROM "RunJob" WHERE "runId" = $1) AND metric = 'latency_ms'`,
      [cand.id],
    );
    expect(latency.value).toBeCloseTo((m.summary as { p50Ms: number }).p50Ms, 9);

    // The model page shows the paired change with its interval; a quick-protocol verdict is never coloured.
    const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: f.url }) });
    try {
      const page = await getModelPage(db, cand.modelSlug);
      const shown = page!.numbers.find((n) => n.metric === 'latency_ms')!.pairedLatency;
      expect(shown?.text).toBe(formatRatioChange(paired.comparison));
      expect(shown?.verdict).toBe('neutral');
      // …and so do the zoo row's latency cell and (lib/zoo/export.ts) the exports.
      const row = (await loadZoo(db)).rows.find((r) => r.model.slug === cand.modelSlug)!;
      const cell = Object.entries(row.cells).find(([id]) => id.startsWith('latency:'))![1];
      expect(cell.paired?.text).toBe(formatRatioChange(paired.comparison));
      const baselinePage = await getModelPage(db, base.modelSlug);
      expect(baselinePage!.numbers.find((n) => n.metric === 'latency_ms')!.pairedLatency).toBeNull();
    } finally {
      await db.$disconnect();
    }
  });

  it('a baseline without a stored file (seeded zoo row) is skipped with the reason', async () => {
    const run = await register(tinyMetadata({ name: 'paired orphan' }), 34);
    const m = await benchmarkMetrics(run.id);
    expect(m.paired).toBeNull();
    expect(m.pairedSkipped).toBe('baseline tiny-baseline has no stored ONNX file');
  });

  it('a pair the CLI refuses (the baseline cannot take the input size) keeps the candidate benchmark and says why', async () => {
    const base = await register({ ...baselineMeta('paired base fixed'), inputSizes: [96] }, 35, { fixedSize: 96 });
    await benchmarkMetrics(base.id);
    const run = await register(tinyMetadata({ name: 'paired mismatch', baseline: base.modelSlug }), 36);
    const m = await benchmarkMetrics(run.id);
    expect(m.samplesMs).toHaveLength(10);
    expect(m.paired).toBeNull();
    expect(m.pairedSkipped).toMatch(/^paired benchmark refused: .*cannot take 64x64/);
  });
});
