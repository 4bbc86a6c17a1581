import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { DEMO_DATASET_SLUG } from '@/lib/demo-zoo/demo-zoo-constants';
import { demoBackboneSlug } from '@/lib/demo-zoo/demo-run-metadata';
import { DEMO_ZOO_DIR, readDemoZooManifest, type TDemoZooManifest, type TDemoZooModel } from '@/lib/demo-zoo/manifest';
import { registerDemoZoo } from '@/lib/demo-zoo/register-demo-zoo';
import { getModelPage, type ModelNumber } from '@/lib/zoo/get-model';
import { loadZoo } from '@/lib/zoo/list-zoo-rows';
import { createPipelineFixture, REPO_ROOT, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { registerRun } from './register-run';
import { waitForRun, type RunReport } from './run-report';
import { startWorker, type WorkerProcess } from '@/tests/pipeline/pipeline-worker';

/**
 * Quality bar of issue 13, "numbers do not depend on the door", with real ONNX Runtime: the shipped demo-zoo
 * `prune_sensity` file is registered by the demo registration (its manifest's adapter: stretch, /255) and a
 * byte-identical copy through `slimboard submit` with metadata that declares no adapter, as a user would. Both are
 * measured by a real worker; the Box AP must be the same at every evaluation size of the manifest, and the copy's
 * numbers must say they used the adapter inherited from the demo's run. A third registration that declares a different
 * adapter (letterbox) gets its own numbers, which say "declared" and name the different settings, and the
 * registration names `adapter` among the metadata fields that differ from the earlier run of the bytes.
 */

const SHIPPED = path.join(REPO_ROOT, DEMO_ZOO_DIR);
const VAL_IMAGES = 6;
let f: PipelineFixture;
let db: PrismaClient;
let dir: string;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  f = await createPipelineFixture('door', { leaseSeconds: 30, maintenanceSeconds: 2, maxAttempts: 2 });
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: f.url }) });
  dir = await mkdtemp(path.join(os.tmpdir(), 'slimboard-door-'));
});

afterAll(async () => {
  await worker?.stop();
  await db?.$disconnect();
  await f?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function submitWithCli(modelFile: string, metaFile: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'lib', 'cli', 'main.ts'), 'submit', modelFile, '--meta', metaFile, '--json'],
      {
        cwd: REPO_ROOT,
        env: f.childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const boxAp = (r: RunReport) => Object.fromEntries(r.measurements.filter((m) => m.metric === 'box_ap').map((m) => [m.inputSize, m.value]));
const accuracy = (numbers: ModelNumber[]) => numbers.filter((n) => n.metric === 'box_ap' && n.provenance.kind === 'measured');

describe('the same bytes through the demo registration and through submit', () => {
  it('give the same Box AP at every size, and the copy says it used the adapter of the demo run', async () => {
    const shipped: TDemoZooManifest = await readDemoZooManifest(SHIPPED);
    const base = shipped.models.find((m) => m.lineage.method === 'baseline' && m.id === 'baseline') as TDemoZooModel;
    const pruned = shipped.models.find((m) => m.id === 'prune_sensity') as TDemoZooModel;
    expect(base && pruned, 'the shipped manifest has the baseline and prune_sensity').toBeTruthy();
    const sizes = shipped.adapter.resize.evalSizes;
    // A sub-zoo of the two (the pruned model's baseline must be there), at every evaluation size of the manifest.
    const zoo = path.join(dir, 'zoo');
    await mkdir(zoo);
    for (const m of [base, pruned]) await copyFile(path.join(SHIPPED, m.file), path.join(zoo, m.file));
    await writeFile(path.join(zoo, 'manifest.json'), JSON.stringify({ ...shipped, models: [base, pruned] }, null, 2));
    const demo = await registerDemoZoo(f.pipeline, {
      zooDir: zoo,
      dataDir: f.dataDir,
      maxBytes: 1e9,
      valCount: VAL_IMAGES,
      facesPerEvent: 2,
    });
    expect(demo.problems).toEqual([]);
    const [demoBase, demoPruned] = demo.models;
    expect(demoPruned.id).toBe('prune_sensity');

    // The CLI door: a byte-identical copy under another name, metadata as a user writes it (no adapter).
    const copy = path.join(dir, 'my_sensity_copy.onnx');
    await copyFile(path.join(SHIPPED, pruned.file), copy);
    const userMeta = {
      name: 'My sensity copy',
      family: pruned.family,
      backbone: demoBackboneSlug(pruned.backbone),
      dataset: DEMO_DATASET_SLUG,
      method: 'prune',
      strategy: 'sensity',
      baseline: demoBase.modelSlug,
      inputSizes: sizes,
      measurements: { analyse: false, benchmark: false, evaluate: true },
    };
    await writeFile(path.join(dir, 'meta.json'), JSON.stringify(userMeta));
    const cli = await submitWithCli(copy, path.join(dir, 'meta.json'));
    expect(cli.code, cli.stderr).toBe(0);
    const submitted = (JSON.parse(cli.stdout) as { run: RunReport }).run;
    expect(submitted.door).toBe('cli');
    expect(submitted.sha256).toBe(pruned.sha256);
    expect(cli.stderr).toContain(`measured with the adapter run ${demoPruned.runId} declared for the same bytes`);

    // A third registration of the bytes that declares another adapter: its own numbers, and it says which field differs.
    const { measurements: _m, ...rest } = userMeta;
    const other = await registerRun(f.pipeline, {
      metadata: {
        ...rest,
        name: 'My sensity copy, letterboxed',
        measurements: { analyse: false, benchmark: false, evaluate: true },
        adapter: {
          imageInput: 'image',
          preprocess: { resize: 'letterbox' },
          output: { kind: 'decoded', boxes: 'boxes', scores: 'scores' },
        },
      },
      fileName: 'letterboxed.onnx',
      file: createReadStream(copy),
      door: 'api',
      tokenId: null,
      maxBytes: 1e9,
    });
    expect(other.adapterFrom).toBeUndefined();
    expect(other.sameFileAs?.differences).toContain('adapter');

    const w = startWorker(f);
    worker = w;
    const done = async (id: string) => {
      const r = await waitForRun(f.pipeline.pool, id, { timeoutMs: 420_000 });
      expect(r.state, `${r.failureReason}\n${w.logTail(3000)}`).toBe('done');
      return r;
    };
    const viaDemo = await done(demoPruned.runId!);
    const viaSubmit = await done(submitted.id);
    const letterboxed = await done(other.id);

    // Same bytes, same adapter: the same Box AP at every size of the manifest.
    const apDemo = boxAp(viaDemo);
    const apSubmit = boxAp(viaSubmit);
    expect(
      Object.keys(apDemo)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([...sizes].sort((a, b) => a - b));
    for (const s of sizes) {
      expect(apDemo[s], `Box AP at ${s}`).toBeGreaterThan(0);
      expect(apSubmit[s], `Box AP at ${s}: submit vs demo`).toBe(apDemo[s]);
    }
    expect(Object.keys(boxAp(letterboxed)).map(Number).sort()).toEqual(Object.keys(apDemo).map(Number).sort());

    // Each number says which adapter measured it: declared (demo), inherited from the demo's run (submit), declared (letterbox).
    const [demoPage, submitPage, letterPage] = await Promise.all(
      [demoPruned.modelSlug!, submitted.modelSlug!, other.modelSlug].map((s) => getModelPage(db, s)),
    );
    const demoNumbers = accuracy(demoPage!.numbers);
    const submitNumbers = accuracy(submitPage!.numbers);
    const letterNumbers = accuracy(letterPage!.numbers);
    expect([demoNumbers.length, submitNumbers.length, letterNumbers.length]).toEqual([sizes.length, sizes.length, sizes.length]);
    for (const n of demoNumbers) expect(n.adapter).toMatchObject({ origin: 'declared', label: 'declared', fromRunId: null });
    for (const n of submitNumbers) {
      expect(n.adapter).toMatchObject({
        origin: 'inherited',
        fromRunId: demoPruned.runId,
        label: `inherited from run ${demoPruned.runId!.slice(0, 8)} of the same bytes`,
      });
      expect(n.adapter!.summary).toBe(demoNumbers[0].adapter!.summary);
    }
    expect(demoNumbers[0].adapter!.summary).toMatch(/^stretch, linear antialiased · \/255 · RGB NCHW · decoded xyxy boxes/);
    for (const n of letterNumbers) {
      expect(n.adapter).toMatchObject({ origin: 'declared' });
      expect(n.adapter!.summary).toMatch(/^letterbox \(pad 114\)/);
    }

    // The zoo rows (and so the CSV's adapter columns) carry the same record.
    const rows = (await loadZoo(db)).rows.filter((r) => r.model.slug === submitted.modelSlug);
    expect(rows.map((r) => r.inputSize).sort((a, b) => a - b)).toEqual([...sizes].sort((a, b) => a - b));
    for (const r of rows) expect(r.measuredAdapter).toMatchObject({ origin: 'inherited', summary: demoNumbers[0].adapter!.summary });
  }, 600_000);
});
