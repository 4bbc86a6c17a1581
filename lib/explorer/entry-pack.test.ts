import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COCO_PRUNING, makeEntry, p4 } from './__fixtures__/entries';
import { METHODS, METRIC_KEYS, SOURCES, ZExplorerEntry, ZLatency, type TExplorerEntry, type TLatency } from './entry';
import { packedExplorerEntries, packExplorerEntries, unpackExplorerEntries } from './entry-pack';

const interval = { value: -0.4, low: -0.9, high: 0.1, significant: false, trusted: true, text: 'ΔAP −0.4 [−0.9, +0.1]' };

/** Every field of the schema set, optional ones included. */
function fullEntry(): TExplorerEntry {
  return makeEntry({
    modelId: 'yolov3-mbv1-prune',
    inputSize: 608,
    teacher: { name: 'YOLOv3-ResNet34', accuracy: 36.2 },
    strategyParams: { prunedRatios: [0.1, 0.2], quantMode: null },
    baselineModelId: 'yolov3-mbv1',
    gflops: 12.5,
    gflopsConvention: 'paddleslim',
    paramsM: 20.1,
    sizeMB: 80.5,
    accuracy: { boxAp: 28.1 },
    accuracyIntervals: { boxAp: interval },
    latency: [{ ...p4(10.2), paired: { ...interval, text: '−28.5 % [−30.1, −26.8]' } }],
  });
}

describe('packExplorerEntries', () => {
  it('stores each string once and refers to it by index (hand-checked)', () => {
    const a = makeEntry({ modelId: 'a', inputSize: 608, gflops: 2, accuracy: { boxAp: 30 }, latency: [p4(5)] });
    const b = makeEntry({ modelId: 'b', inputSize: 416, baselineModelId: 'a', pretraining: null });
    const packed = packExplorerEntries([a, b]);
    expect(packed.strings).toEqual([
      'a', // modelId, and name (makeEntry names an entry by its id)
      'YOLOv3',
      'MobileNetV1',
      'coco',
      'baseline', // method and strategy
      'ImageNet',
      'published', // entry and latency source
      'reported: PaddleDetection slim benchmark', // entry and latency provenance
      'tesla-p4-trt',
      'Tesla P4 (TensorRT)',
      'b',
    ]);
    expect(packed.rows[0]).toEqual([
      0,
      0,
      1,
      2,
      3,
      4,
      4,
      5,
      null,
      null,
      6,
      7,
      null,
      608,
      2,
      null,
      null,
      null,
      { boxAp: 30 },
      null,
      [[8, 9, 6, 5, null, null, null, null, [], 7, null]],
    ]);
    expect(packed.rows[1]).toEqual([10, 10, 1, 2, 3, 4, 4, null, null, null, 6, 7, 0, 416, null, null, null, null, {}, null, []]);
  });

  it('round-trips every field of the schema, optional ones included', () => {
    const e = fullEntry();
    expect(Object.keys(e).sort()).toEqual(Object.keys(ZExplorerEntry.shape).sort());
    expect(Object.keys(e.latency[0]).sort()).toEqual(Object.keys(ZLatency.shape).sort());
    const back = unpackExplorerEntries(packExplorerEntries([e]));
    expect(back).toStrictEqual([e]);
    expect(ZExplorerEntry.array().parse(back)).toStrictEqual([e]);
  });

  it('leaves absent optional fields absent, and keeps the seed fixtures', () => {
    const back = unpackExplorerEntries(packExplorerEntries(COCO_PRUNING));
    expect(back).toStrictEqual(COCO_PRUNING);
    for (const e of back) {
      expect('accuracyIntervals' in e).toBe('accuracyIntervals' in COCO_PRUNING[back.indexOf(e)]);
      for (const l of e.latency) expect('paired' in l).toBe(false);
    }
  });

  it('packs nothing to nothing', () => {
    expect(packExplorerEntries([])).toEqual({ strings: [], rows: [] });
    expect(unpackExplorerEntries({ strings: [], rows: [] })).toEqual([]);
  });

  it('refuses a packed value that names a string it does not hold', () => {
    const packed = packExplorerEntries([fullEntry()]);
    expect(() => unpackExplorerEntries({ ...packed, strings: packed.strings.slice(0, 3) })).toThrow(/refer to string \d+, but hold 3/);
  });

  it('is smaller than the entries it packs once strings repeat', () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ ...fullEntry(), modelId: `m${i}`, name: `Model ${i}` }));
    const packedBytes = JSON.stringify(packExplorerEntries(many)).length;
    const plainBytes = JSON.stringify(many).length;
    expect(packedBytes).toBeLessThan(plainBytes * 0.6);
  });

  it('packs an array once (packedExplorerEntries) and a new array again', () => {
    const entries = [fullEntry()];
    const first = packedExplorerEntries(entries);
    expect(packedExplorerEntries(entries)).toBe(first);
    expect(packedExplorerEntries([...entries])).not.toBe(first);
    expect(packedExplorerEntries([...entries])).toEqual(first);
  });

  it('round-trips any entries (property)', () => {
    const str = fc.string({ minLength: 1, maxLength: 6 });
    const num = fc.oneof(fc.constant(null), fc.double({ min: 0.001, max: 1e4, noNaN: true }));
    const pairedArb = fc.record(
      {
        value: fc.double({ noNaN: true }),
        low: fc.double({ noNaN: true }),
        high: fc.double({ noNaN: true }),
        significant: fc.boolean(),
        trusted: fc.boolean(),
        text: str,
      },
      { noNullPrototype: true },
    );
    const latency: fc.Arbitrary<TLatency> = fc.record(
      {
        device: fc.constantFrom('p4', 'cpu', 'kirin'),
        deviceLabel: str,
        source: fc.constantFrom(...SOURCES),
        reportedMs: num,
        p50Ms: num,
        p90Ms: num,
        p99Ms: num,
        meanMs: num,
        samplesMs: fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { maxLength: 4 }),
        provenance: str,
        paired: pairedArb,
      },
      {
        noNullPrototype: true,
        requiredKeys: ['device', 'deviceLabel', 'source', 'reportedMs', 'p50Ms', 'p90Ms', 'p99Ms', 'meanMs', 'samplesMs', 'provenance'],
      },
    );
    const metricRecord = <T>(v: fc.Arbitrary<T>) =>
      fc.dictionary(fc.constantFrom(...METRIC_KEYS), v, { maxKeys: 3, noNullPrototype: true }) as fc.Arbitrary<
        Partial<Record<(typeof METRIC_KEYS)[number], T>>
      >;
    const entry: fc.Arbitrary<TExplorerEntry> = fc.record(
      {
        modelId: str,
        name: str,
        family: str,
        backbone: str,
        dataset: fc.constantFrom('coco', 'voc', 'widerface'),
        method: fc.constantFrom(...METHODS),
        strategy: str,
        pretraining: fc.option(str, { nil: null }),
        teacher: fc.option(fc.record({ name: str, accuracy: num }, { noNullPrototype: true }), { nil: null }),
        strategyParams: fc.option(
          fc.dictionary(str, fc.oneof(str, fc.double({ noNaN: true }), fc.boolean(), fc.constant(null)), {
            maxKeys: 2,
            noNullPrototype: true,
          }),
          { nil: null },
        ),
        source: fc.constantFrom(...SOURCES),
        provenance: str,
        baselineModelId: fc.option(str, { nil: null }),
        inputSize: fc.integer({ min: 1, max: 1024 }),
        gflops: num,
        gflopsConvention: fc.option(str, { nil: null }),
        paramsM: num,
        sizeMB: num,
        accuracy: metricRecord(fc.double({ min: 0, max: 100, noNaN: true })),
        accuracyIntervals: metricRecord(pairedArb),
        latency: fc.array(latency, { maxLength: 3 }),
      },
      {
        noNullPrototype: true,
        requiredKeys: [
          'modelId',
          'name',
          'family',
          'backbone',
          'dataset',
          'method',
          'strategy',
          'pretraining',
          'teacher',
          'strategyParams',
          'source',
          'provenance',
          'baselineModelId',
          'inputSize',
          'gflops',
          'gflopsConvention',
          'paramsM',
          'sizeMB',
          'accuracy',
          'latency',
        ],
      },
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), (entries) => {
        const packed = packExplorerEntries(entries);
        expect(new Set(packed.strings).size).toBe(packed.strings.length);
        // Through a copy (as the RSC payload gives the browser: no shared objects) and back.
        expect(unpackExplorerEntries(structuredClone(packed))).toStrictEqual(entries);
      }),
    );
  });
});
