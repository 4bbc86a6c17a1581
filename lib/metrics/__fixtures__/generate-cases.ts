/**
 * Deterministic inputs of the reference-parity fixtures (see README.md in this folder). Writes
 * coco/<case>.input.json ({gt, dt}), voc/<case>.input.json ({gt, dt}) and widerface/<case>.input.json
 * ({gt, pred}); the *.golden.json next to them were produced by the reference tools from these files.
 *
 *   npx tsx lib/metrics/__fixtures__/generate-cases.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mulberry32 } from '../../random/mulberry32';

const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;

interface CocoCase {
  gt: { images: Array<{ id: number }>; annotations: Array<Record<string, unknown>>; categories: Array<{ id: number; name: string }> };
  dt: Array<{ image_id: number; category_id: number; bbox: number[]; score: number }>;
}

/** Random COCO case: crowd, GT area != box area (and exactly on 32², 96²), score ties, >100 dets in one group. */
function cocoRandom(
  seed: number,
  numImages: number,
  catIds: number[],
  opts: { scoreDigits: number; noGtCat?: number; noDtCat?: number; heavyGroup?: boolean; idZero?: boolean },
): CocoCase {
  const rand = mulberry32(seed);
  const images = Array.from({ length: numImages }, (_, i) => ({ id: 3 * i + 5 + (i % 4 === 0 ? 1000 : 0) }));
  const annotations: Array<Record<string, unknown>> = [];
  const dt: CocoCase['dt'] = [];
  let annId = opts.idZero ? 0 : 1;
  for (const im of images) {
    const nGt = rand() < 0.15 ? 0 : Math.floor(rand() * 8);
    for (let g = 0; g < nGt; g++) {
      let c = catIds[Math.floor(rand() * catIds.length)];
      if (c === opts.noGtCat) c = catIds[0];
      const size = [6, 20, 31.5, 32, 40, 90, 96, 120, 250][Math.floor(rand() * 9)] * (0.8 + 0.4 * rand());
      const w = round(size * (0.6 + 0.8 * rand()), 2);
      const h = round((size * size) / Math.max(w, 1), 2);
      const x = round(rand() * 400, 2);
      const y = round(rand() * 300, 2);
      const u = rand();
      // GT area: usually smaller than the box (segmentation area); sometimes exactly on a range boundary
      const area = u < 0.1 ? 1024 : u < 0.2 ? 9216 : round(w * h * (0.3 + 0.7 * rand()), 3);
      const crowd = rand() < 0.08 ? 1 : 0;
      annotations.push({ id: annId++, image_id: im.id, category_id: c, bbox: [x, y, w, h], area, iscrowd: crowd });
      const copies = Math.floor(rand() * 4);
      for (let j = 0; j < copies; j++) {
        let dc = rand() < 0.1 ? catIds[Math.floor(rand() * catIds.length)] : c;
        if (dc === opts.noDtCat) dc = catIds[0];
        const jit = j === 0 ? 0.05 : 0.25;
        dt.push({
          image_id: im.id,
          category_id: dc,
          bbox: [
            round(x + w * jit * (rand() - 0.5) * 2, 2),
            round(y + h * jit * (rand() - 0.5) * 2, 2),
            round(w * (1 + jit * (rand() - 0.5)), 2),
            round(h * (1 + jit * (rand() - 0.5)), 2),
          ],
          score: round(rand(), opts.scoreDigits),
        });
      }
    }
    const nFp = Math.floor(rand() * 6);
    for (let f = 0; f < nFp; f++) {
      let dc = catIds[Math.floor(rand() * catIds.length)];
      if (dc === opts.noDtCat) dc = catIds[0];
      const w = round(5 + rand() * 150, 2);
      dt.push({
        image_id: im.id,
        category_id: dc,
        bbox: [round(rand() * 400, 2), round(rand() * 300, 2), w, f === 0 ? 0 : round(5 + rand() * 150, 2)],
        score: round(rand(), opts.scoreDigits),
      });
    }
  }
  if (opts.heavyGroup) {
    // 130 detections of one category on one image: exercises maxDets = 100 truncation and ties.
    const im = images[1].id;
    const c = catIds[1];
    annotations.push({ id: annId++, image_id: im, category_id: c, bbox: [10, 10, 50, 50], area: 2000, iscrowd: 0 });
    annotations.push({ id: annId++, image_id: im, category_id: c, bbox: [100, 100, 20, 20], area: 400, iscrowd: 0 });
    for (let j = 0; j < 130; j++) {
      dt.push({
        image_id: im,
        category_id: c,
        bbox: [round(8 + rand() * 100, 1), round(8 + rand() * 100, 1), round(15 + rand() * 40, 1), round(15 + rand() * 40, 1)],
        score: round(rand(), 1),
      });
    }
  }
  const categories = catIds.map((id) => ({ id, name: `class_${id}` }));
  return { gt: { images, annotations, categories }, dt };
}

/** Boxes whose IoU with the GT is exactly a threshold (0.5, 0.7, 0.75, 0.95) and ties between GTs. */
function cocoIouThresholds(): CocoCase {
  const images = [{ id: 1 }, { id: 2 }, { id: 3 }];
  const G = (id: number, image_id: number, bbox: number[], iscrowd = 0) => ({
    id,
    image_id,
    category_id: 1,
    bbox,
    area: bbox[2] * bbox[3],
    iscrowd,
  });
  const annotations = [
    G(1, 1, [0, 0, 10, 10]),
    G(2, 1, [100, 0, 10, 10]),
    G(3, 1, [200, 0, 10, 10]),
    G(4, 1, [300, 0, 10, 10]),
    G(5, 2, [0, 0, 10, 10]),
    G(6, 2, [0, 0, 10, 10]), // identical twin: equal IoU, the later GT wins the match
    G(7, 3, [0, 0, 40, 40], 1), // crowd: IoU = intersection / detection area
    G(8, 3, [100, 100, 20, 20]),
  ];
  const D = (image_id: number, bbox: number[], score: number) => ({ image_id, category_id: 1, bbox, score });
  const dt = [
    D(1, [0, 0, 10, 5], 0.9), // IoU 0.5
    D(1, [100, 0, 10, 7], 0.8), // IoU 0.7
    D(1, [200, 0, 10, 7.5], 0.8), // IoU 0.75 (tie in score with the previous)
    D(1, [300, 0, 10, 9.5], 0.7), // IoU 0.95
    D(2, [0, 0, 10, 10], 0.6),
    D(2, [0, 0, 10, 10], 0.6),
    D(2, [0, 0, 10, 10], 0.6),
    D(3, [5, 5, 10, 10], 0.95), // inside the crowd region
    D(3, [10, 10, 10, 10], 0.94), // also inside the crowd region
    D(3, [100, 100, 20, 19], 0.5),
  ];
  return {
    gt: {
      images,
      annotations,
      categories: [
        { id: 1, name: 'thing' },
        { id: 2, name: 'empty' },
      ],
    },
    dt,
  };
}

/** Degenerate: a category with only crowd GT (-1), detections only on images without GT, an empty image. */
function cocoDegenerate(): CocoCase {
  const images = [{ id: 10 }, { id: 20 }, { id: 30 }, { id: 40 }];
  const annotations = [
    { id: 1, image_id: 10, category_id: 1, bbox: [0, 0, 50, 50], area: 2500, iscrowd: 1 },
    { id: 2, image_id: 20, category_id: 2, bbox: [0, 0, 30, 30], area: 900, iscrowd: 0 },
  ];
  const dt = [
    { image_id: 10, category_id: 1, bbox: [0, 0, 50, 50], score: 0.9 },
    { image_id: 30, category_id: 2, bbox: [0, 0, 30, 30], score: 0.8 },
    { image_id: 30, category_id: 2, bbox: [5, 5, 30, 30], score: 0.3 },
  ];
  return {
    gt: {
      images,
      annotations,
      categories: [
        { id: 1, name: 'crowd-only' },
        { id: 2, name: 'missed' },
      ],
    },
    dt,
  };
}

/** Perfect detections: every non-crowd GT detected exactly once with a distinct score. */
function cocoPerfect(seed: number): CocoCase {
  const c = cocoRandom(seed, 12, [1, 2, 3], { scoreDigits: 6 });
  const rand = mulberry32(seed + 1);
  c.dt = (c.gt.annotations as Array<{ image_id: number; category_id: number; bbox: number[]; iscrowd: number }>)
    .filter((a) => a.iscrowd === 0)
    .map((a, i) => ({ image_id: a.image_id, category_id: a.category_id, bbox: a.bbox, score: round(0.5 + rand() * 0.4, 6) + i * 1e-7 }));
  return c;
}

interface VocCase {
  gt: {
    num_classes: number;
    class_names: string[];
    is_bbox_normalized: boolean;
    images: Array<{ id: string | number; boxes: number[][]; labels: number[]; difficult: number[] }>;
  };
  dt: Array<{ image_id: string | number; label: number; score: number; box: number[] }>;
}

function vocRandom(seed: number, normalized: boolean): VocCase {
  const rand = mulberry32(seed);
  const C = 6; // class 4 never has GT; class 5 has GT but no detections
  const scale = normalized ? 1 / 500 : 1;
  const q = (v: number) => (normalized ? round(v * scale, 4) : Math.round(v));
  const images: VocCase['gt']['images'] = [];
  const dt: VocCase['dt'] = [];
  for (let i = 0; i < 40; i++) {
    const id = normalized ? i : `img_${String(i).padStart(4, '0')}`;
    const boxes: number[][] = [];
    const labels: number[] = [];
    const difficult: number[] = [];
    const n = Math.floor(rand() * 6);
    for (let g = 0; g < n; g++) {
      const l = [0, 1, 2, 3, 5][Math.floor(rand() * 5)];
      const x1 = rand() * 400;
      const y1 = rand() * 300;
      const w = 10 + rand() * 90;
      const h = 10 + rand() * 90;
      boxes.push([q(x1), q(y1), q(x1 + w), q(y1 + h)]);
      labels.push(l);
      difficult.push(rand() < 0.2 ? 1 : 0);
      if (l === 5) continue;
      const copies = Math.floor(rand() * 3);
      for (let j = 0; j < copies; j++) {
        const jit = j === 0 ? 4 : 15;
        dt.push({
          image_id: id,
          label: rand() < 0.1 ? Math.floor(rand() * 4) : l,
          score: round(rand(), 1),
          box: [
            q(x1 + jit * (rand() - 0.5)),
            q(y1 + jit * (rand() - 0.5)),
            q(x1 + w + jit * (rand() - 0.5)),
            q(y1 + h + jit * (rand() - 0.5)),
          ],
        });
      }
    }
    const nFp = Math.floor(rand() * 3);
    for (let f = 0; f < nFp; f++) {
      const x1 = rand() * 400;
      const y1 = rand() * 300;
      dt.push({
        image_id: id,
        label: Math.floor(rand() * 4),
        score: round(rand(), 1),
        box: [q(x1), q(y1), q(x1 + 20 + rand() * 60), q(y1 + 20 + rand() * 60)],
      });
    }
    images.push({ id, boxes, labels, difficult });
  }
  // detections in a shuffled (but deterministic) order across images: evaluation follows image order
  for (let i = dt.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [dt[i], dt[j]] = [dt[j], dt[i]];
  }
  return { gt: { num_classes: C, class_names: ['a', 'b', 'c', 'd', 'no-gt', 'no-dt'], is_bbox_normalized: normalized, images }, dt };
}

interface WiderCase {
  gt: {
    events: Array<{ name: string; images: Array<{ name: string; boxes: number[][]; easy: number[]; medium: number[]; hard: number[] }> }>;
  };
  pred: Record<string, Record<string, number[][]>>;
}

function widerRandom(seed: number, opts: { sortScores: boolean; extraImage: boolean }): WiderCase {
  const rand = mulberry32(seed);
  const events: WiderCase['gt']['events'] = [];
  const pred: WiderCase['pred'] = {};
  for (let e = 0; e < 3; e++) {
    const name = `${e}--Event_${e}`;
    const images: WiderCase['gt']['events'][number]['images'] = [];
    pred[name] = {};
    for (let i = 0; i < 8; i++) {
      const imName = `${e}_Event_${e}_${100 + i}`;
      const n = i === 0 ? 0 : Math.floor(rand() * 12);
      const boxes: number[][] = [];
      const easy: number[] = [];
      const medium: number[] = [];
      const hard: number[] = [];
      for (let g = 0; g < n; g++) {
        const s = [4, 8, 15, 30, 60][Math.floor(rand() * 5)] * (0.7 + 0.6 * rand());
        boxes.push([Math.round(rand() * 600), Math.round(rand() * 400), Math.max(1, Math.round(s)), Math.max(1, Math.round(s * 1.2))]);
        const u = rand();
        if (u < 0.85) hard.push(g + 1);
        if (u < 0.6) medium.push(g + 1);
        if (u < 0.35) easy.push(g + 1);
      }
      images.push({ name: imName, boxes, easy, medium, hard });
      const rows: number[][] = [];
      if (i !== 1) {
        for (const b of boxes) {
          if (rand() < 0.25) continue;
          const copies = 1 + (rand() < 0.2 ? 1 : 0);
          for (let c = 0; c < copies; c++) {
            const j = c === 0 ? 0.1 : 0.4;
            rows.push([
              round(b[0] + b[2] * j * (rand() - 0.5), 2),
              round(b[1] + b[3] * j * (rand() - 0.5), 2),
              round(b[2] * (1 + j * (rand() - 0.5)), 2),
              round(b[3] * (1 + j * (rand() - 0.5)), 2),
              round(0.2 + 0.8 * rand(), 3),
            ]);
          }
        }
        const nFp = Math.floor(rand() * 5);
        for (let f = 0; f < nFp; f++)
          rows.push([
            round(rand() * 600, 2),
            round(rand() * 400, 2),
            round(5 + rand() * 40, 2),
            round(5 + rand() * 40, 2),
            round(rand() * 0.5, 3),
          ]);
        if (opts.sortScores) rows.sort((a, b) => b[4] - a[4]);
      }
      pred[name][imName] = rows;
    }
    events.push({ name, images });
  }
  if (opts.extraImage) {
    // predictions for an image not in the ground truth still set the score normalisation range
    pred[events[0].name]['0_Event_0_999'] = [
      [1, 1, 10, 10, 1.7],
      [5, 5, 10, 10, -0.4],
    ];
  }
  return { gt: { events }, pred };
}

const here = import.meta.dirname;
const write = (rel: string, value: unknown) => {
  const p = path.join(here, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, JSON.stringify(value) + '\n');
};

write(
  'coco/random-ties-crowd-areas.input.json',
  cocoRandom(11, 30, [1, 3, 7, 12], { scoreDigits: 1, noGtCat: 12, noDtCat: 7, heavyGroup: true }),
);
write('coco/random-larger.input.json', cocoRandom(12, 150, [2, 4, 5, 9, 10, 17], { scoreDigits: 3 }));
write('coco/gt-id-zero.input.json', cocoRandom(13, 15, [1, 2], { scoreDigits: 2, idZero: true }));
write('coco/iou-at-thresholds.input.json', cocoIouThresholds());
write('coco/degenerate.input.json', cocoDegenerate());
write('coco/perfect.input.json', cocoPerfect(14));
write('voc/random-pixel.input.json', vocRandom(21, false));
write('voc/random-normalized.input.json', vocRandom(22, true));
write('widerface/random-sorted.input.json', widerRandom(31, { sortScores: true, extraImage: false }));
write('widerface/random-unsorted-extra.input.json', widerRandom(32, { sortScores: false, extraImage: true }));
