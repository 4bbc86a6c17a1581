import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { metadataDifferences } from './same-file-run';

describe('metadataDifferences', () => {
  it('hand-checked: names the top-level fields that differ, sorted', () => {
    const a = { name: 'x', inputSizes: [320, 416], adapter: { resize: 'stretch', output: { kind: 'decoded' } } };
    expect(metadataDifferences(a, { ...a, name: 'y' })).toEqual(['name']);
    expect(metadataDifferences(a, { ...a, inputSizes: [320], adapter: { resize: 'letterbox', output: { kind: 'decoded' } } })).toEqual([
      'adapter',
      'inputSizes',
    ]);
    expect(metadataDifferences(a, { ...a, baseline: 'b' })).toEqual(['baseline']);
  });

  it("formerFiles (the run's own history, replace-run-file.ts) is not compared", () => {
    const a = { name: 'x', inputSizes: [320] };
    const moved = { ...a, formerFiles: [{ sha256: 'a'.repeat(64), sizeBytes: 1, fileName: 'm.onnx', replacedAt: 't', change: 'c' }] };
    expect(metadataDifferences(a, moved)).toEqual([]);
    expect(metadataDifferences(moved, { ...moved, name: 'y' })).toEqual(['name']);
  });

  it('key order inside objects does not matter; array order does', () => {
    expect(metadataDifferences({ o: { a: 1, b: 2 } }, { o: { b: 2, a: 1 } })).toEqual([]);
    expect(metadataDifferences({ l: [1, 2] }, { l: [2, 1] })).toEqual(['l']);
  });

  it('degenerate: empty objects, and a missing field equals an undefined one', () => {
    expect(metadataDifferences({}, {})).toEqual([]);
    expect(metadataDifferences({ a: undefined }, {})).toEqual([]);
    expect(metadataDifferences({ a: null }, {})).toEqual([]); // JSON has no undefined: both are "not set"
  });

  it('property: symmetric, and empty exactly for a JSON round trip of the same value', () => {
    const json = fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 });
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(metadataDifferences(a, b)).toEqual(metadataDifferences(b, a));
        expect(metadataDifferences(a, JSON.parse(JSON.stringify(a)))).toEqual([]);
      }),
    );
  });
});
