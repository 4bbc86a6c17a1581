/**
 * A single-class synthetic "faces" split in WIDER FACE layout, from the shapes renderer: every shape counts
 * as a face, so a shapes detector can be measured as a one-class detector. Three events vary what makes
 * WIDER's settings differ: sparse scenes, crowds of small and occluded faces, and a few large faces.
 *
 *   <out>/WIDER_val/images/<event>/<event>_<index>.jpg   JPEG (quality 95, libvips; same bytes for the same seed)
 *   <out>/wider_face_val.json                            ground truth in the JSON form `eval widerface` reads:
 *                                                        {events:[{name, images:[{name, boxes:[[x,y,w,h]], easy, medium, hard}]}]}
 *
 * Settings (1-based keep indices, nested easy ⊆ medium ⊆ hard as in WIDER):
 *   hard:   every face whose visible box is at least 10 px high;
 *   medium: at least 20 px high and at most 30 % occluded;
 *   easy:   at least 40 px high, at most 10 % occluded, not cut by the image border.
 * Boxes of faces in no setting stay in the ground truth (WIDER evaluates against all of an image's boxes
 * and ignores matches to boxes outside the setting).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { SlimboardError } from '../../errors';
import { DEFAULT_SCENE_OPTIONS, type SceneObject, type SceneOptions } from './scene';
import { renderSplitImage } from './write-split';

export const FACE_EVENTS: ReadonlyArray<{ name: string; scene: SceneOptions }> = [
  { name: '0--Sparse', scene: DEFAULT_SCENE_OPTIONS },
  { name: '1--Crowd', scene: { ...DEFAULT_SCENE_OPTIONS, minObjects: 12, maxObjects: 24, bucketWeights: [0.65, 0.3, 0.05] } },
  { name: '2--Portrait', scene: { ...DEFAULT_SCENE_OPTIONS, minObjects: 1, maxObjects: 3, bucketWeights: [0.05, 0.35, 0.6] } },
];

export type FaceSetting = 'easy' | 'medium' | 'hard';

/** Which WIDER settings a face belongs to (see the header). */
export function faceSettings(o: Pick<SceneObject, 'bbox' | 'occludedFraction' | 'truncated'>): Record<FaceSetting, boolean> {
  const h = o.bbox[3];
  const hard = h >= 10;
  const medium = hard && h >= 20 && o.occludedFraction <= 0.3;
  const easy = medium && h >= 40 && o.occludedFraction <= 0.1 && !o.truncated;
  return { easy, medium, hard };
}

export interface WriteFacesOptions {
  outDir: string;
  /** Images per event. */
  perEvent: number;
  seed: number;
}

export async function writeSyntheticFacesSplit(o: WriteFacesOptions): Promise<{ images: number; faces: number; gtPath: string }> {
  if (!Number.isInteger(o.perEvent) || o.perEvent < 1 || o.perEvent > 10_000)
    throw new SlimboardError('bad_count', `images per event must be an integer in [1, 10000], got ${o.perEvent}`);
  const events = [];
  let faces = 0;
  for (const ev of FACE_EVENTS) {
    const dir = path.join(o.outDir, 'WIDER_val', 'images', ev.name);
    await mkdir(dir, { recursive: true });
    const images = [];
    for (let i = 0; i < o.perEvent; i++) {
      const scene = renderSplitImage(o.seed, `faces-${ev.name}`, i, ev.scene);
      const name = `${ev.name}_${String(i).padStart(4, '0')}`;
      const jpeg = await sharp(Buffer.from(scene.rgb.buffer, scene.rgb.byteOffset, scene.rgb.byteLength), {
        raw: { width: scene.width, height: scene.height, channels: 3 },
      })
        .jpeg({ quality: 95, chromaSubsampling: '4:4:4' })
        .toBuffer();
      await writeFile(path.join(dir, `${name}.jpg`), jpeg);
      const keep: Record<FaceSetting, number[]> = { easy: [], medium: [], hard: [] };
      scene.objects.forEach((obj, k) => {
        const s = faceSettings(obj);
        for (const setting of ['easy', 'medium', 'hard'] as const) if (s[setting]) keep[setting].push(k + 1);
      });
      faces += scene.objects.length;
      images.push({ name, boxes: scene.objects.map((obj) => [...obj.bbox]), ...keep });
    }
    events.push({ name: ev.name, images });
  }
  const gtPath = path.join(o.outDir, 'wider_face_val.json');
  await writeFile(gtPath, JSON.stringify({ events }));
  return { images: FACE_EVENTS.length * o.perEvent, faces, gtPath };
}
