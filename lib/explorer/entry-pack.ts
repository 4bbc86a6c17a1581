import type { TExplorerEntry, TLatency, TMethod, TSource } from './entry';

/**
 * The explorer's entries as the server sends them to the browser: a lossless, smaller form of TExplorerEntry[].
 *
 * A chart of 2,000 entries was 1.4 MB of React Server Components payload (and the same again inside the page's HTML),
 * most of it the same strings over and over: provenance, the GFLOPs convention, device labels, model ids repeated as
 * baselines. Here every string field's value is stored once in `strings` and each entry is a tuple that refers to it
 * by index; numbers, the teacher, lineage parameters, accuracies, intervals and samples travel as they are.
 *
 * Conventions:
 * - the tuple order is the one of PackedEntry and PackedLatency below; an optional field that is absent
 *   (`accuracyIntervals`, a latency's `paired`) is packed as null and is absent again after unpacking;
 * - unpacking gives new objects; the verbatim parts (teacher, strategyParams, accuracy, accuracyIntervals,
 *   samplesMs, paired) are shared with the packed value, so neither must be mutated.
 */

/** One latency: [device, deviceLabel, source, reportedMs, p50Ms, p90Ms, p99Ms, meanMs, samplesMs, provenance, paired]. */
type PackedLatency = [
  number,
  number,
  number,
  TLatency['reportedMs'],
  TLatency['p50Ms'],
  TLatency['p90Ms'],
  TLatency['p99Ms'],
  TLatency['meanMs'],
  TLatency['samplesMs'],
  number,
  NonNullable<TLatency['paired']> | null,
];

/**
 * One entry: [modelId, name, family, backbone, dataset, method, strategy, pretraining, teacher, strategyParams, source,
 * provenance, baselineModelId, inputSize, gflops, gflopsConvention, paramsM, sizeMB, accuracy, accuracyIntervals,
 * latency]. A string field is its index in `strings` (null stays null).
 */
type PackedEntry = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number | null,
  TExplorerEntry['teacher'],
  TExplorerEntry['strategyParams'],
  number,
  number,
  number | null,
  number,
  TExplorerEntry['gflops'],
  number | null,
  TExplorerEntry['paramsM'],
  TExplorerEntry['sizeMB'],
  TExplorerEntry['accuracy'],
  NonNullable<TExplorerEntry['accuracyIntervals']> | null,
  PackedLatency[],
];

export interface TPackedExplorerEntries {
  /** Every string field's value, once. */
  strings: string[];
  /** One tuple per entry, in the entries' order. */
  rows: PackedEntry[];
}

export function packExplorerEntries(entries: readonly TExplorerEntry[]): TPackedExplorerEntries {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const s = (v: string): number => {
    let i = index.get(v);
    if (i === undefined) {
      i = strings.push(v) - 1;
      index.set(v, i);
    }
    return i;
  };
  const sn = (v: string | null): number | null => (v === null ? null : s(v));
  const rows = entries.map((e): PackedEntry => [
    s(e.modelId),
    s(e.name),
    s(e.family),
    s(e.backbone),
    s(e.dataset),
    s(e.method),
    s(e.strategy),
    sn(e.pretraining),
    e.teacher,
    e.strategyParams,
    s(e.source),
    s(e.provenance),
    sn(e.baselineModelId),
    e.inputSize,
    e.gflops,
    sn(e.gflopsConvention),
    e.paramsM,
    e.sizeMB,
    e.accuracy,
    e.accuracyIntervals ?? null,
    e.latency.map((l): PackedLatency => [
      s(l.device),
      s(l.deviceLabel),
      s(l.source),
      l.reportedMs,
      l.p50Ms,
      l.p90Ms,
      l.p99Ms,
      l.meanMs,
      l.samplesMs,
      s(l.provenance),
      l.paired ?? null,
    ]),
  ]);
  return { strings, rows };
}

/** The entries packExplorerEntries packed (a packed value that names a string it does not hold is refused). */
export function unpackExplorerEntries(packed: TPackedExplorerEntries): TExplorerEntry[] {
  const { strings } = packed;
  const s = (i: number): string => {
    const v = strings[i];
    if (v === undefined) throw new Error(`packed explorer entries refer to string ${i}, but hold ${strings.length}`);
    return v;
  };
  const sn = (i: number | null): string | null => (i === null ? null : s(i));
  return packed.rows.map((r): TExplorerEntry => {
    const [modelId, name, family, backbone, dataset, method, strategy, pretraining, teacher, strategyParams, source, provenance] = r;
    const [, , , , , , , , , , , , baselineModelId, inputSize, gflops, gflopsConvention, paramsM, sizeMB, accuracy, intervals, latency] = r;
    const entry: TExplorerEntry = {
      modelId: s(modelId),
      name: s(name),
      family: s(family),
      backbone: s(backbone),
      dataset: s(dataset),
      method: s(method) as TMethod,
      strategy: s(strategy),
      pretraining: sn(pretraining),
      teacher,
      strategyParams,
      source: s(source) as TSource,
      provenance: s(provenance),
      baselineModelId: sn(baselineModelId),
      inputSize,
      gflops,
      gflopsConvention: sn(gflopsConvention),
      paramsM,
      sizeMB,
      accuracy,
      latency: latency.map((l): TLatency => {
        const [device, deviceLabel, lSource, reportedMs, p50Ms, p90Ms, p99Ms, meanMs, samplesMs, lProvenance, paired] = l;
        const out: TLatency = {
          device: s(device),
          deviceLabel: s(deviceLabel),
          source: s(lSource) as TSource,
          reportedMs,
          p50Ms,
          p90Ms,
          p99Ms,
          meanMs,
          samplesMs,
          provenance: s(lProvenance),
        };
        if (paired !== null) out.paired = paired;
        return out;
      }),
    };
    if (intervals !== null) entry.accuracyIntervals = intervals;
    return entry;
  });
}

const packedOf = new WeakMap<readonly TExplorerEntry[], TPackedExplorerEntries>();

/**
 * packExplorerEntries, once per array: the pages pass the same cached array (lib/zoo/zoo-cache.ts) to every request
 * of a zoo version. The array must not change after its first packing.
 */
export function packedExplorerEntries(entries: readonly TExplorerEntry[]): TPackedExplorerEntries {
  let p = packedOf.get(entries);
  if (!p) {
    p = packExplorerEntries(entries);
    packedOf.set(entries, p);
  }
  return p;
}
