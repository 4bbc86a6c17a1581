import { columnInfo } from '@/lib/zoo/columns';
import { DEVICE_FINGERPRINT, type DeviceName } from '@/lib/zoo/device-name';
import { metricOfColumn } from '@/lib/zoo/metrics';

/**
 * A zoo column's header: latency columns of measuring workers are named by their device
 * (`Latency p50 (ms) · AMD EPYC 7B13 · 2 cores · 1 thread · CPU EP`), the fingerprint in `title`.
 */
export function columnLabel(id: string, deviceNames: Record<string, DeviceName>): { text: string; title?: string } {
  const metric = metricOfColumn(id);
  const device = metric?.kind === 'latency_ms' && metric.deviceSlug ? deviceNames[metric.deviceSlug] : undefined;
  if (device && DEVICE_FINGERPRINT.test(metric!.deviceSlug!)) return { text: `Latency p50 (ms) · ${device.label}`, title: device.title };
  return { text: columnInfo(id).label, title: device?.title };
}
