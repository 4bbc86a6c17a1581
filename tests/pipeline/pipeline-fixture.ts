import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { LocalDiskArtifactStore } from '@/lib/artifacts/local-disk-store';
import type { ArtifactStore } from '@/lib/artifacts/store';
import { SHAPE_CLASSES, writeSyntheticSplit } from '@/lib/datasets/synthetic';
import { applyMigrations } from '@/lib/db/migrations';
import { ensureEmbeddedPostgres } from '@/lib/db/embedded-postgres';
import type { EngineSettings } from '@/lib/jobs/job-engine';
import { openPipeline, type Pipeline } from '@/lib/jobs/pipeline';
import type { TRunMetadataInput } from '@/lib/runs/run-metadata';
import { quickWorkerEnv } from '../setup/worker-process';

/**
 * A fresh, migrated database for one pipeline test file, on the test server (DATABASE_URL, set by
 * tests/setup/db.ts) or, when run alone, on a private embedded PostgreSQL (port 3291). Seeds the few
 * zoo rows a registration refers to: dataset `shapes` (the synthetic shapes set, installed for the
 * workers under <dataDir>/datasets/shapes), backbone `tinynet`, baseline model `tiny-baseline`.
 */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const NUM_SHAPE_CLASSES = SHAPE_CLASSES.length;

export interface PipelineFixture {
  url: string;
  database: string;
  dataDir: string;
  pipeline: Pipeline;
  settings: EngineSettings;
  /** Environment for child processes (workers, CLI) pointed at this database and data dir. */
  childEnv: NodeJS.ProcessEnv;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test helper: rows typed by the caller's assertions
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

async function serverUrl(): Promise<(db: string) => string> {
  if (process.env.DATABASE_URL) {
    const base = new URL(process.env.DATABASE_URL);
    return (db) => {
      const u = new URL(base);
      u.pathname = `/${db}`;
      return u.toString();
    };
  }
  const handle = await ensureEmbeddedPostgres({ dataDir: path.join(REPO_ROOT, '.slimboard', 'pipeline-test', 'pg'), port: 3291 });
  return (db) => handle.url(db);
}

export interface PipelineFixtureOptions {
  /** The web side's artifact store (default: local disk under <dataDir>/artifacts). */
  store?: (dataDir: string) => ArtifactStore;
}

export async function createPipelineFixture(
  name: string,
  settings: Partial<EngineSettings> = {},
  options: PipelineFixtureOptions = {},
): Promise<PipelineFixture> {
  const urlFor = await serverUrl();
  const database = `pipeline_${name}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: urlFor('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();
  const url = urlFor(database);
  await applyMigrations(url, path.join(REPO_ROOT, 'prisma', 'migrations'));

  const dataDir = path.join(REPO_ROOT, '.slimboard', 'pipeline-test', database);
  await fs.rm(dataDir, { recursive: true, force: true });
  const datasetDir = path.join(dataDir, 'datasets', 'shapes');
  await writeSyntheticSplit({ outDir: datasetDir, split: 'val', count: 3, seed: 7 });

  const full: EngineSettings = { leaseSeconds: 30, maintenanceSeconds: 10, maxAttempts: 3, ...settings };
  const pipeline = await openPipeline({
    databaseUrl: url,
    supervise: false,
    settings: full,
    store: options.store?.(dataDir) ?? new LocalDiskArtifactStore(path.join(dataDir, 'artifacts')),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see TPipelineFixture.query
  const query = async <T = any>(sql: string, params: unknown[] = []) => (await pipeline.pool.query(sql, params)).rows as T[];

  await query(`INSERT INTO "Dataset" (slug, name, aliases) VALUES ('shapes', 'Synthetic shapes', '{}')`);
  await query(`INSERT INTO "Backbone" (slug, name, aliases) VALUES ('tinynet', 'TinyNet', '{}')`);
  await query(
    `INSERT INTO "Model" (slug, name, family, "backboneId", "datasetId", method, "createdAt", "updatedAt")
     SELECT 'tiny-baseline', 'Tiny baseline', 'Tiny', b.id, d.id, 'baseline', now(), now() FROM "Backbone" b, "Dataset" d WHERE b.slug = 'tinynet' AND d.slug = 'shapes'`,
  );

  const childEnv = quickWorkerEnv(url, dataDir, {
    SLIMBOARD_JOB_LEASE_SECONDS: String(full.leaseSeconds),
    SLIMBOARD_JOB_MAINTENANCE_SECONDS: String(full.maintenanceSeconds),
    SLIMBOARD_JOB_MAX_ATTEMPTS: String(full.maxAttempts),
  });
  return {
    url,
    database,
    dataDir,
    pipeline,
    settings: full,
    childEnv,
    query,
    async close() {
      await pipeline.close();
      const a = new pg.Client({ connectionString: urlFor('postgres') });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
      await a.end();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Valid metadata for the tiny detector on the shapes dataset; override fields per test. */
export function tinyMetadata(overrides: Partial<TRunMetadataInput> = {}): TRunMetadataInput {
  return {
    name: 'Tiny detector r50',
    family: 'Tiny',
    backbone: 'tinynet',
    dataset: 'shapes',
    method: 'prune',
    strategy: 'r50',
    strategyParams: { prunedParams: ['head.conv.weights'], prunedRatios: [0.5] },
    baseline: 'tiny-baseline',
    inputSizes: [64],
    adapter: { output: { kind: 'decoded', boxes: 'boxes', scores: 'scores' }, preprocess: { resize: 'stretch' } },
    ...overrides,
  };
}
