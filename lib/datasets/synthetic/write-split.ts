/**
 * Writes one split of the synthetic shapes dataset to a directory:
 *
 *   <out>/images/<split>/<split>_000000.png       RGB PNG images
 *   <out>/annotations/instances_<split>.json      COCO instances (file_name relative to images/<split>/)
 *   <out>/Annotations/<split>_000000.xml          Pascal VOC XML, one per image
 *   <out>/ImageSets/Main/<split>.txt              VOC image list (file stems)
 *   <out>/label_list.txt                          VOC class names in label order
 *
 * PNG is lossless and sharp/libvips encodes it the same way every time, so the files are byte-identical
 * for the same seed, split and count.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { SlimboardError } from '../../errors';
import { buildCocoDataset, type CocoDataset } from './coco-format';
import { imagePrng } from './prng';
import { DEFAULT_SCENE_OPTIONS, renderScene, type Scene, type SceneOptions } from './scene';
import { SHAPE_CLASSES } from './shapes';
import { vocAnnotationXml } from './voc-format';

export interface WriteSplitOptions {
  outDir: string;
  split: string;
  count: number;
  seed: number;
  scene?: SceneOptions;
  /** Images encoded concurrently (sharp runs them on libuv's thread pool). */
  concurrency?: number;
}

export interface WriteSplitResult {
  cocoPath: string;
  imageDir: string;
  images: number;
  annotations: number;
  durationMs: number;
}

const SPLIT_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

export function imageStem(split: string, index: number): string {
  return `${split}_${String(index).padStart(6, '0')}`;
}

/** Render image `index` of a split (pure; no I/O). */
export function renderSplitImage(seed: number, split: string, index: number, scene: SceneOptions = DEFAULT_SCENE_OPTIONS): Scene {
  return renderScene(imagePrng(seed, split, index), scene);
}

export async function encodePng(scene: Pick<Scene, 'width' | 'height' | 'rgb'>): Promise<Buffer> {
  return sharp(Buffer.from(scene.rgb.buffer, scene.rgb.byteOffset, scene.rgb.byteLength), {
    raw: { width: scene.width, height: scene.height, channels: 3 },
  })
    .png({ compressionLevel: 2, adaptiveFiltering: false, palette: false })
    .toBuffer();
}

export async function writeSyntheticSplit(options: WriteSplitOptions): Promise<WriteSplitResult> {
  const started = performance.now();
  const { outDir, split, count, seed } = options;
  if (!SPLIT_NAME.test(split)) throw new SlimboardError('bad_split', `split name "${split}" must match ${SPLIT_NAME}`);
  if (!Number.isInteger(count) || count < 1 || count > 200_000)
    throw new SlimboardError('bad_count', `count must be an integer in [1, 200000], got ${count}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new SlimboardError('bad_seed', `seed must be an integer in [0, 2^32), got ${seed}`);
  const imageDir = path.join(outDir, 'images', split);
  const annotationDir = path.join(outDir, 'annotations');
  const vocDir = path.join(outDir, 'Annotations');
  const setsDir = path.join(outDir, 'ImageSets', 'Main');
  for (const dir of [imageDir, annotationDir, vocDir, setsDir]) await mkdir(dir, { recursive: true });

  const concurrency = Math.max(1, options.concurrency ?? 4);
  const entries: Array<{ fileName: string; scene: Pick<Scene, 'width' | 'height' | 'objects'> }> = new Array(count);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < count) {
      const index = next++;
      const scene = renderSplitImage(seed, split, index, options.scene);
      const stem = imageStem(split, index);
      const fileName = `${stem}.png`;
      await writeFile(path.join(imageDir, fileName), await encodePng(scene));
      await writeFile(path.join(vocDir, `${stem}.xml`), vocAnnotationXml(`images/${split}`, fileName, scene));
      entries[index] = { fileName, scene: { width: scene.width, height: scene.height, objects: scene.objects } };
    }
  }
  await Promise.all(Array.from({ length: concurrency }, () => worker()));

  const coco: CocoDataset = buildCocoDataset(entries, { seed, split });
  const cocoPath = path.join(annotationDir, `instances_${split}.json`);
  await writeFile(cocoPath, JSON.stringify(coco));
  await writeFile(path.join(setsDir, `${split}.txt`), entries.map((_, i) => imageStem(split, i)).join('\n') + '\n');
  // The VOC class list in label order (PaddleDetection's label_list.txt); without it VOC readers assume the 20 VOC classes.
  await writeFile(path.join(outDir, 'label_list.txt'), SHAPE_CLASSES.join('\n') + '\n');
  return { cocoPath, imageDir, images: count, annotations: coco.annotations.length, durationMs: performance.now() - started };
}
