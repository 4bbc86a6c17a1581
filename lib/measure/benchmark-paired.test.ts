import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchmarkPaired, QUICK_PAIRED_PROTOCOL, ZPairedLatencyResult } from './benchmark-paired';

const FIX = path.resolve(import.meta.dirname, '../inference/__fixtures__');
const ZOO = path.resolve(import.meta.dirname, '../../lib/demo-zoo/models');

describe('benchmarkPaired (structure, not timings)', () => {
  it('measures both models interleaved, keeps every sample, and the interval brackets the estimate', async () => {
    const progress: number[] = [];
    const r = await benchmarkPaired({
      candidatePath: path.join(ZOO, 'yolov3_mobilenet_v1_x025_shapes_prune_r578.onnx'),
      baselinePath: path.join(ZOO, 'yolov3_mobilenet_v1_x025_shapes.onnx'),
      inputSize: 64,
      protocol: { ...QUICK_PAIRED_PROTOCOL, minCycles: 5, blockRuns: 3 },
      resamples: 1000,
      onProgress: (f) => progress.push(f),
    });
    expect(ZPairedLatencyResult.parse(JSON.parse(JSON.stringify(r)))).toEqual(r);
    expect(r.quick).toBe(true);
    // Two session pairs (the quick protocol's), each doing ceil(5 / 2) = 3 cycles of 2 x 3 runs per model.
    expect(r.schedule).toEqual({ order: 'ABBA', a: 'candidate', blockRuns: 3, cycles: 6, cyclesPerSession: [3, 3] });
    expect(r.schemaVersion).toBe(2);
    expect(r.candidate.samplesMs).toHaveLength(36);
    expect(r.baseline.samplesMs).toHaveLength(36);
    expect(r.candidate.summary.count).toBe(36);
    expect(r.candidate.cpuSamplesMs).toHaveLength(36);
    expect(r.baseline.cpuSamplesMs).toHaveLength(36);
    expect(r.comparison.sessions).toBe(2);
    expect(r.comparison.method).toMatch(/two-stage/);
    expect(r.candidate.warmup.runs).toBeGreaterThanOrEqual(2 * QUICK_PAIRED_PROTOCOL.warmupMinRuns);
    expect(r.cpuComparison.ci[0]).toBeLessThanOrEqual(r.cpuComparison.ratio);
    expect(r.cpuComparison.ci[1]).toBeGreaterThanOrEqual(r.cpuComparison.ratio);
    expect(r.comparison.cycles).toBe(6);
    expect(r.comparison.ratio).toBeCloseTo(r.candidate.summary.p50Ms / r.baseline.summary.p50Ms, 12);
    expect(r.comparison.ci[0]).toBeLessThanOrEqual(r.comparison.ratio);
    expect(r.comparison.ci[1]).toBeGreaterThanOrEqual(r.comparison.ratio);
    expect(r.candidate.fingerprint.inputShape).toEqual([1, 3, 64, 64]);
    expect(r.candidate.fingerprint.modelSha256).not.toBe(r.baseline.fingerprint.modelSha256);
    expect(progress).toHaveLength(6);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
    expect(typeof r.machineLoad.busy).toBe('boolean');
    expect(r.verdictTrusted).toBe(false); // quick protocol
  });
  it('the timed phase runs until both minCycles and minMs are reached', async () => {
    const r = await benchmarkPaired({
      candidatePath: path.join(FIX, 'not-a-detector.onnx'),
      baselinePath: path.join(FIX, 'not-a-detector.onnx'),
      inputSize: 32,
      protocol: { ...QUICK_PAIRED_PROTOCOL, minCycles: 1, minMs: 200 },
      resamples: 1000,
    });
    expect(r.timedElapsedMs).toBeGreaterThanOrEqual(200);
    expect(r.candidate.samplesMs.length).toBe(r.schedule.cycles * 2 * r.schedule.blockRuns);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(r.candidate.samplesMs) + sum(r.baseline.samplesMs)).toBeCloseTo(r.timedElapsedMs, 6);
  });
  it('one session pair per cycle when asked; a result stored before session pairs existed still parses', async () => {
    const r = await benchmarkPaired({
      candidatePath: path.join(FIX, 'not-a-detector.onnx'),
      baselinePath: path.join(FIX, 'not-a-detector.onnx'),
      inputSize: 32,
      protocol: { ...QUICK_PAIRED_PROTOCOL, minCycles: 3, sessions: 3 },
      resamples: 1000,
    });
    expect(r.schedule.cyclesPerSession).toEqual([1, 1, 1]);
    expect(r.comparison.sessions).toBe(3);
    const { cyclesPerSession: _dropped, ...scheduleV1 } = r.schedule;
    const { sessions: _s, ...protocolV1 } = r.protocol;
    const v1 = { ...r, schemaVersion: 1, schedule: scheduleV1, protocol: protocolV1 };
    expect(ZPairedLatencyResult.safeParse(v1).success).toBe(true);
    const broken = { ...r, schedule: { ...r.schedule, cyclesPerSession: [1, 1] } };
    expect(ZPairedLatencyResult.safeParse(broken).error?.issues[0].message).toMatch(/does not sum to 3 cycles/);
  });
  it('EXPECTED FAILURE: missing file, bad protocol, bad statistic', async () => {
    const yolo = path.join(FIX, 'detector-yolo.onnx');
    await expect(benchmarkPaired({ candidatePath: '/no/such.onnx', baselinePath: yolo, inputSize: 64 })).rejects.toThrow(
      /\/no\/such\.onnx: cannot read model file/,
    );
    await expect(
      benchmarkPaired({ candidatePath: yolo, baselinePath: yolo, inputSize: 64, protocol: { ...QUICK_PAIRED_PROTOCOL, blockRuns: 0 } }),
    ).rejects.toThrow(/paired latency protocol: blockRuns/);
    await expect(
      benchmarkPaired({ candidatePath: yolo, baselinePath: yolo, inputSize: 64, protocol: { ...QUICK_PAIRED_PROTOCOL, sessions: 0 } }),
    ).rejects.toThrow(/paired latency protocol: sessions/);
    await expect(
      benchmarkPaired({
        candidatePath: yolo,
        baselinePath: yolo,
        inputSize: 64,
        protocol: QUICK_PAIRED_PROTOCOL,
        statistic: 'p75' as 'p50',
      }),
    ).rejects.toThrow(/statistic must be/);
  });
});
