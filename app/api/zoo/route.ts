import { getDb } from '@/lib/db/client';
import { publicBaseUrl } from '@/lib/http/public-base-url';
import { deviceLabelsOf, zooRowsToJson } from '@/lib/zoo/export';
import { exportSlots } from '@/lib/zoo/export-slots';
import { zooExportStream } from '@/lib/zoo/export-stream';
import { listZooRows, listZooRowsAfter, rowsQueryOf } from '@/lib/zoo/list-zoo-rows';
import { parseZooQuery, ZOO_API_DEFAULT_LIMIT, zooQueryToSearch } from '@/lib/zoo/query';
import { decodeZooCursor, encodeZooCursor, encodeZooOffsetCursor, zooQueryDigest } from '@/lib/zoo/zoo-cursor';
import { apiRoute } from '../route-wrapper';

export const dynamic = 'force-dynamic';

/**
 * GET /api/zoo?<zoo query> — the rows the zoo page shows for the same query (ZZooRow, lib/zoo/row.ts), in pages:
 * JSON `{ count, total, rows, nextCursor }` with `limit` rows (default 100, at most 500); pass `nextCursor` back as
 * `cursor` for the next page (null on the last one); it resumes after the last row sent, whatever rows were added
 * or removed before it meanwhile (lib/zoo/zoo-cursor.ts). `format=csv` or `format=json` exports every matching row
 * (attachment); at most SLIMBOARD_EXPORT_CONCURRENCY at once per process, one more gets 503 with Retry-After.
 * Bad parameters: 400. Columns and links: docs/exports.md; paging: docs/scale.md.
 */
export const GET = apiRoute({ auth: 'public' }, async ({ request }) => {
  const query = parseZooQuery(new URL(request.url).searchParams);
  const db = await getDb();
  if (query.format) {
    // Every matching row, streamed in batches (lib/zoo/export-stream.ts); stops when the client goes away. A slot of
    // this process's bounded exports (lib/zoo/export-slots.ts) is held until the stream is done; none free: 503.
    const release = exportSlots().take();
    let body: ReadableStream<Uint8Array>;
    try {
      body = await zooExportStream(db, query, {
        format: query.format,
        baseUrl: publicBaseUrl(request),
        signal: request.signal,
        onFinish: release,
      });
    } catch (e) {
      release();
      throw e;
    }
    const type = query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json';
    return new Response(body, {
      headers: { 'content-type': type, 'content-disposition': `attachment; filename="slimboard-zoo.${query.format}"` },
    });
  }
  const limit = query.limit ?? ZOO_API_DEFAULT_LIMIT;
  const digest = zooQueryDigest(zooQueryToSearch(rowsQueryOf(query)));
  const cursor = query.cursor ? decodeZooCursor(query.cursor, digest) : { after: null };
  const baseUrl = publicBaseUrl(request);
  if ('offset' in cursor) {
    // An offset cursor from before the keyset one: that client pages on by offsets until it is done.
    const { rows, data, total } = await listZooRows(db, query, { offset: cursor.offset, limit, signal: request.signal });
    const end = cursor.offset + rows.length;
    const json = zooRowsToJson(rows, { baseUrl, deviceLabels: deviceLabelsOf(data.devices) });
    return Response.json({ ...json, total, nextCursor: end < total ? encodeZooOffsetCursor(end) : null });
  }
  // A client that goes away cancels the page's own queries (a metric sort of a large section takes seconds).
  const { rows, data, total, next } = await listZooRowsAfter(db, query, cursor.after, limit, { signal: request.signal });
  const json = zooRowsToJson(rows, { baseUrl, deviceLabels: deviceLabelsOf(data.devices) });
  return Response.json({ ...json, total, nextCursor: next ? encodeZooCursor(next, digest) : null });
});
