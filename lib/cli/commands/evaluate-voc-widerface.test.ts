import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ZOO_DIR, readDemoZooManifest } from '../../demo-zoo/manifest';
import { demoModelAdapter } from '../../demo-zoo/demo-run-metadata';
import { writeSyntheticFacesSplit } from '../../datasets/synthetic/faces-split';
import { writeSyntheticSplit } from '../../datasets/synthetic';
import { runCli } from '../main';

/**
 * `evaluate` end to end on the seed's VOC and WIDER FACE formats, with the shipped demo baseline on small
 * synthetic splits: its metrics must equal exactly what `eval voc` / `eval widerface` compute from the
 * detections it saved (the two paths share no code between detection and evaluator input).
 */
const REPO = path.resolve(import.meta.dirname, '../../..');
const MODEL = path.join(REPO, DEMO_ZOO_DIR, 'yolov3_mobilenet_v1_x025_shapes.onnx');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'slimboard-evaluate-formats-'));
const adapterFile = path.join(tmp, 'adapter.json');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(async () => {
  writeFileSync(adapterFile, JSON.stringify(demoModelAdapter(await readDemoZooManifest(path.join(REPO, DEMO_ZOO_DIR)))));
  await writeSyntheticSplit({ outDir: path.join(tmp, 'voc'), split: 'val', count: 8, seed: 5 });
  await writeSyntheticFacesSplit({ outDir: path.join(tmp, 'faces'), perEvent: 3, seed: 5 });
});

interface CliJson {
  family: string;
  dataset: Record<string, unknown>;
  metrics: Record<string, number>;
  mAP: number;
  easy: number;
  medium: number;
  hard: number;
}

async function cli(args: string[]): Promise<{ code: number; json: CliJson; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) });
  return { code, json: code === 0 ? JSON.parse(out.join('')) : null, err: err.join('') };
}

describe('evaluate on VOC and WIDER FACE folders', () => {
  it('VOC: mAP (11point and integral) equals eval voc on the saved detections', async () => {
    for (const ap of ['11point', 'integral']) {
      const dt = path.join(tmp, `voc-${ap}.json`);
      const ev = await cli(['evaluate', MODEL, '--dataset', path.join(tmp, 'voc'), '--format', 'voc', '--ap-type', ap, '--input-size', '320', '--threads', '1', '--adapter', adapterFile, '--save-dt', dt, '--json']);
      expect(ev.code, ev.err).toBe(0);
      expect(ev.json.family).toBe('voc');
      expect(ev.json.dataset).toMatchObject({ images: 8, classes: 6, apType: ap });
      const ref = await cli(['eval', 'voc', '--gt', path.join(tmp, 'voc'), '--dt', dt, '--ap', ap, '--json']);
      expect(ref.code, ref.err).toBe(0);
      expect(ev.json.metrics.mAP).toBe(ref.json.mAP);
      expect(ev.json.metrics.mAP).toBeGreaterThan(0.3); // the demo baseline does detect shapes
    }
  });

  it('WIDER FACE: easy/medium/hard equal eval widerface on the saved predictions; the format is recognised by layout', async () => {
    const pred = path.join(tmp, 'faces-pred.json');
    const ev = await cli(['evaluate', MODEL, '--dataset', path.join(tmp, 'faces'), '--input-size', '320', '--threads', '1', '--adapter', adapterFile, '--save-dt', pred, '--json']);
    expect(ev.code, ev.err).toBe(0);
    expect(ev.json.family).toBe('widerface');
    expect(ev.json.dataset).toMatchObject({ events: 3, images: 9 });
    const ref = await cli(['eval', 'widerface', '--gt', path.join(tmp, 'faces', 'wider_face_val.json'), '--pred', pred, '--json']);
    expect(ref.code, ref.err).toBe(0);
    expect(ev.json.metrics).toEqual({ easy: ref.json.easy, medium: ref.json.medium, hard: ref.json.hard });
    // Nested settings: more (and harder) faces count as the setting widens.
    expect(ev.json.metrics.easy).toBeGreaterThan(0);
  });

  it('EXPECTED FAILURE: a bad --format or --ap-type names the allowed values', async () => {
    expect((await cli(['evaluate', MODEL, '--dataset', path.join(tmp, 'voc'), '--format', 'kitti', '--input-size', '320'])).err).toMatch(/coco, voc or widerface/);
    expect((await cli(['evaluate', MODEL, '--dataset', path.join(tmp, 'voc'), '--format', 'voc', '--ap-type', 'x', '--input-size', '320'])).err).toMatch(/11point or integral/);
  });
});
