import { existsSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { ArtifactStore } from '../artifacts/store';
import { SlimboardError } from '../errors';
import { openCocoDatasetDir } from '../inference/detection/coco-dataset-dir';
import { readVocDirectory } from '../metrics/formats/voc-directory';
import { parseWiderFaceGroundTruth, readWiderFaceMatDirectory } from '../metrics/formats/widerface-files';
import { parseJsonText, readInputFile } from '../metrics/formats/json-input';
import { listArchiveEntries, packDirectory, unpackArchive } from './dataset-archive';
import { DATASET_FORMATS, ZDatasetAdd, ZDatasetSlug, type DatasetFormat, type TDatasetAdd } from './dataset-add-schema';

export { DATASET_FORMATS, ZDatasetAdd, ZDatasetSlug, type DatasetFormat, type TDatasetAdd };

/**
 * Datasets as first-class artifacts. `dataset add DIR` checks the folder in its declared format, packs it
 * into one deterministic archive (lib/datasets/dataset-archive.ts), stores that by sha256 in the artifact
 * store (local disk, S3 or, for reading, HTTP) and records the `Dataset` row: format, split, classes,
 * image and object counts, sha256, size. Any worker then materialises it by sha256 (ensureLocalDataset),
 * so no worker needs the web server's disk.
 *
 * Layouts (what `evaluate` reads):
 * - coco: DIR/annotations.json + DIR/images/, or DIR/annotations/instances_<split>.json + DIR/images/<split>/
 * - voc: DIR/Annotations/*.xml, DIR/ImageSets/Main/<split>.txt, images in DIR/JPEGImages/<id>.jpg (or the
 *   image path given per line as "<image> <xml>" pairs), optional DIR/label_list.txt (else the 20 VOC classes)
 * - widerface: DIR/wider_face_split/wider_face_val.mat + wider_{easy,medium,hard}_val.mat, or the JSON form
 *   DIR/wider_face_val.json; images in DIR/WIDER_val/images/<event>/<image>.jpg
 */

/**
 * The format a folder's layout suggests, when nothing declares one (an unregistered folder): COCO unless VOC or
 * WIDER FACE files are there. The worker and `evaluate` both call this, so both read a folder the same way.
 */
export function guessDatasetFormat(dir: string): DatasetFormat {
  const has = (p: string) => existsSync(path.join(dir, p));
  if (has('annotations.json') || has('annotations')) return 'coco';
  if (has('wider_face_split') || has('wider_face_val.json')) return 'widerface';
  if (has('Annotations') && has('ImageSets')) return 'voc';
  return 'coco';
}

export interface DatasetSummary {
  format: DatasetFormat;
  split: string | null;
  imageCount: number;
  objectCount: number;
  classes: string[];
}

/** A slug from a display name: "VOC 2007 test" → "voc-2007-test". */
export function slugFromName(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 120);
  if (!slug) throw new SlimboardError('bad_dataset', `cannot derive a slug from the name "${name}": give --slug`);
  return slug;
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** Check a folder in its declared format and count what it holds; throws a clear error otherwise. */
export function inspectDatasetDir(dir: string, format: DatasetFormat, split?: string): DatasetSummary {
  if (!isDir(dir)) throw new SlimboardError('bad_dataset', `${dir}: not a directory`);
  if (format === 'coco') {
    const ds = openCocoDatasetDir(dir, split);
    return {
      format,
      split: split ?? null,
      imageCount: ds.images.length,
      objectCount: ds.gt.annImage.length,
      classes: ds.gt.categories.map((c) => c.name),
    };
  }
  if (format === 'voc') {
    const gt = readVocDirectory(dir, { imageSet: split });
    return {
      format,
      split: split ?? null,
      imageCount: gt.images.length,
      objectCount: gt.images.reduce((n, im) => n + im.labels.length, 0),
      classes: gt.classNames,
    };
  }
  const gt = readWiderFaceDatasetGroundTruth(dir);
  const images = gt.events.flatMap((e) => e.images.map((im) => ({ event: e.name, im })));
  const missing = images.find(({ event, im }) => !existsSync(widerImagePath(dir, event, im.name)));
  if (missing) {
    throw new SlimboardError(
      'bad_dataset',
      `${dir}: image ${widerImagePath(dir, missing.event, missing.im.name)} does not exist (expected WIDER_val/images/<event>/<image>.jpg)`,
    );
  }
  return {
    format,
    split: split ?? 'val',
    imageCount: images.length,
    objectCount: images.reduce((n, { im }) => n + im.boxes.length / 4, 0),
    classes: ['face'],
  };
}

export function readWiderFaceDatasetGroundTruth(dir: string) {
  const matDir = path.join(dir, 'wider_face_split');
  if (existsSync(path.join(matDir, 'wider_face_val.mat'))) return readWiderFaceMatDirectory(matDir);
  const json = path.join(dir, 'wider_face_val.json');
  if (existsSync(json)) return parseWiderFaceGroundTruth(parseJsonText(readInputFile(json).toString('utf8'), json), json);
  throw new SlimboardError(
    'bad_dataset',
    `${dir}: no WIDER FACE ground truth (expected wider_face_split/wider_face_val.mat + wider_{easy,medium,hard}_val.mat, or ` +
      `wider_face_val.json)`,
  );
}

export function widerImagePath(dir: string, event: string, image: string): string {
  return path.join(dir, 'WIDER_val', 'images', event, `${image}.jpg`);
}

export interface AddedDataset extends DatasetSummary {
  slug: string;
  name: string;
  sha256: string;
  sizeBytes: number;
  /** False when the same slug already held these exact bytes (nothing changed). */
  created: boolean;
}

/**
 * Register (or re-register) a dataset folder. Idempotent: the same folder gives the same archive and sha256.
 * A slug that already names a *different* archive is refused (datasets are immutable once measured
 * against); pick a new slug or name for a new version.
 */
export async function addDataset(
  dir: string,
  input: TDatasetAdd,
  deps: { pool: Pick<pg.Pool, 'query'>; store: ArtifactStore },
): Promise<AddedDataset> {
  const opts = ZDatasetAdd.parse(input);
  const slug = opts.slug ?? slugFromName(opts.name);
  const summary = inspectDatasetDir(dir, opts.format, opts.split);
  const entries = await listArchiveEntries(dir);
  const stored = await deps.store.put(packDirectory(dir, entries), { maxBytes: Number.MAX_SAFE_INTEGER });
  const existing = await deps.pool.query<{ sha256: string | null; name: string }>(`SELECT sha256, name FROM "Dataset" WHERE slug = $1`, [
    slug,
  ]);
  const row = existing.rows[0];
  if (row?.sha256 && row.sha256 !== stored.sha256) {
    throw new SlimboardError(
      'dataset_exists',
      `dataset "${slug}" is already registered with different content (sha256 ${row.sha256.slice(0, 12)}…, this ` +
        `folder ${stored.sha256.slice(0, 12)}…); ` +
        'registered datasets do not change: use a new --slug for the new version',
      { status: 409 },
    );
  }
  const values = [
    slug,
    opts.name,
    summary.format,
    summary.split,
    stored.sha256,
    stored.sizeBytes,
    summary.imageCount,
    summary.objectCount,
    JSON.stringify(summary.classes),
  ];
  try {
    await deps.pool.query(
      `INSERT INTO "Dataset" (slug, name, aliases, format, split, sha256, "sizeBytes", "imageCount", "objectCount", classes, "registeredAt")
       VALUES ($1, $2, '{}', $3, $4, $5, $6, $7, $8, $9::jsonb, now())
       ON CONFLICT (slug) DO UPDATE SET format = $3, split = $4, sha256 = $5, "sizeBytes" = $6, "imageCount" = $7, "objectCount" = $8, ` +
        `classes = $9::jsonb,
         "registeredAt" = COALESCE("Dataset"."registeredAt", now())`,
      values,
    );
  } catch (e) {
    if ((e as { code?: string }).code === '23505') {
      throw new SlimboardError('dataset_exists', `another dataset is already called "${opts.name}": choose a different --name`, {
        status: 409,
      });
    }
    throw e;
  }
  return { slug, name: row?.name ?? opts.name, sha256: stored.sha256, sizeBytes: stored.sizeBytes, created: !row?.sha256, ...summary };
}

export interface DatasetRecord {
  slug: string;
  name: string;
  format: DatasetFormat | null;
  split: string | null;
  sha256: string | null;
  sizeBytes: number | null;
  imageCount: number | null;
  objectCount: number | null;
  classes: string[] | null;
}

export async function listDatasets(pool: Pick<pg.Pool, 'query'>): Promise<DatasetRecord[]> {
  const r = await pool.query(
    `SELECT slug, name, format, split, sha256, "sizeBytes"::float8 AS "sizeBytes", "imageCount", "objectCount", classes FROM "Dataset" ` +
      `ORDER BY slug`,
  );
  return r.rows as DatasetRecord[];
}

/**
 * A local folder holding dataset `slug` for this worker:
 * - a registered dataset (sha256 set): fetched from the artifact store, verified, unpacked once under
 *   `<dataDir>/cache/datasets/<sha256>/` and reused (the folder name is the content hash, so it never goes stale);
 * - otherwise a folder installed by hand under `<dataDir>/datasets/<slug>/` (the earlier convention).
 */
export async function ensureLocalDataset(
  slug: string,
  deps: { pool: Pick<pg.Pool, 'query'>; store: ArtifactStore; dataDir: string },
): Promise<{ dir: string; format: DatasetFormat | null; split: string | null }> {
  const key = ZDatasetSlug.safeParse(slug).success || /^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(slug) ? slug : null;
  if (!key) throw new SlimboardError('bad_dataset', `dataset key "${slug.slice(0, 80)}" is not a valid slug`);
  const r = await deps.pool.query<{ sha256: string | null; format: DatasetFormat | null; split: string | null }>(
    `SELECT sha256, format, split FROM "Dataset" WHERE slug = $1`,
    [key],
  );
  const row = r.rows[0];
  if (row?.sha256) {
    const dir = path.join(deps.dataDir, 'cache', 'datasets', row.sha256);
    if (!isDir(dir)) {
      const archive = await deps.store.localPath(row.sha256);
      await fs.mkdir(path.dirname(dir), { recursive: true });
      try {
        await unpackArchive(archive, dir);
      } catch (e) {
        // Another worker on this host finished first: its folder is the same content.
        if (!isDir(dir)) throw e;
      }
    }
    return { dir, format: row.format, split: row.split };
  }
  const dir = path.join(deps.dataDir, 'datasets', key);
  if (!isDir(dir)) {
    throw new SlimboardError(
      'dataset_missing',
      `dataset "${key}" is not registered as an artifact and not installed on this worker (expected ${dir}): register it with \`npm run ` +
        `-s slimboard -- dataset add DIR --name … --format …\``,
    );
  }
  return { dir, format: row?.format ?? null, split: row?.split ?? null };
}
