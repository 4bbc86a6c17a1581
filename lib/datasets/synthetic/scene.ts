/**
 * Renders one synthetic detection image: a cluttered, noisy background with 2-9 textured shapes that may
 * overlap (each keeps at least half of its pixels visible) and may be cut by the image border.
 *
 * Conventions: pixels are addressed (x, y) with x to the right, y down, pixel centres at (x + 0.5, y + 0.5).
 * `rgb` is row-major interleaved RGB, length width * height * 3. Annotations describe VISIBLE pixels
 * (COCO convention): bbox = [x, y, w, h] of the visible pixels, area = visible pixel count.
 */
import type { Prng } from './prng';
import { SHAPE_CLASSES, fillRatio, insideShape, starVertices, type ShapeClass, type ShapeGeometry } from './shapes';

export type SizeBucket = 'small' | 'medium' | 'large';

/** Tunable scene parameters; the defaults define dataset version 1 (changing them changes every byte). */
export interface SceneOptions {
  minSidePx: number;
  maxSidePx: number;
  minObjects: number;
  maxObjects: number;
  /** Probability of aiming an object at COCO small (< 32^2), medium, large (> 96^2) area. */
  bucketWeights: [number, number, number];
}

export const DEFAULT_SCENE_OPTIONS: SceneOptions = {
  minSidePx: 256,
  maxSidePx: 416,
  minObjects: 2,
  maxObjects: 9,
  bucketWeights: [0.3, 0.34, 0.36],
};

/** sqrt(area) ranges aimed at per bucket, in pixels. */
const BUCKET_SIDE_PX: Record<SizeBucket, [number, number]> = {
  small: [11, 31],
  medium: [33, 95],
  large: [97, 170],
};
const BUCKETS: SizeBucket[] = ['small', 'medium', 'large'];

export type Texture = 'solid' | 'stripes' | 'checker' | 'dots' | 'gradient';
const TEXTURES: Texture[] = ['solid', 'stripes', 'checker', 'dots', 'gradient'];

export interface SceneObject {
  /** COCO category id (1-based index into SHAPE_CLASSES). */
  categoryId: number;
  kind: ShapeClass;
  /** Visible-pixel box [x, y, w, h] in pixels (integers; w, h >= 1). */
  bbox: [number, number, number, number];
  /** Visible pixel count. */
  area: number;
  /** Pixel count of the whole shape, including parts outside the image or under later shapes. */
  fullArea: number;
  /** Part of the shape lies outside the image. */
  truncated: boolean;
  /** Fraction of the in-image shape hidden by later shapes, in [0, 0.5]. */
  occludedFraction: number;
  texture: Texture;
  /** Uncompressed COCO RLE of the visible mask (column-major runs, starting with a run of zeros). */
  rleCounts: number[];
}

export interface Scene {
  width: number;
  height: number;
  rgb: Uint8Array;
  objects: SceneObject[];
}

interface PlacedShape {
  geometry: ShapeGeometry;
  cx: number;
  cy: number;
  /** Rotation: cos and sin of the angle from image axes to the shape's (u, v) axes. */
  cos: number;
  sin: number;
  halfW: number;
  halfH: number;
  fullArea: number;
  inImageArea: number;
  visible: number;
  truncated: boolean;
  texture: Texture;
  colorA: [number, number, number];
  colorB: [number, number, number];
  periodPx: number;
  texCos: number;
  texSin: number;
}

/** A random rotation as (cos, sin) from the rational parametrisation of the circle: exact on every machine. */
function randomRotation(prng: Prng): [number, number] {
  const t = prng.range(-1, 1);
  const d = 1 + t * t;
  const c = (1 - t * t) / d;
  const s = (2 * t) / d;
  return prng.float() < 0.5 ? [c, s] : [-c, -s];
}

function randomColor(prng: Prng): [number, number, number] {
  return [prng.int(0, 255), prng.int(0, 255), prng.int(0, 255)];
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

function colorDistance2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const dr = a[0] - b[0];
  const dg = a[1] - b[1];
  const db = a[2] - b[2];
  return dr * dr + dg * dg + db * db;
}

/** Background: a two-colour linear gradient in a random direction. Returns float RGB, row-major. */
function paintBackground(prng: Prng, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height * 3);
  const c0 = randomColor(prng);
  const c1 = randomColor(prng);
  const [gc, gs] = randomRotation(prng);
  const span = Math.abs(gc) * width + Math.abs(gs) * height;
  const offset = (gc < 0 ? -gc * width : 0) + (gs < 0 ? -gs * height : 0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (gc * (x + 0.5) + gs * (y + 0.5) + offset) / span;
      const i = (y * width + x) * 3;
      out[i] = c0[0] + (c1[0] - c0[0]) * t;
      out[i + 1] = c0[1] + (c1[1] - c0[1]) * t;
      out[i + 2] = c0[2] + (c1[2] - c0[2]) * t;
    }
  }
  return out;
}

function blend(buf: Float32Array, i: number, color: readonly number[], alpha: number): void {
  buf[i] += (color[0] - buf[i]) * alpha;
  buf[i + 1] += (color[1] - buf[i + 1]) * alpha;
  buf[i + 2] += (color[2] - buf[i + 2]) * alpha;
}

/** Clutter that belongs to no class: thick line segments and translucent clouds of overlapping discs. */
function paintClutter(prng: Prng, buf: Float32Array, width: number, height: number): void {
  const lines = prng.int(3, 12);
  for (let k = 0; k < lines; k++) {
    const x0 = prng.range(-20, width + 20);
    const y0 = prng.range(-20, height + 20);
    const x1 = x0 + prng.range(-160, 160);
    const y1 = y0 + prng.range(-160, 160);
    const halfWidth = prng.range(0.6, 2.2);
    const color = randomColor(prng);
    const alpha = prng.range(0.4, 1);
    const dx = x1 - x0;
    const dy = y1 - y0;
    const len2 = dx * dx + dy * dy || 1;
    const xa = Math.max(0, Math.floor(Math.min(x0, x1) - halfWidth));
    const xb = Math.min(width - 1, Math.ceil(Math.max(x0, x1) + halfWidth));
    const ya = Math.max(0, Math.floor(Math.min(y0, y1) - halfWidth));
    const yb = Math.min(height - 1, Math.ceil(Math.max(y0, y1) + halfWidth));
    for (let y = ya; y <= yb; y++) {
      for (let x = xa; x <= xb; x++) {
        const px = x + 0.5 - x0;
        const py = y + 0.5 - y0;
        let t = (px * dx + py * dy) / len2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const ex = px - t * dx;
        const ey = py - t * dy;
        if (ex * ex + ey * ey <= halfWidth * halfWidth) blend(buf, (y * width + x) * 3, color, alpha);
      }
    }
  }
  const clouds = prng.int(2, 7);
  for (let k = 0; k < clouds; k++) {
    const cx = prng.range(0, width);
    const cy = prng.range(0, height);
    const color = randomColor(prng);
    const alpha = prng.range(0.2, 0.5);
    const discs = prng.int(2, 4);
    for (let d = 0; d < discs; d++) {
      const r = prng.range(5, 36);
      const dcx = cx + prng.range(-r, r);
      const dcy = cy + prng.range(-r, r);
      const xa = Math.max(0, Math.floor(dcx - r));
      const xb = Math.min(width - 1, Math.ceil(dcx + r));
      const ya = Math.max(0, Math.floor(dcy - r));
      const yb = Math.min(height - 1, Math.ceil(dcy + r));
      for (let y = ya; y <= yb; y++) {
        for (let x = xa; x <= xb; x++) {
          const ex = x + 0.5 - dcx;
          const ey = y + 0.5 - dcy;
          if (ex * ex + ey * ey <= r * r) blend(buf, (y * width + x) * 3, color, alpha);
        }
      }
    }
  }
}

/** Shape-local normalised coordinates (u, v) of pixel centre (x, y). */
function localUv(s: PlacedShape, x: number, y: number): [number, number] {
  const dx = x + 0.5 - s.cx;
  const dy = y + 0.5 - s.cy;
  return [(dx * s.cos + dy * s.sin) / s.halfW, (-dx * s.sin + dy * s.cos) / s.halfH];
}

/** Every pixel (in or out of the image) that the shape covers, as [inImageIndices, totalCount]. */
function rasterize(s: PlacedShape, width: number, height: number): [number[], number] {
  // Half extents of the rotated box along x and y.
  const ex = Math.abs(s.cos) * s.halfW + Math.abs(s.sin) * s.halfH + 1;
  const ey = Math.abs(s.sin) * s.halfW + Math.abs(s.cos) * s.halfH + 1;
  const xa = Math.floor(s.cx - ex);
  const xb = Math.ceil(s.cx + ex);
  const ya = Math.floor(s.cy - ey);
  const yb = Math.ceil(s.cy + ey);
  const inside: number[] = [];
  let total = 0;
  const g = s.geometry;
  const cu = s.cos / s.halfW;
  const su = s.sin / s.halfW;
  const cv = s.cos / s.halfH;
  const sv = s.sin / s.halfH;
  for (let y = ya; y <= yb; y++) {
    const dy = y + 0.5 - s.cy;
    const uy = dy * su;
    const vy = dy * cv;
    for (let x = xa; x <= xb; x++) {
      const dx = x + 0.5 - s.cx;
      const u = dx * cu + uy;
      const v = vy - dx * sv;
      if (!insideShape(g, u, v)) continue;
      total++;
      if (x >= 0 && x < width && y >= 0 && y < height) inside.push(y * width + x);
    }
  }
  return [inside, total];
}

function sampleShape(prng: Prng, width: number, height: number, bucketWeights: SceneOptions['bucketWeights']): PlacedShape {
  const kind = prng.pick(SHAPE_CLASSES);
  const bucket = BUCKETS[prng.weighted(bucketWeights)];
  const [sideLo, sideHi] = BUCKET_SIDE_PX[bucket];
  const side = prng.range(sideLo, sideHi);
  const roundish = kind === 'star' || kind === 'ring';
  const aspect = roundish ? prng.range(0.8, 1.25) : prng.range(0.5, 2);
  const detail =
    kind === 'ring' ? prng.range(0.45, 0.7) : kind === 'cross' ? prng.range(0.28, 0.42) : kind === 'star' ? prng.range(0.38, 0.5) : 0;
  const boxArea = (side * side) / fillRatio(kind, detail);
  let w = Math.sqrt(boxArea * aspect);
  let h = Math.sqrt(boxArea / aspect);
  const limit = 0.92 * Math.min(width, height);
  const over = Math.max(w, h) / limit;
  if (over > 1) {
    w /= over;
    h /= over;
  }
  const [cos, sin] = randomRotation(prng);
  const [texCos, texSin] = randomRotation(prng);
  const geometry: ShapeGeometry = { kind, detail, star: kind === 'star' ? starVertices(detail) : undefined };
  return {
    geometry,
    cx: prng.range(0, width),
    cy: prng.range(0, height),
    cos,
    sin,
    halfW: w / 2,
    halfH: h / 2,
    fullArea: 0,
    inImageArea: 0,
    visible: 0,
    truncated: false,
    texture: prng.pick(TEXTURES),
    colorA: [0, 0, 0],
    colorB: [0, 0, 0],
    periodPx: prng.int(3, 9),
    texCos,
    texSin,
  };
}

/** Colour of `s` at pixel (x, y) according to its texture. */
function textureColor(s: PlacedShape, x: number, y: number): [number, number, number] {
  if (s.texture === 'solid') return s.colorA;
  const dx = x + 0.5 - s.cx;
  const dy = y + 0.5 - s.cy;
  const p = dx * s.texCos + dy * s.texSin;
  const q = -dx * s.texSin + dy * s.texCos;
  const period = s.periodPx;
  let useB = false;
  switch (s.texture) {
    case 'stripes':
      useB = (Math.floor(p / period) & 1) === 1;
      break;
    case 'checker':
      useB = ((Math.floor(p / period) + Math.floor(q / period)) & 1) === 1;
      break;
    case 'dots': {
      const mp = p - period * 2 * Math.floor(p / (period * 2)) - period;
      const mq = q - period * 2 * Math.floor(q / (period * 2)) - period;
      useB = mp * mp + mq * mq <= (period * period) / 2;
      break;
    }
    case 'gradient': {
      const [u] = localUv(s, x, y);
      const t = (u + 1) / 2;
      return [
        s.colorA[0] + (s.colorB[0] - s.colorA[0]) * t,
        s.colorA[1] + (s.colorB[1] - s.colorA[1]) * t,
        s.colorA[2] + (s.colorB[2] - s.colorA[2]) * t,
      ];
    }
  }
  return useB ? s.colorB : s.colorA;
}

/**
 * Column-major uncompressed RLE (COCO `counts`) of the pixels with owner === id, whose visible pixels all
 * lie in columns minX..maxX. Runs alternate zeros / ones, starting with zeros.
 */
function maskRle(owner: Int16Array, width: number, height: number, id: number, minX: number, maxX: number): number[] {
  const counts: number[] = [];
  let current = 0; // 0: counting a background run, 1: counting a mask run
  let run = minX * height;
  for (let x = minX; x <= maxX; x++) {
    for (let y = 0; y < height; y++) {
      const bit = owner[y * width + x] === id ? 1 : 0;
      if (bit === current) {
        run++;
      } else {
        counts.push(run);
        current = bit;
        run = 1;
      }
    }
  }
  if (current === 1) {
    counts.push(run);
    run = 0;
  }
  counts.push(run + (width - 1 - maxX) * height);
  return counts;
}

/** Render one scene. The same `prng` state gives the same scene on every machine. */
export function renderScene(prng: Prng, options: SceneOptions = DEFAULT_SCENE_OPTIONS): Scene {
  const width = prng.int(options.minSidePx, options.maxSidePx);
  const height = prng.int(options.minSidePx, options.maxSidePx);
  const buf = paintBackground(prng, width, height);
  paintClutter(prng, buf, width, height);

  const owner = new Int16Array(width * height).fill(-1);
  const placed: PlacedShape[] = [];
  const target = prng.int(options.minObjects, options.maxObjects);
  for (let attempt = 0; attempt < target * 8 && placed.length < target; attempt++) {
    const shape = sampleShape(prng, width, height, options.bucketWeights);
    const [pixels, total] = rasterize(shape, width, height);
    if (total < 60 || pixels.length < 0.7 * total) continue;
    // Every earlier shape must keep at least half of its in-image pixels visible.
    const covered = new Map<number, number>();
    for (const i of pixels) {
      const o = owner[i];
      if (o >= 0) covered.set(o, (covered.get(o) ?? 0) + 1);
    }
    let ok = true;
    for (const [o, n] of covered) {
      if (placed[o].visible - n < 0.5 * placed[o].inImageArea) ok = false;
    }
    if (!ok) continue;
    // Colours: base colour far enough from the background under the shape's centre.
    const ci =
      (Math.min(height - 1, Math.max(0, Math.floor(shape.cy))) * width + Math.min(width - 1, Math.max(0, Math.floor(shape.cx)))) * 3;
    let colorA = randomColor(prng);
    for (let k = 0; k < 12 && colorDistance2(colorA, [buf[ci], buf[ci + 1], buf[ci + 2]]) < 80 * 80; k++) colorA = randomColor(prng);
    const delta = prng.range(40, 110) * (prng.float() < 0.5 ? -1 : 1);
    shape.colorA = colorA;
    shape.colorB = [clampByte(colorA[0] + delta), clampByte(colorA[1] + delta * prng.range(0.5, 1)), clampByte(colorA[2] + delta)];
    for (const [o, n] of covered) placed[o].visible -= n;
    const id = placed.length;
    for (const i of pixels) owner[i] = id;
    shape.fullArea = total;
    shape.inImageArea = pixels.length;
    shape.visible = pixels.length;
    shape.truncated = pixels.length < total;
    placed.push(shape);
  }

  // Paint shapes from the owner map (the last shape placed wins each pixel), then add sensor noise.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = owner[y * width + x];
      if (o < 0) continue;
      const c = textureColor(placed[o], x, y);
      const i = (y * width + x) * 3;
      buf[i] = c[0];
      buf[i + 1] = c[1];
      buf[i + 2] = c[2];
    }
  }
  const noiseAmp = prng.int(3, 24);
  const rgb = new Uint8Array(width * height * 3);
  // One uint32 per pixel: bytes 0, 1, 2 give the R, G, B noise, each mapped to [-noiseAmp, noiseAmp].
  const levels = 2 * noiseAmp + 1;
  for (let i = 0; i < rgb.length; i += 3) {
    const r = prng.nextUint32();
    rgb[i] = clampByte(buf[i] + (((r & 0xff) * levels) >> 8) - noiseAmp);
    rgb[i + 1] = clampByte(buf[i + 1] + ((((r >>> 8) & 0xff) * levels) >> 8) - noiseAmp);
    rgb[i + 2] = clampByte(buf[i + 2] + ((((r >>> 16) & 0xff) * levels) >> 8) - noiseAmp);
  }

  // Annotations from the owner map: visible box, visible area, RLE.
  const objects: SceneObject[] = [];
  const minX = new Array<number>(placed.length).fill(width);
  const minY = new Array<number>(placed.length).fill(height);
  const maxX = new Array<number>(placed.length).fill(-1);
  const maxY = new Array<number>(placed.length).fill(-1);
  const area = new Array<number>(placed.length).fill(0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = owner[y * width + x];
      if (o < 0) continue;
      area[o]++;
      if (x < minX[o]) minX[o] = x;
      if (x > maxX[o]) maxX[o] = x;
      if (y < minY[o]) minY[o] = y;
      if (y > maxY[o]) maxY[o] = y;
    }
  }
  placed.forEach((s, o) => {
    objects.push({
      categoryId: SHAPE_CLASSES.indexOf(s.geometry.kind) + 1,
      kind: s.geometry.kind,
      bbox: [minX[o], minY[o], maxX[o] - minX[o] + 1, maxY[o] - minY[o] + 1],
      area: area[o],
      fullArea: s.fullArea,
      truncated: s.truncated,
      occludedFraction: 1 - area[o] / s.inImageArea,
      texture: s.texture,
      rleCounts: maskRle(owner, width, height, o, minX[o], maxX[o]),
    });
  });
  return { width, height, rgb, objects };
}
