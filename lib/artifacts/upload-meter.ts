import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { SlimboardError } from '../errors';
import type { PutOptions } from './store';

/**
 * The pass-through every store's `put` streams an upload through: counts bytes against `maxBytes` (413 as soon
 * as the limit is passed, before the excess is written anywhere), hashes them, reports progress, and optionally
 * hands each chunk to `tee` (a second destination, with backpressure: the next chunk waits for `done`).
 */
export function createUploadMeter(
  options: PutOptions,
  tee?: { write(chunk: Buffer, done: (err?: Error | null) => void): void; end(done: (err?: Error | null) => void): void },
): { stream: Transform; result(): { sha256: string; sizeBytes: number } } {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      sizeBytes += chunk.length;
      if (sizeBytes > options.maxBytes) {
        done(new SlimboardError('too_large', `upload exceeds the size limit of ${options.maxBytes} bytes`, { status: 413 }));
        return;
      }
      hash.update(chunk);
      options.onProgress?.(sizeBytes);
      if (tee) tee.write(chunk, (err) => done(err ?? null, chunk));
      else done(null, chunk);
    },
    flush(done) {
      if (tee) tee.end((err) => done(err ?? null));
      else done();
    },
  });
  return { stream, result: () => ({ sha256: hash.digest('hex'), sizeBytes }) };
}
