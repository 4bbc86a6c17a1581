/**
 * The demo zoo's validation split, generated on first start instead of being committed (a few seconds).
 * Idempotent: a marker file records what was generated; a complete split with the same version, seed and
 * count is reused.
 */
import { access, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEMO_DATASET_SEED, SYNTHETIC_DATASET_VERSION, writeSyntheticSplit } from '../datasets/synthetic';
import { writeSyntheticFacesSplit } from '../datasets/synthetic/faces-split';

export const DEMO_VAL_SPLIT = { split: 'val', count: 300, seed: DEMO_DATASET_SEED } as const;

export interface DemoValSplit {
  dir: string;
  cocoPath: string;
  imageDir: string;
  generated: boolean;
}

/** Make sure `<dir>` holds the demo val split (COCO + VOC + PNG); returns where it is. `count` is for tests. */
export async function ensureDemoValSplit(dir: string, options: { count?: number } = {}): Promise<DemoValSplit> {
  const { split, seed } = DEMO_VAL_SPLIT;
  const count = options.count ?? DEMO_VAL_SPLIT.count;
  const marker = path.join(dir, `.complete-${split}.json`);
  const want = JSON.stringify({ version: SYNTHETIC_DATASET_VERSION, split, count, seed });
  const cocoPath = path.join(dir, 'annotations', `instances_${split}.json`);
  const imageDir = path.join(dir, 'images', split);
  const have = await readFile(marker, 'utf8').catch(() => '');
  // label_list.txt came later (VOC evaluation): a split written before it is regenerated.
  const complete =
    have === want &&
    (await access(path.join(dir, 'label_list.txt')).then(
      () => true,
      () => false,
    ));
  if (complete) return { dir, cocoPath, imageDir, generated: false };
  await writeSyntheticSplit({ outDir: dir, split, count, seed });
  await writeFile(marker, want);
  return { dir, cocoPath, imageDir, generated: true };
}

/** The demo's synthetic faces (WIDER FACE layout, one class: every shape is a face); 3 events × `perEvent` images. */
export const DEMO_FACES_SPLIT = { perEvent: 40, seed: DEMO_DATASET_SEED } as const;

/** Make sure `<dir>` holds the demo faces split (idempotent like the val split); `perEvent` is for tests. */
export async function ensureDemoFacesSplit(dir: string, options: { perEvent?: number } = {}): Promise<{ dir: string; generated: boolean }> {
  const perEvent = options.perEvent ?? DEMO_FACES_SPLIT.perEvent;
  const marker = path.join(dir, '.complete-faces.json');
  const want = JSON.stringify({ version: SYNTHETIC_DATASET_VERSION, perEvent, seed: DEMO_FACES_SPLIT.seed });
  if ((await readFile(marker, 'utf8').catch(() => '')) === want) return { dir, generated: false };
  await writeSyntheticFacesSplit({ outDir: dir, perEvent, seed: DEMO_FACES_SPLIT.seed });
  await writeFile(marker, want);
  return { dir, generated: true };
}

/**
 * `link` as a second name of the sibling folder `target`: the demo's VOC view (dataset `demo-shapes-voc`) reads the
 * val split's own files, instead of a second copy of them. Idempotent; a folder or another link in its place is
 * replaced. Two starts at once may both create it: the one that finds it made is content.
 */
export async function ensureFolderAlias(link: string, target: string): Promise<void> {
  const want = path.relative(path.dirname(link), target);
  if ((await readlink(link).catch(() => null)) === want) return;
  await rm(link, { recursive: true, force: true });
  try {
    await symlink(want, link, 'dir');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || (await readlink(link).catch(() => null)) !== want) throw e;
  }
}
