/**
 * Devices named by what they are. A measuring worker's device is a fingerprint (`d` + 16 hex of its
 * CPU model, logical cores, threads and execution provider: workers/device-registration.ts); pages show
 * `AMD EPYC 7B13 · 2 cores · 1 thread · CPU EP` and keep the fingerprint one hover away (`title`).
 * Published devices (Tesla P4, Kirin 970, ...) keep their name and runtime.
 */

export interface DeviceFacts {
  slug: string;
  name: string;
  runtime?: string | null;
  cpuModel?: string | null;
  logicalCores?: number | null;
  threads?: number | null;
  executionProvider?: string | null;
}

export interface DeviceName {
  /** Short human name: `AMD EPYC 7B13 · 2 cores · 1 thread · CPU EP`, or `Tesla P4 (TensorRT)`. */
  label: string;
  /** Tooltip: the fingerprint and the full description. */
  title: string;
}

/** A worker device's slug: `d` + 16 hex. */
export const DEVICE_FINGERPRINT = /^d[0-9a-f]{16}$/;

/**
 * A CPU model as the OS reports it, without the marketing noise:
 * `AMD EPYC 7B13 64-Core Processor` -> `AMD EPYC 7B13`,
 * `Intel(R) Xeon(R) CPU @ 2.20GHz` -> `Intel Xeon`, `Intel(R) Core(TM) i7-9750H CPU @ 2.60GHz` -> `Intel Core i7-9750H`.
 */
export function shortCpuName(cpuModel: string): string {
  const s = cpuModel
    .replace(/\((R|TM|tm|r)\)/g, '')
    .replace(/@\s*[\d.]+\s*[GM]Hz/i, '')
    .replace(/\b\d+-Core\b/gi, '')
    .replace(/\b(CPU|Processor|with Radeon [\w ]+Graphics)\b/gi, '')
    .replace(/\s+/g, ' ')
    .trim();
  return s === '' ? cpuModel.trim() || 'unknown CPU' : s;
}

/** `cpu` -> `CPU EP`, `cuda` -> `CUDA EP`, `cpu+cuda` -> `CPU+CUDA EP`. */
export function executionProviderLabel(ep: string): string {
  return `${ep.trim().toUpperCase()} EP`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function deviceName(d: DeviceFacts): DeviceName {
  if (d.cpuModel) {
    const parts = [shortCpuName(d.cpuModel)];
    if (d.logicalCores) parts.push(plural(d.logicalCores, 'core'));
    if (d.threads) parts.push(plural(d.threads, 'thread'));
    if (d.executionProvider) parts.push(executionProviderLabel(d.executionProvider));
    const label = parts.join(' · ');
    const facts = [
      d.cpuModel,
      d.logicalCores ? `${d.logicalCores} logical cores` : null,
      d.threads ? plural(d.threads, 'intra-op thread') : null,
      d.runtime,
    ];
    const title = `device ${d.slug}: ${facts.filter(Boolean).join(', ')}`;
    return { label, title };
  }
  const label = d.runtime && !d.name.includes(d.runtime) ? `${d.name} (${d.runtime})` : d.name;
  return { label, title: `device ${d.slug}` };
}

/** A device known only by its slug (no row): a fingerprint stays one, shortened, with the full id in the title. */
export function unknownDeviceName(slug: string): DeviceName {
  return DEVICE_FINGERPRINT.test(slug)
    ? { label: `device ${slug.slice(0, 7)}…`, title: `device ${slug}` }
    : { label: slug, title: `device ${slug}` };
}
