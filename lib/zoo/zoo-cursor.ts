import { z } from 'zod';
import { SlimboardError } from '../errors';

/**
 * GET /api/zoo's opaque cursor: where the next page starts in the query's row order (an offset into the rows the
 * same filters and sort select), base64url-encoded JSON `{ "v": 1, "o": <offset> }`. Clients pass `nextCursor`
 * back unchanged with the same query; a cursor that does not decode is a 400.
 */

const ZCursor = z.strictObject({ v: z.literal(1), o: z.number().int().min(0).max(1_000_000_000) });

export function encodeZooCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ v: 1, o: offset }), 'utf8').toString('base64url');
}

/** The offset a cursor stands for; a malformed cursor throws SlimboardError (400). */
export function decodeZooCursor(cursor: string): number {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = ZCursor.safeParse(json);
  if (!parsed.success) {
    throw new SlimboardError('bad_query', 'bad query: cursor is not a cursor this server issued (pass nextCursor back unchanged)', {
      status: 400,
    });
  }
  return parsed.data.o;
}
