import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PreprocessedImage } from '../image/image-preprocess';
import { parseModelAdapter } from './model-adapter';
import { DetectionWorkerPool } from './worker-pool';

const IMAGES = path.join(import.meta.dirname, '..', '__fixtures__', 'shapes-coco', 'images');
const adapter = parseModelAdapter({ preprocess: { resize: 'letterbox' }, output: { kind: 'decoded', boxes: 'b', scores: 's' } }, 'pool-test');

describe('DetectionWorkerPool (real worker threads)', () => {
  it('posts every request at once by default (workers never wait for the main thread), answers in order, survives a bad image', async () => {
    const pool = new DetectionWorkerPool(1, adapter);
    try {
      const files = ['a.png', 'missing.png', 'b.png', 'c.png'];
      const requests = files.map((f) => pool.request<PreprocessedImage>({ type: 'preprocess', file: path.join(IMAGES, f), inputSize: 64 }));
      requests.forEach((r) => r.catch(() => {}));
      // Nothing is held back in the pool: the worker has its whole queue while this thread is busy.
      expect(pool.queued).toBe(0);
      const settled = await Promise.allSettled(requests);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect((settled[1] as PromiseRejectedResult).reason.message).toMatch(/missing\.png: cannot read image \(ENOENT\)/);
      // a.png is 200x150 (see the fixture's generator); each tensor is 3 x 64 x 64.
      const first = (settled[0] as PromiseFulfilledResult<PreprocessedImage>).value;
      expect(first.geometry).toMatchObject({ srcW: 200, srcH: 150, dstW: 64, dstH: 64 });
      expect(first.tensor).toHaveLength(3 * 64 * 64);
    } finally {
      await pool.close();
    }
  });

  it('perWorker caps what a worker holds; the rest waits in the pool in submission order', async () => {
    const pool = new DetectionWorkerPool(2, adapter, { perWorker: 1 });
    try {
      const requests = ['a.png', 'b.png', 'c.png', 'a.png', 'b.png'].map((f) => pool.request<PreprocessedImage>({ type: 'preprocess', file: path.join(IMAGES, f), inputSize: 32 }));
      expect(pool.queued).toBe(3);
      const results = await Promise.all(requests);
      expect(results.map((r) => r.geometry.srcW)).toEqual([results[0].geometry.srcW, results[1].geometry.srcW, results[2].geometry.srcW, results[0].geometry.srcW, results[1].geometry.srcW]);
      expect(pool.queued).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('bad sizes are clear errors', () => {
    expect(() => new DetectionWorkerPool(0, adapter)).toThrow(/worker count must be a positive integer, got 0/);
    expect(() => new DetectionWorkerPool(1, adapter, { perWorker: 0.5 })).toThrow(/requests per worker must be a positive integer, got 0.5/);
  });
});
