import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import type pg from 'pg';

/**
 * A worker's device profile: what a latency number depends on besides the model. The id is derived
 * from the profile (same CPU model, cores, threads and execution provider -> same device), so two
 * identical hosts share a device row and a latency column, like the seed's per-device columns.
 */
export interface DeviceProfile {
  /** Slug of the Device row: `d` + 16 hex of sha256(cpuModel, logicalCores, threads, executionProvider). */
  id: string;
  cpuModel: string;
  logicalCores: number;
  threads: number;
  executionProvider: string;
  hostname: string;
  ortVersion: string;
  nodeVersion: string;
}

function onnxruntimeNodeVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function describeDevice(threads: number): DeviceProfile {
  const cpus = os.cpus();
  const cpuModel = (cpus[0]?.model ?? 'unknown').replace(/\s+/g, ' ').trim();
  const logicalCores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length;
  const executionProvider = 'cpu';
  const id =
    'd' +
    createHash('sha256')
      .update(JSON.stringify([cpuModel, logicalCores, threads, executionProvider]))
      .digest('hex')
      .slice(0, 16);
  return {
    id,
    cpuModel,
    logicalCores,
    threads,
    executionProvider,
    hostname: os.hostname(),
    ortVersion: onnxruntimeNodeVersion(),
    nodeVersion: process.versions.node,
  };
}

/**
 * Upsert the zoo's Device row for this profile (slug = profile id; idempotent; refreshes lastSeenAt).
 * Returns the row id that latency Measurements and RunJob.deviceId point to.
 */
export async function registerDevice(db: Pick<pg.Pool, 'query'>, d: DeviceProfile): Promise<number> {
  const name = `${d.cpuModel} (${d.logicalCores} cores, ${d.threads} thread${d.threads === 1 ? '' : 's'})`;
  const r = await db.query(
    `INSERT INTO "Device" (slug, name, runtime, threads, notes, "cpuModel", "logicalCores", "executionProvider", hostname, "lastSeenAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
     ON CONFLICT (slug) DO UPDATE SET runtime = EXCLUDED.runtime, notes = EXCLUDED.notes, hostname = EXCLUDED.hostname, "lastSeenAt" = now()
     RETURNING id`,
    [
      d.id,
      name,
      `onnxruntime-node ${d.ortVersion} (${d.executionProvider})`,
      d.threads,
      `registered by a Slimboard worker (Node ${d.nodeVersion})`,
      d.cpuModel,
      d.logicalCores,
      d.executionProvider,
      d.hostname,
    ],
  );
  return r.rows[0].id as number;
}
