import { describe, expect, it } from 'vitest';
import { medianOf, timeRounds } from './bench-timings';

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
