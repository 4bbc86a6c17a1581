'use client';

/**
 * Export the chart's <svg> (the frame: axes, ticks, grid, titles, legend) as a standalone SVG file or a
 * PNG (2x pixel density), and any text as a download. The SVG is cloned with a white background and explicit font so it renders the same
 * outside the page. On screen the data layer (markers, curves, arrows, frontier) is a canvas; the export
 * writes it into the clone's `g.sb-data-layer` as SVG elements (`dataLayerSvg`, from chartSceneSvg), so
 * both files carry every point as vectors.
 */

import { CHART_FONT_FAMILY } from './chart-style';

const SVG_NS = 'http://www.w3.org/2000/svg';

export function chartSvgMarkup(host: HTMLElement, dataLayerSvg: string): { markup: string; width: number; height: number } | null {
  const svg = host.querySelector('svg.sb-chart-svg');
  if (!svg) return null;
  const { width, height } = svg.getBoundingClientRect();
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(Math.round(width)));
  clone.setAttribute('height', String(Math.round(height)));
  clone.setAttribute('viewBox', `0 0 ${Math.round(width)} ${Math.round(height)}`);
  clone.setAttribute('font-family', CHART_FONT_FAMILY);
  clone.removeAttribute('style');
  // On screen the label points at the table below; a standalone file names itself with the chart title.
  const titleText = svg.querySelector('.sb-chart-title')?.textContent ?? '';
  clone.setAttribute('aria-label', titleText);
  const title = document.createElementNS(SVG_NS, 'title');
  title.textContent = titleText;
  const bg = document.createElementNS(SVG_NS, 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', '#ffffff');
  clone.insertBefore(bg, clone.firstChild);
  clone.insertBefore(title, clone.firstChild);
  const slot = clone.querySelector('g.sb-data-layer');
  if (slot && dataLayerSvg) {
    const doc = new DOMParser().parseFromString(`<svg xmlns="${SVG_NS}">${dataLayerSvg}</svg>`, 'image/svg+xml');
    for (const node of Array.from(doc.documentElement.childNodes)) slot.appendChild(document.importNode(node, true));
  }
  const markup = `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`;
  return { markup, width, height };
}

export function download(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadSvg(host: HTMLElement, dataLayerSvg: string, fileName: string): boolean {
  const svg = chartSvgMarkup(host, dataLayerSvg);
  if (!svg) return false;
  download(fileName, new Blob([svg.markup], { type: 'image/svg+xml' }));
  return true;
}

export async function downloadPng(host: HTMLElement, dataLayerSvg: string, fileName: string, scale = 2): Promise<boolean> {
  const svg = chartSvgMarkup(host, dataLayerSvg);
  if (!svg) return false;
  const img = new Image();
  const url = URL.createObjectURL(new Blob([svg.markup], { type: 'image/svg+xml' }));
  try {
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the chart SVG could not be rasterised'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(svg.width * scale);
    canvas.height = Math.round(svg.height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) return false;
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0, svg.width, svg.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) return false;
    download(fileName, blob);
    return true;
  } finally {
    URL.revokeObjectURL(url);
  }
}
