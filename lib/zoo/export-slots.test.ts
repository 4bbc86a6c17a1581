import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlimboardError } from '../errors';
import { createExportSlots, EXPORTS_BUSY_RETRY_AFTER_S } from './export-slots';

describe('createExportSlots', () => {
  it('gives `limit` slots, then refuses with 503 exports_busy and Retry-After details; a release frees one', () => {
    const slots = createExportSlots(2);
    const a = slots.take();
    slots.take();
    expect(slots.active).toBe(2);
    let refused: unknown;
    try {
      slots.take();
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(SlimboardError);
    const err = refused as SlimboardError;
    expect([err.code, err.status]).toEqual(['exports_busy', 503]);
    expect(err.details).toEqual({ retryAfterSeconds: EXPORTS_BUSY_RETRY_AFTER_S, limit: 2 });
    expect(err.message).toMatch(/2 exports are already running .* at once is 2\); try again in 15 s/);
    a();
    expect(slots.active).toBe(1);
    expect(() => slots.take()).not.toThrow();
  });

  it('a release called twice frees its slot once', () => {
    const slots = createExportSlots(1);
    const release = slots.take();
    release();
    release();
    const other = slots.take();
    expect(slots.active).toBe(1);
    expect(() => slots.take()).toThrow(SlimboardError);
    other();
    expect(slots.active).toBe(0);
  });

  it('degenerate limits are refused', () => {
    for (const limit of [0, -1, 1.5, NaN]) expect(() => createExportSlots(limit), String(limit)).toThrow(/positive integer/);
  });

  it('active is always the slots taken less those released, and never above the limit (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.oneof(fc.constant(-1), fc.nat(10)), { maxLength: 60 }), (limit, steps) => {
        const slots = createExportSlots(limit);
        const held: (() => void)[] = [];
        const released = new Set<() => void>();
        for (const step of steps) {
          if (step === -1) {
            try {
              held.push(slots.take());
            } catch {
              expect(held.length - released.size).toBe(limit);
            }
          } else if (held.length) {
            const r = held[step % held.length];
            r();
            released.add(r);
          }
          expect(slots.active).toBe(held.length - released.size);
          expect(slots.active).toBeLessThanOrEqual(limit);
        }
      }),
    );
  });
});
