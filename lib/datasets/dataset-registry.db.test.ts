import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipelineFixture, REPO_ROOT, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { listArchiveEntries } from './dataset-archive';
import { addDataset, ensureLocalDataset, listDatasets } from './dataset-registry';
import { writeSyntheticFacesSplit } from './synthetic/faces-split';
import { writeSyntheticSplit } from './synthetic';

/** `dataset add` for the three layouts against a real PostgreSQL and the local artifact store. */
let f: PipelineFixture;
let tmp: string;

beforeAll(async () => {
  f = await createPipelineFixture('datasets');
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'slimboard-datasets-'));
  await writeSyntheticSplit({ outDir: path.join(tmp, 'shapes'), split: 'val', count: 5, seed: 3 });
  await writeSyntheticFacesSplit({ outDir: path.join(tmp, 'faces'), perEvent: 2, seed: 3 });
});
afterAll(async () => {
  await f?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

/** The CLI as a user runs it, on the fixture's database and data dir. */
function cliChild(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'lib', 'cli', 'main.ts'), ...args], { cwd: REPO_ROOT, env: f.childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const deps = () => ({ pool: f.pipeline.pool, store: f.pipeline.store });

async function sameTree(a: string, b: string): Promise<void> {
  const ea = await listArchiveEntries(a);
  expect(await listArchiveEntries(b)).toEqual(ea);
  for (const e of ea) expect((await fs.readFile(path.join(b, e.path))).equals(await fs.readFile(path.join(a, e.path)))).toBe(true);
}

describe('dataset registry', () => {
  it('registers one folder as COCO and as VOC, counts what it holds, and any data dir gets it back byte for byte', async () => {
    const coco = await addDataset(path.join(tmp, 'shapes'), { name: 'Shapes COCO', slug: 'shapes-coco', format: 'coco', split: 'val' }, deps());
    const voc = await addDataset(path.join(tmp, 'shapes'), { name: 'Shapes VOC', format: 'voc', split: 'val' }, deps());
    expect(voc.slug).toBe('shapes-voc');
    const annotations = JSON.parse(await fs.readFile(path.join(tmp, 'shapes', 'annotations', 'instances_val.json'), 'utf8'));
    expect(coco).toMatchObject({ format: 'coco', split: 'val', imageCount: 5, objectCount: annotations.annotations.length, created: true });
    expect(coco.classes).toEqual(['ellipse', 'rectangle', 'triangle', 'star', 'ring', 'cross']);
    expect(voc).toMatchObject({ format: 'voc', imageCount: 5, classes: coco.classes });
    // Same folder, same archive: one artifact.
    expect(voc.sha256).toBe(coco.sha256);

    const otherDataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'slimboard-other-'));
    try {
      const local = await ensureLocalDataset('shapes-voc', { ...deps(), dataDir: otherDataDir });
      expect(local).toMatchObject({ format: 'voc', split: 'val' });
      expect(local.dir).toBe(path.join(otherDataDir, 'cache', 'datasets', voc.sha256));
      await sameTree(path.join(tmp, 'shapes'), local.dir);
      // Second call reuses the unpacked folder.
      expect((await ensureLocalDataset('shapes-coco', { ...deps(), dataDir: otherDataDir })).dir).toBe(local.dir);
    } finally {
      await fs.rm(otherDataDir, { recursive: true, force: true });
    }
  });

  it('registers a WIDER FACE folder through the CLI (easy/medium/hard ground truth, one class)', async () => {
    const { code, stdout, stderr } = await cliChild(['dataset', 'add', path.join(tmp, 'faces'), '--name', 'Synthetic faces', '--format', 'widerface', '--json']);
    expect(code, stderr).toBe(0);
    const out = [stdout];
    const added = JSON.parse(out.join(''));
    expect(added).toMatchObject({ slug: 'synthetic-faces', format: 'widerface', split: 'val', imageCount: 6, classes: ['face'] });
    const rows = await listDatasets(f.pipeline.pool);
    expect(rows.find((r) => r.slug === 'synthetic-faces')).toMatchObject({ format: 'widerface', imageCount: 6, sha256: added.sha256, sizeBytes: added.sizeBytes });
  });

  it('is idempotent; the same slug with different content is refused with what to do', async () => {
    const again = await addDataset(path.join(tmp, 'shapes'), { name: 'Shapes COCO', slug: 'shapes-coco', format: 'coco', split: 'val' }, deps());
    expect(again.created).toBe(false);
    const changed = path.join(tmp, 'shapes-changed');
    await fs.cp(path.join(tmp, 'shapes'), changed, { recursive: true });
    await fs.appendFile(path.join(changed, 'label_list.txt'), '\n');
    await expect(addDataset(changed, { name: 'Shapes COCO', slug: 'shapes-coco', format: 'coco', split: 'val' }, deps())).rejects.toThrow(/different content.*new --slug/);
  });

  it('EXPECTED FAILURE: a folder that is not in its declared format names what is missing; nothing is registered', async () => {
    await expect(addDataset(path.join(tmp, 'faces'), { name: 'Faces as VOC', format: 'voc' }, deps())).rejects.toThrow(/ImageSets\/Main/);
    await expect(addDataset(path.join(tmp, 'shapes'), { name: 'Shapes as WIDER', format: 'widerface' }, deps())).rejects.toThrow(/wider_face_val/);
    await expect(addDataset(path.join(tmp, 'nope'), { name: 'Nothing', format: 'coco' }, deps())).rejects.toThrow(/not a directory/);
    const slugs = (await listDatasets(f.pipeline.pool)).map((d) => d.slug);
    expect(slugs.filter((s) => /as-|nothing/.test(s))).toEqual([]);
  });

  it('EXPECTED FAILURE: an unregistered, uninstalled dataset tells the worker how to register it', async () => {
    await expect(ensureLocalDataset('not-there', { ...deps(), dataDir: tmp })).rejects.toThrow(/dataset add DIR/);
  });
});
