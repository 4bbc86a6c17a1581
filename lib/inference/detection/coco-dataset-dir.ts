/**
 * A COCO-format dataset directory for `evaluate`. Two layouts are accepted (first match wins):
 *
 *   A. DIR/annotations.json                       images at DIR/images/<file_name>
 *   B. DIR/annotations/instances_<split>.json     images at DIR/images/<split>/<file_name>
 *                                                 (or DIR/<split>/<file_name>, the official COCO layout)
 *      <split> from --split, or the only instances_*.json there is.
 *
 * The annotation file is read by lib/metrics (the evaluator's own validation); this module adds the
 * image list (file names), checked to exist before any inference starts.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { SlimboardError } from '../../errors';
import type { CocoGroundTruth } from '../../metrics/coco';
import { parseCocoGroundTruth } from '../../metrics/formats/coco-json';
import { parseJsonText, readInputFile } from '../../metrics/formats/json-input';
import type { PipelineImage } from './detection-pipeline';

export interface CocoDatasetDir {
  dir: string;
  annotationsPath: string;
  imageDir: string;
  gt: CocoGroundTruth;
  /** Images in ascending id order. */
  images: PipelineImage[];
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** Find the annotation file and image directory of a dataset dir (layouts A and B above). */
export function locateCocoDataset(dir: string, split?: string): { annotationsPath: string; imageDir: string } {
  if (!isDir(dir)) throw new SlimboardError('bad_dataset', `${dir}: dataset directory does not exist`);
  const flat = path.join(dir, 'annotations.json');
  if (!split && existsSync(flat)) return { annotationsPath: flat, imageDir: path.join(dir, 'images') };
  const annDir = path.join(dir, 'annotations');
  if (isDir(annDir)) {
    const splits = readdirSync(annDir)
      .map((f) => /^instances_(.+)\.json$/.exec(f)?.[1])
      .filter((s): s is string => !!s)
      .sort();
    let chosen = split;
    if (!chosen) {
      if (splits.length !== 1) {
        throw new SlimboardError(
          'bad_dataset',
          `${annDir}: ${
            splits.length === 0 ? 'no instances_<split>.json' : `several splits (${splits.join(', ')}); choose one with --split`
          }`,
        );
      }
      chosen = splits[0];
    } else if (!splits.includes(chosen)) {
      throw new SlimboardError('bad_dataset', `${annDir}: no instances_${chosen}.json (splits: ${splits.join(', ') || 'none'})`);
    }
    const nested = path.join(dir, 'images', chosen);
    return { annotationsPath: path.join(annDir, `instances_${chosen}.json`), imageDir: isDir(nested) ? nested : path.join(dir, chosen) };
  }
  if (isDir(path.join(dir, 'Annotations')) && isDir(path.join(dir, 'ImageSets'))) {
    throw new SlimboardError(
      'unsupported_dataset',
      `${dir}: looks like a Pascal VOC directory; evaluate reads COCO-format datasets (annotations.json + images/, or ` +
        `annotations/instances_<split>.json + images/<split>/)`,
    );
  }
  throw new SlimboardError(
    'bad_dataset',
    `${dir}: no COCO annotations found (expected annotations.json + images/, or annotations/instances_<split>.json + images/<split>/)`,
  );
}

export function openCocoDatasetDir(dir: string, split?: string): CocoDatasetDir {
  const { annotationsPath, imageDir } = locateCocoDataset(dir, split);
  const json = parseJsonText(readInputFile(annotationsPath).toString('utf8'), annotationsPath);
  const gt = parseCocoGroundTruth(json, annotationsPath);
  const fileById = new Map<number, string>();
  (json as { images: Array<Record<string, unknown>> }).images.forEach((im, i) => {
    const f = im.file_name;
    if (typeof f !== 'string' || f.length === 0)
      throw new SlimboardError('bad_dataset', `${annotationsPath}: images[${i}] has no "file_name" string`);
    if (path.isAbsolute(f) || f.split(/[\\/]/).includes('..'))
      throw new SlimboardError(
        'bad_dataset',
        `${annotationsPath}: images[${i}] file_name "${f}" must be relative, inside the image directory`,
      );
    fileById.set(im.id as number, f);
  });
  if (gt.imageIds.length === 0) throw new SlimboardError('bad_dataset', `${annotationsPath}: no images`);
  const images = gt.imageIds.map((id) => ({ id, file: path.join(imageDir, fileById.get(id)!) }));
  const missing = images.find((im) => !existsSync(im.file));
  if (missing) throw new SlimboardError('bad_dataset', `${annotationsPath}: image ${missing.id} file ${missing.file} does not exist`);
  return { dir, annotationsPath, imageDir, gt, images };
}
