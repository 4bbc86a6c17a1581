import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSlimboardError } from '../errors';
import type { ZooRowPlace } from './select-zoo-rows';
import { decodeZooCursor, encodeZooCursor, encodeZooOffsetCursor, zooQueryDigest } from './zoo-cursor';

const Q = zooQueryDigest('sort=gflops&dir=desc');
const RUN = '3f1c2a9e-8b7d-4c61-9a0e-5d2b7c8e9f01';
const NIL = '00000000-0000-0000-0000-000000000000';
const place = (sortValue: ZooRowPlace['sortValue'], p: ZooRowPlace['place'] = ['', '', 0, 0, 12, NIL, 0]): ZooRowPlace => ({
  sectionSlug: 'coco-prune',
  sectionPosition: 3,
  sortValue,
  place: p,
});

function expect400(c: string, digest: string, message: RegExp) {
  try {
    decodeZooCursor(c, digest);
    expect.unreachable();
  } catch (e) {
    expect(isSlimboardError(e) && e.status).toBe(400);
    expect((e as Error).message).toMatch(message);
  }
}

describe('zoo cursor', () => {
  it('the digest is 12 hex digits of the query text, different for another sort or filter', () => {
    expect(Q).toMatch(/^[0-9a-f]{12}$/);
    expect(zooQueryDigest('sort=gflops&dir=desc')).toBe(Q);
    expect(zooQueryDigest('sort=gflops')).not.toBe(Q);
    expect(zooQueryDigest('')).toBe('e3b0c44298fc'); // sha256 of the empty string begins e3b0c442 98fc1c14
  });

  it('round-trips a stored row and a run row, with a number, a text or no sort value', () => {
    for (const p of [
      place(12.5),
      place('YOLOv3 — ü "quoted"'),
      place(null),
      place(-0.001, ['Tiny', 'tiny-baseline', 1, 1_796_000_000_123, 0, RUN, 2]),
    ])
      expect(decodeZooCursor(encodeZooCursor(p, Q), Q)).toEqual({ after: p });
  });

  it('property: any place round-trips, as url-safe text', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 50 }), fc.constant(null)),
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.uuid(),
        (sortValue, family, seq, run) => {
          const p = place(Object.is(sortValue, -0) ? 0 : sortValue, [family, family, 1, 1.5e12, seq, run, 0]);
          const c = encodeZooCursor(p, Q);
          expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
          expect(decodeZooCursor(c, Q)).toEqual({ after: p });
        },
      ),
    );
  });

  it('an offset cursor (v1, issued before the keyset one) still decodes to its offset, whatever the query', () => {
    for (const o of [0, 1, 100, 123_456, 1_000_000_000]) expect(decodeZooCursor(encodeZooOffsetCursor(o), Q)).toEqual({ offset: o });
  });

  it('a cursor given with another query is a 400 that says so', () => {
    expect400(encodeZooCursor(place(1), Q), zooQueryDigest('sort=gflops'), /issued for another query.*without cursor/);
  });

  it.each([
    'nope',
    encodeZooCursor(place(1), Q).slice(2),
    Buffer.from('{"v":1,"o":-1}').toString('base64url'),
    Buffer.from('{"v":2,"o":1}').toString('base64url'),
    Buffer.from('{"v":1,"o":1.5}').toString('base64url'),
    Buffer.from(JSON.stringify({ v: 2, q: Q, s: 'x', p: 1, x: 1, k: ['', '', 0, 0, 1, 'not-a-uuid', 0] })).toString('base64url'),
    Buffer.from(JSON.stringify({ v: 2, q: Q, s: 'x', p: 1, x: {}, k: ['', '', 0, 0, 1, NIL, 0] })).toString('base64url'),
    Buffer.from(JSON.stringify({ v: 2, q: Q, s: 'x', p: 1, x: 1, k: ['', '', 0, 0, 1, NIL] })).toString('base64url'),
  ])('EXPECTED FAILURE: %s is a 400', (c) => expect400(c, Q, /cursor is not a cursor this server issued/));
});
