/**
 * COCO "instances" JSON for a synthetic split. Boxes are [x, y, w, h] in pixels of the visible mask,
 * `area` is the visible pixel count (the mask area, as COCO defines it), `iscrowd` is always 0, and the
 * mask itself is kept as uncompressed RLE ({counts, size: [height, width]}, column-major runs).
 */
import { SHAPE_CLASSES } from './shapes';
import type { Scene } from './scene';

export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  area: number;
  iscrowd: 0;
  segmentation: { counts: number[]; size: [number, number] };
  /** Extra fields (ignored by COCO tools): clipped by the image border; fraction hidden by other shapes. */
  truncated: boolean;
  occluded_fraction: number;
}

export interface CocoDataset {
  info: { description: string; version: string; year: number; seed: number; split: string; generator: string };
  licenses: Array<{ id: number; name: string }>;
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: Array<{ id: number; name: string; supercategory: string }>;
}

export const SYNTHETIC_DATASET_VERSION = 'shapes-v1';

export function cocoCategories(): CocoDataset['categories'] {
  return SHAPE_CLASSES.map((name, i) => ({ id: i + 1, name, supercategory: 'shape' }));
}

/** Build the COCO document for scenes listed in image order; image ids are 1-based positions. */
export function buildCocoDataset(
  scenes: ReadonlyArray<{ fileName: string; scene: Pick<Scene, 'width' | 'height' | 'objects'> }>,
  meta: { seed: number; split: string },
): CocoDataset {
  const images: CocoImage[] = [];
  const annotations: CocoAnnotation[] = [];
  scenes.forEach(({ fileName, scene }, i) => {
    const imageId = i + 1;
    images.push({ id: imageId, file_name: fileName, width: scene.width, height: scene.height });
    for (const o of scene.objects) {
      annotations.push({
        id: annotations.length + 1,
        image_id: imageId,
        category_id: o.categoryId,
        bbox: o.bbox,
        area: o.area,
        iscrowd: 0,
        segmentation: { counts: o.rleCounts, size: [scene.height, scene.width] },
        truncated: o.truncated,
        occluded_fraction: Math.round(o.occludedFraction * 1000) / 1000,
      });
    }
  });
  return {
    info: {
      description: 'Slimboard synthetic shapes detection dataset',
      version: SYNTHETIC_DATASET_VERSION,
      year: 2026,
      seed: meta.seed,
      split: meta.split,
      generator: 'lib/datasets/synthetic',
    },
    licenses: [{ id: 1, name: 'generated; no rights reserved' }],
    images,
    annotations,
    categories: cocoCategories(),
  };
}
