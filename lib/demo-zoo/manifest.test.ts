import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SlimboardError } from '../errors';
import { DEMO_ZOO_DIR, readDemoZooManifest, type TDemoZooManifest } from './manifest';
import { ensureDemoValSplit } from './val-split';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function fixture(file: string, bytes: Buffer): TDemoZooManifest {
  const model = {
    id: 'baseline',
    file,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.length,
    precision: 'fp32' as const,
    family: 'YOLOv3',
    backbone: 'MobileNetV1 x0.25',
    params: 10,
    gflops: { '416': 0.4 },
    lineage: { baseline: 'baseline', parent: null, method: 'baseline' as const, strategy: null, teacher: null },
    recipe: {},
    seed: 1,
    ap: { '416': { AP: 0.6, AP50: 0.9, AP75: 0.7 } },
  };
  return {
    schemaVersion: 1,
    title: 't',
    createdAt: '2026-11-29T00:00:00Z',
    dataset: {
      name: 'd',
      version: 'shapes-v1',
      seed: 1,
      val: { split: 'val', images: 3 },
      train: { split: 'train', images: 3 },
      classes: ['a'],
    },
    evaluation: {},
    gflopsConvention: 'MACs',
    adapter: {
      kind: 'decoded-boxes-scores',
      input: { name: 'image', dtype: 'float32', layout: 'NCHW', heightWidthMultipleOf: 32 },
      resize: { mode: 'stretch', evalSizes: [416] },
      outputs: {},
      postprocess: { scoreThreshold: 0.01, nmsIou: 0.5, maxDetectionsPerImage: 100 },
      classNames: ['a'],
      cocoCategoryIds: [1],
    },
    models: [model],
  };
}

describe('readDemoZooManifest', () => {
  it('accepts a valid manifest and verifies file bytes and sha256', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slimboard-dz-'));
    dirs.push(dir);
    const bytes = Buffer.from('not really onnx');
    await writeFile(path.join(dir, 'm.onnx'), bytes);
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(fixture('m.onnx', bytes)));
    const m = await readDemoZooManifest(dir, { verifyFiles: true });
    expect(m.models[0].id).toBe('baseline');
  });

  it('EXPECTED FAILURE: a changed file, an unknown parent or a bad field is one SlimboardError line', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slimboard-dz-'));
    dirs.push(dir);
    const bytes = Buffer.from('abc');
    await writeFile(path.join(dir, 'm.onnx'), Buffer.from('abd'));
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(fixture('m.onnx', bytes)));
    await expect(readDemoZooManifest(dir, { verifyFiles: true })).rejects.toThrow(/sha256/);
    const orphan = fixture('m.onnx', bytes);
    orphan.models[0].lineage.parent = 'ghost';
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(orphan));
    await expect(readDemoZooManifest(dir)).rejects.toThrow(/unknown model "ghost"/);
    const bad = fixture('m.onnx', bytes) as unknown as { models: Array<{ sha256: string }> };
    bad.models[0].sha256 = 'xyz';
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(bad));
    await expect(readDemoZooManifest(dir)).rejects.toThrow(SlimboardError);
    await expect(readDemoZooManifest(path.join(dir, 'nope'))).rejects.toThrow(/cannot read manifest/);
    // A model cannot supersede a current file (its own or another model's), nor a file another model supersedes.
    const self = fixture('m.onnx', bytes);
    self.models[0].supersedes = [{ sha256: self.models[0].sha256, bytes: 3, change: 'x' }];
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(self));
    await expect(readDemoZooManifest(dir)).rejects.toThrow(
      /model "baseline" supersedes sha256 .*, which is the current file of "baseline"/,
    );
    const twice = fixture('m.onnx', bytes);
    const former = { sha256: 'a'.repeat(64), bytes: 3, change: 'x' };
    twice.models.push({ ...twice.models[0], id: 'other', supersedes: [former] });
    twice.models[0].supersedes = [former];
    twice.models[1].sha256 = 'b'.repeat(64);
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(twice));
    await expect(readDemoZooManifest(dir)).rejects.toThrow(
      /model "other" supersedes sha256 aaaaaaaaaaaa…, which is superseded by "baseline"/,
    );
  });

  it('the shipped lib/demo-zoo/models manifest is valid and every ONNX file matches its sha256', async () => {
    const dir = path.resolve(DEMO_ZOO_DIR);
    expect(existsSync(path.join(dir, 'manifest.json'))).toBe(true);
    const m = await readDemoZooManifest(dir, { verifyFiles: true });
    const total = m.models.reduce((a, x) => a + x.bytes, 0);
    expect(total).toBeLessThan(40e6);
    expect(m.models.find((x) => x.id === 'baseline')).toBeDefined();
    for (const x of m.models) {
      expect(Object.keys(x.ap).sort()).toEqual(['320', '416', '608']);
      for (const row of Object.values(x.ap)) expect(row.AP >= 0 && row.AP <= row.AP50 && row.AP50 <= 1).toBe(true);
    }
    const sens = JSON.parse(await readFile(path.join(dir, 'sensitivity.json'), 'utf8'));
    expect(Object.keys(sens.parameters)).toHaveLength(18);
  });
});

describe('ensureDemoValSplit', () => {
  it('generates the split once, reuses it, and regenerates when the parameters change', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slimboard-dzval-'));
    dirs.push(dir);
    const first = await ensureDemoValSplit(dir, { count: 2 });
    expect(first.generated).toBe(true);
    const coco = JSON.parse(await readFile(first.cocoPath, 'utf8'));
    expect(coco.images).toHaveLength(2);
    expect(coco.info.seed).toBe(20261129);
    expect((await ensureDemoValSplit(dir, { count: 2 })).generated).toBe(false);
    expect((await ensureDemoValSplit(dir, { count: 3 })).generated).toBe(true);
  });
});
