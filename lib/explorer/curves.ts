import type { TPoint } from './points';

/**
 * Input-size curves: the same model (same weights) evaluated at several input sizes (320/416/608),
 * joined by a line so scaling reads as a curve. One curve per model with at least two drawn points,
 * its points ordered by input size ascending. Models with a single point get no curve.
 */
export type TInputSizeCurve = { modelId: string; points: TPoint[] };

export function inputSizeCurves(points: readonly TPoint[]): TInputSizeCurve[] {
  const byModel = new Map<string, TPoint[]>();
  for (const p of points) {
    const list = byModel.get(p.modelId);
    if (list) list.push(p);
    else byModel.set(p.modelId, [p]);
  }
  const curves: TInputSizeCurve[] = [];
  for (const [modelId, list] of byModel) {
    if (list.length < 2) continue;
    curves.push({ modelId, points: [...list].sort((a, b) => a.inputSize - b.inputSize) });
  }
  return curves;
}

/** Arrows from each compressed point to its declared baseline's point at the same input size (both drawn). */
export type TBaselineArrow = { from: TPoint; to: TPoint };

export function baselineArrows(points: readonly TPoint[]): TBaselineArrow[] {
  const byKey = new Map(points.map((p) => [p.key, p]));
  const arrows: TBaselineArrow[] = [];
  for (const p of points) {
    if (p.baselineKey === null) continue;
    const to = byKey.get(p.baselineKey);
    if (to && to !== p) arrows.push({ from: p, to });
  }
  return arrows;
}
