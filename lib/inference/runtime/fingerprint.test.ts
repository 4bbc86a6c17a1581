import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareFingerprints, FINGERPRINT_FIELDS, makeFingerprint, ZLatencyFingerprint, type TLatencyFingerprint } from './fingerprint';
import { resolveSessionOptions } from './ort';

const base = makeFingerprint({ options: resolveSessionOptions({ intraOpNumThreads: 2 }), opset: 13, modelSha256: 'a'.repeat(64), inputShape: [1, 3, 416, 416] });

describe('fingerprint', () => {
  it('records every field the protocol names', () => {
    expect(ZLatencyFingerprint.parse(base)).toEqual(base);
    expect(FINGERPRINT_FIELDS).toEqual(['cpuModel', 'logicalCores', 'intraOpNumThreads', 'interOpNumThreads', 'executionProvider', 'graphOptimizationLevel', 'intraOpSpinning', 'onnxruntimeVersion', 'nodeVersion', 'opset', 'modelSha256', 'inputShape']);
    expect(base.intraOpNumThreads).toBe(2);
    expect(base.nodeVersion).toBe(process.versions.node);
  });
  it('says why two fingerprints are not comparable', () => {
    const other: TLatencyFingerprint = { ...base, intraOpNumThreads: 4, inputShape: [1, 3, 608, 608] };
    expect(compareFingerprints(base, other)).toEqual({
      comparable: false,
      differences: ['intraOpNumThreads: 2 vs 4', 'inputShape: [1,3,416,416] vs [1,3,608,608]'],
      ignored: [],
    });
    const pruned = { ...base, modelSha256: 'b'.repeat(64) };
    expect(compareFingerprints(base, pruned).comparable).toBe(false);
    expect(compareFingerprints(base, pruned, ['modelSha256'])).toEqual({ comparable: true, differences: [], ignored: ['modelSha256'] });
  });
  it('property: a fingerprint is comparable with itself; one changed field gives exactly one difference', () => {
    fc.assert(fc.property(fc.constantFrom(...FINGERPRINT_FIELDS), (field) => {
      expect(compareFingerprints(base, { ...base }).comparable).toBe(true);
      const v = base[field];
      const changed = { ...base, [field]: Array.isArray(v) ? [...v, 1] : typeof v === 'number' ? v + 1 : typeof v === 'boolean' ? !v : `${String(v)}x` };
      const c = compareFingerprints(base, changed as TLatencyFingerprint);
      expect(c.differences).toHaveLength(1);
      expect(c.differences[0].startsWith(`${field}: `)).toBe(true);
      expect(compareFingerprints(base, changed as TLatencyFingerprint, [field]).comparable).toBe(true);
    }));
  });
});
