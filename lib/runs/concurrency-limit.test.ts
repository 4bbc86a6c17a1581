import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createConcurrencyLimit } from './concurrency-limit';

function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('createConcurrencyLimit', () => {
  it('hand-checked: 5 tasks with a limit of 2 run two at a time, in arrival order', async () => {
    const limit = createConcurrencyLimit(2);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    const all = gates.map((g, i) => limit.run(async () => (started.push(i), await g.promise, i)));
    await tick();
    expect(started).toEqual([0, 1]);
    expect([limit.active, limit.waiting]).toEqual([2, 3]);
    gates[1].resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0].resolve();
    gates[2].resolve();
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    gates[3].resolve();
    gates[4].resolve();
    expect(await Promise.all(all)).toEqual([0, 1, 2, 3, 4]);
    expect([limit.active, limit.waiting]).toEqual([0, 0]);
  });

  it('degenerate: a task that throws frees its slot; a limit of 1 serialises', async () => {
    const limit = createConcurrencyLimit(1);
    const failing = limit.run(async () => {
      throw new Error('boom');
    });
    const after = limit.run(async () => 'ran');
    await expect(failing).rejects.toThrow('boom');
    expect(await after).toBe('ran');
    expect(limit.active).toBe(0);
  });

  it('a slot freed while a newcomer arrives in the same tick goes to the waiter first', async () => {
    const limit = createConcurrencyLimit(1);
    const gate = deferred();
    const order: string[] = [];
    const first = limit.run(async () => (await gate.promise, order.push('first')));
    const waiter = limit.run(async () => order.push('waiter'));
    await tick();
    gate.resolve();
    await first;
    const newcomer = limit.run(async () => order.push('newcomer'));
    expect(limit.active).toBe(1);
    await Promise.all([waiter, newcomer]);
    expect(order).toEqual(['first', 'waiter', 'newcomer']);
  });

  it('BAD CALL: a limit that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => createConcurrencyLimit(bad)).toThrow(/positive integer/);
  });

  it('property: never more than max at once, and every task completes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 12 }), async (max, delays) => {
        const limit = createConcurrencyLimit(max);
        let peak = 0;
        const results = await Promise.all(
          delays.map((d, i) =>
            limit.run(async () => {
              peak = Math.max(peak, limit.active);
              await new Promise((r) => setTimeout(r, d));
              return i;
            }),
          ),
        );
        expect(peak).toBeLessThanOrEqual(max);
        expect(results).toEqual(delays.map((_, i) => i));
      }),
      { numRuns: 30 },
    );
  });
});
