import type { Db } from '../db/client';
import { entriesFromZoo, type TLatencyDetail } from '../explorer/from-zoo';
import type { TExplorerEntry } from '../explorer/entry';
import { buildZooRows, loadZoo, loadZooSections } from './list-zoo-rows';
import { deviceName } from './device-name';
import { Prisma } from '../generated/prisma/client';
import { readModelLineage } from './strategy-params';
import { cachedByZooVersion } from './zoo-cache';
import { selectScopedRowKeys, type TZooRowScope } from './select-zoo-rows';

/**
 * The explorer's data: every zoo row merged into one entry per model and input size
 * (lib/explorer/from-zoo.ts), with each model's own lineage parameters (Model.lineage), device labels and, for measured latencies, the
 * full benchmark result (p50/p90/p99/mean and raw samples) from MeasuredResult.
 */

function numAt(obj: unknown, ...paths: string[]): number | null {
  for (const p of paths) {
    let cur: unknown = obj;
    for (const k of p.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
    if (typeof cur === 'number' && Number.isFinite(cur)) return cur;
  }
  return null;
}

/**
 * Which entries a view needs: one dataset's (the explorer, the overview's chart), some models' (/compare), or some
 * (model, input size) variants (a reduced explorer view, the overview's win candidates; by database id). Without a
 * scope: the whole zoo (small zoos and tests; the pages always scope).
 */
export type TExplorerEntriesScope =
  { dataset: string } | { models: string[] } | { variants: Array<{ modelId: number; inputSize: number }> };

/**
 * Cached per zoo version (lib/zoo/zoo-cache.ts) for the whole zoo, a dataset or a set of models: concurrent views
 * share one computation per version. Variant scopes are cached by their callers. Callers must not mutate the entries.
 */
export function listExplorerEntries(db: Db, scope?: TExplorerEntriesScope): Promise<TExplorerEntry[]> {
  if (scope && 'variants' in scope) return computeExplorerEntries(db, scope);
  const key = !scope ? 'explorer-entries' : 'dataset' in scope ? `explorer-entries:dataset:${scope.dataset}` : null;
  if (key) return cachedByZooVersion(db, key, () => computeExplorerEntries(db, scope));
  const models = [...new Set((scope as { models: string[] }).models)].sort();
  return cachedByZooVersion(db, `explorer-entries:models:${models.join(',')}`, () => computeExplorerEntries(db, { models }));
}

/** The rows of a scope (every section they appear in), with the models they name. */
async function scopedRows(db: Db, scope: TExplorerEntriesScope | undefined) {
  if (!scope) {
    const { rows } = await loadZoo(db);
    return { rows, modelIds: null };
  }
  let rowScope: TZooRowScope;
  if ('dataset' in scope) {
    const d = await db.dataset.findUnique({ where: { slug: scope.dataset }, select: { id: true } });
    rowScope = { datasetIds: d ? [d.id] : [] };
  } else if ('models' in scope) {
    const ms = await db.model.findMany({ where: { slug: { in: scope.models } }, select: { id: true } });
    rowScope = { modelIds: ms.map((m) => m.id) };
  } else rowScope = { variants: scope.variants };
  const [sections, keys] = await Promise.all([loadZooSections(db), selectScopedRowKeys(db, rowScope)]);
  const rows = await buildZooRows(db, keys, new Map(sections.map((s) => [s.slug, s])));
  return { rows, modelIds: [...new Set(keys.map((k) => k.modelId))] };
}

async function computeExplorerEntries(db: Db, scope: TExplorerEntriesScope | undefined): Promise<TExplorerEntry[]> {
  const { rows, modelIds } = await scopedRows(db, scope);
  const inScope = modelIds ? { id: { in: modelIds } } : {};
  const [lineages, devices, results] = await Promise.all([
    db.model.findMany({ where: { lineage: { not: Prisma.DbNull }, ...inScope }, select: { slug: true, lineage: true } }),
    db.device.findMany({
      select: { slug: true, name: true, runtime: true, cpuModel: true, logicalCores: true, threads: true, executionProvider: true },
    }),
    db.measuredResult.findMany({
      where: { kind: 'benchmark', run: { modelId: modelIds ? { in: modelIds } : { not: null } } },
      select: { inputSize: true, device: true, metrics: true, jobId: true, run: { select: { model: { select: { slug: true } } } } },
    }),
  ]);
  const latencyDetails: TLatencyDetail[] = [];
  for (const r of results) {
    const slug = r.run.model?.slug;
    if (!slug || !r.device) continue;
    const m = r.metrics as Record<string, unknown>;
    const samples = Array.isArray(m.samplesMs)
      ? (m.samplesMs as unknown[]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
      : [];
    latencyDetails.push({
      modelSlug: slug,
      inputSize: r.inputSize,
      deviceSlug: r.device,
      p50Ms: numAt(m, 'summary.p50Ms', 'p50Ms'),
      p90Ms: numAt(m, 'summary.p90Ms', 'p90Ms'),
      p99Ms: numAt(m, 'summary.p99Ms', 'p99Ms'),
      meanMs: numAt(m, 'summary.meanMs', 'meanMs'),
      samplesMs: samples,
      jobId: r.jobId,
    });
  }
  return entriesFromZoo(rows, {
    modelLineage: Object.fromEntries(lineages.map((m) => [m.slug, readModelLineage(m.lineage)])),
    deviceLabels: Object.fromEntries(devices.map((d) => [d.slug, deviceName(d).label])),
    latencyDetails,
  });
}
