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
  it('hand-checked: with maxWaiting 1, the third task is refused at once with 503 busy and the second runs later', async () => {
    const limit = createConcurrencyLimit(1, { maxWaiting: 1 });
    const gate = deferred();
    const started: string[] = [];
    const first = limit.run(async () => (started.push('first'), await gate.promise));
    const second = limit.run(async () => started.push('second'));
    const third = limit.run(async () => started.push('third'));
    await expect(third).rejects.toMatchObject({ code: 'busy', status: 503, details: { active: 1, waiting: 1, max: 1, maxWaiting: 1 } });
    expect([limit.active, limit.waiting]).toEqual([1, 1]);
    gate.resolve();
    await Promise.all([first, second]);
    expect(started).toEqual(['first', 'second']);
    // With the queue empty again, a newcomer waits instead of being refused.
    expect(await limit.run(async () => 'ok')).toBe('ok');
  });

  it('degenerate: maxWaiting 0 refuses every task that cannot start at once; a bad bound is refused', async () => {
    const limit = createConcurrencyLimit(2, { maxWaiting: 0 });
    const gate = deferred();
    const running = [limit.run(() => gate.promise), limit.run(() => gate.promise)];
    await expect(limit.run(async () => 'never')).rejects.toMatchObject({ code: 'busy' });
    gate.resolve();
    await Promise.all(running);
    for (const bad of [-1, 0.5, Number.NaN]) expect(() => createConcurrencyLimit(1, { maxWaiting: bad })).toThrow(/non-negative integer/);
  });

  it('a waiter whose signal aborts leaves the queue, rejects with the reason and never runs; the next waiter keeps its turn', async () => {
    const limit = createConcurrencyLimit(1);
    const gate = deferred();
    const started: string[] = [];
    const first = limit.run(async () => (started.push('first'), await gate.promise));
    const leaving = new AbortController();
    const left = limit.run(async () => started.push('left'), { signal: leaving.signal });
    const staying = limit.run(async () => started.push('staying'));
    await tick();
    expect(limit.waiting).toBe(2);
    leaving.abort(new Error('client went away'));
    await expect(left).rejects.toThrow('client went away');
    expect(limit.waiting).toBe(1);
    gate.resolve();
    await Promise.all([first, staying]);
    expect(started).toEqual(['first', 'staying']);
    expect([limit.active, limit.waiting]).toEqual([0, 0]);
  });

  it('degenerate: an already aborted signal rejects without running, even with a slot free; aborting a running task changes nothing', async () => {
    const limit = createConcurrencyLimit(1);
    let ran = false;
    await expect(limit.run(async () => (ran = true), { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow('gone');
    expect([ran, limit.active]).toEqual([false, 0]);
    const running = new AbortController();
    const gate = deferred();
    const task = limit.run(async () => (await gate.promise, 'finished'), { signal: running.signal });
    running.abort();
    gate.resolve();
    expect(await task).toBe('finished');
    expect(limit.active).toBe(0);
  });

  it('property: with a bounded queue and waiters that leave, at most max run, the queue stays bounded, the admitted run in arrival order', async () => {
    const arrival = fc.record({ hold: fc.integer({ min: 0, max: 3 }), leaveAfter: fc.option(fc.integer({ min: 0, max: 3 })) });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(arrival, { maxLength: 14 }),
        async (max, maxWaiting, arrivals) => {
          const limit = createConcurrencyLimit(max, { maxWaiting });
          let peak = 0;
          let peakWaiting = 0;
          const started: number[] = [];
          const outcomes = await Promise.all(
            arrivals.map(async (a, i) => {
              const controller = new AbortController();
              if (a.leaveAfter !== null) setTimeout(() => controller.abort(new Error('left')), a.leaveAfter);
              const waitingBefore = limit.waiting;
              const canStart = limit.active < max;
              try {
                await limit.run(
                  async () => {
                    started.push(i);
                    peak = Math.max(peak, limit.active);
                    await new Promise((r) => setTimeout(r, a.hold));
                  },
                  { signal: controller.signal },
                );
                return 'ran';
              } catch (e) {
                // Refused exactly when it could not start and the queue was full as it arrived.
                if ((e as { code?: string }).code === 'busy') {
                  expect(canStart || waitingBefore < maxWaiting).toBe(false);
                  return 'refused';
                }
                return 'left';
              } finally {
                peakWaiting = Math.max(peakWaiting, limit.waiting);
              }
            }),
          );
          expect(peak).toBeLessThanOrEqual(max);
          expect(peakWaiting).toBeLessThanOrEqual(maxWaiting);
          expect(started).toEqual([...started].sort((x, y) => x - y));
          expect(started).toEqual(outcomes.flatMap((o, i) => (o === 'ran' ? [i] : [])));
          expect([limit.active, limit.waiting]).toEqual([0, 0]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
