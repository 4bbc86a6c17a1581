/**
 * Deterministic generator of a val2017-sized COCO case: 5,000 images, ~37,000 GT boxes (about 1% crowd,
 * GT `area` smaller than the box as for segmentation areas), ~490,000 detections over 80 categories
 * (jittered true positives, duplicates, confusions and background false positives, at most 100 per
 * image like a real detector), written as COCO annotation JSON + results JSON.
 * Numbers are rounded as YOLOv5's COCO export does (bbox to 3 decimals, score to 5), so score ties occur.
 *
 *   npx tsx tools/bench/coco-val2017-case.ts [--out .slimboard/bench] [--seed 2017]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mulberry32 } from '../../lib/random/mulberry32';

export interface CocoCaseFiles {
  gtPath: string;
  dtPath: string;
  images: number;
  annotations: number;
  detections: number;
}

/** COCO's 80 category ids (1..90 with gaps). */
const COCO_CATEGORY_IDS = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
  42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80,
  81, 82, 84, 85, 86, 87, 88, 89, 90,
];

const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

export function generateCocoVal2017Case(outDir: string, seed = 2017, numImages = 5000): CocoCaseFiles {
  const rand = mulberry32(seed);
  const normal = () => {
    const u = Math.max(rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
  // Category frequencies: "person" ~ 30%, the rest Zipf-like.
  const weights = COCO_CATEGORY_IDS.map((_, i) => (i === 0 ? 24 : 1 / Math.pow(i, 0.8)));
  const wSum = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  weights.reduce((acc, w, i) => (cdf[i] = acc + w / wSum), 0);
  const pickCategory = () => {
    const u = rand();
    let i = 0;
    while (i < cdf.length - 1 && cdf[i] < u) i++;
    return COCO_CATEGORY_IDS[i];
  };

  const images: string[] = [];
  const anns: string[] = [];
  const dets: string[] = [];
  let annId = 1;
  let imageId = 139;
  for (let i = 0; i < numImages; i++) {
    imageId += 1 + Math.floor(rand() * 200);
    const W = 480 + Math.floor(rand() * 4) * 80;
    const H = 360 + Math.floor(rand() * 4) * 60;
    images.push(`{"id":${imageId},"width":${W},"height":${H},"file_name":"${String(imageId).padStart(12, '0')}.jpg"}`);
    const numGt = Math.min(60, Math.floor(-Math.log(Math.max(rand(), 1e-9)) * 7.85));
    const imgDets: Array<{ c: number; b: number[]; s: number }> = [];
    const imgCats: number[] = [];
    for (let g = 0; g < numGt; g++) {
      const c = pickCategory();
      imgCats.push(c);
      const crowd = rand() < 0.01;
      const size = Math.min(Math.exp(3.6 + 1.05 * normal()) * (crowd ? 3 : 1), Math.min(W, H) * 0.95);
      const ar = Math.exp(0.5 * normal());
      const w = Math.max(1, Math.min(W - 1, size * Math.sqrt(ar)));
      const h = Math.max(1, Math.min(H - 1, size / Math.sqrt(ar)));
      const x = rand() * (W - w);
      const y = rand() * (H - h);
      const area = w * h * (0.45 + 0.45 * rand());
      anns.push(
        `{"id":${annId++},"image_id":${imageId},"category_id":${c},` +
          `"bbox":[${round(x, 2)},${round(y, 2)},${round(w, 2)},${round(h, 2)}],"area":${round(area, 4)},"iscrowd":${crowd ? 1 : 0}}`,
      );
      // Detections of this object: a detector finds most objects, often several times.
      const found = rand() < 0.85;
      const copies = found ? 1 + Math.floor(rand() * 4) : 0;
      for (let j = 0; j < copies; j++) {
        const jitter = j === 0 ? 0.06 : 0.18;
        const dx = x + w * jitter * normal();
        const dy = y + h * jitter * normal();
        const dw = Math.max(0.5, w * (1 + jitter * normal()));
        const dh = Math.max(0.5, h * (1 + jitter * normal()));
        const confused = rand() < 0.08;
        imgDets.push({ c: confused ? pickCategory() : c, b: [dx, dy, dw, dh], s: j === 0 ? 0.35 + 0.65 * rand() : 0.05 + 0.6 * rand() });
      }
    }
    // Background false positives up to ~98 detections per image, some in the image's categories.
    const target = 92 + Math.floor(rand() * 13);
    while (imgDets.length < target) {
      const c = imgCats.length > 0 && rand() < 0.5 ? imgCats[Math.floor(rand() * imgCats.length)] : pickCategory();
      const size = Math.min(Math.exp(3.3 + 1.1 * normal()), Math.min(W, H) * 0.9);
      const ar = Math.exp(0.5 * normal());
      const w = Math.max(1, size * Math.sqrt(ar));
      const h = Math.max(1, size / Math.sqrt(ar));
      imgDets.push({ c, b: [rand() * Math.max(1, W - w), rand() * Math.max(1, H - h), w, h], s: 0.001 + 0.3 * rand() * rand() });
    }
    imgDets.sort((a, b) => b.s - a.s);
    for (const d of imgDets.slice(0, 100)) {
      dets.push(
        `{"image_id":${imageId},"category_id":${d.c},` +
          `"bbox":[${round(d.b[0], 3)},${round(d.b[1], 3)},${round(d.b[2], 3)},${round(d.b[3], 3)}],"score":${round(d.s, 5)}}`,
      );
    }
  }
  const categories = COCO_CATEGORY_IDS.map((id) => `{"id":${id},"name":"category_${id}","supercategory":"thing"}`);
  mkdirSync(outDir, { recursive: true });
  const gtPath = path.join(outDir, 'instances_val2017_synthetic.json');
  const dtPath = path.join(outDir, 'detections_val2017_synthetic.json');
  writeFileSync(
    gtPath,
    `{"info":{"description":"synthetic val2017-sized case, ` +
      `seed ${seed}"},"images":[${images.join(',')}],"annotations":[${anns.join(',')}],"categories":[${categories.join(',')}]}`,
  );
  // One detection per line, as most exporters write them.
  writeFileSync(dtPath, `[\n${dets.join(',\n')}\n]\n`);
  return { gtPath, dtPath, images: images.length, annotations: anns.length, detections: dets.length };
}

const isEntry = process.argv[1] !== undefined && /coco-val2017-case\.ts$/.test(process.argv[1]);
if (isEntry) {
  const args = process.argv.slice(2);
  const flag = (name: string, dflt: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
  };
  const r = generateCocoVal2017Case(flag('out', '.slimboard/bench'), Number(flag('seed', '2017')));
  process.stdout.write(`${r.images} images, ${r.annotations} GT boxes, ${r.detections} detections\n${r.gtPath}\n${r.dtPath}\n`);
}
