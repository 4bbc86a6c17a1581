import { SlimboardError } from '../errors';
import type { TExplorerQuantity } from '../zoo/number-format';
import { COST_AXIS_INFO, METRIC_INFO } from './axes';
import { METRIC_KEYS, type TExplorerEntry, type TLatency } from './entry';

/**
 * Side-by-side comparison of 2 to 6 models: one row per (quantity, input size[, device, statistic]) that
 * at least one of the models has, one cell per model in the order given. Deltas are against the FIRST
 * model (the reference):
 *   accuracy rows: delta = value - reference           (percentage points, higher is better)
 *   cost rows:     delta = value - reference, deltaPct = delta / reference * 100  (lower is better)
 * A cell without a value, or a reference without one, has null deltas.
 */

export type TCompareCell = { value: number | null; delta: number | null; deltaPct: number | null; better: boolean | null };

export type TCompareRow = {
  group: 'accuracy' | 'cost' | 'latency';
  /** What the row's numbers are, for the page's formatter (lib/zoo/number-format.ts). */
  quantity: TExplorerQuantity;
  label: string;
  unit: string;
  inputSize: number;
  device: string | null;
  higherIsBetter: boolean;
  cells: TCompareCell[];
};

type TModelEntries = { modelId: string; entries: TExplorerEntry[] };

function cellsFor(values: Array<number | null>, higherIsBetter: boolean): TCompareCell[] {
  const ref = values[0];
  return values.map((value, i) => {
    if (i === 0 || value === null || ref === null) return { value, delta: null, deltaPct: null, better: null };
    const delta = value - ref;
    return {
      value,
      delta,
      deltaPct: ref !== 0 ? (delta / ref) * 100 : null,
      better: delta === 0 ? null : higherIsBetter ? delta > 0 : delta < 0,
    };
  });
}

const LATENCY_STATS = [
  ['reportedMs', 'reported'],
  ['p50Ms', 'p50'],
  ['p90Ms', 'p90'],
  ['p99Ms', 'p99'],
  ['meanMs', 'mean'],
] as const satisfies ReadonlyArray<readonly [keyof TLatency, string]>;

/** The compare picker's options: one per model (published and measured), in entry order. */
export function compareChoices(
  entries: readonly TExplorerEntry[],
): Array<{ id: string; name: string; dataset: string; source: TExplorerEntry['source'] }> {
  const seen = new Map<string, { id: string; name: string; dataset: string; source: TExplorerEntry['source'] }>();
  for (const e of entries)
    if (!seen.has(e.modelId)) seen.set(e.modelId, { id: e.modelId, name: e.name, dataset: e.dataset, source: e.source });
  return [...seen.values()];
}

/** Group entries by model in the order of `modelIds`; every id must have at least one entry. */
export function groupForCompare(entries: readonly TExplorerEntry[], modelIds: readonly string[]): TModelEntries[] {
  return modelIds.map((modelId) => {
    const list = entries.filter((e) => e.modelId === modelId).sort((a, b) => b.inputSize - a.inputSize);
    if (list.length === 0) throw new SlimboardError('unknown_model', `compare: no model "${modelId}"`, { status: 404 });
    return { modelId, entries: list };
  });
}

export function compareRows(models: readonly TModelEntries[]): TCompareRow[] {
  const sizes = [...new Set(models.flatMap((m) => m.entries.map((e) => e.inputSize)))].sort((a, b) => b - a);
  const at = (m: TModelEntries, size: number) => m.entries.find((e) => e.inputSize === size) ?? null;
  const rows: TCompareRow[] = [];
  const push = (row: Omit<TCompareRow, 'cells'>, values: Array<number | null>) => {
    if (values.some((v) => v !== null)) rows.push({ ...row, cells: cellsFor(values, row.higherIsBetter) });
  };
  for (const metric of METRIC_KEYS) {
    for (const size of sizes) {
      push(
        {
          group: 'accuracy',
          quantity: 'accuracy',
          label: METRIC_INFO[metric].label,
          unit: METRIC_INFO[metric].unit,
          inputSize: size,
          device: null,
          higherIsBetter: true,
        },
        models.map((m) => at(m, size)?.accuracy[metric] ?? null),
      );
    }
  }
  const costs = [
    ['gflops', (e: TExplorerEntry) => e.gflops],
    ['params', (e: TExplorerEntry) => e.paramsM],
    ['size', (e: TExplorerEntry) => e.sizeMB],
  ] as const;
  for (const [axis, get] of costs) {
    for (const size of sizes) {
      const info = COST_AXIS_INFO[axis];
      push(
        { group: 'cost', quantity: axis, label: info.label, unit: info.unit, inputSize: size, device: null, higherIsBetter: false },
        models.map((m) => {
          const e = at(m, size);
          return e ? get(e) : null;
        }),
      );
    }
  }
  const devices = new Map<string, string>();
  for (const m of models)
    for (const e of m.entries) for (const l of e.latency) if (!devices.has(l.device)) devices.set(l.device, l.deviceLabel);
  for (const [device, deviceLabel] of devices) {
    for (const size of sizes) {
      for (const [field, statLabel] of LATENCY_STATS) {
        push(
          {
            group: 'latency',
            quantity: 'latency',
            label: `Latency ${statLabel}, ${deviceLabel}`,
            unit: 'ms/image',
            inputSize: size,
            device,
            higherIsBetter: false,
          },
          models.map((m) => {
            const l = at(m, size)?.latency.find((x) => x.device === device);
            const v = l ? l[field] : null;
            return typeof v === 'number' ? v : null;
          }),
        );
      }
    }
  }
  return rows;
}
