import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SlimboardError } from '../errors';
import type { ZooRowPlace } from './select-zoo-rows';

/**
 * GET /api/zoo's opaque cursor: base64url-encoded JSON. Clients pass `nextCursor` back unchanged with the same query.
 *
 * - v2 (issued now): the last row's place (ZooRowPlace: its section, sort value and place columns) and a digest of
 *   the query it was issued for. The next page starts after that row, so rows added or removed before it meanwhile
 *   neither repeat nor skip a row (a keyset cursor). A cursor given with another query (other filters or sort) is a
 *   400 that says so.
 * - v1 (issued before 2026-12-07): an offset into the query's rows, still honoured.
 *
 * A cursor that does not decode is a 400.
 */

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SortValue = z.union([z.number().refine(Number.isFinite), z.string().max(10_000), z.null()]);
const ZCursorV1 = z.strictObject({ v: z.literal(1), o: z.number().int().min(0).max(1_000_000_000) });
const ZCursorV2 = z.strictObject({
  v: z.literal(2),
  /** zooQueryDigest of the query it was issued for. */
  q: z.string().regex(/^[0-9a-f]{12}$/),
  s: z.string().min(1).max(200),
  p: z.number().int(),
  x: SortValue,
  k: z.tuple([z.string(), z.string(), z.number().int(), z.number(), z.number().int(), z.string().regex(UUID_TEXT), z.number().int()]),
});

/** What a cursor stands for: an offset (v1) or the place of the last row sent (v2). */
export type TZooCursor = { offset: number } | { after: ZooRowPlace };

/** Short digest of the query text that selects the rows (lib/zoo/list-zoo-rows.ts rowsQueryOf, as a search string). */
export function zooQueryDigest(rowsQuerySearch: string): string {
  return createHash('sha256').update(rowsQuerySearch).digest('hex').slice(0, 12);
}

export function encodeZooCursor(after: ZooRowPlace, queryDigest: string): string {
  const json = { v: 2, q: queryDigest, s: after.sectionSlug, p: after.sectionPosition, x: after.sortValue, k: after.place };
  return Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');
}

/** An offset cursor (v1), as issued before the keyset cursor: the next page of a client that began with one. */
export function encodeZooOffsetCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ v: 1, o: offset }), 'utf8').toString('base64url');
}

/** What `cursor` stands for, given the digest of the query it came with; a malformed or foreign cursor is a 400. */
export function decodeZooCursor(cursor: string, queryDigest: string): TZooCursor {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    json = undefined;
  }
  const v1 = ZCursorV1.safeParse(json);
  if (v1.success) return { offset: v1.data.o };
  const v2 = ZCursorV2.safeParse(json);
  if (!v2.success) {
    throw new SlimboardError('bad_query', 'bad query: cursor is not a cursor this server issued (pass nextCursor back unchanged)', {
      status: 400,
    });
  }
  if (v2.data.q !== queryDigest) {
    throw new SlimboardError(
      'bad_query',
      'bad query: cursor was issued for another query (its filters or sort differ); ' +
        'page with the same query, or start again without cursor',
      { status: 400 },
    );
  }
  const { s, p, x, k } = v2.data;
  return { after: { sectionSlug: s, sectionPosition: p, sortValue: x, place: k } };
}
