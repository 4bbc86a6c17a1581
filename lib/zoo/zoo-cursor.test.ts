import { describe, expect, it } from 'vitest';
import { isSlimboardError } from '../errors';
import { decodeZooCursor, encodeZooCursor } from './zoo-cursor';

describe('zoo cursor', () => {
  it('round-trips offsets, including 0 and large ones', () => {
    for (const o of [0, 1, 100, 123_456, 1_000_000_000]) expect(decodeZooCursor(encodeZooCursor(o))).toBe(o);
  });
  it('is opaque url-safe text', () => {
    expect(encodeZooCursor(100)).toMatch(/^[A-Za-z0-9_-]+$/);
  });
  it.each([
    'nope',
    encodeZooCursor(5).slice(2),
    Buffer.from('{"v":1,"o":-1}').toString('base64url'),
    Buffer.from('{"v":2,"o":1}').toString('base64url'),
    Buffer.from('{"v":1,"o":1.5}').toString('base64url'),
  ])('EXPECTED FAILURE: %s is a 400', (c) => {
    try {
      decodeZooCursor(c);
      expect.unreachable();
    } catch (e) {
      expect(isSlimboardError(e) && e.status).toBe(400);
      expect((e as Error).message).toContain('cursor');
    }
  });
});
