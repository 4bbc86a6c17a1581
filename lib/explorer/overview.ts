import type { TExplorerEntry } from './entry';

/**
 * Headline numbers for the landing page, counted from the entries:
 * models = distinct modelIds; variants = entries (model × input size); datasets and devices = distinct keys;
 * a model counts as measured when any of its entries is measured (source or any latency provenance).
 */
export type THeadline = {
  models: number;
  variants: number;
  datasets: string[];
  devices: Array<{ device: string; deviceLabel: string }>;
  publishedModels: number;
  measuredModels: number;
};

export function headlineNumbers(entries: readonly TExplorerEntry[]): THeadline {
  const models = new Map<string, boolean>();
  const datasets = new Set<string>();
  const devices = new Map<string, string>();
  for (const e of entries) {
    const measured = e.source === 'measured';
    models.set(e.modelId, (models.get(e.modelId) ?? false) || measured);
    datasets.add(e.dataset);
    for (const l of e.latency) if (!devices.has(l.device)) devices.set(l.device, l.deviceLabel);
  }
  let measuredModels = 0;
  for (const m of models.values()) if (m) measuredModels++;
  return {
    models: models.size,
    variants: entries.length,
    datasets: [...datasets],
    devices: [...devices].map(([device, deviceLabel]) => ({ device, deviceLabel })),
    publishedModels: models.size - measuredModels,
    measuredModels,
  };
}
