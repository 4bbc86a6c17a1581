'use client';

import { estimateTextWidth, type TTextMeasure } from '@/lib/explorer/chart-layout';
import { CHART_FONT_FAMILY } from './chart-style';

/**
 * Text widths for the chart layout from canvas measureText in the chart's own font: no DOM node, no
 * style recalculation or reflow. Each (font, text) pair is measured once and cached (tick labels and
 * legend entries repeat across axis changes). Falls back to the fixed estimate where no 2D canvas exists.
 */
let ctx: CanvasRenderingContext2D | null | undefined;
const cache = new Map<string, number>();

export const measureChartText: TTextMeasure = (text, fontPx, bold = false) => {
  const font = `${bold ? '600 ' : ''}${fontPx}px ${CHART_FONT_FAMILY}`;
  const key = `${font}\u0000${text}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  if (ctx === undefined) ctx = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
  let w: number;
  if (ctx) {
    ctx.font = font;
    w = ctx.measureText(text).width;
  } else {
    w = estimateTextWidth(text, fontPx, bold);
  }
  if (cache.size > 2000) cache.clear();
  cache.set(key, w);
  return w;
};
