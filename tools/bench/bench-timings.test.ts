import { describe, expect, it } from 'vitest';
import { medianOf, quantileOf, timeRounds } from './bench-timings';

describe('bench timings', () => {
  it('medianOf: odd, even (upper middle), one, none, unsorted input left unsorted', () => {
    expect(medianOf([3, 1, 2])).toBe(2);
    expect(medianOf([4, 1, 3, 2])).toBe(3);
    expect(medianOf([7])).toBe(7);
    expect(medianOf([])).toBeNaN();
    const xs = [5, 1, 4];
    medianOf(xs);
    expect(xs).toEqual([5, 1, 4]);
  });

  it('quantileOf: the value at floor(p × n) of the sorted values, the last at most; none is NaN', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => 20 - i); // 20, 19, ..., 1
    expect(quantileOf(twenty, 0.95)).toBe(20);
    expect(quantileOf(twenty, 0.5)).toBe(11);
    expect(quantileOf(twenty, 0)).toBe(1);
    expect(quantileOf(twenty, 1)).toBe(20);
    expect(quantileOf([...twenty, ...twenty], 0.95)).toBe(20); // index 38 of 40: the second 20
    expect(quantileOf(Array.from({ length: 40 }, (_, i) => i + 1), 0.95)).toBe(39);
    expect(quantileOf([], 0.95)).toBeNaN();
    for (const xs of [[3, 1, 2], [4, 1, 3, 2], [7]]) expect(quantileOf(xs, 0.5)).toBe(medianOf(xs));
  });

  it('timeRounds calls every call once per round, in turn, after `before`, and returns one time per call and round', async () => {
    const order: string[] = [];
    const ms = await timeRounds({ a: async (i) => order.push(`a${i}`), b: async (i) => order.push(`b${i}`) }, 3, (n) =>
      order.push(`before ${n}`),
    );
    expect(order).toEqual(['before a', 'a0', 'before b', 'b0', 'before a', 'a1', 'before b', 'b1', 'before a', 'a2', 'before b', 'b2']);
    expect(ms.a).toHaveLength(3);
    expect(ms.b.every((x) => x >= 0)).toBe(true);
  });
});
