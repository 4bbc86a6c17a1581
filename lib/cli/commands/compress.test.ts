/**
 * `compress quantize` through the CLI dispatcher on the demo baseline, calibrated on 2 synthetic train
 * images (fast); accuracy on the val split is measured by tools/bench/ptq.ts, not here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASET_SEED, writeSyntheticSplit } from '../../datasets/synthetic';
import { readModelFile } from '../../onnx/model-file';
import type { CliIo } from '../command';
import { runCli } from '../main';

const BASELINE = path.join(__dirname, '../../../lib/demo-zoo/models/yolov3_mobilenet_v1_x025_shapes.onnx');
const ADAPTER = path.join(__dirname, '../../../tools/bench/demo-zoo-adapter.json');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slimboard-cli-compress-'));
const data = path.join(dir, 'train');
const val = path.join(dir, 'val');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await writeSyntheticSplit({ outDir: data, split: 'train', count: 2, seed: DEMO_DATASET_SEED });
  await writeSyntheticSplit({ outDir: val, split: 'val', count: 2, seed: DEMO_DATASET_SEED });
});

async function cli(...argv: string[]) {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) } satisfies CliIo & { out: string; err: string };
  const code = await runCli(argv, io);
  return { code, out: io.out, err: io.err };
}

const base = (out: string, ...extra: string[]) => [
  'compress', 'quantize', BASELINE, '--calib-dataset', data, '--calib-images', '2', '--input-size', '320', '--adapter', ADAPTER, '--threads', '1', '--out', out, ...extra,
];

describe('compress quantize', () => {
  it('demo baseline, percentile: a QDQ file under 35 % of the fp32 bytes that onnxruntime runs with int8 convs', async () => {
    const out = path.join(dir, 'q.onnx');
    const r = await cli(...base(out, '--method', 'percentile', '--percentile', '99.99', '--json'));
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep).toMatchObject({ method: 'percentile', percentile: 99.99, quantizedNodes: 50, calibration: { images: 2, inputSize: 320, passes: 2 } });
    expect(rep.int8Bytes).toBe(fs.statSync(out).size);
    expect(rep.sizeRatio).toBeLessThan(0.35);
    expect(rep.onnxruntime.int8Convs).toBeGreaterThanOrEqual(40);
    // every activation range is inside what was observed, and ReLU outputs (min 0) get zero point 0
    for (const a of rep.activations) {
      expect(a.range.min).toBeGreaterThanOrEqual(a.observed.min);
      expect(a.range.max).toBeLessThanOrEqual(a.observed.max);
      if (a.observed.min === 0) expect(a.zeroPoint).toBe(0);
    }
    // per-tensor error report on the 2 calibration images (default min(8, N)), worst first
    const errs = rep.layerErrors.tensors as Array<{ tensor: string; relativeError: number }>;
    expect(rep.layerErrors.images).toBe(2);
    expect(errs.map((e) => e.tensor).sort()).toEqual(rep.activations.map((a: { tensor: string }) => a.tensor).sort());
    errs.slice(1).forEach((e, i) => expect(e.relativeError).toBeLessThanOrEqual(errs[i].relativeError));
    // the input image is pixels / 255: uint8 with scale max / 255 keeps it (almost) exactly
    expect(errs.find((e) => e.tensor === 'image')!.relativeError).toBeLessThan(0.01);
    expect(errs[0].relativeError).toBeLessThan(0.5);
    const ops = (readModelFile(out).model.graph?.node ?? []).map((n) => n.opType);
    expect(ops.filter((o) => o === 'Conv')).toHaveLength(50);
    expect(ops.filter((o) => o === 'QuantizeLinear')).toHaveLength(rep.activations.length);
  });

  it('--exclude keeps the named convs float', async () => {
    const out = path.join(dir, 'qx.onnx');
    const r = await cli(...base(out, '--method', 'minmax', '--exclude', '/model/outputs.0/Conv,/model/outputs.1/Conv', '--error-images', '0', '--json'));
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep.layerErrors).toBeNull();
    expect(rep.quantizedNodes).toBe(48);
    expect(rep.skippedNodes).toEqual([{ node: '/model/outputs.0/Conv', reason: 'excluded' }, { node: '/model/outputs.1/Conv', reason: 'excluded' }]);
  });

  it('budget mode: greedy fallback of the worst-error nodes, at most --max-fallbacks, the file matches the last step', async () => {
    const out = path.join(dir, 'qb.onnx');
    const r = await cli(...base(out, '--method', 'minmax', '--budget-ap', '0', '--eval-dataset', val, '--max-fallbacks', '2', '--error-images', '0', '--json'));
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    const b = rep.budget;
    expect(b.budget).toBe(0);
    expect(b.steps.length).toBeGreaterThanOrEqual(1);
    expect(b.steps.length).toBeLessThanOrEqual(3);
    b.steps.forEach((st: { float: string[]; deltaAp: number; ap: number; withinBudget: boolean }, k: number) => {
      expect(st.float).toHaveLength(k);
      if (k > 0) expect(st.float.slice(0, k - 1)).toEqual(b.steps[k - 1].float);
      expect(st.deltaAp).toBeCloseTo(st.ap - b.fp32Ap, 12);
      expect(st.withinBudget).toBe(st.deltaAp >= 0);
    });
    if (!b.met) expect(b.steps).toHaveLength(3);
    expect(b.float).toEqual(b.steps[b.steps.length - 1].float);
    expect(rep.quantizedNodes).toBe(50 - b.float.length);
    expect(rep.skippedNodes.map((x: { node: string }) => x.node)).toEqual(expect.arrayContaining(b.float));
    // the ranking needs the error report even with --error-images 0, which then is not printed
    expect(rep.layerErrors).toBeNull();
  });

  it('text output: summary lines and the ranked error table', async () => {
    const r = await cli(...base(path.join(dir, 'qt.onnx'), '--method', 'entropy', '--error-images', '1'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^wrote .*qt\.onnx: 50 nodes int8 \(0 left float\), \d+ activations calibrated$/m);
    expect(r.out).toMatch(/^method entropy on 2 images of .* at 320 \(2 passes, /m);
    expect(r.out).toMatch(/^per-tensor error, float vs QDQ on 1 calibration images \(worst 10 of \d+; all with --json\):$/m);
  });

  it('EXPECTED FAILURE: bad method, percentile without its method, too many images, unknown exclude: exit 2 with one line', async () => {
    const out = path.join(dir, 'bad.onnx');
    const cases: Array<[string[], RegExp]> = [
      [base(out, '--method', 'kl'), /--method must be one of minmax\|percentile\|entropy, got "kl"/],
      [base(out, '--method', 'minmax', '--percentile', '99'), /--percentile only applies to --method percentile/],
      [[...base(out, '--method', 'minmax').map((a) => (a === '2' ? '3' : a))], /2 images, fewer than --calib-images 3/],
      [base(out, '--method', 'minmax', '--exclude', 'nope'), /--exclude "nope" is neither a node name/],
      [base(out, '--method', 'minmax', '--eval-dataset', val), /--eval-dataset and --max-fallbacks only apply with --budget-ap/],
      [base(out, '--method', 'minmax', '--budget-ap', '0.3'), /--eval-dataset/],
    ];
    for (const [argv, msg] of cases) {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
    expect(fs.existsSync(out)).toBe(false);
  });
});
