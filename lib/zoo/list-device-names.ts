import type { Db } from '../db/client';
import { deviceName, type DeviceName } from './device-name';

/** Every device's display name by slug (lib/zoo/device-name.ts), for column headers and tooltips. */
export async function listDeviceNames(db: Db): Promise<Record<string, DeviceName>> {
  const devices = await db.device.findMany({
    select: { slug: true, name: true, runtime: true, cpuModel: true, logicalCores: true, threads: true, executionProvider: true },
  });
  return Object.fromEntries(devices.map((d) => [d.slug, deviceName(d)]));
}
