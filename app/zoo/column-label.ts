import { columnInfo } from '@/lib/zoo/columns';
import { DEVICE_FINGERPRINT, unknownDeviceName, type DeviceName } from '@/lib/zoo/device-name';
import { metricOfColumn } from '@/lib/zoo/metrics';

/**
 * A zoo column's header: latency columns of measuring workers are named by their device
 * (`Latency p50 (ms) · AMD EPYC 7B13 · 2 cores · 1 thread · CPU EP`), the fingerprint in `title`.
 */
export function columnLabel(id: string, deviceNames: Record<string, DeviceName>): { text: string; title?: string } {
  const metric = metricOfColumn(id);
  const slug = metric?.kind === 'latency_ms' ? metric.deviceSlug : null;
  if (slug && DEVICE_FINGERPRINT.test(slug)) {
    const device = deviceNames[slug] ?? unknownDeviceName(slug);
    return { text: `Latency p50 (ms) · ${device.label}`, title: device.title };
  }
  return { text: columnInfo(id).label, title: slug ? deviceNames[slug]?.title : undefined };
}
