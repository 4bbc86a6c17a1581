import type { Db } from '../db/client';
import { DEMO_SECTION_SLUG } from './demo-zoo-constants';

/**
 * What the zoo page says about the demo zoo besides its rows: whether it was registered (or which file was
 * refused), how far the workers are, and which devices measured the latencies (their fingerprints).
 */
export interface DemoZooStatus {
  /** Null until a start (or `demo register`) has looked at the manifest. */
  checkedAt: Date | null;
  manifestPath: string | null;
  manifestCreatedAt: string | null;
  /** One line naming the refused manifest, file or model; null when everything was registered. */
  problem: string | null;
  /** Models listed in the demo section. */
  models: number;
  jobs: { total: number; done: number; failed: number; active: number };
  /** Runs of the listed models that failed (their rows lose their numbers). */
  failedRuns: Array<{ name: string; reason: string | null }>;
  devices: Array<{
    slug: string;
    cpuModel: string | null;
    logicalCores: number | null;
    threads: number | null;
    executionProvider: string | null;
    runtime: string;
  }>;
}

export async function getDemoZooStatus(db: Db): Promise<DemoZooStatus> {
  const [state, section] = await Promise.all([
    db.demoZooState.findUnique({ where: { id: 1 } }),
    db.zooSection.findUnique({ where: { slug: DEMO_SECTION_SLUG }, select: { entries: { select: { modelId: true } } } }),
  ]);
  const modelIds = [...new Set((section?.entries ?? []).map((e) => e.modelId))];
  // The listed models' runs, and demo runs of this manifest that failed (a failed run's model leaves the zoo).
  const runs =
    modelIds.length || state
      ? await db.registeredRun.findMany({
          where: {
            OR: [{ modelId: { in: modelIds } }, { state: 'failed', demoZooRun: { manifestCreatedAt: state?.manifestCreatedAt ?? '' } }],
          },
          orderBy: { createdAt: 'asc' },
          select: { name: true, state: true, failureReason: true, jobs: { select: { state: true, kind: true, deviceId: true } } },
        })
      : [];
  const jobs = runs.flatMap((r) => r.jobs);
  const deviceIds = [...new Set(jobs.filter((j) => j.kind === 'benchmark' && j.deviceId !== null).map((j) => j.deviceId!))];
  const devices = deviceIds.length
    ? await db.device.findMany({
        where: { id: { in: deviceIds } },
        select: { slug: true, cpuModel: true, logicalCores: true, threads: true, executionProvider: true, runtime: true },
        orderBy: { slug: 'asc' },
      })
    : [];
  return {
    checkedAt: state?.checkedAt ?? null,
    manifestPath: state?.manifestPath ?? null,
    manifestCreatedAt: state?.manifestCreatedAt ?? null,
    problem: state?.problem ?? null,
    models: modelIds.length,
    jobs: {
      total: jobs.length,
      done: jobs.filter((j) => j.state === 'done').length,
      failed: jobs.filter((j) => j.state === 'failed' || j.state === 'cancelled').length,
      active: jobs.filter((j) => j.state === 'queued' || j.state === 'running' || j.state === 'retrying').length,
    },
    failedRuns: runs.filter((r) => r.state === 'failed').map((r) => ({ name: r.name, reason: r.failureReason })),
    devices,
  };
}
