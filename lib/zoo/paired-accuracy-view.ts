import { ZPairedAccuracy, type TPairedAccuracy } from '../runs/paired-accuracy-schema';
import type { TMetricKind } from './metrics';

/**
 * What the zoo, the model page and the CSV show for a measured accuracy whose evaluation was paired with the
 * declared baseline's (lib/runs/paired-accuracy.ts, stored as `pairedAccuracy` in the evaluate MeasuredResult), for
 * COCO, VOC and WIDER FACE: ΔAP in percentage points with its 95 % paired-bootstrap interval, `ΔAP −0.4 [−0.9, +0.1]`. Coloured better or
 * worse only when the interval excludes 0 (detections are deterministic: no busy-machine caveat). Returns null
 * when the stored result has no valid paired block or the metric's delta is undefined (no ground truth).
 */
export interface PairedAccuracyView {
  /** candidate − baseline in points (AP × 100), and its interval. */
  delta: number;
  low: number;
  high: number;
  text: string;
  verdict: 'better' | 'worse' | 'neutral';
  /** Hover text: the baseline, the method, and the full-data APs. */
  title: string;
  significant: boolean;
}

const MINUS = '\u2212';

/** `+0.4`, `−0.9`, `+0.0` (one decimal, as the seed prints AP; never `−0.0`). */
export function formatSignedPoints(value: number, decimals = 1): string {
  const scale = 10 ** decimals;
  const rounded = Math.round(Math.abs(value) * scale) / scale;
  if (rounded === 0) return `+${(0).toFixed(decimals)}`;
  return `${value < 0 ? MINUS : '+'}${rounded.toFixed(decimals)}`;
}

/**
 * The comparison key (lib/runs/paired-accuracy.ts) behind each accuracy metric the zoo shows, and the delta's label:
 * COCO box AP is `AP` (AP50 and AP75 are in the stored comparison too), VOC mAP is `mAP`, WIDER FACE's settings are
 * `easy`, `medium`, `hard`.
 */
export const PAIRED_ACCURACY_KEYS: Partial<Record<TMetricKind, { key: string; label: string }>> = {
  box_ap: { key: 'AP', label: 'ΔAP' },
  voc_map: { key: 'mAP', label: 'ΔmAP' },
  wider_easy: { key: 'easy', label: 'ΔAP' },
  wider_medium: { key: 'medium', label: 'ΔAP' },
  wider_hard: { key: 'hard', label: 'ΔAP' },
};

/** The valid `pairedAccuracy` block of a stored evaluate result, or null. Parse once per result, view per metric. */
export function storedPairedAccuracy(storedMetrics: unknown): TPairedAccuracy | null {
  const raw = (storedMetrics as { pairedAccuracy?: unknown } | null)?.pairedAccuracy;
  if (!raw) return null;
  const parsed = ZPairedAccuracy.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** The paired view of one accuracy number: `metric` is a zoo metric kind, or a comparison key (`AP50`, `AP75`, …). */
export function pairedAccuracyView(storedMetrics: unknown, metric: string = 'box_ap'): PairedAccuracyView | null {
  const p = storedPairedAccuracy(storedMetrics);
  return p && pairedAccuracyViewOf(p, metric);
}

/** pairedAccuracyView of an already parsed block (storedPairedAccuracy). */
export function pairedAccuracyViewOf(p: TPairedAccuracy, metric: string = 'box_ap'): PairedAccuracyView | null {
  const named = PAIRED_ACCURACY_KEYS[metric as TMetricKind];
  const key = named?.key ?? metric;
  const label = named?.label ?? `Δ${metric}`;
  const d = p.comparison.metrics[key];
  if (!d || d.delta === null || d.lower === null || d.upper === null) return null;
  const [delta, low, high] = [d.delta * 100, d.lower * 100, d.upper * 100];
  const interval = `[${formatSignedPoints(low)}, ${formatSignedPoints(high)}]`;
  const text = `${label} ${formatSignedPoints(delta)} ${interval}${d.significant ? '' : ' (not significant)'}`;
  const verdict = !d.significant ? 'neutral' : delta > 0 ? 'better' : 'worse';
  const c = p.comparison;
  const title =
    `Paired bootstrap over ${c.images} images against ${p.baselineSlug} (same images resampled for both, ${c.resamples} resamples, ` +
    `seed ${c.seed}), ${Math.round(c.confidence * 100)} % percentile interval; ${key} ${(d.candidate * 100).toFixed(2)} vs ` +
    `${(d.baseline * 100).toFixed(2)}: ${formatSignedPoints(delta, 2)} ` +
    `[${formatSignedPoints(low, 2)}, ${formatSignedPoints(high, 2)}] points.` +
    (d.significant ? '' : ' Not coloured: the interval contains no change.');
  return { delta, low, high, text, verdict, title, significant: d.significant };
}
