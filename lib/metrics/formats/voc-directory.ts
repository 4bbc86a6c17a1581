/**
 * A Pascal VOC directory as PaddleDetection's `VOCDataSet.parse_dataset` reads it:
 *   DIR/ImageSets/Main/<set>.txt   one image id per line (or "JPEGImages/x.jpg Annotations/x.xml" pairs)
 *   DIR/Annotations/<id>.xml
 *   DIR/label_list.txt             optional class names, one per line (else the 20 VOC classes)
 * Reproduced: boxes clipped to [0, w-1] x [0, h-1], boxes with x2 <= x1 or y2 <= y1 after clipping are
 * dropped, coordinates stored as float32, `difficult` defaults to 0, and images whose XML has no <object>
 * are not evaluated at all (the reference keeps them only with allow_empty).
 * Where the reference crashes (unknown class name: KeyError; missing <size>: AttributeError) or skips
 * with a warning (missing XML) we stop with one line naming the file.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { SlimboardError } from '../../errors';
import type { VocGroundTruth, VocImage } from '../voc';
import { readInputFile } from './json-input';
import { parseXml, type XmlElement } from './xml';

export const PASCAL_VOC_CLASSES = [
  'aeroplane',
  'bicycle',
  'bird',
  'boat',
  'bottle',
  'bus',
  'car',
  'cat',
  'chair',
  'cow',
  'diningtable',
  'dog',
  'horse',
  'motorbike',
  'person',
  'pottedplant',
  'sheep',
  'sofa',
  'train',
  'tvmonitor',
];

function childText(el: XmlElement | undefined, name: string): string | undefined {
  return el?.children.find((c) => c.name === name)?.text.trim();
}

function numberField(el: XmlElement | undefined, name: string, file: string, item: string): number {
  const t = childText(el, name);
  const v = t === undefined || t === '' ? NaN : Number(t);
  if (!Number.isFinite(v))
    throw new SlimboardError(
      'bad_input',
      `${file}: ${item}: <${name}> must be a number, got ${t === undefined ? 'nothing' : JSON.stringify(t)}`,
    );
  return v;
}

/** Pick the image set: the given name, else test, else val. */
function imageSetPath(dir: string, imageSet?: string): string {
  const main = path.join(dir, 'ImageSets', 'Main');
  const candidates = imageSet ? [imageSet] : ['test', 'val'];
  for (const c of candidates) {
    const p = path.join(main, c.endsWith('.txt') ? c : `${c}.txt`);
    if (existsSync(p)) return p;
  }
  throw new SlimboardError('bad_input', `${dir}: no image set ${candidates.map((c) => `ImageSets/Main/${c}.txt`).join(' or ')}`);
}

export function readVocDirectory(dir: string, options: { imageSet?: string } = {}): VocGroundTruth {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SlimboardError('bad_input', `${dir}: not a directory`);
  const labelPath = path.join(dir, 'label_list.txt');
  const classNames = existsSync(labelPath)
    ? readInputFile(labelPath)
        .toString('utf8')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '')
    : PASCAL_VOC_CLASSES;
  const classIndex = new Map(classNames.map((n, i) => [n, i]));
  const setPath = imageSetPath(dir, options.imageSet);
  const lines = readInputFile(setPath)
    .toString('utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const images: VocImage[] = [];
  lines.forEach((line) => {
    const parts = line.split(/\s+/);
    const xmlPath = parts.length >= 2 ? path.join(dir, parts[1]) : path.join(dir, 'Annotations', `${parts[0]}.xml`);
    const id = parts.length >= 2 ? path.basename(parts[1], '.xml') : parts[0];
    if (!existsSync(xmlPath)) throw new SlimboardError('bad_input', `${setPath}: image "${id}": annotation ${xmlPath} does not exist`);
    const root = parseXml(readInputFile(xmlPath).toString('utf8'), xmlPath);
    const size = root.children.find((c) => c.name === 'size');
    if (!size) throw new SlimboardError('bad_input', `${xmlPath}: missing <size> (PaddleDetection raises AttributeError)`);
    const w = numberField(size, 'width', xmlPath, 'size');
    const h = numberField(size, 'height', xmlPath, 'size');
    const objs = root.children.filter((c) => c.name === 'object');
    if (objs.length === 0) return; // not evaluated (reference: empty record, dropped without allow_empty)
    if (w < 0 || h < 0) return; // reference: warning, image ignored
    const boxes: number[] = [];
    const labels: number[] = [];
    const difficult: number[] = [];
    objs.forEach((obj, o) => {
      const item = `object[${o}]`;
      const name = childText(obj, 'name');
      const cls = name === undefined ? undefined : classIndex.get(name);
      if (cls === undefined)
        throw new SlimboardError(
          'bad_input',
          `${xmlPath}: ${item}: class "${name ?? ''}" is not in the class list (PaddleDetection raises KeyError)`,
        );
      const diffText = childText(obj, 'difficult');
      const diff = diffText === undefined ? 0 : Number.parseInt(diffText, 10);
      const bnd = obj.children.find((c) => c.name === 'bndbox');
      if (!bnd) throw new SlimboardError('bad_input', `${xmlPath}: ${item}: missing <bndbox>`);
      const x1 = Math.max(0, numberField(bnd, 'xmin', xmlPath, item));
      const y1 = Math.max(0, numberField(bnd, 'ymin', xmlPath, item));
      const x2 = Math.min(w - 1, numberField(bnd, 'xmax', xmlPath, item));
      const y2 = Math.min(h - 1, numberField(bnd, 'ymax', xmlPath, item));
      if (x2 > x1 && y2 > y1) {
        // gt_bbox is a float32 array in the reference
        boxes.push(Math.fround(x1), Math.fround(y1), Math.fround(x2), Math.fround(y2));
        labels.push(cls);
        difficult.push(diff === 0 || Number.isNaN(diff) ? 0 : 1);
      }
    });
    images.push({ id, boxes: Float64Array.from(boxes), labels: Int32Array.from(labels), difficult: Uint8Array.from(difficult) });
  });
  if (images.length === 0 && lines.length === 0) throw new SlimboardError('bad_input', `${setPath}: no images listed`);
  return { classNames, isBboxNormalized: false, images };
}

/** True when PATH is a directory (the CLI's FILE|DIR switch). */
export function isDirectory(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** List a directory, naming it in the error. */
export function listDirectory(p: string): string[] {
  try {
    return readdirSync(p);
  } catch (e) {
    throw new SlimboardError('bad_input', `${p}: cannot list directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * The image file of every entry of an image set (id → path), for running a detector over a VOC folder:
 * the "<image> <xml>" pair form names it; an id-only line means JPEGImages/<id>.jpg, or, where that does
 * not exist, the XML's <folder>/<filename> (as the synthetic shapes split writes them). A missing image
 * stops with one line naming the paths that were tried.
 */
export function vocImageFiles(dir: string, options: { imageSet?: string } = {}): Map<string, string> {
  const setPath = imageSetPath(dir, options.imageSet);
  const out = new Map<string, string>();
  const lines = readInputFile(setPath)
    .toString('utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  for (const line of lines) {
    const parts = line.split(/\s+/);
    if (parts.length >= 2) {
      out.set(path.basename(parts[1], '.xml'), path.join(dir, parts[0]));
      continue;
    }
    const id = parts[0];
    const tried = [path.join(dir, 'JPEGImages', `${id}.jpg`)];
    if (!existsSync(tried[0])) {
      const xmlPath = path.join(dir, 'Annotations', `${id}.xml`);
      const root = existsSync(xmlPath) ? parseXml(readInputFile(xmlPath).toString('utf8'), xmlPath) : undefined;
      const fileName = childText(root, 'filename');
      if (fileName) {
        const folder = childText(root, 'folder') ?? '';
        const candidates = [path.join(dir, 'JPEGImages', fileName), path.join(dir, folder, fileName)];
        tried.push(...candidates.filter((c) => path.resolve(c).startsWith(path.resolve(dir) + path.sep)));
      }
    }
    const found = tried.find((p) => existsSync(p));
    if (!found) throw new SlimboardError('bad_input', `${setPath}: image "${id}" not found (tried ${tried.join(', ')})`);
    out.set(id, found);
  }
  return out;
}
