import { getDb } from '@/lib/db/client';
import { publicBaseUrl } from '@/lib/http/public-base-url';
import { deviceLabelsOf, zooRowsToCsv, zooRowsToJson } from '@/lib/zoo/export';
import { listZooRows } from '@/lib/zoo/list-zoo-rows';
import { parseZooQuery } from '@/lib/zoo/query';
import { apiRoute } from '../route-wrapper';

export const dynamic = 'force-dynamic';

/**
 * GET /api/zoo?<zoo query> — the rows the zoo page shows for the same query (ZZooRow, lib/zoo/row.ts).
 * `format=csv` returns CSV; `format=json` (or none) JSON `{ count, rows }`. Bad parameters: 400.
 * Columns and links: docs/exports.md (links are absolute, on SLIMBOARD_PUBLIC_URL or the request's origin).
 */
export const GET = apiRoute({ auth: 'public' }, async ({ request }) => {
  const query = parseZooQuery(new URL(request.url).searchParams);
  const { rows, data } = await listZooRows(await getDb(), query);
  const options = { baseUrl: publicBaseUrl(request), deviceLabels: deviceLabelsOf(data.devices) };
  if (query.format === 'csv') {
    return new Response(zooRowsToCsv(rows, options), {
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="slimboard-zoo.csv"' },
    });
  }
  const body = Response.json(zooRowsToJson(rows, options));
  if (query.format === 'json') body.headers.set('content-disposition', 'attachment; filename="slimboard-zoo.json"');
  return body;
});
