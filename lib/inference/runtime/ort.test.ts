import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSession, onnxruntimeVersion, resolveSessionOptions } from './ort';

const FIX = path.join(import.meta.dirname, '..', '__fixtures__');

describe('ort (the only onnxruntime-node module)', () => {
  it('creates a session from a path and from bytes, reads names and metadata, runs with Float32 tensors', async () => {
    const s = await createSession(path.join(FIX, 'detector-decoded.onnx'), { intraOpNumThreads: 1 });
    expect(s.inputNames).toEqual(['image']);
    expect(s.outputNames).toEqual(['boxes', 'scores']);
    expect(s.inputs[0]).toEqual({ name: 'image', isTensor: true, type: 'float32', shape: [1, 3, 'height', 'width'] });
    // A 16x16 image with a red square at rows 2..5, cols 4..9: the fixture boxes it as (4, 2, 10, 6).
    const img = new Float32Array(3 * 16 * 16);
    for (let y = 2; y < 6; y++) for (let x = 4; x < 10; x++) img[y * 16 + x] = 1;
    const out = await s.run({ image: { data: img, dims: [1, 3, 16, 16] } });
    expect(out.boxes.dims).toEqual([1, 6, 4]);
    expect(Array.from(out.boxes.data.subarray(0, 4))).toEqual([4, 2, 10, 6]);
    expect(out.scores.data[0]).toBeCloseTo(0.9, 6);
    await s.release();

    const b = await createSession(readFileSync(path.join(FIX, 'detector-paddle.onnx')), { intraOpNumThreads: 2, intraOpSpinning: false });
    expect(b.options.intraOpSpinning).toBe(false);
    expect(b.source).toBe('<bytes>');
    expect(b.inputNames).toEqual(['image', 'im_shape', 'scale_factor']);
    expect(typeof (await b.timeBareLoop({
      image: { data: new Float32Array(3 * 32 * 32), dims: [1, 3, 32, 32] },
      im_shape: { data: new Float32Array([32, 32]), dims: [1, 2] },
      scale_factor: { data: new Float32Array([1, 1]), dims: [1, 2] },
    }, 2))).toBe('number');
    await b.release();
    expect(onnxruntimeVersion).toMatch(/^1\.\d+\.\d+/);
  });

  it('EXPECTED FAILURE: not ONNX, truncated, wrong feeds, bad options -> one-line SlimboardErrors', async () => {
    await expect(createSession(Buffer.from('definitely not onnx'))).rejects.toThrow(/<bytes>: onnxruntime cannot load the model/);
    const bytes = readFileSync(path.join(FIX, 'detector-yolo.onnx'));
    await expect(createSession(bytes.subarray(0, 500))).rejects.toMatchObject({ name: 'SlimboardError', code: 'bad_model' });
    await expect(createSession('/nonexistent/model.onnx')).rejects.toMatchObject({ code: 'bad_model' });
    const s = await createSession(path.join(FIX, 'detector-decoded.onnx'));
    await expect(s.run({})).rejects.toThrow(/missing input "image"/);
    await expect(s.run({ image: { data: new Float32Array(5), dims: [1, 3, 2, 2] } })).rejects.toThrow(/dims \[1,3,2,2\] but 5 values/);
    await expect(s.run({ image: { data: new Float32Array(12), dims: [1, 3, 2, 2] }, extra: { data: new Float32Array(1), dims: [1] } })).rejects.toThrow(/no input "extra"/);
    await expect(s.run({ image: { data: new Float32Array(24), dims: [1, 6, 2, 2] } })).rejects.toMatchObject({ code: 'model_run_failed' });
    await expect(s.run({ image: { data: new Float32Array(12), dims: [1, 3, 2, 2] } }, ['nope'])).rejects.toThrow(/no output "nope"/);
    await s.release();
    expect(() => resolveSessionOptions({ intraOpNumThreads: 0 })).toThrow(/intraOpNumThreads/);
    expect(() => resolveSessionOptions({ graphOptimizationLevel: 'max' as never })).toThrow(/graphOptimizationLevel/);
    expect(() => resolveSessionOptions({ executionProviders: ['cuda' as never] })).toThrow(/cuda/);
    expect(resolveSessionOptions()).toEqual({ intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionProviders: ['cpu'], executionMode: 'sequential', intraOpSpinning: true });
  });
});
