import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeDelta, roundHalfAway } from './delta';

describe('computeDelta: goldens (hand-computed)', () => {
  it('relative GFLOPs change of the sensity-pruned YOLOv3-ResNet50-vd-dcn', () => {
    // (37.53 - 44.71) / 44.71 * 100 = -7.18 / 44.71 * 100 = -16.0591... -> -16.06 %, fewer FLOPs is better
    expect(computeDelta('gflops', { value: 37.53, decimals: 2 }, { value: 44.71, decimals: 2 })).toEqual({
      kind: 'relative',
      value: -16.06,
      decimals: 2,
      verdict: 'better',
    });
  });
  it('absolute Box AP change in points, exact despite binary floats', () => {
    // 39.8 - 39.1 = 0.7 (as floats 0.6999999999999957; computed on integers 398 - 391 = 7 tenths)
    expect(computeDelta('box_ap', { value: 39.8, decimals: 1 }, { value: 39.1, decimals: 1 })).toEqual({
      kind: 'absolute',
      value: 0.7,
      decimals: 1,
      verdict: 'better',
    });
  });
  it('lower accuracy is worse, lower latency is better', () => {
    // 38.3 - 39.1 = -0.8 points
    expect(computeDelta('box_ap', { value: 38.3, decimals: 1 }, { value: 39.1, decimals: 1 })?.verdict).toBe('worse');
    // (10.064 - 16.556) / 16.556 * 100 = -6.492 / 16.556 * 100 = -39.2124... -> -39.21 %
    expect(computeDelta('latency_ms', { value: 10.064, decimals: 3 }, { value: 16.556, decimals: 3 })).toMatchObject({ value: -39.21, verdict: 'better' });
  });
  it('r578 ResNet50-vd-dcn GFLOPs: the table prints -32.94 %, the numbers give -32.95 %', () => {
    // (29.98 - 44.71) / 44.71 = -14.73 / 44.71 = -0.329456... -> -32.95 %
    expect(computeDelta('gflops', { value: 29.98, decimals: 2 }, { value: 44.71, decimals: 2 })?.value).toBe(-32.95);
  });
  it('a larger model is worse; mixed decimals use the finer one', () => {
    // (110 - 100) / 100 * 100 = +10 %
    expect(computeDelta('model_size_mb', { value: 110, decimals: 0 }, { value: 100, decimals: 0 })).toMatchObject({ value: 10, verdict: 'worse' });
    // 27.15 - 27.1 = 0.05 points at 2 decimals
    expect(computeDelta('box_ap', { value: 27.15, decimals: 2 }, { value: 27.1, decimals: 1 })).toMatchObject({ value: 0.05, decimals: 2 });
  });
});

describe('computeDelta: unrounded numbers (measured)', () => {
  it('subtracts exactly and rounds only the difference', () => {
    // 27.14 - 27.06 = 0.08 -> +0.1; taken as printed at 1 decimal both are 27.1 -> +0.0
    expect(computeDelta('box_ap', { value: 27.14, decimals: 1 }, { value: 27.06, decimals: 1 }, { unrounded: true })).toMatchObject({ value: 0.1, verdict: 'better' });
    expect(computeDelta('box_ap', { value: 27.14, decimals: 1 }, { value: 27.06, decimals: 1 })).toMatchObject({ value: 0, verdict: 'same' });
    // relative deltas always use the values as given: (10.064 - 16.556) / 16.556 = -39.21 %
    expect(computeDelta('latency_ms', { value: 10.064, decimals: 3 }, { value: 16.556, decimals: 3 }, { unrounded: true })?.value).toBe(-39.21);
  });
  it('equal unrounded values are "same" with a positive zero', () => {
    const d = computeDelta('box_ap', { value: 0.1 + 0.2, decimals: 1 }, { value: 0.3, decimals: 1 }, { unrounded: true });
    expect(d).toMatchObject({ value: 0, verdict: 'same' });
    expect(Object.is(d?.value, -0)).toBe(false);
  });
});

describe('computeDelta: degenerate cases', () => {
  it('equal numbers are "same" with a positive zero', () => {
    const d = computeDelta('box_ap', { value: 27.1, decimals: 1 }, { value: 27.1, decimals: 1 });
    expect(d).toMatchObject({ value: 0, verdict: 'same' });
    expect(Object.is(d?.value, -0)).toBe(false);
  });
  it('a relative change from a zero baseline is undefined (null), not Infinity', () => {
    expect(computeDelta('gflops', { value: 1, decimals: 2 }, { value: 0, decimals: 2 })).toBeNull();
  });
  it('non-finite inputs give null', () => {
    expect(computeDelta('gflops', { value: Number.NaN, decimals: 2 }, { value: 1, decimals: 2 })).toBeNull();
  });
  it('a change that rounds to zero is "same", never -0.00', () => {
    // (100.001 - 100.002) / 100.002 * 100 = -0.000999... -> -0.00 -> 0
    const d = computeDelta('latency_ms', { value: 100.001, decimals: 3 }, { value: 100.002, decimals: 3 });
    expect(d).toMatchObject({ value: 0, verdict: 'same' });
    expect(Object.is(d?.value, -0)).toBe(false);
  });
});

describe('roundHalfAway', () => {
  it('rounds halves away from zero despite binary representation', () => {
    expect(roundHalfAway(1.005, 2)).toBe(1.01);
    expect(roundHalfAway(-1.005, 2)).toBe(-1.01);
    expect(roundHalfAway(0.125, 2)).toBe(0.13);
    expect(roundHalfAway(2.5, 0)).toBe(3);
  });
});

describe('computeDelta: properties', () => {
  const positive = fc.integer({ min: 1, max: 10_000_000 }).map((n) => n / 1000);
  it('swapping value and baseline flips the sign of an absolute delta', () => {
    fc.assert(
      fc.property(positive, positive, (a, b) => {
        const ab = computeDelta('box_ap', { value: a, decimals: 3 }, { value: b, decimals: 3 })!;
        const ba = computeDelta('box_ap', { value: b, decimals: 3 }, { value: a, decimals: 3 })!;
        expect(ab.value).toBeCloseTo(-ba.value, 9);
      }),
    );
  });
  it('verdict follows the metric direction and the sign', () => {
    fc.assert(
      fc.property(positive, positive, (a, b) => {
        const acc = computeDelta('box_ap', { value: a, decimals: 3 }, { value: b, decimals: 3 })!;
        const cost = computeDelta('gflops', { value: a, decimals: 3 }, { value: b, decimals: 3 })!;
        if (acc.value > 0) expect(acc.verdict).toBe('better');
        if (acc.value < 0) expect(acc.verdict).toBe('worse');
        if (cost.value > 0) expect(cost.verdict).toBe('worse');
        if (cost.value < 0) expect(cost.verdict).toBe('better');
      }),
    );
  });
  it('an unrounded absolute delta is the exact difference rounded half away from zero', () => {
    fc.assert(
      fc.property(positive, positive, (a, b) => {
        const d = computeDelta('box_ap', { value: a, decimals: 1 }, { value: b, decimals: 1 }, { unrounded: true })!;
        expect(Math.abs(d.value - (a - b))).toBeLessThanOrEqual(0.05 + 1e-9);
      }),
    );
  });
  it('relative deltas of a cost never go below -100 %', () => {
    fc.assert(
      fc.property(positive, positive, (a, b) => {
        expect(computeDelta('gflops', { value: a, decimals: 3 }, { value: b, decimals: 3 })!.value).toBeGreaterThanOrEqual(-100);
      }),
    );
  });
});
