import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSensitivityAnalysis, type TSensitivityAnalysis } from './sensitivity-analysis';
import { lossAtRatio, orderedParams, ratioWithinLoss, sensitivityView, shortParamLabels } from './sensitivity-view';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const shipped = () =>
  parseSensitivityAnalysis(
    JSON.parse(readFileSync(path.join(ROOT, 'lib', 'demo-zoo', 'models', 'sensitivity.json'), 'utf8')),
    'sensitivity.json',
  );
/** The sensity model's lineage in the shipped manifest: the ratios chosen from the analysis. */
const sensity = () =>
  (
    JSON.parse(readFileSync(path.join(ROOT, 'lib', 'demo-zoo', 'models', 'manifest.json'), 'utf8')) as {
      models: Array<{ id: string; lineage: { prunedParams: string[]; ratios: number[]; lossThreshold: number } }>;
    }
  ).models.find((m) => m.id === 'prune_sensity')!.lineage;

describe('lossAtRatio', () => {
  const curve = [
    { ratio: 0, loss: 0 },
    { ratio: 0.3, loss: 3 },
    { ratio: 0.5, loss: 13 },
  ];
  it('interpolates linearly and returns measured points exactly (hand goldens)', () => {
    expect(lossAtRatio(curve, 0.3)).toBe(3);
    // 0.4 is half way from 0.3 to 0.5: 3 + 0.5 * (13 - 3) = 8
    expect(lossAtRatio(curve, 0.4)).toBeCloseTo(8, 12);
    // 0.1 is a third of the way from 0 to 0.3: 3 / 3 = 1
    expect(lossAtRatio(curve, 0.1)).toBeCloseTo(1, 12);
  });
  it('is null outside the measured range and for an empty curve (degenerate)', () => {
    expect(lossAtRatio(curve, 0.51)).toBeNull();
    expect(lossAtRatio(curve, -0.1)).toBeNull();
    expect(lossAtRatio([], 0.2)).toBeNull();
    expect(lossAtRatio(curve, Number.NaN)).toBeNull();
  });
  it('property: the value lies between the two neighbouring measured losses', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -50, max: 100, noNaN: true }), { minLength: 2, maxLength: 8 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (losses, t) => {
          const pts = losses.map((loss, i) => ({ ratio: i / (losses.length - 1), loss }));
          const v = lossAtRatio(pts, t)!;
          const j = Math.min(Math.floor(t * (losses.length - 1)), losses.length - 2);
          const [lo, hi] = [Math.min(losses[j], losses[j + 1]), Math.max(losses[j], losses[j + 1])];
          return v >= lo - 1e-9 && v <= hi + 1e-9;
        },
      ),
    );
  });
});

describe('ratioWithinLoss (PaddleSlim get_ratios_by_loss)', () => {
  it('hand goldens: under, crossing, never crossing, non-monotone', () => {
    const c = [
      { ratio: 0.3, loss: 0.04 },
      { ratio: 0.5, loss: 0.14 },
      { ratio: 0.7, loss: 0.29 },
    ];
    // crosses 0.07 between 0.3 (0.04) and 0.5 (0.14): 0.3 + 0.2 * (0.07 - 0.04) / (0.14 - 0.04) = 0.36
    expect(ratioWithinLoss(c, 0.07)).toBeCloseTo(0.36, 12);
    // below the first point: from (0, 0): 0.3 * 0.02 / 0.04 = 0.15
    expect(ratioWithinLoss(c, 0.02)).toBeCloseTo(0.15, 12);
    expect(ratioWithinLoss(c, 0.5)).toBe(0.7);
    // running maximum: 0.12 at 0.7 counts as 0.13 (the 0.5 loss), so 0.125 is crossed between 0.3 and 0.5:
    // 0.3 + 0.2 * (0.125 - 0.09) / (0.13 - 0.09) = 0.475
    expect(
      ratioWithinLoss(
        [
          { ratio: 0.3, loss: 0.09 },
          { ratio: 0.5, loss: 0.13 },
          { ratio: 0.7, loss: 0.12 },
        ],
        0.125,
      ),
    ).toBeCloseTo(0.475, 12);
    expect(ratioWithinLoss([], 0.1)).toBe(0);
  });
  it('the shipped sensity ratios are the ones its loss threshold gives on the shipped analysis (rounded to 0.01)', () => {
    const a = shipped();
    const l = sensity();
    for (const [i, p] of l.prunedParams.entries())
      expect(Math.abs(ratioWithinLoss(a.parameters[p], l.lossThreshold) - l.ratios[i])).toBeLessThanOrEqual(0.005 + 1e-6);
  });
});

describe('shortParamLabels / orderedParams', () => {
  it('drops the suffix every name shares and keeps single names whole', () => {
    expect(shortParamLabels(['yolo_block.0.0.0.conv.weights', 'yolo_block.0.tip.conv.weights'])).toEqual([
      'yolo_block.0.0.0',
      'yolo_block.0.tip',
    ]);
    expect(shortParamLabels(['a.w', 'a.b.w'])).toEqual(['a', 'a.b']);
    expect(shortParamLabels(['only.conv.weights'])).toEqual(['only.conv.weights']);
    expect(shortParamLabels([])).toEqual([]);
  });
  it('orders by the declared pruned params, then by name with numbers as numbers', () => {
    expect(orderedParams(['b.10', 'b.2', 'a', 'z'], ['z'])).toEqual(['z', 'a', 'b.2', 'b.10']);
  });
});

describe('sensitivityView', () => {
  it('hand goldens from the shipped analysis and the shipped sensity ratios', () => {
    const a = { ...shipped(), selection: { lossThreshold: sensity().lossThreshold, targetGflopsReduction: 0.35 } };
    const l = sensity();
    // JSONB does not keep key order: shuffle the keys, the view orders them by the model's pruned params.
    const shuffled: TSensitivityAnalysis = { ...a, parameters: Object.fromEntries(Object.entries(a.parameters).reverse()) };
    const v = sensitivityView(shuffled, { prunedParams: l.prunedParams, prunedRatios: l.ratios });
    expect(v.series.map((s) => s.param)).toEqual(l.prunedParams);
    expect(v.series).toHaveLength(18);
    const first = v.series[0];
    expect(first.label).toBe('yolo_block.0.0.0');
    // loss 0.08888 -> 8.888 %, ap 0.55881 at ratio 0.3
    expect(first.points[0].lossPercent).toBeCloseTo(8.888, 10);
    expect(first.points[0].ap).toBe(0.55881);
    // chosen 0.32, between 0.3 (8.888 %) and 0.5 (24.92 %): 8.888 + 0.1 * (24.92 - 8.888) = 10.4912 %
    expect(first.chosen!.ratio).toBe(0.32);
    expect(first.chosen!.lossPercent).toBeCloseTo(10.4912, 10);
    // yolo_block.2.tip: chosen 0.14 below the first ratio, from (0, 0): 21.258 * 0.14 / 0.3 = 9.9204 %
    expect(v.series.find((s) => s.label === 'yolo_block.2.tip')!.chosen!.lossPercent).toBeCloseTo(9.9204, 5);
    // yolo_block.0.tip: chosen 0.7, a measured ratio: its loss 5.816 %
    expect(v.series.find((s) => s.label === 'yolo_block.0.tip')!.chosen!.lossPercent).toBeCloseTo(5.816, 10);
    // rows: ratio 0 then each ratio; the largest loss is 38.848 % (yolo_block.0.1.0 at 0.7) -> y up to 40
    expect(v.rows.map((r) => r.ratio)).toEqual([0, 0.3, 0.5, 0.7]);
    expect(v.rows[0][first.key]).toBe(0);
    expect(v.rows[3][first.key]).toBeCloseTo(34.782, 10);
    expect(v.yDomainPercent).toEqual([0, 40]);
    expect(v.lossThresholdPercent).toBeCloseTo(10.156, 10);
    expect(v.targetGflopsReductionPercent).toBeCloseTo(35, 10);
    expect(v.disagreeing).toEqual([]);
    expect(v.unmatchedPrunedParams).toEqual([]);
    // 9 of the 18 shipped ratios lie below the first measured ratio 0.3 (0.21, 0.27, 0.2, 0.22, 0.17, 0.22, 0.22, 0.23, 0.14)
    expect(v.belowFirstRatio).toHaveLength(9);
    expect(v.belowFirstRatio).toContain('yolo_block.2.tip.conv.weights');
    expect(v.belowFirstRatio).not.toContain('yolo_block.0.0.0.conv.weights');
    expect(v.ratioRule).toBeNull();
    expect(sensitivityView({ ...a, selection: { ...a.selection, rule: 'with-origin' } }).ratioRule).toBe('with-origin');
  });

  it('flags chosen ratios the threshold does not give, and pruned params without a curve', () => {
    const a = { ...shipped(), selection: { lossThreshold: sensity().lossThreshold } };
    const l = sensity();
    const ratios = [...l.ratios];
    ratios[0] = 0.5; // the threshold gives 0.3 + 0.2 x (0.10156 - 0.08888) / (0.2492 - 0.08888) = 0.3158
    const v = sensitivityView(a, { prunedParams: [...l.prunedParams, 'extra.conv.weights'], prunedRatios: [...ratios, 0.2] });
    expect(v.disagreeing.map((d) => d.param)).toEqual(['yolo_block.0.0.0.conv.weights']);
    expect(v.disagreeing[0].allowedRatio).toBeCloseTo(0.3158, 4);
    expect(v.unmatchedPrunedParams).toEqual(['extra.conv.weights']);
  });

  it('reads the allowed ratios with the stored rule: paddleslim (no (0, 0) point) does not flag a prune-to-target selection', () => {
    // Two hand curves at ratios 0.3 / 0.5; threshold 0.05. paddleslim: p gets 0 (its first loss 0.08 is over the threshold),
    // q gets 0.3 + (0.05 - 0.02) * 0.2 / (0.1 - 0.02) = 0.375. with-origin: p gets 0.3 * 0.05 / 0.08 = 0.1875.
    const base = { ...shipped(), ratios: [0.3, 0.5], parameters: {} as TSensitivityAnalysis['parameters'] };
    const ap = (loss: number) => base.baselineAp * (1 - loss);
    base.parameters = {
      p: [
        { ratio: 0.3, ap: ap(0.08), loss: 0.08 },
        { ratio: 0.5, ap: ap(0.2), loss: 0.2 },
      ],
      q: [
        { ratio: 0.3, ap: ap(0.02), loss: 0.02 },
        { ratio: 0.5, ap: ap(0.1), loss: 0.1 },
      ],
    };
    const chosen = { prunedParams: ['q'], prunedRatios: [0.375] };
    const paddle = sensitivityView({ ...base, selection: { lossThreshold: 0.05, rule: 'paddleslim' } }, chosen);
    const allowed = (v: ReturnType<typeof sensitivityView>) => Object.fromEntries(v.series.map((s) => [s.param, s.allowedRatio]));
    expect(allowed(paddle)).toEqual({ p: 0, q: expect.closeTo(0.375, 12) });
    expect(paddle.disagreeing).toEqual([]);
    const origin = sensitivityView({ ...base, selection: { lossThreshold: 0.05, rule: 'with-origin' } }, chosen);
    expect(allowed(origin).p).toBeCloseTo(0.1875, 12);
    // A negative threshold (the search can settle below a negative loss) is a valid selection: nothing is allowed here.
    const negative = sensitivityView({ ...base, selection: { lossThreshold: -0.01, rule: 'paddleslim' } });
    expect(allowed(negative)).toEqual({ p: 0, q: 0 });
    expect(negative.lossThresholdPercent).toBeCloseTo(-1, 12);
  });

  it('degenerate: no parameters, no ratios of the model, a ratio beyond the measured range', () => {
    const empty = sensitivityView({ ...shipped(), parameters: {} });
    expect(empty.series).toEqual([]);
    expect(empty.rows).toEqual([{ ratio: 0 }, { ratio: 0.3 }, { ratio: 0.5 }, { ratio: 0.7 }]);
    expect(empty.yDomainPercent).toEqual([0, 5]);
    expect(empty.lossThresholdPercent).toBeNull();
    const noRun = sensitivityView(shipped());
    expect(noRun.series.every((s) => s.chosen === null && s.allowedRatio === null)).toBe(true);
    const beyond = sensitivityView(shipped(), { prunedParams: ['yolo_block.0.0.0.conv.weights'], prunedRatios: [0.8] });
    expect(beyond.series[0].chosen).toEqual({ ratio: 0.8, lossPercent: null });
  });

  it('property: rows carry every measured loss in percent and the y range holds them all', () => {
    const analysis = fc
      .tuple(
        fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 6 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
      )
      .chain(([pcts, nParams, baselineAp]) => {
        const ratios = [...pcts].sort((x, y) => x - y).map((x) => x / 100);
        // loss u in [lowest, 1], ap = baselineAp * (1 - u): ap stays in [0, 1] and loss in [-1, 1] (negative: pruning helped).
        const lowest = Math.max(-1, 1 - 1 / baselineAp);
        return fc
          .array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: ratios.length, maxLength: ratios.length }), {
            minLength: nParams,
            maxLength: nParams,
          })
          .map((ts) => ({
            model: 'm',
            metric: 'AP',
            inputSize: 320,
            valImages: 1,
            baselineAp,
            lossDefinition: 'relative',
            criterion: 'L1',
            ratios,
            parameters: Object.fromEntries(
              ts.map((row, i) => [
                `p.${i}.w`,
                row.map((t, j) => {
                  const ap = Math.min(1, Math.max(0, baselineAp * (1 - (lowest + t * (1 - lowest)))));
                  return { ratio: ratios[j], ap, loss: (baselineAp - ap) / baselineAp };
                }),
              ]),
            ),
          }));
      });
    fc.assert(
      fc.property(analysis, (raw) => {
        const v = sensitivityView(parseSensitivityAnalysis(raw, 'prop'));
        expect(v.rows).toHaveLength(raw.ratios.length + 1);
        for (const s of v.series) {
          raw.parameters[s.param].forEach((p, j) => {
            expect(v.rows[j + 1][s.key]).toBe(p.loss * 100);
            expect(p.loss * 100).toBeGreaterThanOrEqual(v.yDomainPercent[0]);
            expect(p.loss * 100).toBeLessThanOrEqual(v.yDomainPercent[1]);
          });
        }
      }),
      { numRuns: 200 },
    );
  });
});
