import { ZPairedLatencyResult } from '../measure/benchmark-paired';
import { formatRatioChange } from '../measure/paired-latency';

/**
 * What the model page shows for a measured latency whose benchmark also ran the paired protocol against the
 * declared baseline (lib/measure/benchmark-paired.ts, stored as `paired` in the benchmark's MeasuredResult):
 * the change of p50 with its 95 % interval, `−28.5 % [−30.1, −26.8]`. A change is coloured better or worse
 * only when it is significant AND the verdict is trusted (machine not flagged busy, full protocol); otherwise
 * it is neutral and says why. Returns null when the stored result has no valid paired block.
 */
export interface PairedLatencyView {
  /** candidate / baseline of the statistic, and its interval: < 1 means faster. */
  ratio: number;
  low: number;
  high: number;
  text: string;
  verdict: 'better' | 'worse' | 'neutral';
  /** Hover text: the baseline it was paired with, the CPU-time cross-check, and why a change is not coloured. */
  title: string;
  significant: boolean;
  trusted: boolean;
}

export function pairedLatencyView(storedMetrics: unknown): PairedLatencyView | null {
  const paired = (storedMetrics as { paired?: unknown } | null)?.paired;
  if (!paired) return null;
  const parsed = ZPairedLatencyResult.safeParse(paired);
  if (!parsed.success) return null;
  const r = parsed.data;
  const c = r.comparison;
  const text = formatRatioChange(c);
  const verdict = !c.significant || !r.verdictTrusted ? 'neutral' : c.ratio < 1 ? 'better' : 'worse';
  const baselineSlug = (paired as { baselineSlug?: unknown }).baselineSlug;
  const why = !r.verdictTrusted
    ? ` Not coloured: ${r.quick ? 'quick protocol' : `busy machine (${r.machineLoad.reasons.join('; ') || 'flagged'})`}.`
    : c.significant
      ? ''
      : ' Not coloured: the interval contains no change.';
  const against = typeof baselineSlug === 'string' ? baselineSlug : 'the baseline';
  const title =
    `Paired ${c.statistic} latency against ${against}, ABBA blocks in one process, ` +
    `${Math.round(c.confidence * 100)} % interval (${c.method}); CPU-time ratio ${formatRatioChange(r.cpuComparison)}.${why}`;
  return { ratio: c.ratio, low: c.ci[0], high: c.ci[1], text, verdict, title, significant: c.significant, trusted: r.verdictTrusted };
}
