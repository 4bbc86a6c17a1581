/**
 * What a device is, in words, for headers and legends: `AMD EPYC 7B13 · 2 cores · 1 thread · CPU EP`.
 *
 * Measuring workers' devices (workers/device-registration.ts) are slugged by a fingerprint
 * (`d` + 16 hex of sha256(cpuModel, logicalCores, threads, executionProvider)); their stored profile names
 * them. Published devices (the seed's `tesla-p4-trt`, `kirin-970`, ...) have a name and a runtime:
 * `Tesla P4 · TensorRT (single GPU)`. The slug (fingerprint) stays available for tooltips and URLs.
 */

export interface DeviceForLabel {
  slug: string;
  name: string;
  runtime: string | null;
  threads: number | null;
  cpuModel: string | null;
  logicalCores: number | null;
  executionProvider: string | null;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function deviceLabel(d: DeviceForLabel): string {
  if (d.cpuModel) {
    const parts = [d.cpuModel.replace(/\s+/g, ' ').trim()];
    if (d.logicalCores !== null) parts.push(plural(d.logicalCores, 'core'));
    if (d.threads !== null) parts.push(plural(d.threads, 'thread'));
    if (d.executionProvider) parts.push(`${d.executionProvider.toUpperCase()} EP`);
    return parts.join(' · ');
  }
  const name = d.name.trim() || d.slug;
  return d.runtime && !name.includes(d.runtime) ? `${name} · ${d.runtime}` : name;
}

/**
 * Snake-case form of a label for CSV headers: accents dropped, lower case, runs of anything but a-z/0-9 become one `_`.
 * `AMD EPYC 7B13 · 2 cores · 1 thread · CPU EP` -> `amd_epyc_7b13_2_cores_1_thread_cpu_ep`.
 */
export function snakeCase(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
