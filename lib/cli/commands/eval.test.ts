import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSlimboardError } from '../../errors';
import { FIXTURES_DIR, readFixture } from '../../metrics/reference-fixtures';
import type { CliCommand } from '../command';
import commands from './eval';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimboard-eval-'));
const write = (name: string, value: unknown) => {
  const p = path.join(tmp, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
};

/** Runs a command as main.ts does: SlimboardError -> one stderr line, exit code 2. */
async function run(words: string[], args: string[]) {
  const cmd = (commands as CliCommand[]).find((c) => c.words.join(' ') === words.join(' ')) as CliCommand;
  let stdout = '';
  let stderr = '';
  let code: number;
  try {
    code = await cmd.run(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  } catch (e) {
    if (!isSlimboardError(e)) throw e;
    stderr += `error: ${e.message}\n`;
    code = 2;
  }
  return { code, stdout, stderr };
}

describe('eval coco', () => {
  const input = readFixture<{ gt: unknown; dt: unknown }>('coco/random-ties-crowd-areas.input.json');
  const golden = readFixture<{ stats: number[]; perCategoryAp: Array<number | null> }>('coco/random-ties-crowd-areas.golden.json');
  const gt = write('gt.json', input.gt);
  const dt = write('dt.json', input.dt);

  it('--json prints one object with the 12 statistics and per-category AP (null without GT)', async () => {
    const r = await run(['eval', 'coco'], ['--gt', gt, '--dt', dt, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl', 'perCategory', 'ignoredDetections']);
    expect(out.ignoredDetections).toEqual({ unknownCategory: 0, categoryIds: [] });
    expect(r.stderr).toBe('');
    expect([out.AP, out.AP50, out.AP75, out.APs, out.APm, out.APl, out.AR1, out.AR10, out.AR100, out.ARs, out.ARm, out.ARl]).toEqual(golden.stats);
    expect(out.perCategory.map((c: { AP: number | null }) => c.AP)).toEqual(golden.perCategoryAp);
    expect(out.perCategory[0]).toMatchObject({ id: 1, name: 'class_1' });
  });

  it('BAD INPUT: exit 2 with one line naming the file and item', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--gt', gt, '--dt', write('empty.json', [])], /empty\.json: \(root\): empty detection list/],
      [['--gt', gt, '--dt', write('broken.json', '[{"image_id": 1,')], /broken\.json: malformed JSON/],
      [['--gt', gt, '--dt', write('nan.json', [{ image_id: 8, category_id: 1, bbox: [0, 0, 1, 1], score: 'x' }])], /nan\.json: \[0\]: "score" must be a finite number/],
      [['--gt', gt, '--dt', path.join(tmp, 'missing.json')], /missing\.json: cannot read file \(ENOENT\)/],
      [['--gt', gt], /missing required flag --dt/],
    ];
    for (const [args, re] of cases) {
      const r = await run(['eval', 'coco'], [...args, '--json']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('a category not in the GT: left out with a warning and counted in --json, the 12 stats unchanged; --strict refuses it', async () => {
    const dets = input.dt as Array<Record<string, unknown>>;
    const extra = write('dt-unknown.json', [...dets.slice(0, 5).map((d) => ({ ...d, category_id: 999, score: 1 })), ...dets]);
    const plain = JSON.parse((await run(['eval', 'coco'], ['--gt', gt, '--dt', dt, '--json'])).stdout);
    const r = await run(['eval', 'coco'], ['--gt', gt, '--dt', extra, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ignoredDetections).toEqual({ unknownCategory: 5, categoryIds: [999] });
    expect({ ...out, ignoredDetections: null }).toEqual({ ...plain, ignoredDetections: null });
    expect(r.stderr).toMatch(/^warning: .*dt-unknown\.json: 5 detections left out: category_id 999 not in the ground truth/);
    const strict = await run(['eval', 'coco'], ['--gt', gt, '--dt', extra, '--strict']);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/^error: .*dt-unknown\.json: \[0\]: category_id 999 is not a category/);
  });

  it('--baseline-dt: the same file gives ΔAP +0.00 [+0.00, +0.00] (not significant); --json carries the interval', async () => {
    const r = await run(['eval', 'coco'], ['--gt', gt, '--dt', dt, '--baseline-dt', dt]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ΔAP {4}\+0\.00 \[\+0\.00, \+0\.00\] \(not significant\) points/);
    expect(r.stdout).toMatch(/paired bootstrap over \d+ images, 1000 resamples, seed 20261204/);
    const j = JSON.parse((await run(['eval', 'coco'], ['--gt', gt, '--dt', dt, '--baseline-dt', dt, '--resamples', '1200', '--seed', '5', '--json'])).stdout);
    expect(j.comparison).toMatchObject({ method: 'paired-bootstrap-images-percentile', resamples: 1200, seed: 5, confidence: 0.95 });
    expect(j.comparison.metrics.AP).toMatchObject({ candidate: j.AP, baseline: j.AP, delta: 0, lower: 0, upper: 0, significant: false });
  });

  it('BAD INPUT: too few resamples, a seed without a baseline', async () => {
    const few = await run(['eval', 'coco'], ['--gt', gt, '--dt', dt, '--baseline-dt', dt, '--resamples', '10']);
    expect(few.code).toBe(2);
    expect(few.stderr).toMatch(/^error: bootstrap options: resamples: /);
    const lonely = await run(['eval', 'coco'], ['--gt', gt, '--dt', dt, '--seed', '3']);
    expect(lonely.code).toBe(2);
    expect(lonely.stderr).toMatch(/need --baseline-dt/);
  });
});

describe('eval voc', () => {
  const input = readFixture<{ gt: unknown; dt: unknown }>('voc/random-pixel.input.json');
  const golden = readFixture<Record<string, { mAP: number; apPerClass: Array<number | null> }>>('voc/random-pixel.golden.json');
  const gt = write('voc-gt.json', input.gt);
  const dt = write('voc-dt.json', input.dt);

  it('--json prints {mAP, apPerClass} keyed by class name, for both AP types and difficult modes', async () => {
    for (const [key, g] of Object.entries(golden)) {
      const args = ['--gt', gt, '--dt', dt, '--ap', key.split('-')[0], '--json'];
      if (key.endsWith('-difficult')) args.push('--evaluate-difficult');
      const r = await run(['eval', 'voc'], args);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.mAP).toBe(g.mAP);
      expect(Object.values(out.apPerClass)).toEqual(g.apPerClass);
      expect(Object.keys(out.apPerClass)).toEqual(['a', 'b', 'c', 'd', 'no-gt', 'no-dt']);
    }
  });

  it('--baseline-dt: ΔmAP with its interval; the same file gives +0.00 [+0.00, +0.00] (not significant)', async () => {
    const r = await run(['eval', 'voc'], ['--gt', gt, '--dt', dt, '--ap', 'integral', '--baseline-dt', dt]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ΔmAP \+0\.00 \[\+0\.00, \+0\.00\] \(not significant\) points/);
    const j = JSON.parse((await run(['eval', 'voc'], ['--gt', gt, '--dt', dt, '--ap', '11point', '--baseline-dt', dt, '--seed', '9', '--json'])).stdout);
    expect(j.comparison).toMatchObject({ baselineDt: dt, seed: 9, resamples: 1000 });
    expect(j.comparison.metrics.mAP).toMatchObject({ candidate: j.mAP, baseline: j.mAP, delta: 0, lower: 0, upper: 0 });
  });

  it('BAD INPUT: label out of range, bad --ap', async () => {
    const r = await run(['eval', 'voc'], ['--gt', gt, '--dt', write('voc-bad.json', [{ image_id: 'img_0001', label: 9, score: 1, box: [0, 0, 1, 1] }]), '--ap', 'integral']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/voc-bad\.json: \[0\]: "label" must be an integer in 0\.\.5, got 9/);
    const r2 = await run(['eval', 'voc'], ['--gt', gt, '--dt', dt, '--ap', 'area']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--ap must be 11point or integral/);
  });
});

describe('eval widerface', () => {
  it('--json from the official .mat directory and predictions directory', async () => {
    const dir = path.join(FIXTURES_DIR, 'widerface/official-files');
    const r = await run(['eval', 'widerface'], ['--gt', path.join(dir, 'ground_truth'), '--pred', path.join(dir, 'predictions'), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(readFixture('widerface/official-files/golden.json'));
  });

  it('--baseline-pred: Δeasy/medium/hard with intervals; the same predictions give 0 [0, 0]', async () => {
    const input = readFixture<{ gt: unknown; pred: unknown }>('widerface/random-sorted.input.json');
    const gt = write('wb-gt.json', input.gt);
    const pred = write('wb-pred.json', input.pred);
    const r = await run(['eval', 'widerface'], ['--gt', gt, '--pred', pred, '--baseline-pred', pred]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Δhard {3}\+0\.00 \[\+0\.00, \+0\.00\] \(not significant\) points/);
    const j = JSON.parse((await run(['eval', 'widerface'], ['--gt', gt, '--pred', pred, '--baseline-pred', pred, '--json'])).stdout);
    expect(j.comparison.metrics.easy).toMatchObject({ candidate: j.easy, delta: 0, lower: 0, upper: 0, significant: false });
    const lonely = await run(['eval', 'widerface'], ['--gt', gt, '--pred', pred, '--resamples', '2000']);
    expect(lonely.code).toBe(2);
    expect(lonely.stderr).toMatch(/need --baseline-pred/);
  });

  it('--json from the JSON interchange; a GT image without predictions is exit 2', async () => {
    const input = readFixture<{ gt: unknown; pred: Record<string, Record<string, unknown>> }>('widerface/random-unsorted-extra.input.json');
    const gt = write('w-gt.json', input.gt);
    const r = await run(['eval', 'widerface'], ['--gt', gt, '--pred', write('w-pred.json', input.pred), '--json']);
    expect(JSON.parse(r.stdout)).toEqual(readFixture('widerface/random-unsorted-extra.golden.json'));
    const partial = structuredClone(input.pred);
    delete partial['1--Event_1']['1_Event_1_103'];
    const r2 = await run(['eval', 'widerface'], ['--gt', gt, '--pred', write('w-partial.json', partial)]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/w-partial\.json: 1--Event_1\/1_Event_1_103: no predictions for this image/);
  });
});
