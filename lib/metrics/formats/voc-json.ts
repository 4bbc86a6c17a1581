/**
 * VOC JSON interchange (documented in the README):
 *   ground truth  {num_classes, class_names, is_bbox_normalized, images:[{id, boxes:[[x1,y1,x2,y2]], labels:[0..C-1], difficult:[0|1]}]}
 *   detections    [{image_id, label, score, box:[x1,y1,x2,y2]}]
 * Images are evaluated in file order, each image's detections in file order, as the reference does.
 * Where the reference would crash (label out of range: IndexError; unknown image: the detection has no
 * image to be evaluated with) or compute garbage (x2 < x1, NaN), we stop with one line naming the item.
 */
import type { VocDetections, VocGroundTruth, VocImage } from '../voc';
import { badItem, describeValue, isRecord, readJsonFile, requireFiniteNumber, requireNumberTuple } from './json-input';

function imageKey(id: unknown): string {
  return typeof id === 'number' ? `n:${id}` : `s:${String(id)}`;
}

function checkCorners(box: number[], field: string, source: string, item: string): void {
  if (box[2] < box[0] || box[3] < box[1])
    throw badItem(source, item, `"${field}" must have x2 >= x1 and y2 >= y1, got ${describeValue(box)}`);
}

export function parseVocGroundTruth(json: unknown, source: string): VocGroundTruth {
  if (!isRecord(json)) throw badItem(source, '(root)', 'expected {num_classes, class_names, is_bbox_normalized, images}');
  const numClasses = requireFiniteNumber(json, 'num_classes', source, '(root)');
  if (!Number.isInteger(numClasses) || numClasses < 1)
    throw badItem(source, '(root)', `"num_classes" must be a positive integer, got ${numClasses}`);
  const names = json.class_names;
  if (!Array.isArray(names) || names.length !== numClasses || !names.every((n) => typeof n === 'string')) {
    throw badItem(source, '(root)', `"class_names" must be ${numClasses} strings, got ${describeValue(names)}`);
  }
  const norm = json.is_bbox_normalized ?? false;
  if (typeof norm !== 'boolean') throw badItem(source, '(root)', `"is_bbox_normalized" must be true or false, got ${describeValue(norm)}`);
  if (!Array.isArray(json.images)) throw badItem(source, '(root)', 'missing array "images"');
  const seen = new Set<string>();
  const images: VocImage[] = json.images.map((im: unknown, i: number) => {
    const item = `images[${i}]`;
    if (!isRecord(im)) throw badItem(source, item, 'expected an object');
    if (typeof im.id !== 'number' && typeof im.id !== 'string')
      throw badItem(source, item, `"id" must be a number or string, got ${describeValue(im.id)}`);
    const key = imageKey(im.id);
    if (seen.has(key)) throw badItem(source, item, `duplicate image id ${describeValue(im.id)}`);
    seen.add(key);
    for (const f of ['boxes', 'labels'] as const) if (!Array.isArray(im[f])) throw badItem(source, item, `missing array "${f}"`);
    const boxes = im.boxes as unknown[];
    const labels = im.labels as unknown[];
    const difficult = (im.difficult ?? labels.map(() => 0)) as unknown;
    if (!Array.isArray(difficult)) throw badItem(source, item, '"difficult" must be an array of 0|1');
    if (labels.length !== boxes.length || difficult.length !== boxes.length) {
      throw badItem(
        source,
        item,
        `"boxes" (${boxes.length}), "labels" (${labels.length}) and "difficult" (${difficult.length}) must have the same length`,
      );
    }
    const G = boxes.length;
    const out: VocImage = { id: im.id, boxes: new Float64Array(G * 4), labels: new Int32Array(G), difficult: new Uint8Array(G) };
    for (let g = 0; g < G; g++) {
      const box = requireNumberTuple({ box: boxes[g] }, 'box', 4, source, `${item}.boxes[${g}]`);
      checkCorners(box, 'box', source, `${item}.boxes[${g}]`);
      out.boxes.set(box, g * 4);
      const l = labels[g];
      if (typeof l !== 'number' || !Number.isInteger(l) || l < 0 || l >= numClasses) {
        throw badItem(source, `${item}.labels[${g}]`, `label must be an integer in 0..${numClasses - 1}, got ${describeValue(l)}`);
      }
      out.labels[g] = l;
      const d = difficult[g];
      if (!(d === 0 || d === 1 || d === true || d === false))
        throw badItem(source, `${item}.difficult[${g}]`, `must be 0 or 1, got ${describeValue(d)}`);
      out.difficult[g] = d === 1 || d === true ? 1 : 0;
    }
    return out;
  });
  return { classNames: names as string[], isBboxNormalized: norm, images };
}

export function readVocGroundTruthFile(path: string): VocGroundTruth {
  return parseVocGroundTruth(readJsonFile(path), path);
}

export function parseVocDetections(json: unknown, gt: VocGroundTruth, source: string): VocDetections {
  if (!Array.isArray(json)) throw badItem(source, '(root)', 'expected a list of detections [{image_id, label, score, box}]');
  if (json.length === 0) throw badItem(source, '(root)', 'empty detection list');
  const index = new Map<string, number>();
  gt.images.forEach((im, i) => index.set(imageKey(im.id), i));
  const C = gt.classNames.length;
  const D = json.length;
  const dt: VocDetections = {
    detImage: new Int32Array(D),
    detLabel: new Int32Array(D),
    detScore: new Float64Array(D),
    detBox: new Float64Array(D * 4),
  };
  for (let d = 0; d < D; d++) {
    const r = json[d];
    const item = `[${d}]`;
    if (!isRecord(r)) throw badItem(source, item, 'expected an object');
    if (r.image_id === undefined) throw badItem(source, item, 'missing field "image_id"');
    const i = index.get(imageKey(r.image_id));
    if (i === undefined) throw badItem(source, item, `image_id ${describeValue(r.image_id)} is not an image of the ground truth`);
    const l = requireFiniteNumber(r, 'label', source, item);
    if (!Number.isInteger(l) || l < 0 || l >= C) throw badItem(source, item, `"label" must be an integer in 0..${C - 1}, got ${l}`);
    const box = requireNumberTuple(r, 'box', 4, source, item);
    checkCorners(box, 'box', source, item);
    dt.detImage[d] = i;
    dt.detLabel[d] = l;
    dt.detScore[d] = requireFiniteNumber(r, 'score', source, item);
    dt.detBox.set(box, d * 4);
  }
  return dt;
}

export function readVocDetectionsFile(path: string, gt: VocGroundTruth): VocDetections {
  return parseVocDetections(readJsonFile(path), gt, path);
}
