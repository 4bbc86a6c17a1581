import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roundHalfAway } from './delta';
import { checkPrintedDelta, deltaInterval, formatDeltaInterval, parsePrintedDelta } from './delta-interval';

describe('deltaInterval and checkPrintedDelta: goldens (hand-computed)', () => {
  it('VOC r578 GFLOPs 6.15 vs 20.20: [-69.59, -69.52] %, the printed -69.57 % is consistent', () => {
    // low  = (6.145 - 20.205) / 20.205 * 100 = -14.06 / 20.205 * 100 = -69.5867...
    // high = (6.155 - 20.195) / 20.195 * 100 = -14.04 / 20.195 * 100 = -69.5222...
    const iv = deltaInterval('relative', { value: 6.15, decimals: 2 }, { value: 20.2, decimals: 2 })!;
    expect(iv.low).toBeCloseTo(-69.5867, 4);
    expect(iv.high).toBeCloseTo(-69.5222, 4);
    const check = checkPrintedDelta(iv, parsePrintedDelta('-69.57%')!);
    expect(check).toEqual({ consistent: true, nearest: true, low: -69.59, high: -69.52, decimals: 2 });
    expect(formatDeltaInterval('relative', check)).toBe('[-69.59, -69.52] %');
    // The rounded numbers' own delta (-69.55 %) is inside too; -69.60 % and -69.51 % are not.
    expect(checkPrintedDelta(iv, parsePrintedDelta('-69.55%')!).consistent).toBe(true);
    expect(checkPrintedDelta(iv, parsePrintedDelta('-69.60%')!).consistent).toBe(false);
    expect(checkPrintedDelta(iv, parsePrintedDelta('-69.51%')!).consistent).toBe(false);
  });
  it('VOC distilled r578 @320 prints +2.0 where 76.3 - 75.3 = +1.0: interval [+0.9, +1.1], inconsistent', () => {
    // (76.3 - 75.3) -/+ (0.05 + 0.05) = [0.9, 1.1]
    const iv = deltaInterval('absolute', { value: 76.3, decimals: 1 }, { value: 75.3, decimals: 1 })!;
    expect(iv).toEqual({ kind: 'absolute', low: 0.9, high: 1.1 });
    const check = checkPrintedDelta(iv, parsePrintedDelta('+2.0')!);
    expect(check).toEqual({ consistent: false, nearest: false, low: 0.9, high: 1.1, decimals: 1 });
    expect(formatDeltaInterval('absolute', check)).toBe('[+0.9, +1.1]');
    // An end of the interval is consistent (35.2 - 36.2 printed -1.1: [-1.1, -0.9]).
    const r34 = deltaInterval('absolute', { value: 35.2, decimals: 1 }, { value: 36.2, decimals: 1 })!;
    expect(checkPrintedDelta(r34, parsePrintedDelta('-1.1')!).consistent).toBe(true);
    expect(checkPrintedDelta(r34, parsePrintedDelta('-1.2')!).consistent).toBe(false);
  });
  it('R50-vd-dcn r578 GFLOPs 29.98 vs 44.71: outward [-32.97, -32.92] %, the printed -32.94 % is consistent', () => {
    // low  = (29.975 - 44.715) / 44.715 * 100 = -14.74 / 44.715 * 100 = -32.9643... -> down to -32.97
    // high = (29.985 - 44.705) / 44.705 * 100 = -14.72 / 44.705 * 100 = -32.9270... -> up to -32.92
    const iv = deltaInterval('relative', { value: 29.98, decimals: 2 }, { value: 44.71, decimals: 2 })!;
    expect(checkPrintedDelta(iv, parsePrintedDelta('-32.94%')!)).toEqual({ consistent: true, nearest: true, low: -32.97, high: -32.92, decimals: 2 });
    // The note's -32.98 % is not (outside [-32.97, -32.92]).
    expect(checkPrintedDelta(iv, parsePrintedDelta('-32.98%')!).consistent).toBe(false);
  });
  it('MobileNetV1 r578 model size 31.30 vs 94.60 MB: -66.90 % is consistent only as a truncation', () => {
    // low  = (31.295 - 94.605) / 94.605 * 100 = -63.31 / 94.605 * 100 = -66.9204... -> down to -66.93
    // high = (31.305 - 94.595) / 94.595 * 100 = -63.29 / 94.595 * 100 = -66.9063... -> up to -66.90
    // To nearest the high end gives -66.91, so -66.90 needs rounding toward zero.
    const iv = deltaInterval('relative', { value: 31.3, decimals: 2 }, { value: 94.6, decimals: 2 })!;
    expect(checkPrintedDelta(iv, parsePrintedDelta('-66.90%')!)).toEqual({ consistent: true, nearest: false, low: -66.93, high: -66.9, decimals: 2 });
    expect(checkPrintedDelta(iv, parsePrintedDelta('-66.91%')!).nearest).toBe(true);
    expect(checkPrintedDelta(iv, parsePrintedDelta('-66.89%')!).consistent).toBe(false);
  });
  it('mixed decimals: 27.15 vs 27.1 gives 0.05 -/+ (0.005 + 0.05)', () => {
    expect(deltaInterval('absolute', { value: 27.15, decimals: 2 }, { value: 27.1, decimals: 1 })).toEqual({ kind: 'absolute', low: -0.005, high: 0.105 });
  });
  it('a coarser printed delta: the interval is rounded outward to its decimals', () => {
    // 6.15 vs 20.20 checked at 0 decimals: [-69.5867, -69.5222] -> [-70, -69]; to nearest both ends give -70
    const iv = deltaInterval('relative', { value: 6.15, decimals: 2 }, { value: 20.2, decimals: 2 })!;
    expect(checkPrintedDelta(iv, parsePrintedDelta('-70%')!)).toEqual({ consistent: true, nearest: true, low: -70, high: -69, decimals: 0 });
    expect(checkPrintedDelta(iv, parsePrintedDelta('-69%')!)).toMatchObject({ consistent: true, nearest: false });
    expect(checkPrintedDelta(iv, parsePrintedDelta('-71%')!).consistent).toBe(false);
  });
});

describe('parsePrintedDelta', () => {
  it('reads sign, decimals and kind', () => {
    expect(parsePrintedDelta('-16.06%')).toEqual({ kind: 'relative', value: -16.06, decimals: 2 });
    expect(parsePrintedDelta('+0.7')).toEqual({ kind: 'absolute', value: 0.7, decimals: 1 });
    expect(parsePrintedDelta('+12')).toEqual({ kind: 'absolute', value: 12, decimals: 0 });
  });
  it('zero is a positive zero whatever its sign', () => {
    expect(Object.is(parsePrintedDelta('-0.0')!.value, 0)).toBe(true);
    expect(Object.is(parsePrintedDelta('+0.00%')!.value, 0)).toBe(true);
  });
  it('refuses what is not a signed delta', () => {
    for (const s of ['-', '0.7', '+.7', '+0.7%%', '', '+1e3', '(-1.0)']) expect(parsePrintedDelta(s), s).toBeNull();
  });
});

describe('deltaInterval: degenerate cases', () => {
  it('equal values: the interval straddles zero and +0.0 is consistent', () => {
    const abs = deltaInterval('absolute', { value: 27.1, decimals: 1 }, { value: 27.1, decimals: 1 })!;
    expect(abs).toEqual({ kind: 'absolute', low: -0.1, high: 0.1 });
    expect(checkPrintedDelta(abs, parsePrintedDelta('+0.0')!).consistent).toBe(true);
    // relative: (9.995 - 10.005) / 10.005 = -0.09995 %, (10.005 - 9.995) / 9.995 = +0.10005 %
    const rel = deltaInterval('relative', { value: 10, decimals: 2 }, { value: 10, decimals: 2 })!;
    expect(rel.low).toBeCloseTo(-0.09995, 5);
    expect(rel.high).toBeCloseTo(0.10005, 5);
    expect(checkPrintedDelta(rel, parsePrintedDelta('+0.00%')!)).toEqual({ consistent: true, nearest: true, low: -0.1, high: 0.11, decimals: 2 });
  });
  it('zero baseline: a relative interval is undefined (null); an absolute one is not', () => {
    expect(deltaInterval('relative', { value: 1, decimals: 2 }, { value: 0, decimals: 2 })).toBeNull();
    // "0" with no decimals stands for [-0.5, 0.5]: contains zero
    expect(deltaInterval('relative', { value: 3, decimals: 0 }, { value: 0.4, decimals: 0 })).toBeNull();
    expect(deltaInterval('absolute', { value: 1, decimals: 1 }, { value: 0, decimals: 1 })).toEqual({ kind: 'absolute', low: 0.9, high: 1.1 });
  });
  it('a tiny positive baseline is defined and wide: 0.01 stands for [0.005, 0.015]', () => {
    // low = (0.015 - 0.015) / 0.015 = 0 %, high = (0.025 - 0.005) / 0.005 = +400 %
    const iv = deltaInterval('relative', { value: 0.02, decimals: 2 }, { value: 0.01, decimals: 2 })!;
    expect(iv.low).toBeCloseTo(0, 9);
    expect(iv.high).toBeCloseTo(400, 9);
  });
  it('bad input is refused with the reason', () => {
    expect(() => deltaInterval('absolute', { value: Number.NaN, decimals: 1 }, { value: 1, decimals: 1 })).toThrow(/value: NaN is not a finite number/);
    expect(() => deltaInterval('absolute', { value: 1, decimals: 1 }, { value: 1, decimals: -1 })).toThrow(/baseline: decimals must be an integer/);
    const iv = deltaInterval('absolute', { value: 1, decimals: 1 }, { value: 1, decimals: 1 })!;
    expect(() => checkPrintedDelta(iv, parsePrintedDelta('+1.0%')!)).toThrow(/relative delta cannot be checked against a absolute interval/);
  });
});

describe('deltaInterval: properties', () => {
  // A printed number: an integer count of units of its last place.
  const printed = fc.record({ units: fc.integer({ min: 1, max: 500_000 }), decimals: fc.integer({ min: 0, max: 3 }) }).map((p) => ({
    value: p.units / 10 ** p.decimals,
    decimals: p.decimals,
  }));
  const inBox = (p: { value: number; decimals: number }, t: number) => p.value + (t - 0.5) * 10 ** -p.decimals;
  const unit = fc.double({ min: 0, max: 1, noNaN: true });
  const exact = (kind: 'absolute' | 'relative', v: number, b: number) => (kind === 'absolute' ? v - b : ((v - b) / b) * 100);
  const kinds = fc.constantFrom('absolute' as const, 'relative' as const);

  it('the exact delta of any value pair within the rounding box lies inside the interval', () => {
    fc.assert(
      fc.property(kinds, printed, printed, unit, unit, (kind, v, b, s, t) => {
        const iv = deltaInterval(kind, v, b);
        if (iv === null) return; // baseline box contains zero (only for "0"-like baselines)
        const d = exact(kind, inBox(v, s), inBox(b, t));
        const slack = 1e-9 * Math.max(1, Math.abs(d));
        expect(d).toBeGreaterThanOrEqual(iv.low - slack);
        expect(d).toBeLessThanOrEqual(iv.high + slack);
      }),
    );
  });
  it('any exact delta from the box, rounded to any precision, is judged consistent', () => {
    fc.assert(
      fc.property(kinds, printed, printed, unit, unit, fc.integer({ min: 0, max: 3 }), (kind, v, b, s, t, decimals) => {
        const iv = deltaInterval(kind, v, b);
        if (iv === null) return;
        // Stay a hair inside the box, so float error at its edge cannot step outside the computed interval.
        const d = exact(kind, inBox(v, 0.001 + 0.998 * s), inBox(b, 0.001 + 0.998 * t));
        expect(checkPrintedDelta(iv, { kind, value: roundHalfAway(d, decimals), decimals })).toMatchObject({ consistent: true, nearest: true });
      }),
    );
  });
  it('any exact delta from the box, truncated toward zero, is judged consistent', () => {
    fc.assert(
      fc.property(kinds, printed, printed, unit, unit, fc.integer({ min: 0, max: 3 }), (kind, v, b, s, t, decimals) => {
        const iv = deltaInterval(kind, v, b);
        if (iv === null) return;
        const d = exact(kind, inBox(v, 0.001 + 0.998 * s), inBox(b, 0.001 + 0.998 * t));
        const truncated = Math.trunc(d * 10 ** decimals) / 10 ** decimals;
        expect(checkPrintedDelta(iv, { kind, value: truncated, decimals }).consistent).toBe(true);
      }),
    );
  });
  it('a printed delta a unit beyond either outward-rounded end is inconsistent', () => {
    fc.assert(
      fc.property(kinds, printed, printed, fc.integer({ min: 0, max: 3 }), (kind, v, b, decimals) => {
        const iv = deltaInterval(kind, v, b);
        // Deltas beyond a million percent (a baseline of 0.001 against thousands) leave too few float digits for 3 decimals.
        if (iv === null || Math.max(Math.abs(iv.low), Math.abs(iv.high)) > 1e6) return;
        const scale = 10 ** decimals;
        for (const units of [Math.floor(iv.low * scale) - 1, Math.ceil(iv.high * scale) + 1]) {
          expect(checkPrintedDelta(iv, { kind, value: units / scale, decimals }).consistent).toBe(false);
        }
      }),
    );
  });
  it('the interval is ordered and, for absolute deltas, exactly as wide as the two half units together', () => {
    fc.assert(
      fc.property(kinds, printed, printed, (kind, v, b) => {
        const iv = deltaInterval(kind, v, b);
        if (iv === null) return;
        expect(iv.low).toBeLessThanOrEqual(iv.high);
        if (kind === 'absolute') expect(iv.high - iv.low).toBeCloseTo(10 ** -v.decimals + 10 ** -b.decimals, 9);
      }),
    );
  });
});
