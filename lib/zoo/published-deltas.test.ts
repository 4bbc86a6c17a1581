import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paddleDetectionSlimCatalog } from '../../prisma/seed/paddledetection-slim';
import { computeDelta } from './delta';
import { formatDelta } from './format';
import { indexPrintedDeltas, resolveDelta, SHIPPED_PRINTED_DELTAS, shownDelta } from './published-deltas';

describe('resolveDelta: goldens (hand-computed)', () => {
  it('VOC r578 GFLOPs: the printed -69.57 % lies in [-69.59, -69.52] % and is shown as printed', () => {
    // (6.15 - 20.20) / 20.20 = -69.55 % from the rounded numbers; the box allows [-69.5867, -69.5222] %
    expect(resolveDelta('gflops', { value: 6.15, decimals: 2 }, { value: 20.2, decimals: 2 }, '-69.57%')).toEqual({
      kind: 'relative',
      value: -69.57,
      decimals: 2,
      verdict: 'better',
      text: '-69.57%',
      origin: 'published',
      check: { printed: '-69.57%', consistent: true, nearest: true, interval: { low: -69.59, high: -69.52, decimals: 2, text: '[-69.59, -69.52] %' } },
    });
  });
  it('VOC distilled r578 @320 prints +2.0 where 76.3 - 75.3 = +1.0: computed +1.0 shown, printed one flagged', () => {
    expect(resolveDelta('voc_map', { value: 76.3, decimals: 1 }, { value: 75.3, decimals: 1 }, '+2.0')).toEqual({
      kind: 'absolute',
      value: 1,
      decimals: 1,
      verdict: 'better',
      text: '+1.0',
      origin: 'computed',
      check: { printed: '+2.0', consistent: false, nearest: false, interval: { low: 0.9, high: 1.1, decimals: 1, text: '[+0.9, +1.1]' } },
    });
  });
  it('no printed delta: computed from the printed numbers, no check', () => {
    // (37.53 - 44.71) / 44.71 = -16.0591 % -> -16.06 %
    expect(resolveDelta('gflops', { value: 37.53, decimals: 2 }, { value: 44.71, decimals: 2 })).toMatchObject({ text: '-16.06%', origin: 'computed', check: null });
  });
  it('measured (unrounded) numbers: computed from the unrounded values, marked so; a printed delta is not used', () => {
    // 27.14 - 27.06 = 0.08 -> +0.1 (as printed numbers 27.1 - 27.1 would give +0.0)
    expect(resolveDelta('box_ap', { value: 27.14, decimals: null }, { value: 27.06, decimals: null })).toMatchObject({ text: '+0.1', origin: 'computed_unrounded', check: null });
    expect(resolveDelta('box_ap', { value: 27.14, decimals: null }, { value: 27.06, decimals: null }, '+5.0')).toMatchObject({ text: '+0.1', origin: 'computed_unrounded' });
  });
});

describe('resolveDelta: degenerate cases', () => {
  it('equal values printed +0.0: published, verdict same', () => {
    expect(resolveDelta('box_ap', { value: 29.3, decimals: 1 }, { value: 29.3, decimals: 1 }, '+0.0')).toMatchObject({ value: 0, verdict: 'same', origin: 'published', text: '+0.0' });
  });
  it('zero baseline: no relative delta at all (null), whatever is printed', () => {
    expect(resolveDelta('gflops', { value: 1, decimals: 2 }, { value: 0, decimals: 2 }, '+100.00%')).toBeNull();
  });
  it('a printed delta of the wrong kind is inconsistent, without an interval', () => {
    expect(resolveDelta('gflops', { value: 6.15, decimals: 2 }, { value: 20.2, decimals: 2 }, '-69.57')).toMatchObject({
      text: '-69.55%',
      origin: 'computed',
      check: { printed: '-69.57', consistent: false, nearest: false, interval: null },
    });
  });
});

describe('resolveDelta: properties', () => {
  const printed = fc.record({ units: fc.integer({ min: 1, max: 200_000 }), decimals: fc.integer({ min: 0, max: 3 }) }).map((p) => ({
    value: p.units / 10 ** p.decimals,
    decimals: p.decimals,
  }));
  it('a source that printed the delta of its own rounded numbers is always shown as printed', () => {
    fc.assert(
      fc.property(fc.constantFrom('gflops' as const, 'box_ap' as const, 'latency_ms' as const), printed, printed, (metric, v, b) => {
        const own = computeDelta(metric, v, b)!;
        const shown = resolveDelta(metric, v, b, formatDelta(own))!;
        expect(shown.origin).toBe('published');
        expect(shown.text).toBe(formatDelta(own));
      }),
    );
  });
});

describe('printed delta index', () => {
  it('looks a delta up by source, model, column and input size (none for the model size)', () => {
    const src = paddleDetectionSlimCatalog.source.slug;
    expect(SHIPPED_PRINTED_DELTAS.get(src, 'yolov3-mobilenet-v1-voc-prune-r578', 'gflops', 608)).toBe('-69.57%');
    expect(SHIPPED_PRINTED_DELTAS.get(src, 'yolov3-mobilenet-v1-voc-prune-r578', 'modelSizeMb', null)).toBe('-67.00%');
    expect(SHIPPED_PRINTED_DELTAS.get(src, 'yolov3-mobilenet-v1-voc-prune-r578', 'latency:kirin-970', 320)).toBe('-58.90%');
    expect(SHIPPED_PRINTED_DELTAS.get(src, 'yolov3-mobilenet-v1-voc', 'gflops', 608)).toBeUndefined();
    expect(SHIPPED_PRINTED_DELTAS.get('another-source', 'yolov3-mobilenet-v1-voc-prune-r578', 'gflops', 608)).toBeUndefined();
    // 122 printed deltas, some printed in several tables: 100 distinct (model, column, input size)
    expect(paddleDetectionSlimCatalog.sections.flatMap((s) => s.rows.flatMap((r) => Object.keys(r.deltas ?? {})))).toHaveLength(122);
    expect(SHIPPED_PRINTED_DELTAS.size).toBe(100);
  });
  it('EXPECTED FAILURE: one delta printed two ways names both places', () => {
    const bad = structuredClone(paddleDetectionSlimCatalog);
    bad.sections[4].rows[3].deltas!.gflops = '-69.50%'; // prune-latency row 4 repeats prune-voc row 7's -69.57 %
    expect(() => indexPrintedDeltas([bad])).toThrow(
      'model yolov3-mobilenet-v1-voc-prune-r578: the gflops delta is printed as -69.57% (prune-voc row 7) and as -69.50% (prune-latency row 4)',
    );
  });
  it('EXPECTED FAILURE: a delta for an unknown column', () => {
    const bad = structuredClone(paddleDetectionSlimCatalog);
    bad.sections[0].rows[1].deltas = { flops: '-1.00%' };
    expect(() => indexPrintedDeltas([bad])).toThrow('prune-coco row 2: printed delta for unknown column "flops"');
  });
});

describe('shownDelta', () => {
  it('looks the printed delta up by the reporting source; measured numbers get none', () => {
    const src = paddleDetectionSlimCatalog.source.slug;
    const base = { value: 20.2, decimals: 2 };
    const m = { metric: 'gflops' as const, value: 6.15, decimals: 2, inputSize: 608, deviceSlug: null };
    expect(shownDelta('yolov3-mobilenet-v1-voc-prune-r578', { ...m, sourceSlug: src }, base)).toMatchObject({ text: '-69.57%', origin: 'published' });
    // Without a reporting source nothing is looked up: the computed -69.55 %: (6.15 - 20.20) / 20.20 = -69.5545 %
    expect(shownDelta('yolov3-mobilenet-v1-voc-prune-r578', { ...m, sourceSlug: null }, base)).toMatchObject({ text: '-69.55%', origin: 'computed' });
    // Kirin 970 latency at 320 is keyed by its device column: 91.132 vs 221.705 ms, printed -58.90 %
    const kirin = { metric: 'latency_ms' as const, value: 91.132, decimals: 3, inputSize: 320, deviceSlug: 'kirin-970', sourceSlug: src };
    expect(shownDelta('yolov3-mobilenet-v1-voc-prune-r578', kirin, { value: 221.705, decimals: 3 })).toMatchObject({ text: '-58.90%', origin: 'published' });
  });
});
