import type { Db } from '../db/client';
import { entriesFromZoo, type TLatencyDetail } from '../explorer/from-zoo';
import type { TExplorerEntry } from '../explorer/entry';
import { loadZoo } from './list-zoo-rows';
import { deviceName } from './device-name';
import { Prisma } from '../generated/prisma/client';
import { readModelLineage } from './strategy-params';
import { cachedByZooVersion } from './zoo-cache';

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
 * Cached per zoo version (lib/zoo/zoo-cache.ts): the overview, the explorer and /compare share one computation per
 * version, and a burst of requests shares the one in flight. Callers must not mutate the entries.
 */
export function listExplorerEntries(db: Db): Promise<TExplorerEntry[]> {
  return cachedByZooVersion(db, 'explorer-entries', () => computeExplorerEntries(db));
}

async function computeExplorerEntries(db: Db): Promise<TExplorerEntry[]> {
  const [{ rows }, lineages, devices, results] = await Promise.all([
    loadZoo(db),
    db.model.findMany({ where: { lineage: { not: Prisma.DbNull } }, select: { slug: true, lineage: true } }),
    db.device.findMany({
      select: { slug: true, name: true, runtime: true, cpuModel: true, logicalCores: true, threads: true, executionProvider: true },
    }),
    db.measuredResult.findMany({
      where: { kind: 'benchmark', run: { modelId: { not: null } } },
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
