/**
 * Register the shipped demo zoo (lib/demo-zoo/models/) through the measurement pipeline, idempotently.
 *
 * 1. The manifest is validated and every file's bytes and sha256 checked (readDemoZooManifest); its
 *    adapter is translated for Slimboard's evaluator (demo-run-metadata.ts).
 * 2. The validation split is generated under `<dataDir>/datasets/demo-shapes` (skipped when present), with its VOC
 *    view `datasets/demo-shapes-voc` (a link to it) and the synthetic faces under `datasets/demo-faces`.
 * 3. Under an advisory lock (two starts at once register once): the three demo Datasets, the manifest as a
 *    SourceDocument, then every model that has no run for its (manifest id, sha256) yet goes through
 *    `registerRun`, the one code path of every upload: artifact store, ONNX check, zoo Model with its
 *    lineage, and the analyse / benchmark / evaluate jobs at each evaluation size (evaluate on all three
 *    datasets). A changed file (new sha256) is a new run, unless the manifest says it `supersedes` the run's file
 *    (same weights, e.g. initializers renamed): then the run moves to it (lib/runs/replace-run-file.ts: same run
 *    and model, formerFiles in its metadata, analyse queued again). An unchanged one queues only the evaluations an
 *    earlier Slimboard did not plan (addRunEvaluations).
 * 4. The training pipeline's own AP (manifest `ap`) is stored as `reported` Measurements of each model,
 *    sourced to the manifest, so the model page shows it beside the AP Slimboard measures.
 * 5. The zoo sections "demo-shapes" (Box AP), "demo-shapes-voc" (VOC mAP) and "demo-faces" (WIDER FACE AP) list
 *    the current file of every manifest model at each size; their numbers are the `measured` ones, filled in by
 *    the workers.
 * 6. The sensitivity analysis (sensitivity.json, when present) is stored in the run metadata of the
 *    `sensity` model (`sensitivityAnalysis`, see sensitivity.ts): its model page charts it.
 * 7. DemoZooState keeps the outcome: the zoo page shows a refused manifest or file instead of rows.
 *
 * A problem with the manifest or a file is a SlimboardError with one line naming it; problems with single
 * models, or with sensitivity.json, are collected (the others are still registered) and returned in `problems`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { SlimboardError, isSlimboardError } from '../errors';
import type { Pipeline } from '../jobs/pipeline';
import { RunRefusedError, registerRun } from '../runs/register-run';
import { measurementKey } from '../zoo/measurement-key';
import { writeReportedValue } from '../zoo/measurement-writes';
import { DEMO_DATASET_SEED, SYNTHETIC_DATASET_VERSION } from '../datasets/synthetic';
import { DEMO_ZOO_DIR, readDemoZooManifest, type TDemoZooManifest, type TDemoZooModel } from './manifest';
import {
  DEMO_DATASET_SLUG,
  DEMO_EXTRA_DATASETS,
  demoModelAdapter,
  demoProvenance,
  demoRegistrationOrder,
  demoRunMetadata,
} from './demo-run-metadata';
import { importDemoSensitivity, type DemoSensitivityReport } from './sensitivity';
import { ensureDemoFacesSplit, ensureDemoValSplit, ensureFolderAlias } from './val-split';
import { DEMO_FACES_DATASET_SLUG, DEMO_SECTION_SLUG, DEMO_SOURCE_SLUG, DEMO_VOC_DATASET_SLUG } from './demo-zoo-constants';
import { addRunEvaluations } from '../runs/run-writes';
import { replaceRunFile } from '../runs/replace-run-file';
import { withPgTransaction } from '../db/pg-transaction';

/** Columns of the demo section; latency columns (`latency:<device>`) are added for each device that measured. */
export const DEMO_SECTION_COLUMNS = [
  'model',
  'method',
  'strategy',
  'inputSize',
  'teacher',
  'boxAp',
  'gflops',
  'params',
  'modelSizeMb',
  'download',
];
/** The demo's VOC and faces sections: the same models and sizes, with the accuracy of those datasets. */
const DEMO_VOC_SECTION_COLUMNS = DEMO_SECTION_COLUMNS.map((c) => (c === 'boxAp' ? 'vocMap' : c));
const DEMO_FACES_SECTION_COLUMNS = DEMO_SECTION_COLUMNS.flatMap((c) => (c === 'boxAp' ? ['widerEasy', 'widerMedium', 'widerHard'] : [c]));
const DEMO_LOCK = 0x5b1bde70; // arbitrary, Slimboard-wide (import-catalog uses 0x5b1b0a4d)

export interface RegisterDemoZooOptions {
  /** Folder with manifest.json and the ONNX files (lib/demo-zoo/models). */
  zooDir: string;
  /** Slimboard's data dir: the val split goes to `<dataDir>/datasets/demo-shapes`. */
  dataDir: string;
  /** Largest accepted file (the upload limit). */
  maxBytes: number;
  /** Val images to generate; default the manifest's `dataset.val.images` (tests use a few). */
  valCount?: number;
  /** Images per event of the synthetic faces split; default DEMO_FACES_SPLIT.perEvent (tests use a few). */
  facesPerEvent?: number;
  /** Path shown in messages and stored with the state (default: zooDir/manifest.json). */
  manifestLabel?: string;
}

export interface DemoZooModelReport {
  id: string;
  file: string;
  sha256: string;
  /**
   * registered: a new run now; unchanged: a run for this file existed; moved: the run of a file this one supersedes
   * (manifest `supersedes`) now measures this file (lib/runs/replace-run-file.ts); refused: see `problem`.
   */
  status: 'registered' | 'unchanged' | 'moved' | 'refused';
  /** moved: the sha256 of the file the run measured before. */
  formerSha256?: string;
  runId: string | null;
  modelSlug: string | null;
  jobsQueued: number;
  problem: string | null;
}

export interface DemoZooReport {
  manifest: string;
  createdAt: string;
  valSplit: { dir: string; images: number; generated: boolean };
  dataset: string;
  models: DemoZooModelReport[];
  jobsQueued: number;
  /** What became of sensitivity.json. */
  sensitivity: DemoSensitivityReport;
  problems: string[];
}

async function sha256OfFile(file: string): Promise<string | null> {
  try {
    return createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
  } catch {
    return null;
  }
}

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** Write the demo's state row (id 1) when it differs from what is stored. */
async function recordState(
  db: Queryable,
  s: { manifestPath: string; manifestSha256: string | null; manifestCreatedAt: string | null; problem: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO "DemoZooState" (id, "manifestPath", "manifestSha256", "manifestCreatedAt", problem, "checkedAt") VALUES (1, $1, $2, $3, ` +
      `$4, now())
     ON CONFLICT (id) DO UPDATE SET "manifestPath" = EXCLUDED."manifestPath", "manifestSha256" = EXCLUDED."manifestSha256",
       "manifestCreatedAt" = EXCLUDED."manifestCreatedAt", problem = EXCLUDED.problem, "checkedAt" = EXCLUDED."checkedAt"
     WHERE ("DemoZooState"."manifestPath", "DemoZooState"."manifestSha256", "DemoZooState"."manifestCreatedAt", "DemoZooState".problem)
       IS DISTINCT FROM (EXCLUDED."manifestPath", EXCLUDED."manifestSha256", EXCLUDED."manifestCreatedAt", EXCLUDED.problem)`,
    [s.manifestPath, s.manifestSha256, s.manifestCreatedAt, s.problem],
  );
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

/** Read and check the manifest; a refusal is recorded (the zoo page shows it) and rethrown. */
async function loadManifest(
  p: Pipeline,
  o: RegisterDemoZooOptions,
  manifestPath: string,
): Promise<{ manifest: TDemoZooManifest; sha256: string | null }> {
  const sha256 = await sha256OfFile(path.join(o.zooDir, 'manifest.json'));
  try {
    const manifest = await readDemoZooManifest(o.zooDir, { verifyFiles: true });
    const ds = manifest.dataset;
    if (ds.version !== SYNTHETIC_DATASET_VERSION || ds.seed !== DEMO_DATASET_SEED) {
      throw new SlimboardError(
        'bad_demo_zoo',
        `${manifestPath}: dataset ${ds.version} seed ${ds.seed}, but this Slimboard generates ${SYNTHETIC_DATASET_VERSION} ` +
          `seed ${DEMO_DATASET_SEED} (retrain the demo zoo or update lib/datasets/synthetic)`,
      );
    }
    return { manifest, sha256 };
  } catch (e) {
    const message = isSlimboardError(e) ? e.message : `${manifestPath}: ${oneLine(e)}`;
    await recordState(p.pool, { manifestPath, manifestSha256: sha256, manifestCreatedAt: null, problem: message });
    throw isSlimboardError(e) ? e : new SlimboardError('bad_demo_zoo', message);
  }
}

export async function registerDemoZoo(p: Pipeline, o: RegisterDemoZooOptions): Promise<DemoZooReport> {
  const manifestPath = o.manifestLabel ?? path.join(o.zooDir, 'manifest.json');
  const { manifest, sha256: manifestSha } = await loadManifest(p, o, manifestPath);
  let adapter;
  let order;
  try {
    adapter = demoModelAdapter(manifest);
    order = demoRegistrationOrder(manifest.models);
  } catch (e) {
    await recordState(p.pool, { manifestPath, manifestSha256: manifestSha, manifestCreatedAt: manifest.createdAt, problem: oneLine(e) });
    throw e;
  }
  const valDir = path.join(o.dataDir, 'datasets', DEMO_DATASET_SLUG);
  const valImages = o.valCount ?? manifest.dataset.val.images;
  const split = await ensureDemoValSplit(valDir, { count: valImages });
  // The VOC view is the same split under a second name (a Dataset's folder is read in one format).
  await ensureFolderAlias(path.join(o.dataDir, 'datasets', DEMO_VOC_DATASET_SLUG), valDir);
  await ensureDemoFacesSplit(path.join(o.dataDir, 'datasets', DEMO_FACES_DATASET_SLUG), { perEvent: o.facesPerEvent });

  const lock = await p.pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [DEMO_LOCK]);
    await p.pool.query(
      `INSERT INTO "Dataset" (slug, name, aliases) VALUES ($1, $2, $3) ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name WHERE ` +
        `"Dataset".name <> EXCLUDED.name`,
      [DEMO_DATASET_SLUG, manifest.dataset.name, [manifest.dataset.version]],
    );
    for (const d of [
      { slug: DEMO_VOC_DATASET_SLUG, name: `${manifest.dataset.name} (Pascal VOC view)`, format: 'voc' },
      { slug: DEMO_FACES_DATASET_SLUG, name: 'Demo synthetic faces (WIDER FACE layout)', format: 'widerface' },
    ]) {
      await p.pool.query(
        `INSERT INTO "Dataset" (slug, name, aliases, format, split) VALUES ($1, $2, '{}', $3, 'val')
         ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, format = EXCLUDED.format, split = EXCLUDED.split
           WHERE ("Dataset".name, "Dataset".format, "Dataset".split) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.format, EXCLUDED.split)`,
        [d.slug, d.name, d.format],
      );
    }
    const sourceId = await upsertManifestSource(p.pool, manifest, manifestSha ?? '');

    const reports: DemoZooModelReport[] = [];
    const slugs = new Map<string, string>();
    for (const m of order) {
      const report: DemoZooModelReport = {
        id: m.id,
        file: m.file,
        sha256: m.sha256,
        status: 'unchanged',
        runId: null,
        modelSlug: null,
        jobsQueued: 0,
        problem: null,
      };
      reports.push(report);
      // A run of a file this one supersedes (same weights, e.g. before the initializers were named) moves to it.
      let moved: Awaited<ReturnType<typeof moveSupersededRun>> = null;
      try {
        moved = await moveSupersededRun(p, o, manifest, m);
      } catch (e) {
        // Not registered as a second run: the next start tries the move again.
        report.status = 'refused';
        report.problem = `model "${m.id}" (${m.file}): moving its run from a superseded file failed: ${oneLine(e)}`;
        continue;
      }
      const existing = await p.pool.query(
        `SELECT d."runId", r.state, r."failureReason", mo.slug FROM "DemoZooRun" d JOIN "RegisteredRun" r ON r.id = d."runId" LEFT JOIN ` +
          `"Model" mo ON mo.id = r."modelId"
          WHERE d."manifestId" = $1 AND d.sha256 = $2`,
        [m.id, m.sha256],
      );
      if (existing.rows[0]) {
        const row = existing.rows[0] as { runId: string; state: string; failureReason: string | null; slug: string | null };
        report.runId = row.runId;
        report.modelSlug = row.slug;
        if (row.slug) slugs.set(m.id, row.slug);
        if (row.state === 'failed') {
          report.status = 'refused';
          report.problem =
            `model "${m.id}" (${m.file}): run ${row.runId} failed: ${row.failureReason ?? 'no reason recorded'} (delete ` +
            `the run to register the file again)`;
        } else {
          // Registered by an earlier Slimboard that evaluated on the demo split only: queue the other datasets.
          report.jobsQueued = (await addRunEvaluations(p, row.runId, DEMO_EXTRA_DATASETS)).jobsQueued;
          if (moved) {
            report.status = 'moved';
            report.formerSha256 = moved.formerSha256;
            report.jobsQueued += moved.jobsQueued;
          }
        }
        continue;
      }
      try {
        const metadata = demoRunMetadata(manifest, m, adapter, (id) => slugs.get(id));
        const summary = await registerRun(p, {
          metadata,
          fileName: m.file,
          file: createReadStream(path.join(o.zooDir, m.file)),
          declaredSizeBytes: m.bytes,
          door: 'cli',
          tokenId: null,
          maxBytes: o.maxBytes,
          onSameFile: 'register',
        });
        await p.pool.query(`INSERT INTO "DemoZooRun" ("manifestId", sha256, "runId", "manifestCreatedAt") VALUES ($1, $2, $3, $4)`, [
          m.id,
          summary.sha256,
          summary.id,
          manifest.createdAt,
        ]);
        if (summary.sha256 !== m.sha256)
          throw new SlimboardError(
            'bad_demo_zoo',
            `${path.join(o.zooDir, m.file)} changed while it was registered (sha256 ${summary.sha256.slice(0, 12)}…, ` +
              `manifest ${m.sha256.slice(0, 12)}…)`,
          );
        Object.assign(report, { status: 'registered', runId: summary.id, modelSlug: summary.modelSlug, jobsQueued: summary.jobs.length });
        slugs.set(m.id, summary.modelSlug);
      } catch (e) {
        // A refused file leaves a failed run: remember it, so a second start does not refuse it again.
        if (e instanceof RunRefusedError) {
          await p.pool.query(
            `INSERT INTO "DemoZooRun" ("manifestId", sha256, "runId", "manifestCreatedAt") VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
            [m.id, m.sha256, e.runId, manifest.createdAt],
          );
          report.runId = e.runId;
        }
        report.status = 'refused';
        report.problem = `model "${m.id}" (${m.file}): ${oneLine(e)}`;
      }
    }

    await upsertReportedAccuracy(p.pool, manifest, sourceId, slugs);
    await withPgTransaction(p.pool, async (client) => {
      for (const spec of demoSections(manifest)) await syncDemoSection(client, manifest, slugs, spec);
    });
    const sensitivity = await importDemoSensitivity(p.pool, {
      zooDir: o.zooDir,
      manifest,
      models: reports,
      origin: demoProvenance(manifest),
    });
    const problems = [...reports.filter((r) => r.problem).map((r) => r.problem!), ...(sensitivity.problem ? [sensitivity.problem] : [])];
    await recordState(p.pool, {
      manifestPath,
      manifestSha256: manifestSha,
      manifestCreatedAt: manifest.createdAt,
      problem: problems.length ? problems.join('; ') : null,
    });
    const byId = new Map(reports.map((r) => [r.id, r]));
    const models = manifest.models.map((m) => byId.get(m.id)!);
    return {
      manifest: manifestPath,
      createdAt: manifest.createdAt,
      valSplit: { dir: split.dir, images: valImages, generated: split.generated },
      dataset: DEMO_DATASET_SLUG,
      models,
      jobsQueued: models.reduce((n, r) => n + r.jobsQueued, 0),
      sensitivity,
      problems,
    };
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [DEMO_LOCK]).catch(() => undefined);
    lock.release();
  }
}

/**
 * When model `m` has no run for its current file but one for a file it supersedes: move that run to the current file
 * (same run id, model, lineage and weight-dependent numbers; analyse queued again) and point its DemoZooRun at the
 * current sha256. Null when there is nothing to move. Idempotent: after a move the current file has its run; a move
 * cut off between the run and its DemoZooRun row is finished by the next call (the run is `unchanged` then).
 */
async function moveSupersededRun(
  p: Pipeline,
  o: RegisterDemoZooOptions,
  manifest: TDemoZooManifest,
  m: TDemoZooModel,
): Promise<{ formerSha256: string; jobsQueued: number } | null> {
  const formers = (m.supersedes ?? []).map((s) => s.sha256);
  if (formers.length === 0) return null;
  const r = await p.pool.query(
    `SELECT d.sha256, d."runId" FROM "DemoZooRun" d JOIN "RegisteredRun" r ON r.id = d."runId"
      WHERE d."manifestId" = $1 AND d.sha256 = ANY($2::text[]) AND r.state <> 'failed'
        AND NOT EXISTS (SELECT 1 FROM "DemoZooRun" c WHERE c."manifestId" = $1 AND c.sha256 = $3)
      ORDER BY d."registeredAt" DESC LIMIT 1`,
    [m.id, formers, m.sha256],
  );
  const row = r.rows[0] as { sha256: string; runId: string } | undefined;
  if (!row) return null;
  const change = m.supersedes!.find((s) => s.sha256 === row.sha256)!.change;
  const moved = await replaceRunFile(p, {
    runId: row.runId,
    file: createReadStream(path.join(o.zooDir, m.file)),
    fileName: m.file,
    expectedSha256: m.sha256,
    fromSha256: row.sha256,
    change: `demo zoo manifest ${manifest.createdAt}: ${change}`,
    maxBytes: o.maxBytes,
  });
  await p.pool.query(`UPDATE "DemoZooRun" SET sha256 = $3, "manifestCreatedAt" = $4 WHERE "manifestId" = $1 AND sha256 = $2`, [
    m.id,
    row.sha256,
    m.sha256,
    manifest.createdAt,
  ]);
  return { formerSha256: row.sha256, jobsQueued: moved.jobs.length };
}

async function upsertManifestSource(db: Queryable, manifest: TDemoZooManifest, sha256: string): Promise<number> {
  const r = await db.query(
    `INSERT INTO "SourceDocument" (slug, title, url, "repoPath", sha256, "importedAt") VALUES ($1, $2, NULL, $3, $4, now())
     ON CONFLICT (slug) DO UPDATE SET title = EXCLUDED.title, sha256 = EXCLUDED.sha256, "repoPath" = EXCLUDED."repoPath",
         "importedAt" = EXCLUDED."importedAt"
       WHERE ("SourceDocument".sha256, "SourceDocument".title, "SourceDocument"."repoPath")
         IS DISTINCT FROM (EXCLUDED.sha256, EXCLUDED.title, EXCLUDED."repoPath")
     RETURNING id`,
    [
      DEMO_SOURCE_SLUG,
      `training pipeline's own evaluation (tools/demo-zoo, PyTorch; manifest ${manifest.createdAt})`,
      path.posix.join(...DEMO_ZOO_DIR.split(path.sep), 'manifest.json'),
      sha256,
    ],
  );
  if (r.rows[0]) return r.rows[0].id as number;
  return (await db.query(`SELECT id FROM "SourceDocument" WHERE slug = $1`, [DEMO_SOURCE_SLUG])).rows[0].id as number;
}

/**
 * The manifest's `ap` (fractions, COCO AP@[.5:.95]) as `reported` box_ap Measurements in points, 2 decimals
 * (the manifest prints 4 decimals of the fraction). Written only when missing or different.
 */
async function upsertReportedAccuracy(
  db: Queryable,
  manifest: TDemoZooManifest,
  sourceId: number,
  slugs: Map<string, string>,
): Promise<void> {
  const ds = await db.query(`SELECT id FROM "Dataset" WHERE slug = $1`, [DEMO_DATASET_SLUG]);
  const datasetId = ds.rows[0].id as number;
  for (const m of manifest.models) {
    const slug = slugs.get(m.id);
    if (!slug) continue;
    const model = await db.query(`SELECT id FROM "Model" WHERE slug = $1`, [slug]);
    if (!model.rows[0]) continue;
    for (const [size, row] of Object.entries(m.ap)) {
      const inputSize = Number(size);
      if (!Number.isInteger(inputSize)) continue;
      const key = measurementKey({
        metric: 'box_ap',
        inputSize,
        deviceSlug: null,
        datasetSlug: DEMO_DATASET_SLUG,
        origin: { sourceSlug: DEMO_SOURCE_SLUG },
      });
      await writeReportedValue(db, {
        modelId: model.rows[0].id as number,
        metric: 'box_ap',
        inputSize,
        deviceId: null,
        datasetId,
        value: row.AP * 100,
        decimals: 2,
        sourceId,
        key,
      });
    }
  }
}

/** The demo section: every manifest model's current file (manifest order) at each evaluation size. */
interface DemoSectionSpec {
  slug: string;
  title: string;
  columns: string[];
  notes: string;
}

/** The demo's three sections: Box AP on the val split (the seed's COCO tables), VOC mAP, WIDER FACE AP. */
function demoSections(manifest: TDemoZooManifest): DemoSectionSpec[] {
  const common =
    `GFLOPs: PaddleSlim convention (multiply-adds of convolutions / 2^30), as the seed. Params: weight count of the ONNX file. ` +
    `Latency: median (p50) of timed single-image runs in ` +
    `onnxruntime-node on the worker's device (column = device fingerprint).`;
  const title = `${manifest.title} (measured by Slimboard on this machine)`;
  return [
    {
      slug: DEMO_SECTION_SLUG,
      title,
      columns: DEMO_SECTION_COLUMNS,
      notes: `${common} Box AP: COCO AP@[.5:.95] on the ${manifest.dataset.val.images}-image synthetic val split.`,
    },
    {
      slug: DEMO_VOC_DATASET_SLUG,
      title: `${title}: Pascal VOC mAP`,
      columns: DEMO_VOC_SECTION_COLUMNS,
      notes:
        `${common} VOC mAP: the same val split read as Pascal VOC (dataset ${DEMO_VOC_DATASET_SLUG}), 11-point mAP at IoU 0.5, ` +
        `the convention of the seed's VOC tables.`,
    },
    {
      slug: DEMO_FACES_DATASET_SLUG,
      title: `${title}: WIDER FACE easy / medium / hard`,
      columns: DEMO_FACES_SECTION_COLUMNS,
      notes:
        `${common} Easy / medium / hard AP: WIDER FACE evaluation on the synthetic faces split (dataset ${DEMO_FACES_DATASET_SLUG}, ` +
        `shapes drawn sparse, in crowds and large), the demo's shape detectors used as one-class detectors (every detection is ` +
        `a face): no face model was trained, so these numbers rank the compressions, not face detectors.`,
    },
  ];
}

async function syncDemoSection(
  db: Queryable,
  manifest: TDemoZooManifest,
  slugs: Map<string, string>,
  spec: DemoSectionSpec,
): Promise<void> {
  const { title, notes } = spec;
  const sourceTitle =
    `Models trained by tools/demo-zoo (manifest ${manifest.createdAt}); ` + "every number measured here by Slimboard's workers";
  const existing = await db.query(`SELECT id FROM "ZooSection" WHERE slug = $1`, [spec.slug]);
  let sectionId: number;
  if (existing.rows[0]) {
    sectionId = existing.rows[0].id;
    await db.query(
      `UPDATE "ZooSection" SET title = $2, "sourceTitle" = $3, columns = $4, notes = $5
        WHERE id = $1 AND (title, "sourceTitle", columns, notes) IS DISTINCT FROM ($2, $3, $4::text[], $5)`,
      [sectionId, title, sourceTitle, spec.columns, notes],
    );
  } else {
    const r = await db.query(
      `INSERT INTO "ZooSection" (slug, title, "sourceTitle", position, provenance, "sourceId", columns, notes)
       SELECT $1, $2, $3, GREATEST(1000, COALESCE(max(position), 0) + 1), 'measured', NULL, $4, $5 FROM "ZooSection" RETURNING id`,
      [spec.slug, title, sourceTitle, spec.columns, notes],
    );
    sectionId = r.rows[0].id;
  }
  const wanted: Array<{ modelId: number; inputSize: number }> = [];
  for (const m of manifest.models) {
    const slug = slugs.get(m.id);
    if (!slug) continue;
    const model = await db.query(`SELECT id FROM "Model" WHERE slug = $1`, [slug]);
    if (!model.rows[0]) continue;
    for (const inputSize of manifest.adapter.resize.evalSizes) wanted.push({ modelId: model.rows[0].id, inputSize });
  }
  const have = (
    await db.query(`SELECT position, "modelId", "inputSize" FROM "ZooEntry" WHERE "sectionId" = $1 ORDER BY position`, [sectionId])
  ).rows as Array<{ position: number; modelId: number; inputSize: number }>;
  const same =
    have.length === wanted.length &&
    wanted.every((w, i) => have[i].position === i + 1 && have[i].modelId === w.modelId && have[i].inputSize === w.inputSize);
  if (same) return;
  await db.query(`DELETE FROM "ZooEntry" WHERE "sectionId" = $1`, [sectionId]);
  for (const [i, w] of wanted.entries()) {
    await db.query(`INSERT INTO "ZooEntry" ("sectionId", position, "modelId", "inputSize") VALUES ($1, $2, $3, $4)`, [
      sectionId,
      i + 1,
      w.modelId,
      w.inputSize,
    ]);
  }
}
