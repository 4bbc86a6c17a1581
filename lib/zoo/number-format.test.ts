import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METRIC_KINDS, type TMetricKind } from './metrics';
import {
  DISPLAY_DECIMALS,
  MINUS,
  MISSING,
  formatBytes,
  formatCount,
  formatExplorerValue,
  formatFixed,
  formatMetric,
  formatMetricDelta,
  formatParams,
  formatParamsM,
  formatPercent,
  formatRatio,
  formatSigned,
  formatRelativeChange,
  formatSignificant,
  printedDecimals,
  RATIO_MAX_DECIMALS,
} from './number-format';

/** Hand-written: what the zoo prints for one number of every metric (the seed's own numbers where it has one). */
const GOLDENS: Record<TMetricKind, Array<[number, string]>> = {
  box_ap: [
    [39.8, '39.8'],
    [29, '29.0'],
    [55.63333, '55.6'],
    [0.05, '0.1'],
  ],
  voc_map: [
    [78.1, '78.1'],
    [76.94999999, '76.9'],
  ],
  wider_easy: [
    [91.5, '91.5'],
    [87.85, '87.9'],
  ],
  wider_medium: [[89.2, '89.2']],
  wider_hard: [
    [79.7, '79.7'],
    [65, '65.0'],
  ],
  gflops: [
    [37.53, '37.53'],
    [2.1325259999998707, '2.13'],
    [6.15, '6.15'],
    [1.005, '1.01'],
  ],
  model_size_mb: [
    [149.49, '149.49'],
    [93.37, '93.37'],
    [2.16253, '2.16'],
  ],
  latency_ms: [
    [33.245, '33.245'],
    [748.404, '748.404'],
    [1.23456789, '1.235'],
  ],
  params: [
    [965589, '0.97 M'],
    [61_949_149, '61.95 M'],
    [4_999, '0.00 M'],
  ],
};

describe('formatMetric renders every metric with its decimals (goldens)', () => {
  it('has goldens for every metric kind', () => {
    expect(Object.keys(GOLDENS).sort()).toEqual([...METRIC_KINDS].sort());
  });
  for (const kind of METRIC_KINDS) {
    it(`${kind}: ${GOLDENS[kind].map(([, s]) => s).join(', ')}`, () => {
      for (const [value, printed] of GOLDENS[kind]) expect(formatMetric(kind, value)).toBe(printed);
    });
  }
  it("keeps a published number's own decimals, capped at the metric's", () => {
    expect(formatMetric('gflops', 20.2, 2)).toBe('20.20');
    expect(formatMetric('latency_ms', 16.556, 3)).toBe('16.556');
    expect(formatMetric('box_ap', 29, 0)).toBe('29');
    expect(formatMetric('box_ap', 53.4567, 4)).toBe('53.5');
  });
});

describe('deltas: sign and unicode minus', () => {
  it('accuracy deltas in points with 1 decimal, costs in percent with 2', () => {
    expect(formatMetricDelta('box_ap', 0.7)).toBe('+0.7');
    expect(formatMetricDelta('box_ap', -2)).toBe(`${MINUS}2.0`);
    expect(formatMetricDelta('gflops', -16.06)).toBe(`${MINUS}16.06%`);
    expect(formatMetricDelta('latency_ms', 7.981)).toBe('+7.98%');
    expect(formatMetricDelta('params', -69.5)).toBe(`${MINUS}69.50%`);
  });
  it('zero prints +0.0 as the seed does; a delta rounding to zero is not negative', () => {
    expect(formatSigned(0, 1)).toBe('+0.0');
    expect(formatSigned(-0.04, 1)).toBe('+0.0');
    expect(formatSigned(-0, 2, { percent: true })).toBe('+0.00%');
  });
  it('never prints an ASCII hyphen as a minus', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 3 }), (v, d) => {
        expect(formatSigned(v, d)).not.toContain('-');
        expect(formatFixed(v, d)).not.toContain('-');
      }),
    );
  });
});

describe('params, sizes, counts, percents', () => {
  it('params in millions', () => {
    expect(formatParams(965589)).toBe('0.97 M');
    expect(formatParamsM(0.965589)).toBe('0.97 M');
    expect(formatParamsM(62)).toBe('62.00 M');
  });
  it('file sizes in MB (10^6 bytes)', () => {
    expect(formatBytes(2162530)).toBe('2.16 MB');
    expect(formatBytes(176_820_000)).toBe('176.82 MB');
    expect(formatBytes(3210)).toBe('3.2 kB');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(0)).toBe('0 B');
  });
  it('relative changes (ΔAP of a sensitivity analysis, GFLOPs change): signed percent with a space, unicode minus', () => {
    expect(formatRelativeChange(-0.012)).toBe('\u22121.2 %');
    expect(formatRelativeChange(0.35)).toBe('+35.0 %');
    expect(formatRelativeChange(-0.02345, 2)).toBe('\u22122.35 %');
    expect(formatRelativeChange(0)).toBe('+0.0 %');
    expect(formatRelativeChange(Number.NaN)).toBe(MISSING);
    expect(formatRelativeChange(null)).toBe(MISSING);
  });

  it('counts and percents', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(-1200)).toBe(`${MINUS}1,200`);
    expect(formatPercent(0.6957)).toBe('69.57%');
  });
});

describe('significant digits (explorer table)', () => {
  it('4 significant digits, never more decimals than the metric allows', () => {
    expect(formatExplorerValue('gflops', 2.1325259999998707)).toBe('2.13');
    expect(formatExplorerValue('gflops', 140.69)).toBe('140.7');
    expect(formatExplorerValue('latency', 1.23456)).toBe('1.235');
    expect(formatExplorerValue('latency', 748.404)).toBe('748.4');
    expect(formatExplorerValue('latency', 12345.6)).toBe('12346');
    expect(formatExplorerValue('accuracy', 39.8)).toBe('39.8');
    expect(formatExplorerValue('accuracy', 100)).toBe('100.0');
    expect(formatExplorerValue('params', 0.965589)).toBe('0.97');
    expect(formatExplorerValue('size', 0)).toBe('0.00');
  });
  it('property: decimals never exceed the cap; the printed number is within half a unit of the last digit', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e7, noNaN: true }), fc.integer({ min: 0, max: 3 }), (v, cap) => {
        const s = formatSignificant(v, cap);
        const d = printedDecimals(s);
        expect(d).toBeLessThanOrEqual(cap);
        expect(Math.abs(Number(s) - v)).toBeLessThanOrEqual(0.5 * 10 ** -d * (1 + 1e-9) + 1e-12);
      }),
    );
  });
});

describe('degenerate input never crashes', () => {
  it('null, undefined, NaN and infinities print an en dash', () => {
    for (const v of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(formatFixed(v, 2)).toBe(MISSING);
      expect(formatSigned(v, 1)).toBe(MISSING);
      expect(formatParams(v)).toBe(MISSING);
      expect(formatBytes(v)).toBe(MISSING);
      expect(formatSignificant(v, 2)).toBe(MISSING);
      for (const k of METRIC_KINDS) expect(formatMetric(k, v)).toBe(MISSING);
    }
    expect(formatBytes(-5)).toBe(MISSING);
  });
  it('negative zero prints without a sign', () => {
    expect(formatFixed(-0, 1)).toBe('0.0');
    expect(formatFixed(-0.001, 2)).toBe('0.00');
  });
});

describe('property: every metric prints at most its decimals and round-trips', () => {
  it('formatMetric', () => {
    fc.assert(
      fc.property(fc.constantFrom(...METRIC_KINDS), fc.double({ min: 0, max: 1e5, noNaN: true }), (kind, v) => {
        const s = formatMetric(kind, kind === 'params' ? v * 1e3 : v);
        expect(printedDecimals(s)).toBe(DISPLAY_DECIMALS[kind]);
        const back = Number(s.replace(' M', '').replace(MINUS, '-'));
        const expected = kind === 'params' ? (v * 1e3) / 1e6 : v;
        expect(Math.abs(back - expected)).toBeLessThanOrEqual(0.5 * 10 ** -DISPLAY_DECIMALS[kind] + 1e-9 * Math.max(1, expected));
      }),
    );
  });
  it('printedDecimals reads the first number of a cell', () => {
    expect(printedDecimals('37.53(−16.06%)')).toBe(2);
    expect(printedDecimals('0.97 M')).toBe(2);
    expect(printedDecimals('29')).toBe(0);
    expect(printedDecimals('2.1325259999998707')).toBe(16);
  });
});

describe('formatRatio', () => {
  it('goldens: a recipe ratio prints as written, a computed one with 4 decimals', () => {
    expect(formatRatio(0.3)).toBe('0.3');
    expect(formatRatio(0.875)).toBe('0.875');
    expect(formatRatio(0.1234)).toBe('0.1234');
    expect(formatRatio(0.40985890399940905)).toBe('0.4099');
    expect(formatRatio(0.12345)).toBe('0.1235');
  });
  it('degenerate: 0, 1, tiny values and missing ones', () => {
    expect(formatRatio(0)).toBe('0');
    expect(formatRatio(1)).toBe('1');
    expect(formatRatio(1e-7)).toBe('0.0000');
    expect(formatRatio(null)).toBe(MISSING);
    expect(formatRatio(Number.NaN)).toBe(MISSING);
  });
  it('property: at most 4 decimals, within half a unit of the 4th decimal of the ratio', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (r) => {
        const text = formatRatio(r);
        expect(printedDecimals(text)).toBeLessThanOrEqual(RATIO_MAX_DECIMALS);
        expect(Math.abs(Number(text) - r)).toBeLessThanOrEqual(0.5e-4 + 1e-12);
      }),
    );
  });
});
