import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SlimboardError } from '../errors';
import { DEMO_ZOO_DIR, readDemoZooManifest } from './manifest';
import { DEMO_SENSITIVITY_FILE, demoSensitivityRecord, demoSensitivityTargets, readDemoSensitivity } from './sensitivity';

const SHIPPED_DIR = path.resolve(DEMO_ZOO_DIR);
const SHIPPED = path.join(SHIPPED_DIR, DEMO_SENSITIVITY_FILE);
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function writeTmp(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slimboard-sens-'));
  dirs.push(dir);
  const file = path.join(dir, DEMO_SENSITIVITY_FILE);
  await writeFile(file, text);
  return file;
}

describe('readDemoSensitivity', () => {
  it('reads the shipped file and its sha256', async () => {
    const r = (await readDemoSensitivity(SHIPPED))!;
    expect(r.sha256).toBe(createHash('sha256').update(await readFile(SHIPPED)).digest('hex'));
    expect(Object.keys(r.analysis.parameters)).toHaveLength(18);
    expect(r.analysis.model).toBe('baseline');
  });

  it('an absent file is null (nothing to import)', async () => {
    expect(await readDemoSensitivity(path.join(os.tmpdir(), 'slimboard-no-such-dir', DEMO_SENSITIVITY_FILE))).toBeNull();
  });

  it('EXPECTED FAILURE: not JSON, or a bad field, is one SlimboardError line naming the file and field', async () => {
    const notJson = await writeTmp('{ "model": ');
    await expect(readDemoSensitivity(notJson, 'lib/demo-zoo/models/sensitivity.json')).rejects.toThrow(/^lib\/demo-zoo\/models\/sensitivity\.json: not valid JSON \(/);
    const raw = JSON.parse(await readFile(SHIPPED, 'utf8'));
    raw.parameters['yolo_block.1.tip.conv.weights'][2].ap = 'n/a';
    const bad = await writeTmp(JSON.stringify(raw));
    const err = await readDemoSensitivity(bad, 'lib/demo-zoo/models/sensitivity.json').catch((e: Error) => e);
    expect(err).toBeInstanceOf(SlimboardError);
    expect((err as Error).message).toMatch(/^lib\/demo-zoo\/models\/sensitivity\.json: parameters\."yolo_block\.1\.tip\.conv\.weights"\.2\.ap: /);
    expect((err as Error).message.split('\n')).toHaveLength(1);
  });
});

describe('demoSensitivityTargets / demoSensitivityRecord', () => {
  it('the shipped analysis belongs to the shipped sensity model; the record adds source and selection from its lineage', async () => {
    const manifest = await readDemoZooManifest(SHIPPED_DIR);
    const { analysis, sha256 } = (await readDemoSensitivity(SHIPPED))!;
    const targets = demoSensitivityTargets(manifest, analysis, 'f');
    expect(targets.map((t) => t.id)).toEqual(['prune_sensity']);
    const lineage = targets[0].lineage as Record<string, unknown>;
    const record = demoSensitivityRecord(analysis, targets[0], { file: 'lib/demo-zoo/models/sensitivity.json', sha256, origin: 'Slimboard demo zoo, trained by tools/demo-zoo' }, 'f');
    expect(record.selection).toEqual({ lossThreshold: lineage.lossThreshold, targetGflopsReduction: lineage.targetReduction, rule: 'with-origin' });
    expect(record.source).toEqual({ file: 'lib/demo-zoo/models/sensitivity.json', sha256, origin: 'Slimboard demo zoo, trained by tools/demo-zoo' });
    expect(record.parameters).toEqual(analysis.parameters);
  });

  it('EXPECTED FAILURE: an analysed model the manifest does not have, or no sensity model pruned from it', async () => {
    const manifest = await readDemoZooManifest(SHIPPED_DIR);
    const { analysis } = (await readDemoSensitivity(SHIPPED))!;
    expect(() => demoSensitivityTargets(manifest, { ...analysis, model: 'ghost' }, 'f.json')).toThrow(/^f\.json: model: "ghost" is not a model of the manifest/);
    expect(() => demoSensitivityTargets(manifest, { ...analysis, model: 'teacher' }, 'f.json')).toThrow(/^f\.json: model: "teacher", but the sensity model "prune_sensity" was pruned from "baseline"$/);
    const noSensity = { ...manifest, models: manifest.models.filter((m) => m.lineage.strategy !== 'sensity') };
    expect(() => demoSensitivityTargets(noSensity, analysis, 'f.json')).toThrow(/^f\.json: the manifest has no model with strategy "sensity"/);
  });
});
