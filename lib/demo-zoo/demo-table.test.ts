import { describe, expect, it } from 'vitest';
import type { TCell, TZooRow } from '../zoo/row';
import { formatDemoTable } from './demo-table';

const measured = { kind: 'measured' as const, jobId: 'j', deviceSlug: null };

function cell(metric: TCell['metric'], value: number, deltaText: string | null, deviceSlug: string | null = null): TCell {
  return {
    metric,
    value,
    decimals: 2,
    inputSize: 416,
    deviceSlug,
    comparable: deltaText !== null,
    baseline: null,
    delta:
      deltaText === null
        ? null
        : { kind: 'relative', value: 0, decimals: 2, verdict: 'better', text: deltaText, origin: 'computed_unrounded', check: null },
    text: '',
    provenance: measured,
  };
}

function row(slug: string, name: string, cells: Record<string, TCell>): TZooRow {
  return {
    id: `demo-shapes/${slug}`,
    section: { slug: 'demo-shapes', title: 't', sourceTitle: null, position: 1000, columns: [] },
    position: 1,
    source: 'measured',
    model: {
      slug,
      name,
      family: 'YOLOv3',
      backbone: 'b',
      backboneSlug: 'b',
      dataset: 'Demo',
      datasetSlug: 'demo-shapes',
      pretraining: null,
      method: slug === 'base' ? 'baseline' : 'prune',
      strategy: slug === 'base' ? null : 'r578',
      baselineSlug: null,
      parentSlug: null,
    },
    inputSize: 416,
    teacher: null,
    cells,
    download: null,
  };
}

describe('formatDemoTable', () => {
  const device = { slug: 'd0123456789abcdef', cpuModel: 'AMD EPYC', logicalCores: 2, threads: 1, executionProvider: 'cpu' };

  it('golden: values with fixed decimals, the zoo delta text in brackets, training AP beside, date and machine in the header', () => {
    const text = formatDemoTable({
      rows: [
        row('base', 'Base', {
          gflops: cell('gflops', 0.40630191, null),
          params: cell('params', 965589, null),
          modelSizeMb: cell('model_size_mb', 3.914264, null),
          'latency:d0123456789abcdef': cell('latency_ms', 10.456, null, device.slug),
          boxAp: cell('box_ap', 32.514, null),
          vocMap: cell('voc_map', 41.2049, null),
          widerEasy: cell('wider_easy', 80.005, null),
          widerMedium: cell('wider_medium', 70.1, null),
          widerHard: cell('wider_hard', 30.0, null),
        }),
        row('pr', 'Pruned', { gflops: cell('gflops', 0.17, '-58.16%'), boxAp: cell('box_ap', 24.9, '-7.6') }),
      ],
      trainingAp: new Map([['base@416', 32.58]]),
      devices: [device],
      lastMeasuredAt: new Date('2026-11-29T08:01:30Z'),
      generatedAt: new Date('2026-11-29T08:05:00Z'),
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Demo zoo measured by Slimboard (last number taken 2026-11-29 08:01 UTC; table printed 2026-11-29 08:05 UTC).');
    expect(lines[1]).toBe('Machine: `d0123456789abcdef` = AMD EPYC, 2 logical cores, 1 onnxruntime thread(s), cpu EP.');
    expect(lines[3]).toBe(
      '| model | method | strategy | input | GFLOPs | params | size (MB) | latency p50 ms (d0123456789abcdef) | Box AP | training AP | VOC mAP | ' +
        'faces easy | faces medium | faces hard |',
    );
    // 0.40630191 -> 0.406 (3 decimals), 3.914264 -> 3.91, 10.456 -> 10.46 (half away from zero), 32.514 -> 32.51;
    // VOC and faces with 2 decimals: 41.2049 -> 41.20, 80.005 -> 80.01 (half away from zero), 70.1 -> 70.10, 30 -> 30.00.
    expect(lines[5]).toBe('| Base | baseline | - | 416 | 0.406 | 965589 | 3.91 | 10.46 | 32.51 | 32.58 | 41.20 | 80.01 | 70.10 | 30.00 |');
    // Pending cells print an ellipsis; deltas are the zoo's own text.
    expect(lines[6]).toBe('| Pruned | prune | r578 | 416 | 0.170 (-58.16%) | … | … | … | 24.90 (-7.6) | - | … | … | … | … |');
  });

  it('golden: a paired latency and a paired ΔAP print their intervals instead of the plain delta; a busy one says untrusted', () => {
    const paired = (text: string, trusted: boolean) => ({
      ratio: 0.63,
      low: 0.62,
      high: 0.64,
      text,
      verdict: 'better' as const,
      title: '',
      significant: true,
      trusted,
    });
    const latency = { ...cell('latency_ms', 4.514, '-37.00%', device.slug), paired: paired('\u221237.1 % [\u221237.8, \u221236.0]', true) };
    const busy = { ...cell('latency_ms', 4.6, '-36.00%', device.slug), paired: paired('\u221236.0 % [\u221245.0, \u221220.0]', false) };
    const ap = {
      ...cell('box_ap', 59.7, '-6.5'),
      pairedAccuracy: {
        delta: -6.5,
        low: -7.31,
        high: -5.72,
        text: 'ΔAP \u22126.50 [\u22127.31, \u22125.72]',
        verdict: 'worse' as const,
        title: '',
        significant: true,
      },
    };
    const text = formatDemoTable({
      rows: [
        row('pr', 'Pruned', { 'latency:d0123456789abcdef': latency, boxAp: ap }),
        row('pr2', 'Pruned busy', { 'latency:d0123456789abcdef': busy }),
      ],
      trainingAp: new Map(),
      devices: [device],
      lastMeasuredAt: null,
      generatedAt: new Date('2026-12-04T00:00:00Z'),
    });
    const lines = text.split('\n');
    expect(lines[5]).toBe(
      '| Pruned | prune | r578 | 416 | … | … | … | 4.51 (\u221237.1 % [\u221237.8, \u221236.0]) | 59.70 (ΔAP \u22126.50 [\u22127.31, \u22125.72]) | - | … | … | … | … |',
    );
    expect(lines[6]).toBe(
      '| Pruned busy | prune | r578 | 416 | … | … | … | 4.60 (\u221236.0 % [\u221245.0, \u221220.0], untrusted) | … | - | … | … | … | … |',
    );
  });

  it('degenerate: no rows and no devices still give a header and a footnote', () => {
    const text = formatDemoTable({
      rows: [],
      trainingAp: new Map(),
      devices: [],
      lastMeasuredAt: null,
      generatedAt: new Date('2026-11-29T00:00:00Z'),
    });
    expect(text).toMatch(/nothing measured yet/);
    expect(text).toMatch(/Machine: no latency measured yet\./);
    expect(text).toMatch(/\| model \| method \| strategy \| input \| GFLOPs \| params \| size \(MB\) \| Box AP \| training AP \| VOC mAP \| faces easy \| faces medium \| faces hard \|/);
  });
});
