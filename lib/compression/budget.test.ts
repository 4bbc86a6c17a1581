import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { greedyFallback } from './budget';

/** A fake model: every node in float gives back its share of the loss. */
const fake = (fp32: number, loss: Record<string, number>) => async (float: readonly string[]) =>
  fp32 - Object.entries(loss).reduce((s, [n, l]) => s + (float.includes(n) ? 0 : l), 0);

describe('greedyFallback', () => {
  it('golden: losses a 0.004, b 0.002, c 0.001 and budget 0.0035 -> a back to float, stop (loss 0.003)', async () => {
    const r = await greedyFallback(0.66, ['a', 'b', 'c'], 0.0035, 10, fake(0.66, { a: 0.004, b: 0.002, c: 0.001 }));
    expect(r.steps.map((s) => s.float)).toEqual([[], ['a']]);
    expect(r.steps[0].deltaAp).toBeCloseTo(-0.007, 12);
    expect(r.steps[1].deltaAp).toBeCloseTo(-0.003, 12);
    expect(r).toMatchObject({ met: true, float: ['a'] });
  });

  it('degenerate: already within budget (one evaluation), no candidates, zero steps allowed', async () => {
    let calls = 0;
    const r = await greedyFallback(0.5, ['a'], 0.003, 5, async () => (calls++, 0.5001));
    expect([calls, r.met, r.float]).toEqual([1, true, []]);
    expect(await greedyFallback(0.5, [], 0.001, 5, async () => 0.4)).toMatchObject({ met: false, float: [], steps: [{ float: [] }] });
    expect(await greedyFallback(0.5, ['a'], 0.001, 0, async () => 0.4)).toMatchObject({ met: false, steps: [{ float: [] }] });
    await expect(greedyFallback(0.5, [], -1, 1, async () => 0)).rejects.toThrow(/budget must be/);
    await expect(greedyFallback(0.5, [], 0, 1.5, async () => 0)).rejects.toThrow(/fallback steps/);
  });

  it('property: float sets grow by one ranked node per step; it stops at the first step within budget', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: 0, max: 0.01, noNaN: true }), { maxLength: 8 }), fc.double({ min: 0, max: 0.02, noNaN: true }), async (losses, budget) => {
        const names = losses.map((_, i) => `n${i}`);
        const r = await greedyFallback(0.6, names, budget, 20, fake(0.6, Object.fromEntries(names.map((n, i) => [n, losses[i]]))));
        r.steps.forEach((s, k) => expect(s.float).toEqual(names.slice(0, k)));
        r.steps.slice(0, -1).forEach((s) => expect(s.withinBudget).toBe(false));
        expect(r.met).toBe(r.steps[r.steps.length - 1].withinBudget);
        if (!r.met) expect(r.steps).toHaveLength(names.length + 1);
      }),
    );
  });
});
