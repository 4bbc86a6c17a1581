import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../main';

const FIX = path.resolve(import.meta.dirname, '../../inference/__fixtures__');
const DATASET = path.join(FIX, 'shapes-coco');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'slimboard-evaluate-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) } };
}

describe('evaluate command', () => {
  it('--json prints the COCO metrics; --save-dt writes a COCO results file', async () => {
    const c = io();
    const dt = path.join(tmp, 'dt.json');
    const code = await runCli(['evaluate', path.join(FIX, 'detector-yolo.onnx'), '--dataset', DATASET, '--input-size', '320', '--threads', '1', '--save-dt', dt, '--json'], c.io);
    expect(c.err.join('')).toBe('');
    expect(code).toBe(0);
    const j = JSON.parse(c.out.join(''));
    expect(j.family).toBe('coco');
    for (const k of ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl']) expect(typeof j.metrics[k]).toBe('number');
    expect(j.metrics.AP50).toBe(1);
    expect(j.metrics.perCategory).toHaveLength(3);
    const rows = JSON.parse(readFileSync(dt, 'utf8'));
    expect(rows).toHaveLength(j.detectionCount);
    expect(Object.keys(rows[0]).sort()).toEqual(['bbox', 'category_id', 'image_id', 'score']);
  });
  it('--progress: "progress F" lines on stderr (images done / total), rising by >= 0.05, ending at 1.000; stdout unchanged', async () => {
    const c = io();
    const model = path.join(FIX, 'detector-yolo.onnx');
    const args = ['evaluate', model, '--dataset', DATASET, '--input-size', '320', '--threads', '1', '--json'];
    expect(await runCli([...args, '--progress'], c.io)).toBe(0);
    const lines = c.err.join('').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const l of lines) expect(l).toMatch(/^progress \d\.\d{3}$/);
    const f = lines.map((l) => Number(l.slice('progress '.length)));
    for (let i = 1; i < f.length; i++) expect(f[i] - f[i - 1]).toBeGreaterThanOrEqual(0.05 - 1e-9);
    expect(f.at(-1)).toBe(1);
    expect(f.every((x) => x > 0 && x <= 1)).toBe(true);
    const plain = io();
    expect(await runCli(args, plain.io)).toBe(0);
    expect(plain.err.join('')).toBe('');
    const { pipeline: _a, ...withProgress } = JSON.parse(c.out.join(''));
    const { pipeline: _b, ...without } = JSON.parse(plain.out.join(''));
    expect(withProgress).toEqual(without);
  });
  it('reads the COCO split layout annotations/instances_<split>.json + images/<split>/ and an --adapter file', async () => {
    const ds = path.join(tmp, 'split');
    mkdirSync(path.join(ds, 'annotations'), { recursive: true });
    cpSync(path.join(DATASET, 'images'), path.join(ds, 'images', 'val'), { recursive: true });
    cpSync(path.join(DATASET, 'annotations.json'), path.join(ds, 'annotations', 'instances_val.json'));
    const adapterFile = path.join(tmp, 'adapter.json');
    writeFileSync(adapterFile, JSON.stringify({ classNames: ['red', 'green', 'blue'], preprocess: { resize: 'letterbox' }, output: { kind: 'decoded', boxes: 'boxes', scores: 'scores' } }));
    const c = io();
    expect(await runCli(['evaluate', path.join(FIX, 'detector-decoded.onnx'), '--dataset', ds, '--input-size', '256', '--adapter', adapterFile, '--json'], c.io)).toBe(0);
    const j = JSON.parse(c.out.join(''));
    expect(j.dataset.annotations).toBe(path.join(ds, 'annotations', 'instances_val.json'));
    expect(j.metrics.AP50).toBe(1);
  });
  it('BAD CALL: one error line, exit 2, nothing written', async () => {
    const badAdapter = path.join(tmp, 'bad-adapter.json');
    writeFileSync(badAdapter, JSON.stringify({ output: { kind: 'ssd' } }));
    const notJson = path.join(tmp, 'not-json.json');
    writeFileSync(notJson, '{');
    const dt = path.join(tmp, 'never.json');
    const cases: Array<[string[], RegExp]> = [
      [['evaluate', path.join(FIX, 'not-a-detector.onnx'), '--dataset', DATASET, '--input-size', '64'], /match no known adapter/],
      [['evaluate', path.join(FIX, 'detector-yolo.onnx'), '--input-size', '64'], /missing required flag --dataset/],
      [['evaluate', path.join(FIX, 'detector-yolo.onnx'), '--dataset', DATASET], /missing required flag --input-size/],
      [['evaluate', path.join(FIX, 'detector-yolo.onnx'), '--dataset', DATASET, '--input-size', '64', '--adapter', badAdapter], /bad-adapter\.json: invalid model adapter: output\.kind/],
      [['evaluate', path.join(FIX, 'detector-yolo.onnx'), '--dataset', DATASET, '--input-size', '64', '--adapter', notJson], /not-json\.json: not valid JSON/],
      [['evaluate', path.join(FIX, 'detector-yolo.onnx'), '--dataset', DATASET, '--input-size', '64', '--split', 'train'], /no instances_train\.json|annotations/],
      [['evaluate', '/no/model.onnx', '--dataset', DATASET, '--input-size', '64', '--save-dt', dt], /\/no\/model\.onnx: onnxruntime cannot load/],
    ];
    for (const [argv, re] of cases) {
      const c = io();
      expect(await runCli(argv, c.io)).toBe(2);
      const err = c.err.join('');
      expect(err).toMatch(re);
      expect(err.trim().split('\n')).toHaveLength(1);
    }
    expect(existsSync(dt)).toBe(false);
  });
  it('a model class that is no dataset category: its detections are left out with a warning and counted; --strict refuses them', async () => {
    const adapterFile = path.join(tmp, 'cyan-adapter.json');
    writeFileSync(adapterFile, JSON.stringify({ classNames: ['red', 'cyan', 'blue'], output: { kind: 'decoded', boxes: 'boxes', scores: 'scores' } }));
    const argv = ['evaluate', path.join(FIX, 'detector-decoded.onnx'), '--dataset', DATASET, '--input-size', '256', '--adapter', adapterFile, '--threads', '1'];
    const c = io();
    expect(await runCli([...argv, '--json'], c.io)).toBe(0);
    const j = JSON.parse(c.out.join(''));
    expect(j.ignoredDetections.modelClasses).toEqual([1]);
    expect(j.ignoredDetections.unknownCategory).toBeGreaterThan(0);
    expect(c.err.join('')).toMatch(new RegExp(`^warning: ${j.ignoredDetections.unknownCategory} detections of model classes 1 left out: no category of`));
    const s = io();
    expect(await runCli([...argv, '--strict'], s.io)).toBe(2);
    expect(s.err.join('')).toMatch(/^error: .*model class 1 "cyan" is not a category/);
  });
});
