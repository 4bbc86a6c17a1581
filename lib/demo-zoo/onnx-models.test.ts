import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSession } from '../inference/runtime/ort';
import { DEMO_ZOO_DIR, readDemoZooManifest } from './manifest';

/** N = 3 * sum over strides 32, 16, 8 of (H / s) * (W / s): the decoded candidates of the head. */
function candidates(h: number, w: number): number {
  return [32, 16, 8].reduce((n, s) => n + 3 * (h / s) * (w / s), 0);
}

describe('shipped demo-zoo ONNX files', () => {
  it('golden: candidates(320, 320) = 3 * (100 + 400 + 1600) = 6300', () => {
    expect(candidates(320, 320)).toBe(6300);
  });

  it('every model loads in onnxruntime-node and runs a non-square batch of 2 with the documented outputs', async () => {
    const dir = path.resolve(DEMO_ZOO_DIR);
    const manifest = await readDemoZooManifest(dir);
    const classes = manifest.adapter.classNames.length;
    const [h, w] = [256, 352];
    const image = new Float32Array(2 * 3 * h * w).map((_, i) => ((i * 7919) % 997) / 997);
    for (const m of manifest.models) {
      const session = await createSession(path.join(dir, m.file), { intraOpNumThreads: 1 });
      try {
        expect(session.inputNames).toEqual([manifest.adapter.input.name]);
        const out = await session.run({ image: { data: image, dims: [2, 3, h, w] } });
        expect(out.boxes.dims).toEqual([2, candidates(h, w), 4]);
        expect(out.scores.dims).toEqual([2, candidates(h, w), classes]);
        let minScore = Infinity;
        let maxScore = -Infinity;
        for (const v of out.scores.data) {
          minScore = Math.min(minScore, v);
          maxScore = Math.max(maxScore, v);
        }
        expect(minScore).toBeGreaterThanOrEqual(0);
        expect(maxScore).toBeLessThanOrEqual(1);
        expect(out.boxes.data.every((v) => Number.isFinite(v))).toBe(true);
      } finally {
        await session.release();
      }
    }
  });
});
