import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) }, out, err };
}

describe('dataset synth', () => {
  it('writes a split and prints one JSON object with --json', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slimboard-cli-synth-'));
    try {
      const c = capture();
      const code = await runCli(['dataset', 'synth', '--out', dir, '--split', 'val', '--count', '2', '--seed', '9', '--json'], c.io);
      expect(code).toBe(0);
      const summary = JSON.parse(c.out.join(''));
      expect(summary).toMatchObject({ split: 'val', seed: 9, images: 2 });
      const coco = JSON.parse(await readFile(summary.cocoPath, 'utf8'));
      expect(coco.images).toHaveLength(2);
      expect(coco.annotations).toHaveLength(summary.annotations);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('EXPECTED FAILURE: a missing --out or a bad --count exits 2 with one line', async () => {
    const a = capture();
    expect(await runCli(['dataset', 'synth'], a.io)).toBe(2);
    expect(a.err.join('')).toMatch(/--out/);
    const b = capture();
    expect(await runCli(['dataset', 'synth', '--out', '/tmp/x', '--count', 'many'], b.io)).toBe(2);
    expect(b.err.join('')).toMatch(/--count/);
  });
});
