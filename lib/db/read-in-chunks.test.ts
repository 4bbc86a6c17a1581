import { describe, expect, it } from 'vitest';
import { readInChunks } from './read-in-chunks';

/** A stand-in query: each id's rows (id × 10 + k, k < id % 3 + 1), ids in the order asked; records the chunks. */
function fakeRead() {
  const chunks: number[][] = [];
  const read = async (chunk: number[]) => {
    chunks.push(chunk);
    return chunk.flatMap((id) => Array.from({ length: (id % 3) + 1 }, (_, k) => id * 10 + k));
  };
  return { chunks, read };
}

describe('readInChunks', () => {
  it('golden: 5 ids in chunks of 2 are three queries, rows concatenated in order', async () => {
    const { chunks, read } = fakeRead();
    expect(await readInChunks([4, 1, 7, 2, 9], 2, read)).toEqual([40, 41, 10, 11, 70, 71, 20, 21, 22, 90]);
    expect(chunks).toEqual([[4, 1], [7, 2], [9]]);
  });

  it('degenerate: no ids, exactly one chunk, one over; a size that is not a positive integer is refused', async () => {
    let f = fakeRead();
    expect(await readInChunks([], 3, f.read)).toEqual([]);
    expect(f.chunks).toEqual([[]]);
    f = fakeRead();
    await readInChunks([1, 2, 3], 3, f.read);
    expect(f.chunks).toEqual([[1, 2, 3]]);
    f = fakeRead();
    await readInChunks([1, 2, 3, 4], 3, f.read);
    expect(f.chunks).toEqual([[1, 2, 3], [4]]);
    for (const size of [0, -1, 1.5, NaN]) await expect(readInChunks([1], size, f.read)).rejects.toThrow(/size must be a positive integer/);
  });

  it('property: any ids and size give what one query for all ids gives, in chunks of at most size', async () => {
    for (let trial = 0; trial < 200; trial++) {
      const ids = Array.from({ length: Math.floor(Math.random() * 40) }, () => Math.floor(Math.random() * 1000));
      const size = 1 + Math.floor(Math.random() * 12);
      const whole = fakeRead();
      const chunked = fakeRead();
      expect(await readInChunks(ids, size, chunked.read)).toEqual(await whole.read(ids));
      expect(chunked.chunks.every((c) => c.length <= size)).toBe(true);
      expect(chunked.chunks.flat()).toEqual(ids);
    }
  });
});
