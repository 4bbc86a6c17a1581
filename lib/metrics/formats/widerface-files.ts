/**
 * WIDER FACE inputs:
 * - the official ground truth directory: wider_face_val.mat (event_list, file_list, face_bbx_list) and
 *   wider_{easy,medium,hard}_val.mat (gt_list: 1-based keep indices), read with lib/metrics/formats/mat-v5.ts;
 * - the official predictions directory: <event>/<image>.txt, each "image path / count / x y w h score" lines;
 * - the JSON interchange (README): ground truth {events:[{name, images:[{name, boxes:[[x,y,w,h]], easy:[i],
 *   medium:[i], hard:[i]}]}]}, predictions {event: {image: [[x,y,w,h,score], ...]}}.
 * Where the reference crashes we stop with one line naming the file and item: a GT image without
 * predictions (KeyError), keep indices out of range (IndexError), rows that are not 5 numbers (ValueError
 * or a ragged array). Lenient where it is harmless: any whitespace between numbers and blank lines (the
 * reference's split(' ') crashes on a trailing space), the ".jpg" suffix is removed exactly (the reference's
 * rstrip('.jpg') also eats trailing j/p/g letters and then crashes with KeyError).
 */
import path from 'node:path';
import { SlimboardError } from '../../errors';
import type { WiderFaceGroundTruth, WiderFaceImage, WiderFacePredictions } from '../widerface';
import { badItem, describeValue, isRecord, readInputFile, readJsonFile } from './json-input';
import { readMatV5, type MatValue } from './mat-v5';
import { isDirectory, listDirectory } from './voc-directory';

function checkKeep(keep: number[], G: number, source: string, item: string): Int32Array {
  for (const k of keep) {
    if (!Number.isInteger(k) || k < 1 || k > G) throw badItem(source, item, `keep index ${k} is not in 1..${G}`);
  }
  return Int32Array.from(keep);
}

function checkBoxes(rows: number[][], width: number, source: string, item: string): Float64Array {
  const out = new Float64Array(rows.length * width);
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== width || !r.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw badItem(source, `${item}[${i}]`, `expected ${width} finite numbers, got ${describeValue(r)}`);
    }
    if (r[2] < 0 || r[3] < 0) throw badItem(source, `${item}[${i}]`, `negative width or height: ${describeValue(r)}`);
    out.set(r, i * width);
  });
  return out;
}

export function parseWiderFaceGroundTruth(json: unknown, source: string): WiderFaceGroundTruth {
  if (!isRecord(json) || !Array.isArray(json.events)) throw badItem(source, '(root)', 'expected {events:[{name, images:[...]}]}');
  return {
    events: json.events.map((ev: unknown, e: number) => {
      const item = `events[${e}]`;
      if (!isRecord(ev) || typeof ev.name !== 'string' || !Array.isArray(ev.images)) throw badItem(source, item, 'expected {name, images}');
      return {
        name: ev.name,
        images: ev.images.map((im: unknown, i: number): WiderFaceImage => {
          const it = `${item}.images[${i}]`;
          if (!isRecord(im) || typeof im.name !== 'string' || !Array.isArray(im.boxes))
            throw badItem(source, it, 'expected {name, boxes, easy, medium, hard}');
          const boxes = checkBoxes(im.boxes as number[][], 4, source, `${it}.boxes`);
          const G = boxes.length / 4;
          const keep = (k: 'easy' | 'medium' | 'hard') => {
            const v = im[k];
            if (!Array.isArray(v)) throw badItem(source, it, `missing array "${k}"`);
            return checkKeep(v as number[], G, source, `${it}.${k}`);
          };
          return { name: im.name, boxes, easy: keep('easy'), medium: keep('medium'), hard: keep('hard') };
        }),
      };
    }),
  };
}

export function parseWiderFacePredictions(json: unknown, source: string): WiderFacePredictions {
  if (!isRecord(json)) throw badItem(source, '(root)', 'expected {event: {image: [[x,y,w,h,score], ...]}}');
  const out: WiderFacePredictions = new Map();
  for (const [event, images] of Object.entries(json)) {
    if (!isRecord(images)) throw badItem(source, event, 'expected {image: [[x,y,w,h,score], ...]}');
    const m = new Map<string, Float64Array>();
    for (const [image, rows] of Object.entries(images)) {
      if (!Array.isArray(rows)) throw badItem(source, `${event}.${image}`, 'expected a list of [x,y,w,h,score]');
      m.set(image, checkBoxes(rows as number[][], 5, source, `${event}.${image}`));
    }
    out.set(event, m);
  }
  return out;
}

/** Every GT image must have predictions (the reference raises KeyError otherwise); at least one box overall. */
export function checkWiderFaceCoverage(gt: WiderFaceGroundTruth, preds: WiderFacePredictions, predSource: string): void {
  let boxes = 0;
  for (const imgs of preds.values()) for (const r of imgs.values()) boxes += r.length / 5;
  if (boxes === 0) throw badItem(predSource, '(root)', 'no predicted boxes at all (empty detection list)');
  for (const ev of gt.events) {
    const p = preds.get(ev.name);
    if (!p) throw badItem(predSource, ev.name, `no predictions for event "${ev.name}" (the reference raises KeyError)`);
    for (const im of ev.images) {
      if (!p.has(im.name))
        throw badItem(predSource, `${ev.name}/${im.name}`, 'no predictions for this image (the reference raises KeyError)');
    }
  }
}

// --- official .mat ground truth -------------------------------------------------------------------

function cellOf(v: MatValue | undefined, source: string, what: string): MatValue[] {
  if (!v || v.kind !== 'cell') throw new SlimboardError('bad_input', `${source}: "${what}" must be a cell array`);
  return v.cells;
}
function charOf(v: MatValue, source: string, what: string): string {
  if (v.kind !== 'char') throw new SlimboardError('bad_input', `${source}: ${what} must be a char array`);
  return v.text;
}
function numericOf(v: MatValue, source: string, what: string): { dims: number[]; data: Float64Array } {
  if (v.kind !== 'numeric') throw new SlimboardError('bad_input', `${source}: ${what} must be a numeric matrix`);
  return v;
}

/** Reads wider_face_val.mat + wider_{easy,medium,hard}_val.mat from DIR. */
export function readWiderFaceMatDirectory(dir: string): WiderFaceGroundTruth {
  const load = (name: string) => {
    const p = path.join(dir, name);
    return { p, vars: readMatV5(readInputFile(p), p) };
  };
  const main = load('wider_face_val.mat');
  const events = cellOf(main.vars.get('event_list'), main.p, 'event_list');
  const files = cellOf(main.vars.get('file_list'), main.p, 'file_list');
  const boxes = cellOf(main.vars.get('face_bbx_list'), main.p, 'face_bbx_list');
  if (files.length !== events.length || boxes.length !== events.length) {
    throw new SlimboardError('bad_input', `${main.p}: event_list, file_list and face_bbx_list have different lengths`);
  }
  const settings = (['easy', 'medium', 'hard'] as const).map((s) => {
    const f = load(`wider_${s}_val.mat`);
    const list = cellOf(f.vars.get('gt_list'), f.p, 'gt_list');
    if (list.length !== events.length)
      throw new SlimboardError('bad_input', `${f.p}: gt_list has ${list.length} events, expected ${events.length}`);
    return { p: f.p, list };
  });
  return {
    events: events.map((ev, e) => {
      const name = charOf(ev, main.p, `event_list{${e + 1}}`);
      const imgs = cellOf(files[e], main.p, `file_list{${e + 1}}`);
      const bxs = cellOf(boxes[e], main.p, `face_bbx_list{${e + 1}}`);
      const keeps = settings.map((s) => cellOf(s.list[e], s.p, `gt_list{${e + 1}}`));
      return {
        name,
        images: imgs.map((im, j): WiderFaceImage => {
          const item = `${name}/${charOf(im, main.p, `file_list{${e + 1}}{${j + 1}}`)}`;
          const b = numericOf(bxs[j], main.p, `face_bbx_list{${e + 1}}{${j + 1}}`);
          const G = b.data.length === 0 ? 0 : b.dims[0];
          if (b.data.length !== 0 && b.dims[1] !== 4)
            throw new SlimboardError('bad_input', `${main.p}: ${item}: boxes must be n x 4, got ${b.dims.join('x')}`);
          const rowMajor = new Float64Array(G * 4);
          for (let g = 0; g < G; g++) for (let c = 0; c < 4; c++) rowMajor[g * 4 + c] = b.data[c * G + g];
          const keep = (i: number) => {
            const k = numericOf(keeps[i][j], settings[i].p, `gt_list{${e + 1}}{${j + 1}}`);
            return checkKeep(Array.from(k.data), G, settings[i].p, item);
          };
          return { name: charOf(im, main.p, 'file name'), boxes: rowMajor, easy: keep(0), medium: keep(1), hard: keep(2) };
        }),
      };
    }),
  };
}

// --- official predictions directory ---------------------------------------------------------------

export function readWiderFacePredictionDirectory(dir: string): WiderFacePredictions {
  const out: WiderFacePredictions = new Map();
  for (const event of listDirectory(dir).sort()) {
    const eventDir = path.join(dir, event);
    if (!isDirectory(eventDir)) continue;
    const images = new Map<string, Float64Array>();
    for (const file of listDirectory(eventDir).sort()) {
      const p = path.join(eventDir, file);
      if (isDirectory(p)) continue;
      const lines = readInputFile(p).toString('utf8').split(/\r?\n/);
      if (lines.length < 2 || lines[0].trim() === '')
        throw new SlimboardError('bad_input', `${p}: expected an image path line and a count line`);
      const base = lines[0].trim().split('/').pop() as string;
      const name = base.endsWith('.jpg') ? base.slice(0, -4) : base;
      const rows: number[] = [];
      for (let i = 2; i < lines.length; i++) {
        const t = lines[i].trim();
        if (t === '') continue;
        const nums = t.split(/\s+/).map(Number);
        if (nums.length !== 5 || !nums.every(Number.isFinite))
          throw new SlimboardError('bad_input', `${p}: line ${i + 1}: expected "x y w h score", got ${JSON.stringify(t.slice(0, 60))}`);
        if (nums[2] < 0 || nums[3] < 0) throw new SlimboardError('bad_input', `${p}: line ${i + 1}: negative width or height`);
        rows.push(...nums);
      }
      images.set(name, Float64Array.from(rows));
    }
    out.set(event, images);
  }
  return out;
}

export function readWiderFaceGroundTruth(p: string): WiderFaceGroundTruth {
  return isDirectory(p) ? readWiderFaceMatDirectory(p) : parseWiderFaceGroundTruth(readJsonFile(p), p);
}

export function readWiderFacePredictions(p: string): WiderFacePredictions {
  return isDirectory(p) ? readWiderFacePredictionDirectory(p) : parseWiderFacePredictions(readJsonFile(p), p);
}
