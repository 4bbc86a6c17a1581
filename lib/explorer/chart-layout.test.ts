import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateTextWidth, layoutChart, TICK_FONT_PX, xTickLabelY, yTickLabelX, type TChartLayoutInput, type TTextMeasure } from './chart-layout';
import { linearDomain, logDomain } from './chart-scale';

/** Every character 0.5 em wide: at 12 px a character is 6 px, which keeps the hand computations short. */
const halfEm: TTextMeasure = (text, fontPx) => text.length * fontPx * 0.5;

const BASE: TChartLayoutInput = {
  widthPx: 800,
  heightPx: 500,
  xTitle: 'Compute (GFLOPs)',
  yTitle: 'COCO Box AP (%)',
  xDomain: [0, 50],
  xTicks: [0, 10, 20, 30, 40, 50],
  yDomain: [20, 45],
  yTicks: [20, 25, 30, 35, 40, 45],
  log: false,
  legendLabels: ['baseline', 'prune'],
  measure: halfEm,
};

describe('estimateTextWidth', () => {
  it('golden: "10" at 12 px = 2 digits x 0.56 em x 12 = 13.44; "Ab c" = (0.68 + 0.52 + 0.28 + 0.52) x 10 = 20', () => {
    expect(estimateTextWidth('10', 12)).toBeCloseTo(13.44, 12);
    expect(estimateTextWidth('Ab c', 10)).toBeCloseTo(20, 12);
    expect(estimateTextWidth('', 12)).toBe(0);
    expect(estimateTextWidth('10', 12, true)).toBeCloseTo(13.44 * 1.06, 12);
  });
});

describe('layoutChart', () => {
  it('golden: 800 x 500, linear x [0, 50], y [20, 45], a one-line legend', () => {
    const l = layoutChart(BASE);
    // left = y-title right edge (6 pad + 11 ascent + 3 descent = 20) + gap 6 + widest y label ("45": 2 x 6 = 12)
    //        + label gap 3 + tick 5 = 46
    // right = 800 - max(16, half of "50" (6) + 6 pad) = 784
    // legend: "baseline" 22 + 48 + 14 = 84 wide at x = 46, "prune" 22 + 30 + 14 = 66 at x = 130: one line,
    //   legendTop = 500 - 6 - 18 = 476, centre 485
    // bottom = 476 - 12 (legend gap) - 21 (x title) - 17 (tick labels) = 426; top = 30
    expect(l.plot).toEqual({ left: 46, right: 784, top: 30, bottom: 426 });
    expect(l.xPixels).toEqual([46, 784]);
    expect(l.yPixels).toEqual([426, 30]);
    // x: 46 + v / 50 * 738 (14.76 px per GFLOP)
    const xExpected = [46, 193.6, 341.2, 488.8, 636.4, 784];
    l.x.tickPx.forEach((p, i) => expect(p).toBeCloseTo(xExpected[i], 9));
    // y: 426 - (v - 20) * 396 / 25 (15.84 px per AP point, upwards)
    const yExpected = [426, 346.8, 267.6, 188.4, 109.2, 30];
    l.y.tickPx.forEach((p, i) => expect(p).toBeCloseTo(yExpected[i], 9));
    // every label fits: 147.6 px apart for 12 px labels (x), 79.2 px apart for 12 px high labels (y)
    expect(l.x.labels.map((t) => t.text)).toEqual(['0', '10', '20', '30', '40', '50']);
    expect(l.y.labels.map((t) => t.text)).toEqual(['20', '25', '30', '35', '40', '45']);
    // x title centred under the plot: ((46 + 784) / 2, 426 + 17 + 21); y title at (6 + 11, (30 + 426) / 2)
    expect(l.x.title).toEqual({ text: 'Compute (GFLOPs)', x: 415, y: 464 });
    expect(l.y.title).toEqual({ text: 'COCO Box AP (%)', x: 17, y: 228 });
    expect(l.title).toEqual({ x: 400, y: 18 });
    expect(l.legend).toEqual([
      { label: 'baseline', x: 46, y: 485 },
      { label: 'prune', x: 130, y: 485 },
    ]);
    expect(xTickLabelY(l)).toBe(443);
    expect(yTickLabelX(l)).toBe(38);
  });

  it('golden: a legend that does not fit on one line wraps and lifts the plot bottom by one line', () => {
    // 300 wide: "baseline" (84) at 46, "prune" (66) at 130 ends at 196; "prune + distill" is 22 + 90 + 14 = 126:
    // 196 + 126 = 322 > 300 - 6 -> second line at x = 46. legendTop = 500 - 6 - 36 = 458, bottom = 458 - 50 = 408.
    const l = layoutChart({ ...BASE, widthPx: 300, legendLabels: ['baseline', 'prune', 'prune + distill'] });
    expect(l.legend).toEqual([
      { label: 'baseline', x: 46, y: 467 },
      { label: 'prune', x: 130, y: 467 },
      { label: 'prune + distill', x: 46, y: 485 },
    ]);
    expect(l.plot.bottom).toBe(408);
  });

  it('golden: a crowded log axis keeps the powers of ten', () => {
    // y ticks [0, 50, 100]: widest "100" = 18 px -> left = 20 + 6 + 18 + 3 + 5 = 52; last x label "1,000" = 30 px
    // -> right = 260 - max(16, 15 + 6) = 239: 187 px for 3 decades, 62.33 px per decade.
    // All ten labels: "10" (12 px) and "20" (12 px) sit log10(2) x 62.33 = 18.76 px apart, 6.76 px clear < 8: too tight.
    // Powers of ten: 62.33 px apart, the widest neighbours "100" and "1,000" need 9 + 15 + 8 = 32: fit.
    const l = layoutChart({
      ...BASE,
      widthPx: 260,
      legendLabels: [],
      log: true,
      xDomain: [1, 1000],
      xTicks: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      yDomain: [0, 100],
      yTicks: [0, 50, 100],
    });
    expect(l.plot.left).toBe(52);
    expect(l.plot.right).toBe(239);
    expect(l.x.ticks).toHaveLength(10);
    expect(l.x.labels.map((t) => t.text)).toEqual(['1', '10', '100', '1,000']);
    expect(l.x.labels.map((t) => t.px)).toEqual([52, expect.closeTo(52 + 187 / 3, 9), expect.closeTo(52 + (2 * 187) / 3, 9), 239]);
  });

  it('golden: a crowded linear axis keeps every other label', () => {
    // 21 x ticks 0..100 step 5; 400 px wide: left 46 (as above), right = 400 - max(16, 18 / 2 + 6) = 384, so
    // 338 / 20 = 16.9 px apart. All labels: "5" and "10" leave 16.9 - (3 + 6) = 7.9 < 8 clear -> every 2nd
    // label: 33.8 px apart, the tightest pair "90" / "100" leaves 33.8 - (6 + 9) = 18.8 >= 8.
    const l = layoutChart({ ...BASE, widthPx: 400, xDomain: [0, 100], xTicks: Array.from({ length: 21 }, (_, i) => i * 5) });
    expect(l.x.labels.map((t) => t.value)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(l.x.ticks).toHaveLength(21);
  });

  it('DEGENERATE: one point, all-equal values (a zero-width domain), no ticks, non-positive ticks on a log axis', () => {
    // one value: linearDomain pads by 1 -> [28, 30.5] with 6 ticks; every label fits
    const one = linearDomain([29.3]);
    const l1 = layoutChart({ ...BASE, yDomain: one.domain, yTicks: one.ticks });
    expect(l1.y.labels.map((t) => t.text)).toEqual(['28', '28.5', '29', '29.5', '30', '30.5']);
    // zero-width domain: every tick lands on the first pixel; one label, nothing overlaps
    const l2 = layoutChart({ ...BASE, xDomain: [5, 5], xTicks: [5] });
    expect(l2.x.tickPx).toEqual([l2.plot.left]);
    expect(l2.x.labels).toHaveLength(1);
    // no ticks at all
    const l3 = layoutChart({ ...BASE, xTicks: [], yTicks: [] });
    expect(l3.x.labels).toEqual([]);
    expect(l3.y.labels).toEqual([]);
    // log axis: ticks <= 0 or outside the domain are not drawn
    const l4 = layoutChart({ ...BASE, log: true, xDomain: [2, 5], xTicks: [-1, 0, 1, 2, 5, 10] });
    expect(l4.x.ticks).toEqual([2, 5]);
    expect(l4.x.tickPx).toEqual([l4.plot.left, l4.plot.right]);
    // logDomain of non-positive values only falls back to [1, 10]
    const ld = logDomain([0, -3]);
    expect(layoutChart({ ...BASE, log: true, xDomain: ld.domain, xTicks: ld.ticks }).x.labels.map((t) => t.text)).toEqual(['1', '2', '5', '10']);
  });

  it('DEGENERATE: a surface too small for the frame still gives a finite layout with a non-empty plot', () => {
    const l = layoutChart({ ...BASE, widthPx: 10, heightPx: 10 });
    expect(l.plot.right).toBeGreaterThan(l.plot.left);
    expect(l.plot.bottom).toBeGreaterThan(l.plot.top);
    for (const v of [...l.x.tickPx, ...l.y.tickPx, l.x.title.x, l.x.title.y, l.y.title.y]) expect(Number.isFinite(v)).toBe(true);
  });

  it('property: ticks ascend inside the domain, pixels are monotone inside the plot, kept labels never overlap', () => {
    const value = fc.double({ min: 1e-3, max: 1e5, noNaN: true });
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 40 }),
        fc.array(fc.double({ min: -50, max: 150, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        fc.integer({ min: 300, max: 2000 }),
        fc.integer({ min: 300, max: 1000 }),
        // up to 8 legend items of up to 24 characters (the chart has at most 6 methods, 2 sources and 3 more)
        fc.array(fc.string({ minLength: 1, maxLength: 24 }), { maxLength: 8 }),
        (costs, accs, log, widthPx, heightPx, legendLabels) => {
          const x = log ? logDomain(costs) : linearDomain([0, ...costs]);
          const y = linearDomain(accs);
          const l = layoutChart({ ...BASE, widthPx, heightPx, log, xDomain: x.domain, xTicks: x.ticks, yDomain: y.domain, yTicks: y.ticks, legendLabels, measure: estimateTextWidth });
          const { left, right, top, bottom } = l.plot;
          expect(right).toBeGreaterThan(left);
          expect(bottom).toBeGreaterThan(top);
          const tol = 1e-6;
          for (const [axis, domain, lo, hi, up] of [
            [l.x, x.domain, left, right, true],
            [l.y, y.domain, top, bottom, false],
          ] as const) {
            for (let i = 0; i < axis.ticks.length; i++) {
              const t = axis.ticks[i];
              expect(t).toBeGreaterThanOrEqual(domain[0] - Math.abs(domain[0]) * 1e-9 - 1e-12);
              expect(t).toBeLessThanOrEqual(domain[1] + Math.abs(domain[1]) * 1e-9 + 1e-12);
              expect(axis.tickPx[i]).toBeGreaterThanOrEqual(lo - tol);
              expect(axis.tickPx[i]).toBeLessThanOrEqual(hi + tol);
              if (i > 0) {
                expect(t).toBeGreaterThan(axis.ticks[i - 1]);
                if (up) expect(axis.tickPx[i]).toBeGreaterThan(axis.tickPx[i - 1]);
                else expect(axis.tickPx[i]).toBeLessThan(axis.tickPx[i - 1]);
              }
            }
            // labels: a subset of the ticks, in order, at their tick's pixel
            let j = 0;
            for (const lab of axis.labels) {
              while (j < axis.ticks.length && axis.ticks[j] !== lab.value) j++;
              expect(j).toBeLessThan(axis.ticks.length);
              expect(lab.px).toBe(axis.tickPx[j]);
            }
            // the domain ends are ticks 100+ px apart: at least two labels (a person can read the scale)
            if (axis.ticks.length >= 2 && hi - lo >= 100) expect(axis.labels.length).toBeGreaterThanOrEqual(2);
          }
          // x labels keep 8 px apart, y labels 4 px
          for (let i = 1; i < l.x.labels.length; i++) {
            const a = l.x.labels[i - 1];
            const b = l.x.labels[i];
            const clear = b.px - a.px - (estimateTextWidth(a.text, TICK_FONT_PX) + estimateTextWidth(b.text, TICK_FONT_PX)) / 2;
            expect(clear).toBeGreaterThanOrEqual(8 - tol);
          }
          for (let i = 1; i < l.y.labels.length; i++) expect(l.y.labels[i - 1].px - l.y.labels[i].px).toBeGreaterThanOrEqual(TICK_FONT_PX + 4 - tol);
          // the legend sits below the x-axis title and, item by item, inside the surface unless one item alone is wider
          for (const item of l.legend) {
            expect(item.y).toBeGreaterThan(l.x.title.y);
            expect(item.x).toBeGreaterThanOrEqual(left);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
