import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeDelta } from './delta';
import { decimalsOf, formatCell, formatDelta, formatNumber } from './format';

describe('formatCell: the seed\'s notation', () => {
  it('relative delta with two decimals and a percent sign', () => {
    const d = computeDelta('gflops', { value: 37.53, decimals: 2 }, { value: 44.71, decimals: 2 });
    expect(formatCell(37.53, 2, d)).toBe('37.53(-16.06%)');
  });
  it('absolute delta with a plus sign', () => {
    const d = computeDelta('box_ap', { value: 39.8, decimals: 1 }, { value: 39.1, decimals: 1 });
    expect(formatCell(39.8, 1, d)).toBe('39.8(+0.7)');
  });
  it('zero change prints +0.0 as the seed does (27.1(+0.0))', () => {
    const d = computeDelta('box_ap', { value: 27.1, decimals: 1 }, { value: 27.1, decimals: 1 });
    expect(formatCell(27.1, 1, d)).toBe('27.1(+0.0)');
  });
  it('trailing zeros survive (94.60, 24.0)', () => {
    expect(formatCell(94.6, 2, undefined)).toBe('94.60');
    expect(formatCell(24, 1, undefined)).toBe('24.0');
  });
  it('no baseline number prints (-), a baseline prints the bare value', () => {
    expect(formatCell(37.5, 1, null)).toBe('37.5(-)');
    expect(formatCell(44.71, 2, undefined)).toBe('44.71');
  });
});

describe('formatDelta / formatNumber / decimalsOf', () => {
  it('formats deltas by kind', () => {
    expect(formatDelta({ kind: 'relative', value: -0.5, decimals: 2, verdict: 'better' })).toBe('-0.50%');
    expect(formatDelta({ kind: 'absolute', value: 2.6, decimals: 1, verdict: 'better' })).toBe('+2.6');
  });
  it('decimalsOf counts printed decimals', () => {
    expect(decimalsOf('94.60')).toBe(2);
    expect(decimalsOf('29')).toBe(0);
    expect(decimalsOf('16.556')).toBe(3);
  });
  it('formatNumber round-trips printed numbers (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 0, max: 3 }), (n, d) => {
        const printed = (n / 10 ** d).toFixed(d);
        expect(formatNumber(Number(printed), decimalsOf(printed))).toBe(printed);
      }),
    );
  });
});
