import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../main';

const FIX = path.resolve(import.meta.dirname, '../../inference/__fixtures__');

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) } };
}

describe('bench command', () => {
  it('--quick --json prints one JSON object with statistics and fingerprint', async () => {
    const c = io();
    const code = await runCli(['bench', path.join(FIX, 'detector-yolo.onnx'), '--input-size', '64', '--threads', '1', '--quick', '--json'], c.io);
    expect(code).toBe(0);
    const j = JSON.parse(c.out.join(''));
    for (const k of ['p50Ms', 'p90Ms', 'p99Ms', 'meanMs', 'stdMs', 'minMs', 'maxMs', 'throughputPerS']) expect(typeof j.summary[k]).toBe('number');
    expect(j.fingerprint).toMatchObject({ intraOpNumThreads: 1, inputShape: [1, 3, 64, 64], executionProvider: 'cpu', opset: 13 });
    expect(j.quick).toBe(true);
    expect(j.sampleCount).toBe(10);
    expect(j.samplesMs).toBeUndefined();
    expect(j.postprocessing.nmsInGraph).toBe(false);
    expect(typeof j.machineLoad.busy).toBe('boolean');
    expect(Array.isArray(j.machineLoad.reasons)).toBe(true);
  });
  it('--samples keeps the raw samples; explicit protocol flags override --quick', async () => {
    const c = io();
    expect(await runCli(['bench', path.join(FIX, 'not-a-detector.onnx'), '--input-size', '32', '--threads', '1', '--quick', '--runs', '15', '--samples', '--json'], c.io)).toBe(0);
    const j = JSON.parse(c.out.join(''));
    expect(j.samplesMs).toHaveLength(15);
    expect(j.protocol.timedMinRuns).toBe(15);
  });
  it('--baseline: a paired benchmark prints the change with its interval; --json holds every raw sample of both models', async () => {
    const yolo = path.join(FIX, 'detector-yolo.onnx');
    const c = io();
    const argv = ['bench', yolo, '--baseline', yolo, '--input-size', '64', '--quick', '--cycles', '3', '--sessions', '3', '--json'];
    expect(await runCli(argv, c.io)).toBe(0);
    const j = JSON.parse(c.out.join(''));
    expect(j.kind).toBe('paired-latency');
    expect(j.schedule).toMatchObject({ order: 'ABBA', cycles: 3, blockRuns: 2, cyclesPerSession: [1, 1, 1] });
    expect(j.candidate.samplesMs).toHaveLength(12);
    expect(j.baseline.samplesMs).toHaveLength(12);
    expect(j.candidate.fingerprint.intraOpNumThreads).toBe(1);
    expect(j.comparison.ci[0]).toBeLessThanOrEqual(j.comparison.ratio);
    expect(j.comparison.ci[1]).toBeGreaterThanOrEqual(j.comparison.ratio);
    const t = io();
    expect(await runCli(['bench', yolo, '--baseline', yolo, '--input-size', '64', '--quick', '--statistic', 'mean'], t.io)).toBe(0);
    const text = t.out.join('');
    expect(text).toMatch(/^change {5}[+\u2212]\d+\.\d % \[[+\u2212]\d+\.\d, [+\u2212]\d+\.\d\]/);
    expect(text).toMatch(/\(mean candidate\/baseline = .*UNTRUSTED: quick protocol/);
    expect(text).toMatch(/4 ABBA cycles of 4 x 2 runs/);
    expect(text).toMatch(/\ncpu time   [+\u2212]\d+\.\d % \[/);
  });
  it('--progress writes rising "progress F" lines to stderr ending at 1, for the single and the paired benchmark', async () => {
    const yolo = path.join(FIX, 'detector-yolo.onnx');
    for (const extra of [['--threads', '1'], ['--baseline', yolo, '--cycles', '10']]) {
      const c = io();
      expect(await runCli(['bench', yolo, '--input-size', '64', '--quick', '--progress', '--json', ...extra], c.io)).toBe(0);
      const lines = c.err.join('').trim().split('\n');
      const values = lines.map((l) => Number(/^progress (\d\.\d{3})$/.exec(l)![1]));
      expect(values.length).toBeGreaterThanOrEqual(2);
      expect(values.at(-1)).toBe(1);
      for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
      expect(values.filter((v) => v > 0 && v < 1).length).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(c.out.join('')).summary ?? JSON.parse(c.out.join('')).comparison).toBeDefined();
    }
  });
  it('BAD CALL: each bad input is one error line and exit code 2', async () => {
    const yolo = path.join(FIX, 'detector-yolo.onnx');
    const pair = (base: string) => ['bench', yolo, '--baseline', base, '--input-size', '64'];
    const cases: Array<[string[], RegExp]> = [
      [['bench', '--input-size', '64', '--threads', '1'], /expected exactly one model FILE/],
      [['bench', path.join(FIX, 'detector-yolo.onnx'), '--threads', '1'], /missing required flag --input-size/],
      [['bench', path.join(FIX, 'detector-yolo.onnx'), '--input-size', 'big', '--threads', '1'], /--input-size must be an integer/],
      [['bench', path.join(FIX, 'detector-yolo.onnx'), '--input-size', '64', '--threads', '0'], /--threads must be >= 1/],
      [['bench', path.join(FIX, 'detector-yolo.onnx'), '--input-size', '64', '--threads', '1', '--graph-opt', 'max'], /--graph-opt must be one of/],
      [['bench', path.join(FIX, 'shapes-coco', 'annotations.json'), '--input-size', '64', '--threads', '1', '--quick'], /annotations\.json: /],
      [['bench', '/no/such.onnx', '--input-size', '64', '--threads', '1', '--quick'], /\/no\/such\.onnx: cannot read model file/],
      [['bench', path.join(FIX, 'detector-yolo.onnx'), '--input-size', '64', '--threads', '1', '--bogus'], /Unknown option '--bogus'/],
      [[...pair('/no/base.onnx'), '--quick'], /\/no\/base\.onnx: cannot read model file/],
      [[...pair(yolo), '--runs', '5'], /use --cycles/],
      [[...pair(yolo), '--statistic', 'p75'], /--statistic must be one of p50\|p90\|mean/],
      [['bench', path.join(FIX, 'detector-yolo.onnx'), '--input-size', '64', '--threads', '1', '--cycles', '3'], /need --baseline/],
      [['bench', path.join(FIX, 'detector-yolo.onnx'), '--input-size', '64', '--threads', '1', '--sessions', '3'], /--sessions need --baseline/],
    ];
    for (const [argv, re] of cases) {
      const c = io();
      expect(await runCli(argv, c.io)).toBe(2);
      expect(c.out.join('')).toBe('');
      const err = c.err.join('');
      expect(err).toMatch(re);
      expect(err.trim().split('\n')).toHaveLength(1);
    }
  });
});
