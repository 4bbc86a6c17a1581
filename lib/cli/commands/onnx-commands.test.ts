/**
 * The real `build`, `analyze` and `prune` commands, run through the CLI dispatcher (and once as a
 * separate process for the exit code), on real ONNX files in a temp folder.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A, GraphBuilder } from '../../onnx/graph';
import { writeModelFile } from '../../onnx/model-file';
import { RATIOS_R578, YOLO_HEAD_PRUNED_PARAMS } from '../../onnx/yolov3';
import type { CliIo } from '../command';
import { runCli } from '../main';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slimboard-cli-onnx-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const f = (name: string) => path.join(dir, name);

function capture(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

async function cli(...argv: string[]) {
  const io = capture();
  const code = await runCli(argv, io);
  return { code, out: io.out, err: io.err, json: () => JSON.parse(io.out) };
}

/** x[1,3,H,W] -> conv 3->4 (3x3) -> relu -> conv 4->2 (1x1): hand-countable. */
function tinyModel(): string {
  const b = new GraphBuilder('tiny');
  b.input('x', ['N', 3, 'H', 'W']);
  b.node('Conv', ['x', b.weight('c1.w', [4, 3, 3, 3], Float32Array.from({ length: 108 }, (_, i) => (i % 7) - 3))], ['c1'], { pads: A.ints([1, 1, 1, 1]) }, 'c1');
  b.node('Relu', ['c1'], ['r1'], {}, 'r1');
  b.node('Conv', ['r1', b.weight('c2.w', [2, 4, 1, 1], Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8))], ['y'], {}, 'c2');
  b.output('y', ['N', 2, 'H', 'W']);
  const file = f('tiny.onnx');
  writeModelFile(b.build(), file);
  return file;
}

let tiny: string;
beforeAll(() => {
  tiny = tinyModel();
});

describe('analyze', () => {
  it('prints gflops with the convention, params, bytes and the layer table', async () => {
    const r = await cli('analyze', tiny, '--input-size', '16', '--convention', 'macs', '--layers', '--json');
    expect(r.code).toBe(0);
    const j = r.json();
    // c1: 16*16*4*(3*9) = 27,648 MACs; c2: 16*16*2*4 = 2,048 MACs -> 29,696
    expect(j).toMatchObject({ convention: 'macs', operations: 29_696, gflops: 29_696 / 1e9, params: 108 + 8, bytes: fs.statSync(tiny).size, inputs: { x: [1, 3, 16, 16] } });
    expect(j.layers.map((l: { name: string; macs: number }) => [l.name, l.macs])).toEqual([['c1', 27_648], ['r1', 0], ['c2', 2_048]]);
    expect(j.layers[0]).toMatchObject({ op: 'Conv', inputShapes: [[1, 3, 16, 16]], outputShapes: [[1, 4, 16, 16]], kernel: [3, 3], stride: [1, 1], groups: 1, params: 108 });
    const flops = (await cli('analyze', tiny, '--input-size', '16', '--convention', 'flops', '--json')).json();
    // 2 * 29,696 + relu 4*16*16 = 59,392 + 1,024
    expect(flops.operations).toBe(60_416);
    const text = await cli('analyze', tiny, '--input-size', '16');
    expect(text.out).toMatch(/convention paddleslim/);
  });

  it('EXPECTED FAILURE: bad inputs give one line and exit code 2', async () => {
    fs.writeFileSync(f('notes.onnx'), 'hello, I am not a model\n');
    fs.writeFileSync(f('cut.onnx'), fs.readFileSync(tiny).subarray(0, 300));
    const unk = new GraphBuilder('unk');
    unk.input('x', [1, 3, 8, 8]);
    unk.node('Frobnicate', ['x'], ['y'], {}, 'frob');
    unk.output('y', [1, 3, 8, 8]);
    writeModelFile(unk.build(), f('unknown-op.onnx'));
    const cases: Array<[string[], RegExp]> = [
      [['analyze', f('notes.onnx'), '--input-size', '320'], /notes\.onnx: (not an ONNX model|truncated)/],
      [['analyze', f('cut.onnx'), '--input-size', '320'], /cut\.onnx: truncated or corrupt ONNX file/],
      [['analyze', f('unknown-op.onnx'), '--input-size', '8'], /Frobnicate node "frob": unknown op "Frobnicate"/],
      [['analyze', f('missing.onnx'), '--input-size', '8'], /missing\.onnx: cannot read model file/],
      [['analyze', tiny, '--input-size', '0'], /--input-size must be >= 1/],
      [['analyze', tiny, '--input-size', 'abc'], /--input-size must be an integer/],
      [['analyze', tiny], /symbolic; give --input-size/],
      [['analyze', tiny, '--input-size', '2', '--convention', 'gmacs'], /--convention must be one of paddleslim\|macs\|flops/],
    ];
    for (const [argv, re] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(re);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.out).toBe('');
    }
  });
});

describe('prune', () => {
  it('writes a smaller model and reports pruned channels per parameter', async () => {
    const out = f('tiny-pruned.onnx');
    const r = await cli('prune', tiny, '--params', 'c1.w', '--ratios', '0.5', '--out', out, '--json');
    expect(r.code).toBe(0);
    expect(r.json().pruned).toEqual([{ param: 'c1.w', ratio: 0.5, channelsBefore: 4, channelsAfter: 2, prunedChannels: 2, affectedTensors: 3 }]); // c1, r1, c2.w (axis 1)
    expect(r.json().paramsAfter).toBe(54 + 4);
    const a = (await cli('analyze', out, '--input-size', '16', '--convention', 'macs', '--json')).json();
    // 16*16*2*27 + 16*16*2*2 = 13,824 + 1,024
    expect(a.operations).toBe(14_848);
  });

  it('EXPECTED FAILURE: bad requests exit 2 and write nothing', async () => {
    const out = f('never.onnx');
    const cases: Array<[string[], RegExp]> = [
      [['prune', tiny, '--params', 'c9.w', '--ratios', '0.5', '--out', out], /parameter "c9\.w" does not exist in the model/],
      [['prune', tiny, '--params', 'c1.w', '--ratios', '1', '--out', out], /--ratios: item 1 is 1, outside \[0, 1\)/],
      [['prune', tiny, '--params', 'c1.w', '--ratios=-0.2', '--out', out], /--ratios: item 1 is -0.2, outside \[0, 1\)/],
      [['prune', tiny, '--params', 'c1.w', '--ratios', 'half', '--out', out], /--ratios: item 1 "half" is not a number/],
      [['prune', tiny, '--params', 'c1.w,c2.w', '--ratios', '0.5', '--out', out], /--params has 2 items but --ratios has 1/],
      [['prune', tiny, '--params', 'c2.w', '--ratios', '0.5', '--out', out], /would change the channels of graph output "y"/],
      [['prune', f('notes.onnx'), '--params', 'c1.w', '--ratios', '0.5', '--out', out], /not an ONNX model|truncated/],
      [['prune', tiny, '--params', 'c1.w', '--ratios', '0.5', '--out', f('no/such/dir/x.onnx')], /output folder .* does not exist/],
      [['prune', tiny, '--params', 'c1.w', '--ratios', '0.5'], /missing required flag --out/],
    ];
    for (const [argv, re] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(re);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('build -> analyze -> prune on YOLOv3-MobileNetV1 VOC', () => {
  it('reproduces 20.20 / 9.46 / 5.60 and r578 6.15 / 2.88 / 1.70 GFLOPs through the CLI', async () => {
    const model = f('yolov3_mobilenet_v1_voc.onnx');
    const b = await cli('build', 'yolov3', '--backbone', 'mobilenet_v1', '--num-classes', '20', '--out', model, '--json');
    expect(b.code).toBe(0);
    expect(b.json()).toMatchObject({ backbone: 'mobilenet_v1', numClasses: 20, bytes: fs.statSync(model).size });
    const g = async (file: string, size: number) => {
      const j = (await cli('analyze', file, '--input-size', String(size), '--json')).json();
      expect(j.convention).toBe('paddleslim');
      return Number(j.gflops.toFixed(2));
    };
    expect([await g(model, 608), await g(model, 416), await g(model, 320)]).toEqual([20.2, 9.46, 5.6]);
    const pruned = f('yolov3_mobilenet_v1_voc_r578.onnx');
    const p = await cli('prune', model, '--params', YOLO_HEAD_PRUNED_PARAMS.join(','), '--ratios', RATIOS_R578.join(','), '--out', pruned, '--json');
    expect(p.code).toBe(0);
    expect(p.json().pruned.map((x: { prunedChannels: number }) => x.prunedChannels)).toEqual([256, 512, 256, 512, 256, 512, 179, 358, 179, 358, 179, 358, 102, 205, 102, 205, 102, 205]);
    expect([await g(pruned, 608), await g(pruned, 416), await g(pruned, 320)]).toEqual([6.15, 2.88, 1.7]);
  }, 120_000);

  it('EXPECTED FAILURE: build with a bad backbone, class count or architecture', async () => {
    const out = f('bad-build.onnx');
    for (const [argv, re] of [
      [['build', 'yolov3', '--backbone', 'vgg16', '--num-classes', '80', '--out', out], /--backbone must be one of mobilenet_v1\|resnet34\|resnet50_vd_dcn, got "vgg16"/],
      [['build', 'yolov3', '--backbone', 'mobilenet_v1', '--num-classes', '0', '--out', out], /--num-classes must be >= 1/],
      [['build', 'ssd', '--backbone', 'mobilenet_v1', '--num-classes', '80', '--out', out], /expected the architecture "yolov3", got "ssd"/],
    ] as Array<[string[], RegExp]>) {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
    }
    expect(fs.existsSync(out)).toBe(false);
  });

  it('as a separate process: exit code 2 and one stderr line for a file that is not ONNX', () => {
    fs.writeFileSync(f('plain.onnx'), 'plain text');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', 'analyze', f('plain.onnx'), '--input-size', '320', '--json'], { encoding: 'utf8', cwd: path.resolve(import.meta.dirname, '../../..') });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: .*plain\.onnx: (not an ONNX model|truncated)/);
  }, 60_000);
});
