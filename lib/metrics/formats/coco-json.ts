/**
 * COCO annotation JSON (ground truth) and results JSON (`[{image_id, category_id, bbox:[x,y,w,h], score}]`)
 * into the columnar form of lib/metrics/coco.ts.
 *
 * Where pycocotools would crash or silently drop data we stop with one line naming the file and item:
 * - results not a list: reference AssertionError; empty list: reference IndexError (anns[0]);
 * - detection for an image not in the GT: reference AssertionError ("Results do not correspond");
 * - detection for a category not in the GT: the reference evaluates the GT's categories only, so it never
 *   looks at them; we leave them out too and report how many (`ignoredUnknownCategory`, the CLI warns), or
 *   reject them with `strict` (a label-mapping bug shows up as a large count);
 * - annotation for a category not in the GT or for an unknown image: the reference silently ignores them:
 *   we reject;
 * - missing `iscrowd` / `area` in GT: reference KeyError; duplicate ids: the reference keeps the last
 *   object per id and evaluates it twice: we reject;
 * - non-finite numbers, negative width/height, non-finite score: rejected (the reference computes
 *   garbage IoUs or sorts NaN scores to the end).
 * The GT `ignore` field is ignored, as in the reference (it is overwritten by `iscrowd`).
 */
import type { CocoCategory, CocoDetections, CocoGroundTruth } from '../coco';
import { badItem, describeValue, isRecord, parseJsonText, readInputFile, requireFiniteNumber, requireNumberTuple } from './json-input';
import { scanCocoResults } from './coco-results-scanner';

function requireId(obj: Record<string, unknown>, field: string, source: string, item: string): number {
  return requireFiniteNumber(obj, field, source, item);
}

function checkBox(box: number[], field: string, source: string, item: string): void {
  if (box[2] < 0 || box[3] < 0) throw badItem(source, item, `"${field}" has negative width or height: ${describeValue(box)}`);
}

export function parseCocoGroundTruth(json: unknown, source: string): CocoGroundTruth {
  if (!isRecord(json)) throw badItem(source, '(root)', 'expected a COCO annotation object with "images", "annotations", "categories"');
  for (const key of ['images', 'annotations', 'categories'] as const) {
    if (!Array.isArray(json[key])) throw badItem(source, '(root)', `missing array "${key}"`);
  }
  const images = json.images as unknown[];
  const anns = json.annotations as unknown[];
  const cats = json.categories as unknown[];

  const imageIdSet = new Set<number>();
  images.forEach((im, i) => {
    const item = `images[${i}]`;
    if (!isRecord(im)) throw badItem(source, item, 'expected an object');
    const id = requireId(im, 'id', source, item);
    if (imageIdSet.has(id)) throw badItem(source, item, `duplicate image id ${id}`);
    imageIdSet.add(id);
  });
  const imageIds = [...imageIdSet].sort((a, b) => a - b);
  const imageIndex = new Map<number, number>();
  imageIds.forEach((id, i) => imageIndex.set(id, i));

  const categories: CocoCategory[] = [];
  const catIdSet = new Set<number>();
  cats.forEach((c, i) => {
    const item = `categories[${i}]`;
    if (!isRecord(c)) throw badItem(source, item, 'expected an object');
    const id = requireId(c, 'id', source, item);
    if (catIdSet.has(id)) throw badItem(source, item, `duplicate category id ${id}`);
    catIdSet.add(id);
    const name = c.name === undefined ? String(id) : c.name;
    if (typeof name !== 'string') throw badItem(source, item, `"name" must be a string, got ${describeValue(name)}`);
    categories.push({ id, name });
  });
  categories.sort((a, b) => a.id - b.id);
  const catIndex = new Map<number, number>();
  categories.forEach((c, i) => catIndex.set(c.id, i));

  const G = anns.length;
  const gt: CocoGroundTruth = {
    imageIds,
    categories,
    annImage: new Int32Array(G),
    annCategory: new Int32Array(G),
    annBox: new Float64Array(G * 4),
    annArea: new Float64Array(G),
    annCrowd: new Uint8Array(G),
    annId: new Float64Array(G),
  };
  const annIds = new Set<number>();
  for (let g = 0; g < G; g++) {
    const a = anns[g];
    const item = `annotations[${g}]`;
    if (!isRecord(a)) throw badItem(source, item, 'expected an object');
    const id = requireId(a, 'id', source, item);
    if (annIds.has(id)) throw badItem(source, item, `duplicate annotation id ${id}`);
    annIds.add(id);
    const imageId = requireId(a, 'image_id', source, item);
    const im = imageIndex.get(imageId);
    if (im === undefined) throw badItem(source, item, `image_id ${imageId} is not in "images"`);
    const catId = requireId(a, 'category_id', source, item);
    const k = catIndex.get(catId);
    if (k === undefined) throw badItem(source, item, `category_id ${catId} is not in "categories"`);
    const box = requireNumberTuple(a, 'bbox', 4, source, item);
    checkBox(box, 'bbox', source, item);
    const area = requireFiniteNumber(a, 'area', source, item);
    if (area < 0) throw badItem(source, item, `"area" must be >= 0, got ${area}`);
    const crowd = a.iscrowd;
    if (crowd === undefined) throw badItem(source, item, 'missing field "iscrowd" (pycocotools raises KeyError)');
    if (!(crowd === 0 || crowd === 1 || crowd === true || crowd === false)) {
      throw badItem(source, item, `"iscrowd" must be 0 or 1, got ${describeValue(crowd)}`);
    }
    gt.annImage[g] = im;
    gt.annCategory[g] = k;
    gt.annBox.set(box, g * 4);
    gt.annArea[g] = area;
    gt.annCrowd[g] = crowd === 1 || crowd === true ? 1 : 0;
    gt.annId[g] = id;
  }
  return gt;
}

export function readCocoGroundTruthFile(path: string): CocoGroundTruth {
  return parseCocoGroundTruth(parseJsonText(readInputFile(path).toString('utf8'), path), path);
}

export interface CocoResultsOptions {
  /** Refuse detections whose category_id is not a GT category (default: leave them out, as pycocotools). */
  strict?: boolean;
}

/** A results file indexed against a GT, with what was left out. */
export interface CocoResults extends CocoDetections {
  /** Detections left out because their category_id is not a GT category (0 when strict). */
  ignoredUnknownCategory: number;
  /** Those category ids, ascending, distinct. */
  unknownCategoryIds: number[];
}

/** Validate and index a parsed results list (the general path; see readCocoResultsFile for the fast one). */
export function parseCocoResults(json: unknown, gt: CocoGroundTruth, source: string, options: CocoResultsOptions = {}): CocoResults {
  if (!Array.isArray(json))
    throw badItem(source, '(root)', 'expected a list of detections [{image_id, category_id, bbox, score}] (pycocotools asserts this)');
  if (json.length === 0) throw badItem(source, '(root)', 'empty detection list (pycocotools crashes with IndexError on it)');
  const D = json.length;
  const imageIndex = new Map<number, number>();
  gt.imageIds.forEach((id, i) => imageIndex.set(id, i));
  const catIndex = new Map<number, number>();
  gt.categories.forEach((c, i) => catIndex.set(c.id, i));
  const dt: CocoDetections = {
    detImage: new Int32Array(D),
    detCategory: new Int32Array(D),
    detBox: new Float64Array(D * 4),
    detScore: new Float64Array(D),
  };
  let n = 0;
  const unknown = new Set<number>();
  for (let d = 0; d < D; d++) {
    const r = json[d];
    const item = `[${d}]`;
    if (!isRecord(r)) throw badItem(source, item, 'expected an object');
    const imageId = requireId(r, 'image_id', source, item);
    const im = imageIndex.get(imageId);
    if (im === undefined) throw badItem(source, item, `image_id ${imageId} is not an image of the ground truth`);
    const catId = requireId(r, 'category_id', source, item);
    const k = catIndex.get(catId);
    if (k === undefined && options.strict) {
      throw badItem(source, item, `category_id ${catId} is not a category of the ground truth (strict; pycocotools would ignore it)`);
    }
    const box = requireNumberTuple(r, 'bbox', 4, source, item);
    checkBox(box, 'bbox', source, item);
    const score = requireFiniteNumber(r, 'score', source, item);
    if (k === undefined) {
      unknown.add(catId);
      continue;
    }
    dt.detImage[n] = im;
    dt.detCategory[n] = k;
    dt.detBox.set(box, n * 4);
    dt.detScore[n] = score;
    n++;
  }
  return {
    detImage: dt.detImage.subarray(0, n),
    detCategory: dt.detCategory.subarray(0, n),
    detBox: dt.detBox.subarray(0, n * 4),
    detScore: dt.detScore.subarray(0, n),
    ignoredUnknownCategory: D - n,
    unknownCategoryIds: [...unknown].sort((a, b) => a - b),
  };
}

/**
 * Read a results file. Well-formed files of plain `{image_id, category_id, bbox, score}` objects go
 * through a byte scanner straight into typed arrays (no object per detection); anything else falls
 * back to JSON.parse and the general validator, which names the offending item.
 */
export function readCocoResultsFile(path: string, gt: CocoGroundTruth, options: CocoResultsOptions = {}): CocoResults {
  const bytes = readInputFile(path);
  const fast = scanCocoResults(bytes, gt, options);
  if (fast) return fast;
  return parseCocoResults(parseJsonText(bytes.toString('utf8'), path), gt, path, options);
}
