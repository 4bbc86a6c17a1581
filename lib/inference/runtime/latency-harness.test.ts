import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBenchmarkFeeds, fillDeterministic, measureLatency, QUICK_PROTOCOL } from './latency-harness';

const FIX = path.join(import.meta.dirname, '..', '__fixtures__');

describe('measureLatency (quick protocol on real fixtures)', () => {
  it('times cold start separately, honours min runs, keeps raw samples, fingerprints the run', async () => {
    const m = await measureLatency(path.join(FIX, 'detector-yolo.onnx'), {
      inputSize: 64,
      protocol: { warmupMinRuns: 3, warmupMinMs: 0, timedMinRuns: 12, timedMinMs: 0 },
      session: { intraOpNumThreads: 1 },
    });
    expect(m.coldStart.sessionCreateMs).toBeGreaterThan(0);
    expect(m.coldStart.firstRunMs).toBeGreaterThan(0);
    expect(m.warmup.runs).toBe(3);
    expect(m.timed.runs).toBe(12);
    expect(m.samplesMs).toHaveLength(12);
    expect(m.summary.count).toBe(12);
    // the samples tile the timed phase: their sum is its elapsed time
    expect(m.samplesMs.reduce((a, b) => a + b, 0)).toBeCloseTo(m.timed.elapsedMs, 6);
    expect(m.summary.minMs).toBe(Math.min(...m.samplesMs));
    expect(m.quick).toBe(true);
    expect(m.fingerprint.inputShape).toEqual([1, 3, 64, 64]);
    expect(m.fingerprint.opset).toBe(13);
    expect(m.fingerprint.intraOpNumThreads).toBe(1);
    expect(m.postprocessing.nmsInGraph).toBe(false);
  });
  it('a time floor keeps running past the run count', async () => {
    const m = await measureLatency(path.join(FIX, 'not-a-detector.onnx'), { inputSize: 32, protocol: { warmupMinRuns: 1, warmupMinMs: 30, timedMinRuns: 1, timedMinMs: 60 } });
    expect(m.warmup.elapsedMs).toBeGreaterThanOrEqual(30);
    expect(m.timed.elapsedMs).toBeGreaterThanOrEqual(60);
    expect(m.quick).toBe(true);
  });
  it('feeds PaddleDetection models their im_shape / scale_factor and says NMS is in the graph', async () => {
    const m = await measureLatency(path.join(FIX, 'detector-paddle.onnx'), { inputSize: 64, protocol: QUICK_PROTOCOL });
    expect(m.postprocessing.nmsInGraph).toBe(true);
    expect(m.postprocessing.statement).toMatch(/NMS is included/);
  });
  it('EXPECTED FAILURE: missing file, not ONNX, input size the model cannot take, bad protocol', async () => {
    await expect(measureLatency('/nope.onnx', { inputSize: 64 })).rejects.toThrow(/\/nope\.onnx: cannot read model file/);
    await expect(measureLatency(path.join(FIX, 'shapes-coco', 'annotations.json'), { inputSize: 64 })).rejects.toMatchObject({ code: 'bad_model' });
    await expect(measureLatency(path.join(FIX, 'detector-yolo.onnx'), { inputSize: 0, protocol: QUICK_PROTOCOL })).rejects.toThrow(/input size/);
    await expect(measureLatency(path.join(FIX, 'detector-yolo.onnx'), { inputSize: 64, protocol: { ...QUICK_PROTOCOL, timedMinRuns: 0 } })).rejects.toThrow(/timedMinRuns/);
  });
  it('buildBenchmarkFeeds rejects a size a fixed-shape model cannot take', () => {
    const inputs = [{ name: 'x', isTensor: true, type: 'float32' as const, shape: [1, 3, 224, 224] }];
    expect(() => buildBenchmarkFeeds(inputs, 320, 'm.onnx')).toThrow('m.onnx: input "x" has fixed size 224x224, cannot take 320x320');
    expect(buildBenchmarkFeeds(inputs, 224, 'm.onnx').inputShape).toEqual([1, 3, 224, 224]);
  });
  it('fillDeterministic: same seed, same values, all in [0, 1)', () => {
    const a = fillDeterministic(new Float32Array(1000));
    const b = fillDeterministic(new Float32Array(1000));
    expect(a).toEqual(b);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThan(1);
  });
});
