import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSlimboardError } from '../errors';
import { runCli } from '../cli/main';
import { forkMeasurement } from './fork-measurement';
import { runMeasurement } from './run-measurement';

const FIX = path.resolve(import.meta.dirname, '../inference/__fixtures__');
const YOLO = path.join(FIX, 'detector-yolo.onnx');
const DATASET = path.join(FIX, 'shapes-coco');

function cliJson(args: string[]): Promise<Record<string, unknown>> {
  const out: string[] = [];
  const io = { stdout: (s: string) => out.push(s), stderr: () => {} };
  return runCli([...args, '--json'], io).then((code) => {
    expect(code).toBe(0);
    return JSON.parse(out.join('')) as Record<string, unknown>;
  });
}

/** Everything but wall-clock fields, which differ between two runs of the same measurement. */
function withoutTimings(summary: Record<string, unknown>): Record<string, unknown> {
  const { pipeline: _p, ...rest } = summary;
  return rest;
}

describe('one measuring core behind the CLI and the worker child', () => {
  it('analyze: the child, the in-process call and `analyze --json` give the same report', async () => {
    const request = { kind: 'analyze' as const, modelPath: YOLO, inputSize: 64 };
    const [child, inProcess, cli] = await Promise.all([
      forkMeasurement(request, new AbortController().signal),
      runMeasurement(request),
      cliJson(['analyze', YOLO, '--input-size', '64']),
    ]);
    expect(child).toEqual(inProcess);
    expect(child).toEqual(cli);
  });
  it('evaluate: the same AP by both doors, and progress reaches the parent strictly between 0 and 1', async () => {
    const progress: number[] = [];
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'fork-measurement-'));
    const childDt = path.join(tmp, 'child.json');
    const cliDt = path.join(tmp, 'cli.json');
    const request = { kind: 'evaluate' as const, modelPath: YOLO, datasetDir: DATASET, inputSize: 320, threads: 1, saveDetections: childDt };
    const child = await forkMeasurement(request, new AbortController().signal, (f) => progress.push(f));
    const cli = await cliJson(['evaluate', YOLO, '--dataset', DATASET, '--input-size', '320', '--threads', '1', '--save-dt', cliDt]);
    expect(child.savedDetections).toBe(childDt);
    expect(withoutTimings({ ...child, savedDetections: null })).toEqual(withoutTimings({ ...cli, savedDetections: null }));
    // The same detections, byte for byte, by both doors.
    expect(await readFile(childDt, 'utf8')).toBe(await readFile(cliDt, 'utf8'));
    await rm(tmp, { recursive: true, force: true });
    // 6 images: one message per image.
    expect(progress.filter((f) => f > 0 && f < 1).length).toBeGreaterThanOrEqual(3);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
  });
  it('bench: every raw sample comes back, and the session options are the CLI defaults', async () => {
    const progress: number[] = [];
    const m = await forkMeasurement(
      { kind: 'bench', modelPath: YOLO, inputSize: 64, threads: 1, quick: true },
      new AbortController().signal,
      (f) => progress.push(f),
    );
    const cli = await cliJson(['bench', YOLO, '--input-size', '64', '--threads', '1', '--quick', '--samples']);
    const samples = m.samplesMs as number[];
    expect(samples.length).toBe((m.summary as { count: number }).count);
    const { fingerprint: fc } = m as { fingerprint: Record<string, unknown> };
    const { fingerprint: fl } = cli as { fingerprint: Record<string, unknown> };
    for (const key of ['intraOpNumThreads', 'interOpNumThreads', 'graphOptimizationLevel', 'intraOpSpinning', 'inputShape', 'modelSha256']) {
      expect(fc[key]).toEqual(fl[key]);
    }
    expect(progress.at(-1)).toBe(1);
  });
  it('EXPECTED FAILURE: a refused input is a SlimboardError with the reason; a bad request names the field', async () => {
    const signal = new AbortController().signal;
    const missing = await forkMeasurement({ kind: 'analyze', modelPath: '/no/such.onnx' }, signal).catch((e: unknown) => e);
    expect(isSlimboardError(missing)).toBe(true);
    expect((missing as Error).message).toMatch(/\/no\/such\.onnx/);
    const bad = await forkMeasurement({ kind: 'bench', modelPath: YOLO, inputSize: 0, threads: 1 }, signal).catch((e: unknown) => e);
    expect(isSlimboardError(bad)).toBe(true);
    expect((bad as Error).message).toMatch(/measurement request: inputSize/);
  });
  it('abort: the child group is killed at once and the promise rejects with the reason', async () => {
    const abort = new AbortController();
    let abortedAt = 0;
    const run = forkMeasurement({ kind: 'bench', modelPath: YOLO, inputSize: 64, threads: 1 }, abort.signal, () => {
      abortedAt ||= Date.now();
      abort.abort(new Error('stop now'));
    });
    await expect(run).rejects.toThrow('stop now');
    // The first progress message is the cold start; the standard protocol would still warm up for 2 s and time
    // for 10 s after it, so ending well before that means the child was killed, not left to finish.
    expect(Date.now() - abortedAt).toBeLessThan(5_000);
    const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)]).toString();
    expect(children).not.toMatch(/measure-child-entry/);
  });
});
