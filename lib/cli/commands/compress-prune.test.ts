/** `compress prune --flops-target` through the CLI dispatcher on the demo baseline and its shipped sensitivity analysis. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddleslimGflops } from '../../compression/prune-to-flops';
import { FORMER_BASELINE_FILE, RENAMED_MANIFEST_FILE, writeRenamedBaseline } from '../../demo-zoo/__fixtures__/former-baseline';
import { readModelFile } from '../../onnx/model-file';
import type { CliIo } from '../command';
import { runCli } from '../main';

const ZOO = path.join(__dirname, '../../../lib/demo-zoo/models');
const BASELINE = path.join(ZOO, 'yolov3_mobilenet_v1_x025_shapes.onnx');
/** The 2026-11-29 baseline as exported (anonymous initializers), before tools/demo-zoo/rename-initializers.ts named them. */
const FORMER_BASELINE = FORMER_BASELINE_FILE;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slimboard-cli-compress-prune-'));
/** The same weights with the lineage's names (the rename tool's output, checked against its manifest's sha256). */
let RENAMED_BASELINE = '';
beforeAll(async () => {
  RENAMED_BASELINE = await writeRenamedBaseline(fs.mkdtempSync(path.join(dir, 'renamed-')));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) } satisfies CliIo & {
    out: string;
    err: string;
  };
  const code = await runCli(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('compress prune --flops-target', () => {
  it('with-origin rule, -35 %: the written file has the reported GFLOPs and the recipe parameter names', async () => {
    const out = path.join(dir, 'p.onnx');
    const r = await cli(
      'compress',
      'prune',
      BASELINE,
      '--sensitivity',
      path.join(ZOO, 'sensitivity.json'),
      '--flops-target',
      '0.35',
      '--rule',
      'with-origin',
      '--param-names',
      path.join(ZOO, 'manifest.json'),
      '--out',
      out,
      '--json',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep.rule).toBe('with-origin');
    expect(rep.ratios).toHaveLength(18);
    expect(Math.abs(rep.reduction - 0.35)).toBeLessThanOrEqual(0.01);
    const written = readModelFile(out).model;
    expect(paddleslimGflops(written, 320)).toBeCloseTo(rep.gflopsAfter, 12);
    const names = new Set(written.graph!.initializer!.map((t) => t.name));
    expect(names.has('yolo_block.0.tip.conv.weights')).toBe(true);
  });

  it('a named file needs no --param-names; the anonymous file with --param-names MANIFEST gives the same file', async () => {
    const named = path.join(dir, 'named.onnx');
    const former = path.join(dir, 'former.onnx');
    const common = ['--sensitivity', path.join(ZOO, 'sensitivity.json'), '--flops-target', '0.35', '--rule', 'with-origin', '--json'];
    const a = await cli('compress', 'prune', RENAMED_BASELINE, ...common, '--out', named);
    expect([a.code, a.err]).toEqual([0, '']);
    const b = await cli('compress', 'prune', FORMER_BASELINE, ...common, '--param-names', RENAMED_MANIFEST_FILE, '--out', former);
    expect([b.code, b.err]).toEqual([0, '']);
    const ra = JSON.parse(a.out);
    const rb = JSON.parse(b.out);
    expect(rb.ratios).toEqual(ra.ratios);
    expect(rb.gflopsAfter).toBe(ra.gflopsAfter);
    expect(fs.readFileSync(former).equals(fs.readFileSync(named))).toBe(true);
  });

  it('BAD CALL: missing flags, unknown rule, anonymous parameters without --param-names', async () => {
    const sens = path.join(ZOO, 'sensitivity.json');
    const out = path.join(dir, 'x.onnx');
    let r = await cli('compress', 'prune', BASELINE, '--flops-target', '0.35', '--out', out);
    expect([r.code, r.err]).toEqual([2, 'error: missing required flag --sensitivity\n']);
    r = await cli('compress', 'prune', BASELINE, '--sensitivity', sens, '--flops-target', '0.35', '--rule', 'max', '--out', out);
    expect([r.code, r.err]).toEqual([2, 'error: --rule must be paddleslim or with-origin, got "max"\n']);
    r = await cli('compress', 'prune', FORMER_BASELINE, '--sensitivity', sens, '--flops-target', '0.35', '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: .*the analysis names 18 parameter\(s\) the model does not have.*give --param-names/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
