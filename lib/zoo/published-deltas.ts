import { paddleDetectionSlimCatalog } from '../../prisma/seed/paddledetection-slim';
import { SlimboardError } from '../errors';
import { computeDelta, type Delta, type TVerdict } from './delta';
import { checkPrintedDelta, deltaInterval, formatDeltaInterval, parsePrintedDelta } from './delta-interval';
import { formatDelta } from './format';
import { cellColumnId, METRICS, metricOfColumn, type TMetricKind } from './metrics';
import type { TDeltaView } from './row';
import type { TSeedCatalog } from './seed-schema';

/**
 * Deltas as the zoo shows them. A source's printed delta is shown as printed when it lies in the interval
 * its two printed numbers allow (lib/zoo/delta-interval.ts): the source may have computed it from unrounded
 * numbers, so it can be more exact than anything computed from the rounded ones (VOC r578 GFLOPs prints
 * -69.57 %; the graphs' exact GFLOPs give -69.570 %, the rounded 6.15 / 20.20 only -69.55 %). Only a printed
 * delta outside its interval is replaced by the computed one and flagged (`check.consistent === false`).
 * Measured numbers are unrounded; their deltas are computed from them (`computed_unrounded`).
 *
 * Printed deltas are declared data of the catalogs (prisma/seed/*.ts, `deltas` per row, as printed), looked
 * up by source, model, column and input size: a delta belongs to a model's number at one scope, so the same
 * number printed in several tables carries one delta (different printings are a catalog conflict).
 */

/** A number as stored: printed with `decimals`, or unrounded (`decimals: null`, measured). */
export interface StoredNumber {
  value: number;
  decimals: number | null;
}

function verdictOf(metric: TMetricKind, value: number): TVerdict {
  if (value === 0) return 'same';
  return value > 0 === METRICS[metric].higherIsBetter ? 'better' : 'worse';
}

function computedView(delta: Delta, origin: TDeltaView['origin'], check: TDeltaView['check']): TDeltaView {
  return { ...delta, text: formatDelta(delta), origin, check };
}

/**
 * The delta to show for `value` against `baseline`, given the source's printed delta if it prints one.
 * Null when no delta is defined (a relative change from zero, a non-finite number).
 */
export function resolveDelta(metric: TMetricKind, value: StoredNumber, baseline: StoredNumber, printed?: string): TDeltaView | null {
  const info = METRICS[metric];
  const unrounded = value.decimals === null && baseline.decimals === null;
  const v = { value: value.value, decimals: value.decimals ?? info.defaultDecimals };
  const b = { value: baseline.value, decimals: baseline.decimals ?? info.defaultDecimals };
  const computed = computeDelta(metric, v, b, { unrounded });
  // A printed delta goes with two printed numbers; next to an unrounded one there is nothing to check it against.
  if (printed === undefined || value.decimals === null || baseline.decimals === null) {
    return computed && computedView(computed, unrounded ? 'computed_unrounded' : 'computed', null);
  }
  const parsed = parsePrintedDelta(printed);
  const interval = parsed && parsed.kind === info.deltaKind ? deltaInterval(info.deltaKind, v, b) : null;
  if (!parsed || !interval) {
    return computed && computedView(computed, 'computed', { printed, consistent: false, nearest: false, interval: null });
  }
  const c = checkPrintedDelta(interval, parsed);
  const check = {
    printed,
    consistent: c.consistent,
    nearest: c.nearest,
    interval: { low: c.low, high: c.high, decimals: c.decimals, text: formatDeltaInterval(info.deltaKind, c) },
  };
  if (!c.consistent) return computed && computedView(computed, 'computed', check);
  const verdict = verdictOf(metric, parsed.value);
  return { kind: parsed.kind, value: parsed.value, decimals: parsed.decimals, verdict, text: printed, origin: 'published', check };
}

/** A stored number with its scope; `sourceSlug` is the reporting source (null for measured numbers). */
export interface StoredMeasurement extends StoredNumber {
  metric: TMetricKind;
  inputSize: number | null;
  deviceSlug: string | null;
  sourceSlug: string | null;
}

/** The delta to show for a model's number against its baseline's, with the source's printed delta looked up. */
export function shownDelta(
  modelSlug: string,
  m: StoredMeasurement,
  baseline: StoredNumber,
  index: PrintedDeltaIndex = SHIPPED_PRINTED_DELTAS,
): TDeltaView | null {
  const printed = m.sourceSlug ? index.get(m.sourceSlug, modelSlug, cellColumnId(m.metric, m.deviceSlug), m.inputSize) : undefined;
  return resolveDelta(m.metric, m, baseline, printed);
}

export interface PrintedDeltaIndex {
  /** The printed delta of a model's number at a scope (`inputSize` null for size-independent metrics), if any. */
  get(sourceSlug: string, modelSlug: string, columnId: string, inputSize: number | null): string | undefined;
  size: number;
}

/** Index the catalogs' printed deltas; two different printings of one delta are a conflict. */
export function indexPrintedDeltas(catalogs: TSeedCatalog[]): PrintedDeltaIndex {
  const map = new Map<string, { printed: string; where: string }>();
  const keyOf = (source: string, model: string, column: string, size: number | null) => JSON.stringify([source, model, column, size]);
  for (const c of catalogs) {
    for (const s of c.sections) {
      s.rows.forEach((r, i) => {
        for (const [column, printed] of Object.entries(r.deltas ?? {})) {
          const where = `${s.slug} row ${i + 1}`;
          const metric = metricOfColumn(column);
          if (!metric) throw new SlimboardError('bad_catalog', `${where}: printed delta for unknown column "${column}"`);
          const key = keyOf(c.source.slug, r.model, column, METRICS[metric.kind].perInputSize ? r.inputSize : null);
          const prev = map.get(key);
          if (prev && prev.printed !== printed) {
            const both = `printed as ${prev.printed} (${prev.where}) and as ${printed} (${where})`;
            throw new SlimboardError('catalog_conflict', `model ${r.model}: the ${column} delta is ${both}`);
          }
          if (!prev) map.set(key, { printed, where });
        }
      });
    }
  }
  return { get: (source, model, column, size) => map.get(keyOf(source, model, column, size))?.printed, size: map.size };
}

/** The printed deltas of the catalogs Slimboard ships (the seed). */
export const SHIPPED_PRINTED_DELTAS: PrintedDeltaIndex = indexPrintedDeltas([paddleDetectionSlimCatalog]);
