import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { faceSettings } from './faces-split';

const face = (h: number, occludedFraction = 0, truncated = false) => ({ bbox: [0, 0, h, h] as [number, number, number, number], occludedFraction, truncated });

describe('faceSettings', () => {
  it('hand-checked thresholds: height 10/20/40 px, occlusion 30 %/10 %, truncation', () => {
    expect(faceSettings(face(9))).toEqual({ easy: false, medium: false, hard: false });
    expect(faceSettings(face(10))).toEqual({ easy: false, medium: false, hard: true });
    expect(faceSettings(face(20))).toEqual({ easy: false, medium: true, hard: true });
    expect(faceSettings(face(40))).toEqual({ easy: true, medium: true, hard: true });
    expect(faceSettings(face(40, 0.2))).toEqual({ easy: false, medium: true, hard: true });
    expect(faceSettings(face(40, 0.31))).toEqual({ easy: false, medium: false, hard: true });
    expect(faceSettings(face(40, 0, true))).toEqual({ easy: false, medium: true, hard: true });
  });

  it('property: settings are nested, easy ⊆ medium ⊆ hard, as in WIDER FACE', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.boolean(), (h, occ, trunc) => {
        const s = faceSettings(face(h, occ, trunc));
        if (s.easy) expect(s.medium).toBe(true);
        if (s.medium) expect(s.hard).toBe(true);
      }),
    );
  });
});
