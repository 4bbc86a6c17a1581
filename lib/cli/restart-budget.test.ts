import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RestartBudget } from './restart-budget';

describe('RestartBudget', () => {
  it('3 within 10 min: the 4th exit inside the window is refused; once the oldest restart is 10 min old, one more is granted', () => {
    const b = new RestartBudget(3, 600_000);
    expect([0, 1_000, 2_000].map((t) => b.take(t))).toEqual([true, true, true]);
    expect(b.take(599_999)).toBe(false); // 0, 1000 and 2000 are all in (−1, 599,999]
    expect(b.take(600_000)).toBe(true); // the one at 0 has left the half-open window
    expect(b.take(600_500)).toBe(false); // 1000, 2000, 600,000
    expect(b.take(601_000)).toBe(true); // 2000, 600,000, 601,000
  });

  it('a refused restart is not counted: a process that keeps dying gets its next restart when the oldest granted one ages out', () => {
    const b = new RestartBudget(1, 100);
    expect(b.take(0)).toBe(true);
    for (let t = 1; t < 100; t += 7) expect(b.take(t)).toBe(false);
    expect(b.take(100)).toBe(true);
  });

  it('degenerate budgets: max 0 never restarts; restarts further apart than the window are always granted', () => {
    const none = new RestartBudget(0, 1_000);
    expect([0, 5_000, 1e9].map((t) => none.take(t))).toEqual([false, false, false]);
    const spaced = new RestartBudget(1, 10);
    expect([0, 10, 20, 1e6].map((t) => spaced.take(t))).toEqual([true, true, true, true]);
  });

  it('refuses a budget that cannot mean anything, naming the value', () => {
    expect(() => new RestartBudget(-1, 10)).toThrow(/max must be an integer >= 0, got -1/);
    expect(() => new RestartBudget(1.5, 10)).toThrow(/got 1.5/);
    expect(() => new RestartBudget(3, 0)).toThrow(/windowMs must be > 0, got 0/);
    expect(() => new RestartBudget(3, Number.NaN)).toThrow(/windowMs must be > 0, got NaN/);
  });

  it('property: no window ever holds more than max granted restarts, and a refusal happens only when max are already in it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 1_000 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 60 }),
        (max, windowMs, gaps) => {
          const b = new RestartBudget(max, windowMs);
          const granted: number[] = [];
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            const inWindow = granted.filter((t) => now - t < windowMs).length;
            const ok = b.take(now);
            expect(ok).toBe(inWindow < max);
            if (ok) granted.push(now);
            expect(granted.filter((t) => now - t < windowMs).length).toBeLessThanOrEqual(max);
          }
        },
      ),
    );
  });
});
