import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { malformedPathSegment } from './path-encoding';

describe('malformedPathSegment', () => {
  it('hand-checked paths', () => {
    expect(malformedPathSegment('/models/%ff')).toBe('%ff');
    expect(malformedPathSegment('/api/runs/%ff/rerun')).toBe('%ff');
    expect(malformedPathSegment('/api/artifacts/ab%zz')).toBe('ab%zz');
    expect(malformedPathSegment('/models/%E6%A8')).toBe('%E6%A8'); // 模 (E6 A8 A1) cut short
    expect(malformedPathSegment('/models/%E6%A8%A1%E5%9E%8B')).toBeNull(); // 模型 whole
    expect(malformedPathSegment('/models/a%25ff')).toBeNull(); // an encoded percent sign
  });

  it('degenerate paths', () => {
    expect(malformedPathSegment('')).toBeNull();
    expect(malformedPathSegment('/')).toBeNull();
    expect(malformedPathSegment('/%')).toBe('%');
  });

  it('property: whatever encodeURIComponent produces is accepted', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 5 }), (segments) => {
      expect(malformedPathSegment(`/${segments.map(encodeURIComponent).join('/')}`)).toBeNull();
    }));
  });
});
