import type { TMethod, TSource } from '@/lib/explorer/entry';

/** Colour per method (colour-blind-safe Okabe-Ito palette) and marker per source. */
export const METHOD_COLORS: Record<TMethod, string> = {
  baseline: '#555555',
  prune: '#0072B2',
  distill: '#009E73',
  prune_distill: '#CC79A7',
  quant: '#E69F00',
  nas: '#D55E00',
};

export const METHOD_LABELS: Record<TMethod, string> = {
  baseline: 'baseline',
  prune: 'prune',
  distill: 'distill',
  prune_distill: 'prune + distill',
  quant: 'quant',
  nas: 'NAS',
};

/** Font of every text in the chart (set on the SVG, used to measure labels, kept in exported files). */
export const CHART_FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** Marker radius in CSS pixels (a diamond's half-diagonal is 1.35x this). */
export const MARKER_R = 4.5;

/** SVG path of a marker centred on (cx, cy) with radius r: circle for published, diamond for measured. */
export function markerPath(source: TSource, cx: number, cy: number, r: number): string {
  if (source === 'measured') {
    const d = r * 1.35;
    return `M${cx},${cy - d}L${cx + d},${cy}L${cx},${cy + d}L${cx - d},${cy}Z`;
  }
  return `M${cx - r},${cy}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`;
}

export function modelHref(modelId: string): string {
  return `/models/${encodeURIComponent(modelId)}`;
}
