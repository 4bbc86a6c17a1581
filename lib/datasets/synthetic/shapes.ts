/**
 * The object classes of the synthetic shapes dataset and their geometry.
 *
 * Every shape is described in its own normalised frame: (u, v) in [-1, 1]^2 covers the shape's
 * unrotated bounding box, u to the right, v downwards. `insideShape` answers "is this point on the
 * shape" with + - * / only, so the answer is the same on every machine.
 */

/** Class names in category-id order (COCO category id = index + 1). */
export const SHAPE_CLASSES = ['ellipse', 'rectangle', 'triangle', 'star', 'ring', 'cross'] as const;
export type ShapeClass = (typeof SHAPE_CLASSES)[number];

/** Fraction of the bounding box that the filled shape covers (used to aim at a target pixel area). */
export function fillRatio(kind: ShapeClass, detail: number): number {
  switch (kind) {
    case 'ellipse':
      return 0.785;
    case 'rectangle':
      return 1;
    case 'triangle':
      return 0.5;
    case 'star':
      return 0.36;
    case 'ring':
      return 0.785 * (1 - detail * detail);
    case 'cross':
      // Two bars of half-thickness d in the 2x2 box: (4d + 4d - 4d^2) / 4.
      return 2 * detail - detail * detail;
  }
}

// cos/sin of k * 36 degrees (k = 0..9), starting at the top (-v) and turning clockwise, as literals so that
// no machine's Math.cos rounding can move a vertex.
const STAR_DIR_U = [
  0, 0.5877852522924731, 0.9510565162951535, 0.9510565162951536, 0.5877852522924732, 0, -0.587785252292473, -0.9510565162951535,
  -0.9510565162951536, -0.5877852522924734,
];
const STAR_DIR_V = [
  -1, -0.8090169943749475, -0.3090169943749474, 0.3090169943749474, 0.8090169943749475, 1, 0.8090169943749475, 0.3090169943749477,
  -0.3090169943749472, -0.8090169943749473,
];

/** Ten vertices (u, v) of a five-pointed star with outer radius 1 and inner radius `inner`. */
export function starVertices(inner: number): Array<[number, number]> {
  return STAR_DIR_U.map((du, k) => {
    const r = k % 2 === 0 ? 1 : inner;
    return [du * r, STAR_DIR_V[k] * r] as [number, number];
  });
}

/** Crossing-number point-in-polygon test; `poly` is a closed ring given without repeating the first vertex. */
export function insidePolygon(poly: ReadonlyArray<readonly [number, number]>, u: number, v: number): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [ui, vi] = poly[i];
    const [uj, vj] = poly[j];
    if (vi > v !== vj > v && u < ((uj - ui) * (v - vi)) / (vj - vi) + ui) inside = !inside;
  }
  return inside;
}

/**
 * Shape parameters beyond class and box. `detail` means: ring inner radius (0.45-0.7), cross bar
 * half-thickness (0.28-0.42), star inner radius (0.38-0.5); ignored by the other classes.
 */
export interface ShapeGeometry {
  kind: ShapeClass;
  detail: number;
  /** Star polygon, precomputed once per object (undefined for other classes). */
  star?: Array<[number, number]>;
}

export function insideShape(g: ShapeGeometry, u: number, v: number): boolean {
  if (u < -1 || u > 1 || v < -1 || v > 1) return false;
  switch (g.kind) {
    case 'ellipse':
      return u * u + v * v <= 1;
    case 'rectangle':
      return true;
    case 'triangle':
      // Apex at (0, -1), base from (-1, 1) to (1, 1).
      return Math.abs(u) * 2 <= v + 1;
    case 'star':
      return insidePolygon(g.star!, u, v);
    case 'ring': {
      const r2 = u * u + v * v;
      return r2 <= 1 && r2 >= g.detail * g.detail;
    }
    case 'cross':
      return Math.abs(u) <= g.detail || Math.abs(v) <= g.detail;
  }
}
