import { getDb } from '@/lib/db/client';
import { publicBaseUrl } from '@/lib/http/public-base-url';
import { deviceLabelsOf, zooRowsToJson } from '@/lib/zoo/export';
import { exportSlots } from '@/lib/zoo/export-slots';
import { zooExportStream } from '@/lib/zoo/export-stream';
import { listZooRows } from '@/lib/zoo/list-zoo-rows';
import { parseZooQuery, ZOO_API_DEFAULT_LIMIT } from '@/lib/zoo/query';
import { decodeZooCursor, encodeZooCursor } from '@/lib/zoo/zoo-cursor';
import { apiRoute } from '../route-wrapper';

export const dynamic = 'force-dynamic';

/**
 * GET /api/zoo?<zoo query> — the rows the zoo page shows for the same query (ZZooRow, lib/zoo/row.ts), in pages:
 * JSON `{ count, total, rows, nextCursor }` with `limit` rows (default 100, at most 500); pass `nextCursor` back as
 * `cursor` for the next page (null on the last one). `format=csv` or `format=json` exports every matching row
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
  const offset = query.cursor ? decodeZooCursor(query.cursor) : 0;
  const limit = query.limit ?? ZOO_API_DEFAULT_LIMIT;
  const { rows, data, total } = await listZooRows(db, query, { offset, limit });
  const json = zooRowsToJson(rows, { baseUrl: publicBaseUrl(request), deviceLabels: deviceLabelsOf(data.devices) });
  return Response.json({ ...json, total, nextCursor: offset + rows.length < total ? encodeZooCursor(offset + rows.length) : null });
});
