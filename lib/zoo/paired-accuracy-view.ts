import { ZPairedAccuracy } from '../runs/paired-accuracy-schema';

/**
 * What the zoo, the model page and the CSV show for a measured accuracy whose evaluation was paired with the
 * declared baseline's (lib/runs/paired-accuracy.ts, stored as `pairedAccuracy` in the evaluate MeasuredResult):
 * ΔAP in percentage points with its 95 % paired-bootstrap interval, `ΔAP −0.4 [−0.9, +0.1]`. Coloured better or
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

/** `AP` (COCO box AP) is the zoo's accuracy metric; AP50 and AP75 are in the stored result too. */
export function pairedAccuracyView(storedMetrics: unknown, metric: 'AP' | 'AP50' | 'AP75' = 'AP'): PairedAccuracyView | null {
  const raw = (storedMetrics as { pairedAccuracy?: unknown } | null)?.pairedAccuracy;
  if (!raw) return null;
  const parsed = ZPairedAccuracy.safeParse(raw);
  if (!parsed.success) return null;
  const p = parsed.data;
  const d = p.comparison.metrics[metric];
  if (!d || d.delta === null || d.lower === null || d.upper === null) return null;
  const [delta, low, high] = [d.delta * 100, d.lower * 100, d.upper * 100];
  const label = metric === 'AP' ? 'ΔAP' : `Δ${metric}`;
  const interval = `[${formatSignedPoints(low)}, ${formatSignedPoints(high)}]`;
  const text = `${label} ${formatSignedPoints(delta)} ${interval}${d.significant ? '' : ' (not significant)'}`;
  const verdict = !d.significant ? 'neutral' : delta > 0 ? 'better' : 'worse';
  const c = p.comparison;
  const title =
    `Paired bootstrap over ${c.images} images against ${p.baselineSlug} (same images resampled for both, ${c.resamples} resamples, ` +
    `seed ${c.seed}), ${Math.round(c.confidence * 100)} % percentile interval; ${metric} ${(d.candidate * 100).toFixed(2)} vs ` +
    `${(d.baseline * 100).toFixed(2)}: ${formatSignedPoints(delta, 2)} ` +
    `[${formatSignedPoints(low, 2)}, ${formatSignedPoints(high, 2)}] points.` +
    (d.significant ? '' : ' Not coloured: the interval contains no change.');
  return { delta, low, high, text, verdict, title, significant: d.significant };
}
