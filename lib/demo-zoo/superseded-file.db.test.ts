import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { getModelPage } from '@/lib/zoo/get-model';
import { replaceRunFile } from '@/lib/runs/replace-run-file';
import { registerRun } from '@/lib/runs/register-run';
import { createPipelineFixture, REPO_ROOT, tinyMetadata, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { DEMO_SECTION_SLUG } from './demo-zoo-constants';
import { FORMER_BASELINE_FILE, renamedManifest, writeRenamedBaseline } from './__fixtures__/former-baseline';
import { DEMO_ZOO_DIR, readDemoZooManifest, type TDemoZooManifest, type TDemoZooModel } from './manifest';
import { registerDemoZoo, type RegisterDemoZooOptions } from './register-demo-zoo';

/**
 * The 2026-11-29 baseline was renamed (tools/demo-zoo/rename-initializers.ts): a database that registered the former
 * file (anonymous initializers) moves that run to the renamed file when the demo is registered again, instead of
 * adding a second run; real PostgreSQL, real artifact store, the real former file and the manifest that shipped the
 * renamed one (lib/demo-zoo/__fixtures__/former-baseline.ts).
 * Sub-zoo: that baseline and the shipped sensity model (its lineage names the baseline), at the first evaluation size.
 */

const SHIPPED = path.join(REPO_ROOT, DEMO_ZOO_DIR);
let f: PipelineFixture;
/** The renamed baseline, made by the rename tool from the former file. */
let renamedFile: string;
let db: PrismaClient;
let shipped: TDemoZooManifest;
let base: TDemoZooModel;
let sensity: TDemoZooModel;
const tmpDirs: string[] = [];

/** A zoo folder with the baseline and sensity; `former`: the baseline as it shipped before the rename. */
async function zooDir(former: boolean): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slimboard-demo-names-'));
  tmpDirs.push(dir);
  const prev = base.supersedes![0];
  const baseEntry: TDemoZooModel = former
    ? { ...base, sha256: prev.sha256, bytes: prev.bytes, paramNames: prev.paramNames, supersedes: undefined }
    : base;
  const sub: TDemoZooManifest = {
    ...shipped,
    adapter: { ...shipped.adapter, resize: { ...shipped.adapter.resize, evalSizes: shipped.adapter.resize.evalSizes.slice(0, 1) } },
    models: [baseEntry, sensity],
  };
  await copyFile(former ? FORMER_BASELINE_FILE : renamedFile, path.join(dir, base.file));
  await copyFile(path.join(SHIPPED, sensity.file), path.join(dir, sensity.file));
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(sub, null, 2));
  return dir;
}

function options(dir: string): RegisterDemoZooOptions {
  return { zooDir: dir, dataDir: f.dataDir, maxBytes: 1e9, valCount: 4, facesPerEvent: 1 };
}

async function snapshot(runId: string) {
  const [[run], [artifact], jobs, [demo], [counts]] = await Promise.all([
    f.query(`SELECT id, state, sha256, "sizeBytes"::int AS "sizeBytes", "modelId", metadata FROM "RegisteredRun" WHERE id = $1`, [runId]),
    f.query(
      `SELECT a.sha256, a."sizeBytes"::int AS "sizeBytes", a."storagePath", a."fileName" FROM "Artifact" a JOIN "RegisteredRun" r ON r."modelId" = a."modelId" WHERE r.id = $1`,
      [runId],
    ),
    f.query(`SELECT id, kind, state, dataset, "inputSize" FROM "RunJob" WHERE "runId" = $1 ORDER BY "createdAt", id`, [runId]),
    f.query(`SELECT sha256 FROM "DemoZooRun" WHERE "runId" = $1`, [runId]),
    f.query(
      `SELECT (SELECT count(*)::int FROM "RegisteredRun") AS runs, (SELECT count(*)::int FROM "RunJob") AS jobs, (SELECT count(*)::int FROM "Model") AS models`,
    ),
  ]);
  return { run, artifact, jobs, demo, counts };
}

beforeAll(async () => {
  f = await createPipelineFixture('demonames', { leaseSeconds: 20, maintenanceSeconds: 2, maxAttempts: 2 });
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: f.url }) });
  shipped = renamedManifest();
  base = shipped.models.find((m) => m.id === 'baseline')!;
  sensity = (await readDemoZooManifest(SHIPPED)).models.find((m) => m.id === 'prune_sensity')!;
  expect(base.supersedes?.length, 'the renamed baseline supersedes its former file').toBe(1);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slimboard-demo-renamed-'));
  tmpDirs.push(dir);
  renamedFile = await writeRenamedBaseline(dir);
});

afterAll(async () => {
  await db?.$disconnect();
  await f?.close();
  for (const d of tmpDirs) await rm(d, { recursive: true, force: true });
});

describe('demo zoo: a run of a superseded file moves to the current file', () => {
  it('registering the former file, then the renamed one: same run, model and lineage on the new file; twice changes nothing', async () => {
    const prev = base.supersedes![0];
    const first = await registerDemoZoo(f.pipeline, options(await zooDir(true)));
    expect(first.problems).toEqual([]);
    expect(first.models.map((m) => [m.id, m.status])).toEqual([
      [base.id, 'registered'],
      [sensity.id, 'registered'],
    ]);
    const runId = first.models[0].runId!;
    const slug = first.models[0].modelSlug!;
    expect(await f.pipeline.store.stat(prev.sha256)).toEqual({ sizeBytes: prev.bytes });
    // As if the workers had measured it: every job done, an evaluation result stored.
    await f.query(`UPDATE "RunJob" SET state = 'done', progress = 1, "finishedAt" = now() WHERE "runId" = $1`, [runId]);
    await f.query(`UPDATE "RegisteredRun" SET state = 'done' WHERE id = $1`, [runId]);
    const evaluation = (await snapshot(runId)).jobs.find((j) => j.kind === 'evaluate')!;
    await f.query(
      `INSERT INTO "MeasuredResult" (id, "runId", kind, dataset, "inputSize", device, metrics, "jobId", attempt, "measuredAt")
       VALUES (gen_random_uuid(), $1, 'evaluate', $2, $3, '', '{"boxAp": 0.5}', $4, 1, now())`,
      [runId, evaluation.dataset, evaluation.inputSize, evaluation.id],
    );
    const before = await snapshot(runId);
    const [sensityBefore] = await f.query(`SELECT "baselineId", "parentId" FROM "Model" WHERE slug = $1`, [first.models[1].modelSlug]);

    const second = await registerDemoZoo(f.pipeline, options(await zooDir(false)));
    expect(second.problems).toEqual([]);
    expect(second.models.map((m) => [m.id, m.status])).toEqual([
      [base.id, 'moved'],
      [sensity.id, 'unchanged'],
    ]);
    expect(second.models[0]).toMatchObject({ runId, modelSlug: slug, sha256: base.sha256, formerSha256: prev.sha256 });
    const sizes = shipped.adapter.resize.evalSizes.slice(0, 1);
    expect(second.jobsQueued).toBe(sizes.length);
    const after = await snapshot(runId);
    // Same run, model; one run and model fewer than a second registration would have made.
    expect(after.counts).toEqual({ ...before.counts, jobs: before.counts.jobs + sizes.length });
    expect(after.run).toMatchObject({
      id: runId,
      modelId: before.run.modelId,
      sha256: base.sha256,
      sizeBytes: base.bytes,
      state: 'queued',
    });
    expect(after.artifact).toEqual({
      sha256: base.sha256,
      sizeBytes: base.bytes,
      storagePath: `sha256/${base.sha256.slice(0, 2)}/${base.sha256.slice(2, 4)}/${base.sha256}`,
      fileName: before.artifact.fileName,
    });
    expect(after.demo.sha256).toBe(base.sha256);
    // The earlier jobs are untouched; analyse is queued again, nothing else.
    expect(after.jobs.slice(0, before.jobs.length)).toEqual(before.jobs);
    expect(after.jobs.slice(before.jobs.length).map((j) => [j.kind, j.state, j.inputSize])).toEqual(
      sizes.map((s) => ['analyse', 'queued', s]),
    );
    const [kept] = await f.query(`SELECT metrics FROM "MeasuredResult" WHERE "runId" = $1 AND kind = 'evaluate'`, [runId]);
    expect(kept.metrics).toEqual({ boxAp: 0.5 });
    // Metadata: as registered, plus the former file.
    const { formerFiles, ...restAfter } = after.run.metadata;
    expect(restAfter).toEqual(before.run.metadata);
    expect(formerFiles).toEqual([
      {
        sha256: prev.sha256,
        sizeBytes: prev.bytes,
        fileName: base.file,
        replacedAt: expect.any(String),
        change: expect.stringContaining(prev.change),
      },
    ]);
    // Lineage: the sensity model still points at the same baseline model.
    const [sensityAfter] = await f.query(`SELECT "baselineId", "parentId" FROM "Model" WHERE slug = $1`, [first.models[1].modelSlug]);
    expect(sensityAfter).toEqual(sensityBefore);
    expect(sensityAfter.baselineId).toBe(before.run.modelId);
    // The store holds the new bytes; the former ones are gone (nothing refers to them).
    expect(await f.pipeline.store.stat(base.sha256)).toEqual({ sizeBytes: base.bytes });
    expect(await f.pipeline.store.stat(prev.sha256)).toBeNull();
    // The model page says which file the run measured before.
    const page = (await getModelPage(db, slug))!;
    expect(page.run?.formerFiles.map((x) => [x.sha256, x.sizeBytes])).toEqual([[prev.sha256, prev.bytes]]);
    expect(page.downloads.find((d) => d.kind === 'stored_file')?.sha256).toBe(base.sha256);
    // The zoo section lists the same model.
    const listed = await f.query(
      `SELECT m.slug FROM "ZooEntry" e JOIN "ZooSection" s ON s.id = e."sectionId" JOIN "Model" m ON m.id = e."modelId" WHERE s.slug = $1 ORDER BY e.position`,
      [DEMO_SECTION_SLUG],
    );
    expect(listed.map((r) => r.slug)).toEqual([slug, first.models[1].modelSlug].flatMap((s) => sizes.map(() => s)));

    // Again: nothing changes.
    const third = await registerDemoZoo(f.pipeline, options(await zooDir(false)));
    expect(third.models.map((m) => m.status)).toEqual(['unchanged', 'unchanged']);
    expect(third.jobsQueued).toBe(0);
    expect(await snapshot(runId)).toEqual(after);
    // And replaceRunFile itself, called again, answers unchanged.
    const again = await replaceRunFile(f.pipeline, {
      runId,
      file: (async function* () {})(),
      fileName: base.file,
      expectedSha256: base.sha256,
      fromSha256: prev.sha256,
      change: 'x',
      maxBytes: 1e9,
    });
    expect(again).toMatchObject({ status: 'unchanged', jobs: [], former: null });
    expect(await snapshot(runId)).toEqual(after);
  });

  it('BAD CALL: replaceRunFile refuses a run that holds another file and bytes that are not the expected ones; registerRun refuses formerFiles', async () => {
    const [row] = await f.query(`SELECT "runId" FROM "DemoZooRun" WHERE "manifestId" = $1`, [sensity.id]);
    const bytes = async function* () {
      yield new Uint8Array([1, 2, 3]);
    };
    const common = { runId: row.runId as string, fileName: 'x.onnx', expectedSha256: base.sha256, change: 'x', maxBytes: 1e9 };
    await expect(replaceRunFile(f.pipeline, { ...common, file: bytes(), fromSha256: base.sha256 })).rejects.toThrow(
      /holds sha256 .*not the file to replace/,
    );
    await expect(replaceRunFile(f.pipeline, { ...common, file: bytes(), fromSha256: sensity.sha256 })).rejects.toThrow(
      new RegExp(
        `x\\.onnx: sha256 ${createHash('sha256')
          .update(new Uint8Array([1, 2, 3]))
          .digest('hex')
          .slice(0, 12)}…, expected`,
      ),
    );
    const [run] = await f.query(`SELECT sha256 FROM "RegisteredRun" WHERE id = $1`, [row.runId]);
    expect(run.sha256).toBe(sensity.sha256);
    // formerFiles is written by the move only: a registration that declares it is refused before any row is stored.
    const runsBefore = (await f.query(`SELECT count(*)::int AS n FROM "RegisteredRun"`))[0].n;
    const formerFiles = [{ sha256: base.sha256, sizeBytes: 1, fileName: 'x.onnx', replacedAt: '2026-12-05T00:00:00Z', change: 'x' }];
    await expect(
      registerRun(f.pipeline, {
        metadata: tinyMetadata({ formerFiles }),
        fileName: 'x.onnx',
        file: bytes(),
        door: 'cli',
        tokenId: null,
        maxBytes: 1e9,
      }),
    ).rejects.toThrow(/metadata\.formerFiles: set by Slimboard when a run moves to a new file/);
    expect((await f.query(`SELECT count(*)::int AS n FROM "RegisteredRun"`))[0].n).toBe(runsBefore);
  });
});
